// Device memory through the caching allocator, and copies on the one stream.
// Only copy_to_host waits for the GPU (the host needs the bytes); a host ->
// device copy from pageable memory returns once the bytes are staged, so the
// caller may reuse its buffer at once.
#include <cuda_runtime_api.h>

#include "cuda/allocator.h"
#include "cuda/check.h"
#include "cuda/context.h"
#include "cuda/cuda_backend.h"

namespace gl::cuda {

void* CudaBackend::allocate(std::size_t bytes) { return allocator().allocate(bytes); }

void CudaBackend::deallocate(void* ptr, std::size_t /*bytes*/) { allocator().deallocate(ptr); }

void CudaBackend::copy_from_host(void* dst, const void* host_src, std::size_t bytes) {
  if (bytes == 0) return;
  GL_CUDA_CHECK(cudaMemcpyAsync(dst, host_src, bytes, cudaMemcpyHostToDevice, stream()));
}

void CudaBackend::copy_to_host(void* host_dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  GL_CUDA_CHECK(cudaMemcpyAsync(host_dst, src, bytes, cudaMemcpyDeviceToHost, stream()));
  GL_CUDA_CHECK(cudaStreamSynchronize(stream()));
}

void CudaBackend::copy(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0 || dst == src) return;
  GL_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()));
}

void CudaBackend::synchronize() { GL_CUDA_CHECK(cudaStreamSynchronize(stream())); }

}  // namespace gl::cuda
