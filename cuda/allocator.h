// A caching device allocator: freed blocks go to a free list keyed by their
// rounded size and are handed out again, so a training step after the first
// calls cudaMalloc / cudaFree never. Safe because all work runs on one stream:
// a block freed on the host is reused only by work queued after the work that
// used it.
//
// Size buckets: multiples of 512 bytes up to 1 MiB, then 8 steps per power of
// two (at most 12.5% waste).
#pragma once
#include <cstddef>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace gl::cuda {

class CachingAllocator {
 public:
  void* allocate(std::size_t bytes);
  void deallocate(void* ptr);
  void release_cached();  // cudaFree every cached block (synchronizes the stream first)

  std::size_t current_bytes() const;
  std::size_t peak_bytes() const;
  std::size_t cached_bytes() const;
  void reset_peak();

  static std::size_t bucket_size(std::size_t bytes);

 private:
  void release_cached_locked();
  mutable std::mutex mutex_;
  std::unordered_map<std::size_t, std::vector<void*>> free_;  // bucket size -> blocks
  std::unordered_map<void*, std::size_t> live_;               // block -> bucket size
  std::size_t current_ = 0, peak_ = 0, cached_ = 0;
};

// The process-wide allocator (never destroyed, like the context).
CachingAllocator& allocator();

// Scratch memory for one backend call, returned to the cache when it goes out
// of scope (the stream order makes the reuse safe).
class Workspace {
 public:
  explicit Workspace(std::size_t bytes) : ptr_(bytes ? allocator().allocate(bytes) : nullptr) {}
  ~Workspace() {
    if (ptr_) allocator().deallocate(ptr_);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  template <class T> T* as() const { return static_cast<T*>(ptr_); }

 private:
  void* ptr_;
};

}  // namespace gl::cuda
