// Helpers for the CudaBackend's .cpp files: typed pointers, dtype dispatch
// and cheap argument checks (internal to cuda/).
#pragma once
#include <cstdint>

#include "engine/core/error.h"
#include "engine/core/tensor.h"

namespace gl::cuda {

// The tensor's first element as T* (a device pointer); null for an undefined tensor.
template <class T> T* dptr(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}

// Calls f(T{}) with T = float or double; anything else throws naming `op`.
template <class F> void dispatch_float(DType dtype, const char* op, F&& f) {
  switch (dtype) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    default: break;
  }
  throw Error(fmt::format("{} (cuda): expected a float32 or float64 tensor, got {}", op, dtype_name(dtype)));
}

// As dispatch_float, with int32 allowed too.
template <class F> void dispatch_any(DType dtype, F&& f) {
  switch (dtype) {
    case DType::f32: f(float{}); return;
    case DType::f64: f(double{}); return;
    case DType::i32: f(std::int32_t{}); return;
  }
}

inline void check_same_numel(const char* op, const Tensor& a, const Tensor& b) {
  GL_CHECK(a.numel() == b.numel(), "{} (cuda): {} and {} must have the same number of elements", op,
           describe(a), describe(b));
}

// Every defined tensor must live on the GPU (a CPU tensor here means a dispatch bug upstream).
inline void check_on_cuda(const char* op, std::initializer_list<const Tensor*> tensors) {
  for (const Tensor* t : tensors) {
    GL_CHECK(!t->defined() || t->device() == Device::cuda,
             "{} (cuda): {} is not on the GPU; move it with .to(Device::cuda)", op, describe(*t));
  }
}

}  // namespace gl::cuda
