// Check macros for every CUDA runtime and cuBLAS call. On failure they throw
// gl::Error naming the call, the file and line, the CUDA error and what to do.
// The thrower lives in check.cpp, so .cu files (which must not include fmt)
// can use these macros too.
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

namespace gl::cuda {

[[noreturn]] void throw_cuda_error(cudaError_t code, const char* expr, const char* file, int line);
[[noreturn]] void throw_cublas_error(cublasStatus_t code, const char* expr, const char* file,
                                     int line);

}  // namespace gl::cuda

#define GL_CUDA_CHECK(expr)                                                        \
  do {                                                                             \
    const cudaError_t gl_cuda_status_ = (expr);                                    \
    if (gl_cuda_status_ != cudaSuccess)                                            \
      ::gl::cuda::throw_cuda_error(gl_cuda_status_, #expr, __FILE__, __LINE__);    \
  } while (0)

#define GL_CUBLAS_CHECK(expr)                                                      \
  do {                                                                             \
    const cublasStatus_t gl_cublas_status_ = (expr);                               \
    if (gl_cublas_status_ != CUBLAS_STATUS_SUCCESS)                                \
      ::gl::cuda::throw_cublas_error(gl_cublas_status_, #expr, __FILE__, __LINE__); \
  } while (0)

// After a <<<...>>> launch: catches bad launch configurations at once (kernel
// faults surface at the next synchronizing call, also checked).
#define GL_CUDA_CHECK_LAUNCH() GL_CUDA_CHECK(cudaGetLastError())
