// Helpers shared by the CPU kernels (internal to engine/cpu/).
#pragma once
#include <cstdint>

#include "engine/core/error.h"
#include "engine/core/tensor.h"

namespace gl::cpu {

// Loops shorter than this run on one thread: below it, waking the OpenMP
// team costs more than the loop (measured on a 2-core machine).
inline constexpr std::int64_t kParallelMin = 1 << 15;

// The tensor's first element as T* (no dtype check; callers dispatch first).
template <class T> T* ptr(const Tensor& t) { return static_cast<T*>(t.raw_data()); }

// Calls f(T{}) with T = float or double according to `dtype`; anything else
// throws naming `op`. Kernels are written once as generic lambdas.
template <class F> void dispatch_float(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    default: break;
  }
  throw Error(fmt::format("{} (cpu): expected a float32 or float64 tensor, got {}", op,
                          dtype_name(dtype)));
}

// As dispatch_float, but int32 is allowed too.
template <class F> void dispatch_any(DType dtype, F&& f) {
  switch (dtype) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    case DType::i32: f(std::int32_t{}); return;
  }
}

// Internal invariants the ops layer already guarantees; cheap enough to keep.
inline void check_same_numel(const char* op, const Tensor& a, const Tensor& b) {
  GL_CHECK(a.numel() == b.numel(), "{} (cpu): {} and {} must have the same number of elements",
           op, describe(a), describe(b));
}

}  // namespace gl::cpu
