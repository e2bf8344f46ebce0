// The caching allocator (see allocator.h for the bucket rule and why reuse is safe).
#include "cuda/allocator.h"

#include <algorithm>

#include "cuda/check.h"
#include "cuda/context.h"
#include "engine/core/error.h"

namespace gl::cuda {

std::size_t CachingAllocator::bucket_size(std::size_t bytes) {
  constexpr std::size_t kSmallStep = 512, kSmallLimit = std::size_t{1} << 20;
  if (bytes <= kSmallLimit) return std::max<std::size_t>(kSmallStep, (bytes + kSmallStep - 1) / kSmallStep * kSmallStep);
  // Largest power of two p <= bytes; steps of p/8.
  std::size_t p = kSmallLimit;
  while (p * 2 <= bytes) p *= 2;
  const std::size_t step = p / 8;
  return (bytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(std::size_t bytes) {
  const std::size_t size = bucket_size(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  void* ptr = nullptr;
  auto it = free_.find(size);
  if (it != free_.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
    cached_ -= size;
  } else {
    context();  // the device is set before the first cudaMalloc
    cudaError_t status = cudaMalloc(&ptr, size);
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      release_cached_locked();  // give the cache back and try once more
      status = cudaMalloc(&ptr, size);
    }
    if (status == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      throw Error(fmt::format(
          "allocate (cuda): out of GPU memory asking for {} bytes ({} in use by tensors, peak {}); "
          "use a smaller batch or model, or free other GPU processes (nvidia-smi)",
          size, current_, peak_));
    }
    GL_CUDA_CHECK(status);
  }
  live_[ptr] = size;
  current_ += size;
  peak_ = std::max(peak_, current_);
  return ptr;
}

void CachingAllocator::deallocate(void* ptr) {
  if (ptr == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(ptr);
  if (it == live_.end()) {
    throw Error("deallocate (cuda): pointer was not allocated by the CUDA backend (a gradlab bug)");
  }
  const std::size_t size = it->second;
  live_.erase(it);
  current_ -= size;
  free_[size].push_back(ptr);
  cached_ += size;
}

void CachingAllocator::release_cached_locked() {
  // Blocks in the free lists may still be in use by queued work.
  GL_CUDA_CHECK(cudaStreamSynchronize(context().stream));
  for (auto& [size, blocks] : free_) {
    for (void* p : blocks) GL_CUDA_CHECK(cudaFree(p));
    blocks.clear();
  }
  free_.clear();
  cached_ = 0;
}

void CachingAllocator::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_locked();
}

std::size_t CachingAllocator::current_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}
std::size_t CachingAllocator::peak_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}
std::size_t CachingAllocator::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_;
}
void CachingAllocator::reset_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  peak_ = current_;
}

CachingAllocator& allocator() {
  static CachingAllocator* a = new CachingAllocator;
  return *a;
}

}  // namespace gl::cuda
