// Small helpers shared by the op files (not part of the public API).
#pragma once
#include <string>
#include <vector>

#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "engine/core/tensor.h"

namespace gl::detail {

// A floating tensor (f32/f64), defined.
inline void require_float(const char* op, const Tensor& t, const char* what = "input") {
  GL_CHECK(t.defined(), "{}: {} is undefined", op, what);
  GL_CHECK(is_floating(t.dtype()), "{}: {} is {} ({}); this op needs float32 or float64 (convert with .to(DType::f32))",
           op, what, dtype_name(t.dtype()), describe(t));
}

// Same floating dtype and device for every defined tensor; returns their backend.
inline Backend& require_compatible(const char* op, std::initializer_list<const Tensor*> ts) {
  const Tensor* first = nullptr;
  for (const Tensor* t : ts) {
    if (!t->defined()) continue;
    require_float(op, *t);
    if (!first) {
      first = t;
      continue;
    }
    GL_CHECK(t->dtype() == first->dtype(), "{}: dtypes differ ({} and {}); convert with .to(DType) first", op,
             describe(*first), describe(*t));
  }
  return backend_of(op, ts);
}

inline Tensor empty_like_shape(const Tensor& ref, const Shape& shape) {
  return Tensor::empty(shape, ref.dtype(), ref.device());
}

// A tensor that shares `t`'s data under another shape (same numel).
inline Tensor view(const Tensor& t, const Shape& shape) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = t.impl()->storage;
  impl->offset = t.impl()->offset;
  impl->shape = shape;
  impl->dtype = t.dtype();
  return Tensor(impl);
}

inline bool needs_grad(const Tensor& t) { return t.defined() && t.requires_grad() && grad_enabled(); }

}  // namespace gl::detail
