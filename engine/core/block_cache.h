// A caching allocator, shared by the CPU and CUDA backends: freed blocks go to
// a free list keyed by their rounded size and are handed out again, so a
// training step after the first never returns to the system allocator. On the
// CPU this saves the page faults (and the kernel zeroing each fresh page) that
// malloc's mmap'd blocks cost on every op; on the GPU, cudaMalloc/cudaFree.
//
// Size buckets: multiples of 512 bytes up to 1 MiB, then 8 steps per power of
// two (at most 12.5% waste). Thread-safe (one mutex).
//
// Private pools (for CUDA graph capture). A captured graph bakes in the
// address of every buffer its kernels touch, so those blocks must stay
// reserved for it as long as the graph lives, and nothing else may be handed
// them in between replays. While a pool is active (PoolScope), every block
// allocated comes from that pool's free lists (or the source) and belongs to
// it; a pool's block, when freed (inside the scope or long after it), goes
// back to that pool's lists only. Inside the pool, freed blocks are reused in
// the same deterministic order, so the same sequence of allocations gets the
// same addresses. release_pool() gives a pool's blocks back to the source once
// none of them is live (the graph and its tensors are gone).
#pragma once
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace gl {

class BlockCache {
 public:
  // Where blocks come from. `allocate` returns nullptr when the memory is
  // exhausted (the cache then gives its free blocks back and tries once
  // more); `release` runs before cached blocks are freed (a GPU waits for
  // queued work there).
  struct Source {
    void* (*allocate)(std::size_t bytes);
    void (*free)(void* ptr);
    void (*before_release)();
  };
  // `what` names the memory in errors ("allocate (cpu): out of host memory");
  // `hint` says what to do.
  BlockCache(Source source, std::string what, std::string hint);

  void* allocate(std::size_t bytes);
  void deallocate(void* ptr);
  void release_cached();  // frees every cached block of the shared lists (pools keep theirs)

  // ---- private pools (see the top of this file) ----
  using PoolId = std::uint64_t;  // 0 is the shared lists
  PoolId create_pool();
  void release_pool(PoolId pool);  // refused while any of its blocks is live
  PoolId active_pool() const;
  std::size_t pool_bytes(PoolId pool) const;  // live + free blocks the pool owns
  // Makes `pool` the active one for its lifetime (scopes nest).
  class PoolScope {
   public:
    PoolScope(BlockCache& cache, PoolId pool);
    ~PoolScope();
    PoolScope(const PoolScope&) = delete;
    PoolScope& operator=(const PoolScope&) = delete;

   private:
    BlockCache& cache_;
    PoolId previous_;
  };

  std::size_t current_bytes() const;  // held by live blocks (rounded to buckets)
  std::size_t peak_bytes() const;     // maximum of current_bytes since the last reset
  std::size_t cached_bytes() const;   // kept in the free lists for reuse
  void reset_peak();

  static std::size_t bucket_size(std::size_t bytes);

 private:
  struct Pool {
    std::unordered_map<std::size_t, std::vector<void*>> free;  // bucket size -> blocks
    std::size_t owned_bytes = 0, live_blocks = 0;
  };
  struct Block {
    std::size_t size;
    PoolId pool;
  };
  void release_cached_locked();
  Pool& pool_locked(PoolId id, const char* caller);
  Source source_;
  std::string what_, hint_;
  mutable std::mutex mutex_;
  std::unordered_map<PoolId, Pool> pools_{{0, Pool{}}};  // 0: the shared lists
  std::unordered_map<void*, Block> live_;
  PoolId active_ = 0, next_pool_ = 1;
  std::size_t current_ = 0, peak_ = 0, cached_ = 0;
};

}  // namespace gl
