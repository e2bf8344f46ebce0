// The one stream and cuBLAS handle all CUDA work goes through (internal to
// cuda/). Work is queued on the stream in program order, so nothing needs a
// host synchronisation except reading results (copy_to_host).
#pragma once
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <string>

namespace gl::cuda {

struct Context {
  cudaStream_t stream = nullptr;
  cublasHandle_t cublas = nullptr;
  bool tf32 = false;           // requested by set_tf32 / GRADLAB_TF32
  bool cublas_tf32 = false;    // what the handle is currently set to
  std::string device_name;
};

// Created on first use (stream, handle; reads GRADLAB_TF32). Never destroyed:
// tensors freed during static destruction may still reach the backend.
Context& context();
inline cudaStream_t stream() { return context().stream; }

// The device count, with errors (no driver, no device) reported as 0.
int device_count();

}  // namespace gl::cuda
