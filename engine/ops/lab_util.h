// Helpers shared by the lab op files (engine/ops/lab_*.cpp; not public API).
#pragma once
#include <string>
#include <vector>

#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl::detail {

// Defined tensors of one dtype (any) on one device; returns their backend.
inline Backend& require_same_dtype(const char* op, std::initializer_list<const Tensor*> ts) {
  const Tensor* first = nullptr;
  for (const Tensor* t : ts) {
    GL_CHECK(t->defined(), "{}: an input is undefined", op);
    if (!first) {
      first = t;
      continue;
    }
    GL_CHECK(t->dtype() == first->dtype(),
             "{}: dtypes differ ({} and {}); convert one with .to(dtype) first", op, describe(*first), describe(*t));
  }
  return backend_of(op, ts);
}

// A 0-d tensor holding v in like's dtype and device.
inline Tensor scalar_like(double v, const Tensor& like) { return Tensor::scalar(v, like.dtype(), like.device()); }

// The same data converted to dtype (a float mask from a bool tensor, ...); no graph.
inline Tensor as_dtype(const Tensor& t, DType dtype) { return t.dtype() == dtype ? t : t.to(dtype); }

// An index tensor (int64 or int32) as int64, on `device`.
inline Tensor index_int64(const char* op, const Tensor& idx, Device device) {
  GL_CHECK(idx.defined(), "{}: the index tensor is undefined", op);
  GL_CHECK(idx.dtype() == DType::i64 || idx.dtype() == DType::i32,
           "{}: indices must be int64 or int32, got {}; convert with .to(DType::i64)", op, describe(idx));
  GL_CHECK(idx.device() == device, "{}: indices are on {} but the tensor is on {}; move them with .to()", op,
           device_name(idx.device()), device_name(device));
  return as_dtype(idx, DType::i64);
}

// Axes as a mask over a tensor of rank `rank` (empty = all), each checked.
inline std::vector<bool> lab_axis_mask(const char* op, int rank, const std::vector<int>& axes) {
  std::vector<bool> mask(rank, axes.empty());
  if (rank == 0) {  // a 0-d tensor reduces over dim 0 or -1 as if it were [1] (PyTorch's rule)
    for (int ax : axes) normalize_axis(ax, 1, op);
    return mask;
  }
  for (int ax : axes) {
    const int k = normalize_axis(ax, rank, op);
    GL_CHECK(!mask[k] || axes.empty(), "{}: axis {} listed twice", op, ax);
    mask[k] = true;
  }
  return mask;
}

// The shape with the masked axes dropped (keepdims = false) or set to 1.
inline Shape reduced_shape(const Shape& s, const std::vector<bool>& mask, bool keepdims) {
  Shape out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!mask[i]) out.push_back(s[i]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

// permute for any dtype (a copy, no graph).
inline Tensor permute_copy(const Tensor& t, const std::vector<int>& order) {
  const Strides st = contiguous_strides(t.shape());
  Shape shape(order.size());
  Strides src(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    shape[i] = t.shape()[order[i]];
    src[i] = st[order[i]];
  }
  Tensor out = Tensor::empty(shape, t.dtype(), t.device());
  backend(t.device()).strided_copy(t, 0, src, out, 0, contiguous_strides(shape), shape, false);
  return out;
}

// t broadcast to `shape` (a copy, any dtype, no graph).
inline Tensor broadcast_copy(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  const Strides src = broadcast_strides(t.shape(), shape);
  Tensor out = Tensor::empty(shape, t.dtype(), t.device());
  backend(t.device()).strided_copy(t, 0, src, out, 0, contiguous_strides(shape), shape, false);
  return out;
}

}  // namespace gl::detail
