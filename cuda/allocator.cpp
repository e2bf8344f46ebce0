// The device's BlockCache source: cudaMalloc (nullptr when the GPU is out of
// memory, so the cache can give its blocks back and retry), cudaFree, and a
// stream synchronization before cached blocks are freed (queued work may
// still use them).
#include "cuda/allocator.h"

#include <cuda_runtime_api.h>

#include "cuda/check.h"
#include "cuda/context.h"

namespace gl::cuda {

namespace {

void* device_malloc(std::size_t bytes) {
  context();  // the device is set before the first cudaMalloc
  void* ptr = nullptr;
  const cudaError_t status = cudaMalloc(&ptr, bytes);
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();  // clear the sticky error: this one is recoverable
    return nullptr;
  }
  GL_CUDA_CHECK(status);
  return ptr;
}

void device_free(void* ptr) { GL_CUDA_CHECK(cudaFree(ptr)); }

void wait_for_stream() { GL_CUDA_CHECK(cudaStreamSynchronize(context().stream)); }

}  // namespace

BlockCache& allocator() {
  static BlockCache* a = new BlockCache(
      {device_malloc, device_free, wait_for_stream}, "allocate (cuda): out of GPU memory",
      "use a smaller batch or model, or free other GPU processes (nvidia-smi)");
  return *a;
}

}  // namespace gl::cuda
