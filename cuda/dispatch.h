// Helpers for the CudaBackend's .cpp files: typed pointers, dtype dispatch
// and cheap argument checks (internal to cuda/).
#pragma once
#include <cstdint>
#include <utility>

#include "engine/core/dtype_dispatch.h"
#include "engine/core/error.h"
#include "engine/core/tensor.h"

namespace gl::cuda {

// The tensor's first element as T* (a device pointer); null for an undefined tensor.
template <class T> T* dptr(const Tensor& t) {
  return t.defined() ? static_cast<T*>(t.raw_data()) : nullptr;
}

// dtype dispatch (engine/core/dtype_dispatch.h), errors saying "(cuda)".
template <class F> void dispatch_float(DType dtype, const char* op, F&& f) {
  gl::dispatch_float(dtype, op, "cuda", std::forward<F>(f));
}
using gl::dispatch_any;

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
