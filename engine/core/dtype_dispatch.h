// Calling a kernel written once as a generic lambda with the element type of
// a tensor: dispatch_float(dtype, "op", [&](auto tag) { using T = decltype(tag); ... })
// runs it with T = float or double (anything else throws, naming the op and
// the backend); dispatch_any allows every dtype (int32, int64 and bool too).
// Shared by engine/cpu and cuda/.
#pragma once
#include <cstdint>

#include "engine/core/dtype.h"
#include "engine/core/error.h"

namespace gl {

template <class F> void dispatch_float(DType dtype, const char* op, const char* backend, F&& f) {
  switch (dtype) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    default: break;
  }
  throw Error(fmt::format("{} ({}): expected a float32 or float64 tensor, got {}", op, backend,
                          dtype_name(dtype)));
}

template <class F> void dispatch_any(DType dtype, F&& f) {
  switch (dtype) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    case DType::i32: f(std::int32_t{}); return;
    case DType::i64: f(std::int64_t{}); return;
    case DType::b8: f(bool{}); return;
  }
}

}  // namespace gl
