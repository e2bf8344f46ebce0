// A caching allocator, shared by the CPU and CUDA backends: freed blocks go to
// a free list keyed by their rounded size and are handed out again, so a
// training step after the first never returns to the system allocator. On the
// CPU this saves the page faults (and the kernel zeroing each fresh page) that
// malloc's mmap'd blocks cost on every op; on the GPU, cudaMalloc/cudaFree.
//
// Size buckets: multiples of 512 bytes up to 1 MiB, then 8 steps per power of
// two (at most 12.5% waste). Thread-safe (one mutex).
#pragma once
#include <cstddef>
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
  void release_cached();  // frees every cached block

  std::size_t current_bytes() const;  // held by live blocks (rounded to buckets)
  std::size_t peak_bytes() const;     // maximum of current_bytes since the last reset
  std::size_t cached_bytes() const;   // kept in the free lists for reuse
  void reset_peak();

  static std::size_t bucket_size(std::size_t bytes);

 private:
  void release_cached_locked();
  Source source_;
  std::string what_, hint_;
  mutable std::mutex mutex_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;  // bucket size -> blocks
  std::unordered_map<void*, std::size_t> live_;               // block -> bucket size
  std::size_t current_ = 0, peak_ = 0, cached_ = 0;
};

}  // namespace gl
