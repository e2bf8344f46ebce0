// Helpers shared by the CPU kernels (internal to engine/cpu/).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <utility>

#include "engine/core/dtype_dispatch.h"
#include "engine/core/error.h"
#include "engine/core/tensor.h"

namespace gl::cpu {

// Loops shorter than this run on one thread: below it, waking the OpenMP
// team costs more than the loop (measured on a 2-core machine).
inline constexpr std::int64_t kParallelMin = 1 << 15;

// The tensor's first element as T* (no dtype check; callers dispatch first).
template <class T> T* ptr(const Tensor& t) { return static_cast<T*>(t.raw_data()); }

// dtype dispatch (engine/core/dtype_dispatch.h), errors saying "(cpu)".
template <class F> void dispatch_float(DType dtype, const char* op, F&& f) {
  gl::dispatch_float(dtype, op, "cpu", std::forward<F>(f));
}
using gl::dispatch_any;

// out[i] = partials[0][i] + partials[1][i] + ... (count arrays of `size`, one
// after the other), every element summed in array order, so the result does
// not depend on which thread made which partial. Blocks of elements go to the
// threads; inside a block the arrays are added one by one (contiguous, vectorized).
template <class T>
void sum_partials_in_order(const T* partials, std::int64_t count, std::int64_t size, T* out) {
  constexpr std::int64_t kBlock = 2048;
  const std::int64_t blocks = (size + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (size * count >= kParallelMin)
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t i0 = b * kBlock, i1 = std::min(size, i0 + kBlock);
    for (std::int64_t i = i0; i < i1; ++i) out[i] = partials[i];
    for (std::int64_t c = 1; c < count; ++c) {
      const T* part = partials + c * size;
      for (std::int64_t i = i0; i < i1; ++i) out[i] += part[i];
    }
  }
}

// An exception must not leave an OpenMP region: the runtime would call
// std::terminate (an allocation failure in a thread's scratch buffer used to
// abort the interpreter). Each iteration's body runs through run(); the first
// exception is kept, the remaining iterations are skipped, and rethrow() after
// the region raises it on the calling thread.
class ParallelErrors {
 public:
  template <class F> void run(F&& body) noexcept {
    if (failed_.load(std::memory_order_relaxed)) return;
    try {
      body();
    } catch (...) {
      capture();
    }
  }
  // For loops inside generic lambdas, where clang refuses a lambda in the
  // OpenMP region: `if (errors.failed()) continue; try { ... } catch (...) { errors.capture(); }`.
  bool failed() const { return failed_.load(std::memory_order_relaxed); }
  void capture() noexcept {  // call inside a catch block
    std::lock_guard<std::mutex> lock(mutex_);
    if (!first_) first_ = std::current_exception();
    failed_.store(true);
  }
  void rethrow() const {
    if (first_) std::rethrow_exception(first_);
  }

 private:
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr first_;
};

// Internal invariants the ops layer already guarantees; cheap enough to keep.
inline void check_same_numel(const char* op, const Tensor& a, const Tensor& b) {
  GL_CHECK(a.numel() == b.numel(), "{} (cpu): {} and {} must have the same number of elements",
           op, describe(a), describe(b));
}

}  // namespace gl::cpu
