// The throwers behind GL_CUDA_CHECK / GL_CUBLAS_CHECK: one message format with
// a hint about what to do for the errors people actually meet.
#include "cuda/check.h"

#include "engine/core/error.h"

namespace gl::cuda {

namespace {

const char* cuda_hint(cudaError_t code) {
  switch (code) {
    case cudaErrorMemoryAllocation:
      return "the GPU is out of memory: use a smaller batch or model, or free other GPU processes "
             "(nvidia-smi)";
    case cudaErrorNoDevice:
    case cudaErrorInsufficientDriver:
      return "no usable GPU: run with --device cpu, or check the driver with nvidia-smi";
    case cudaErrorIllegalAddress:
    case cudaErrorLaunchFailure:
    case cudaErrorMisalignedAddress:
      return "a kernel faulted (a gradlab bug or a bad input such as an out-of-range label); "
             "rerun with CUDA_LAUNCH_BLOCKING=1 or under compute-sanitizer to find the kernel";
    case cudaErrorInvalidConfiguration:
      return "a kernel launch had a bad grid or block size (a gradlab bug); report the shapes";
    case cudaErrorNoKernelImageForDevice:
      return "this binary has no code for this GPU: rebuild with CMAKE_CUDA_ARCHITECTURES set "
             "to the GPU's compute capability";
    default:
      return "rerun with CUDA_LAUNCH_BLOCKING=1 to find the failing call";
  }
}

const char* cublas_name(cublasStatus_t code) {
  switch (code) {
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
    default: return "unknown cuBLAS status";
  }
}

}  // namespace

void throw_cuda_error(cudaError_t code, const char* expr, const char* file, int line) {
  throw Error(fmt::format("CUDA error {} ({}) in `{}` at {}:{}; {}", cudaGetErrorName(code),
                          cudaGetErrorString(code), expr, file, line, cuda_hint(code)));
}

void throw_cublas_error(cublasStatus_t code, const char* expr, const char* file, int line) {
  throw Error(fmt::format(
      "cuBLAS error {} ({}) in `{}` at {}:{}; {}", cublas_name(code), static_cast<int>(code), expr,
      file, line,
      code == CUBLAS_STATUS_ALLOC_FAILED
          ? "the GPU is out of memory: use a smaller batch or model"
          : "check the GEMM sizes (they must fit in int) and rerun with CUDA_LAUNCH_BLOCKING=1"));
}

}  // namespace gl::cuda
