// The device's caching allocator: engine/core/block_cache.h over cudaMalloc /
// cudaFree, so a training step after the first calls neither. Safe because
// all work runs on one stream: a block freed on the host is reused only by
// work queued after the work that used it; before cached blocks are given
// back to the driver, the stream is synchronized.
#pragma once
#include <cstddef>

#include "engine/core/block_cache.h"

namespace gl::cuda {

// The process-wide allocator (never destroyed, like the context).
BlockCache& allocator();

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
