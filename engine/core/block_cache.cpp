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
  Pool& pool = pools_.at(active_);
  void* ptr = nullptr;
  auto it = pool.free.find(size);
  if (it != pool.free.end() && !it->second.empty()) {
    ptr = it->second.back();
    it->second.pop_back();
    cached_ -= size;
  } else {
    ptr = source_.allocate(size);
    if (ptr == nullptr) {
      release_cached_locked();  // give the shared cache back and try once more
      ptr = source_.allocate(size);
    }
    if (ptr == nullptr) {
      throw Error(fmt::format("{} asking for {} bytes ({} in use by tensors, peak {}); {}", what_,
                              size, current_, peak_, hint_));
    }
    pool.owned_bytes += size;
  }
  ++pool.live_blocks;
  live_[ptr] = Block{size, active_};
  current_ += size;
  peak_ = std::max(peak_, current_);
  return ptr;
}

void BlockCache::deallocate(void* ptr) {
  if (ptr == nullptr) return;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = live_.find(ptr);
  GL_CHECK(it != live_.end(), "deallocate: {}: pointer was not allocated here (a gradlab bug)", what_);
  const Block block = it->second;
  live_.erase(it);
  current_ -= block.size;
  Pool& pool = pools_.at(block.pool);  // a pool with live blocks is never released
  --pool.live_blocks;
  pool.free[block.size].push_back(ptr);
  cached_ += block.size;
}

void BlockCache::release_cached_locked() {
  if (source_.before_release != nullptr) source_.before_release();
  Pool& shared = pools_.at(0);
  for (auto& [size, blocks] : shared.free) {
    for (void* p : blocks) source_.free(p);
    cached_ -= size * blocks.size();
    shared.owned_bytes -= size * blocks.size();
  }
  shared.free.clear();
}

void BlockCache::release_cached() {
  std::lock_guard<std::mutex> lock(mutex_);
  release_cached_locked();
}

BlockCache::Pool& BlockCache::pool_locked(PoolId id, const char* caller) {
  auto it = pools_.find(id);
  GL_CHECK(it != pools_.end(), "{}: {}: no pool {} (released already, or never created)", caller, what_, id);
  return it->second;
}

BlockCache::PoolId BlockCache::create_pool() {
  std::lock_guard<std::mutex> lock(mutex_);
  const PoolId id = next_pool_++;
  pools_.emplace(id, Pool{});
  return id;
}

void BlockCache::release_pool(PoolId id) {
  std::lock_guard<std::mutex> lock(mutex_);
  GL_CHECK(id != 0, "release_pool: {}: pool 0 is the shared cache; use release_cached()", what_);
  Pool& pool = pool_locked(id, "release_pool");
  GL_CHECK(pool.live_blocks == 0,
           "release_pool: {}: pool {} still has {} live blocks; free the tensors allocated in it (and the graph "
           "that uses them) first",
           what_, id, pool.live_blocks);
  GL_CHECK(active_ != id, "release_pool: {}: pool {} is active; end its PoolScope first", what_, id);
  if (source_.before_release != nullptr) source_.before_release();
  for (auto& [size, blocks] : pool.free) {
    for (void* p : blocks) source_.free(p);
    cached_ -= size * blocks.size();
  }
  pools_.erase(id);
}

BlockCache::PoolId BlockCache::active_pool() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_;
}

std::size_t BlockCache::pool_bytes(PoolId id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = pools_.find(id);
  return it == pools_.end() ? 0 : it->second.owned_bytes;
}

BlockCache::PoolScope::PoolScope(BlockCache& cache, PoolId pool) : cache_(cache) {
  std::lock_guard<std::mutex> lock(cache.mutex_);
  cache.pool_locked(pool, "PoolScope");
  previous_ = cache.active_;
  cache.active_ = pool;
}

BlockCache::PoolScope::~PoolScope() {
  std::lock_guard<std::mutex> lock(cache_.mutex_);
  cache_.active_ = previous_;
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
