// The caching allocator (see block_cache.h for the bucket rule).
#include "engine/core/block_cache.h"

#include <algorithm>
#include <utility>

#include "engine/core/error.h"

namespace gl {

BlockCache::BlockCache(Source source, std::string what, std::string hint)
    : source_(source), what_(std::move(what)), hint_(std::move(hint)) {}

std::size_t BlockCache::bucket_size(std::size_t bytes) {
  constexpr std::size_t kSmallStep = 512, kSmallLimit = std::size_t{1} << 20;
  if (bytes <= kSmallLimit) {
    return std::max<std::size_t>(kSmallStep, (bytes + kSmallStep - 1) / kSmallStep * kSmallStep);
  }
  // Largest power of two p <= bytes; steps of p/8.
  std::size_t p = kSmallLimit;
  while (p * 2 <= bytes) p *= 2;
  const std::size_t step = p / 8;
  return (bytes + step - 1) / step * step;
}

void* BlockCache::allocate(std::size_t bytes) {
  const std::size_t size = bucket_size(bytes);
  std::lock_guard<std::mutex> lock(mutex_);
  void* ptr = nullptr;
  auto it = free_.find(size);
  if (it != free_.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
    cached_ -= size;
  } else {
    ptr = source_.allocate(size);
    if (ptr == nullptr) {
      release_cached_locked();  // give the cache back and try once more
      ptr = source_.allocate(size);
    }
    if (ptr == nullptr) {
      throw Error(fmt::format("{} asking for {} bytes ({} in use by tensors, peak {}); {}", what_,
                              size, current_, peak_, hint_));
    }
  }
  live_[ptr] = size;
  current_ += size;
  peak_ = std::max(peak_, current_);
  return ptr;
}

void BlockCache::deallocate(void* ptr) {
  if (ptr == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(ptr);
  GL_CHECK(it != live_.end(), "deallocate: {}: pointer was not allocated here (a gradlab bug)", what_);
  const std::size_t size = it->second;
  live_.erase(it);
  current_ -= size;
  free_[size].push_back(ptr);
  cached_ += size;
}

void BlockCache::release_cached_locked() {
  if (source_.before_release != nullptr) source_.before_release();
  for (auto& [size, blocks] : free_) {
    for (void* p : blocks) source_.free(p);
  }
  free_.clear();
  cached_ = 0;
}

void BlockCache::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_locked();
}

std::size_t BlockCache::current_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return current_;
}
std::size_t BlockCache::peak_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return peak_;
}
std::size_t BlockCache::cached_bytes() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return cached_;
}
void BlockCache::reset_peak() {
  std::lock_guard<std::mutex> lock(mutex_);
  peak_ = current_;
}

}  // namespace gl
