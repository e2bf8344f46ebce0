// Reshape (a view), and the copying shape ops, all through one strided copy:
// permute, slice, concat, expand, pad2d.
#include <numeric>

#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

Tensor reshape(const Tensor& a, const Shape& shape) {
  GL_CHECK(a.defined(), "reshape: input is undefined");
  Shape s = shape;
  int infer = -1;
  std::int64_t known = 1;
  for (int i = 0; i < static_cast<int>(s.size()); ++i) {
    if (s[i] == -1) {
      GL_CHECK(infer < 0, "reshape: more than one -1 in {}", shape_str(shape));
      infer = i;
    } else {
      GL_CHECK(s[i] >= 0, "reshape: negative size in {}", shape_str(shape));
      known = checked_mul(known, s[i], "reshape");
    }
  }
  if (infer >= 0) {
    GL_CHECK(known > 0 && a.numel() % known == 0, "reshape: cannot infer -1 in {} for {} elements of {}",
             shape_str(shape), a.numel(), shape_str(a.shape()));
    s[infer] = a.numel() / known;
  }
  GL_CHECK(checked_numel("reshape", s) == a.numel(), "reshape: {} has {} elements but {} has {}", shape_str(a.shape()), a.numel(),
           shape_str(s), numel(s));
  return record(view(a, s), "reshape", {a}, [as = a.shape()](const Tensor& g) {
    return std::vector<Tensor>{reshape(g, as)};
  }, shape_str(s));
}

Tensor flatten(const Tensor& a, int start_axis) {
  const int k = normalize_axis(start_axis, a.dim(), "flatten");
  Shape s(a.shape().begin(), a.shape().begin() + k);
  s.push_back(-1);
  if (a.numel() == 0) s.back() = 0;
  return reshape(a, s);
}

Tensor permute(const Tensor& a, const std::vector<int>& order) {
  Backend& be = require_compatible("permute", {&a});
  GL_CHECK(static_cast<int>(order.size()) == a.dim(), "permute: order has {} axes but the tensor {} has {}",
           order.size(), shape_str(a.shape()), a.dim());
  std::vector<int> inverse(order.size(), -1);
  const Strides st = contiguous_strides(a.shape());
  Shape out_shape(order.size());
  Strides src_strides(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    const int k = normalize_axis(order[i], a.dim(), "permute");
    GL_CHECK(inverse[k] < 0, "permute: axis {} appears twice in the order", k);
    inverse[k] = static_cast<int>(i);
    out_shape[i] = a.shape()[k];
    src_strides[i] = st[k];
  }
  Tensor out = empty_like_shape(a, out_shape);
  be.strided_copy(a, 0, src_strides, out, 0, contiguous_strides(out_shape), out_shape, false);
  return record(out, "permute", {a}, [inverse](const Tensor& g) {
    return std::vector<Tensor>{permute(g, inverse)};
  }, fmt::format("{}", fmt::join(order, ",")));
}

Tensor transpose(const Tensor& a, int axis0, int axis1) {
  std::vector<int> order(a.dim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[normalize_axis(axis0, a.dim(), "transpose")], order[normalize_axis(axis1, a.dim(), "transpose")]);
  return permute(a, order);
}

Tensor slice(const Tensor& a, int axis, std::int64_t start, std::int64_t end, std::int64_t step) {
  Backend& be = require_compatible("slice", {&a});
  const int k = normalize_axis(axis, a.dim(), "slice");
  const std::int64_t n = a.shape()[k];
  GL_CHECK(step > 0, "slice: step must be positive, got {}", step);
  if (start < 0) start += n;
  if (end < 0) end += n;
  end = std::min(end, n);
  GL_CHECK(start >= 0 && start <= n && end >= start, "slice: range [{}, {}) is invalid for axis {} of size {}",
           start, end, k, n);
  Shape out_shape = a.shape();
  out_shape[k] = (end - start + step - 1) / step;
  Strides src = contiguous_strides(a.shape());
  const std::int64_t offset = start * src[k];
  src[k] *= step;
  Tensor out = empty_like_shape(a, out_shape);
  be.strided_copy(a, offset, src, out, 0, contiguous_strides(out_shape), out_shape, false);
  return record(out, "slice", {a}, [as = a.shape(), offset, src, out_shape](const Tensor& g) {
    Tensor ga = Tensor::zeros(as, g.dtype(), g.device());
    backend(g.device()).strided_copy(g, 0, contiguous_strides(out_shape), ga, offset, src, out_shape, false);
    return std::vector<Tensor>{ga};
  }, fmt::format("axis={} {}:{}:{}", k, start, end, step));
}

Tensor concat(const std::vector<Tensor>& parts, int axis) {
  GL_CHECK(!parts.empty(), "concat: no tensors given");
  const Tensor& first = parts[0];
  const int k = normalize_axis(axis, first.dim(), "concat");
  Shape out_shape = first.shape();
  out_shape[k] = 0;
  for (const auto& p : parts) {
    require_compatible("concat", {&first, &p});
    GL_CHECK(p.dim() == first.dim(), "concat: ranks differ ({} vs {})", shape_str(first.shape()), shape_str(p.shape()));
    for (int i = 0; i < p.dim(); ++i)
      GL_CHECK(i == k || p.shape()[i] == first.shape()[i],
               "concat: shapes {} and {} differ outside the concatenation axis {}", shape_str(first.shape()),
               shape_str(p.shape()), k);
    out_shape[k] += p.shape()[k];
  }
  Tensor out = empty_like_shape(first, out_shape);
  const Strides ost = contiguous_strides(out_shape);
  std::int64_t at = 0;
  std::vector<std::int64_t> starts;
  for (const auto& p : parts) {
    starts.push_back(at);
    backend(p.device()).strided_copy(p, 0, contiguous_strides(p.shape()), out, at * ost[k], ost, p.shape(), false);
    at += p.shape()[k];
  }
  return record(out, "concat", parts, [k, starts, parts_shapes = [&] {
    std::vector<Shape> s;
    for (const auto& p : parts) s.push_back(p.shape());
    return s;
  }()](const Tensor& g) {
    std::vector<Tensor> grads;
    for (std::size_t i = 0; i < starts.size(); ++i)
      grads.push_back(slice(g, k, starts[i], starts[i] + parts_shapes[i][k]));
    return grads;
  }, fmt::format("axis={}", k));
}

Tensor expand(const Tensor& a, const Shape& shape) {
  Backend& be = require_compatible("expand", {&a});
  const Shape b = broadcast_shapes(a.shape(), shape, "expand");
  GL_CHECK(b == shape, "expand: {} cannot be broadcast to {}", shape_str(a.shape()), shape_str(shape));
  if (a.shape() == shape) return a;
  // Source strides: 0 on broadcast axes (size 1 in a, or missing on the left).
  const Strides ast = contiguous_strides(a.shape());
  const int lead = static_cast<int>(shape.size()) - a.dim();
  Strides src(shape.size(), 0);
  for (int i = 0; i < a.dim(); ++i) src[lead + i] = a.shape()[i] == 1 ? 0 : ast[i];
  Tensor out = empty_like_shape(a, shape);
  be.strided_copy(a, 0, src, out, 0, contiguous_strides(shape), shape, false);
  return record(out, "expand", {a}, [as = a.shape()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, as)};
  }, shape_str(shape));
}

Tensor pad2d(const Tensor& a, std::int64_t ph, std::int64_t pw) {
  Backend& be = require_compatible("pad2d", {&a});
  GL_CHECK(a.dim() >= 2 && ph >= 0 && pw >= 0, "pad2d: needs a tensor [..., H, W] and paddings >= 0, got {} and ({}, {})",
           shape_str(a.shape()), ph, pw);
  Shape out_shape = a.shape();
  out_shape[a.dim() - 2] += 2 * ph;
  out_shape[a.dim() - 1] += 2 * pw;
  Tensor out = Tensor::zeros(out_shape, a.dtype(), a.device());
  const Strides ost = contiguous_strides(out_shape);
  const std::int64_t interior = ph * ost[a.dim() - 2] + pw * ost[a.dim() - 1];
  be.strided_copy(a, 0, contiguous_strides(a.shape()), out, interior, ost, a.shape(), false);
  return record(out, "pad2d", {a}, [as = a.shape(), interior, ost](const Tensor& g) {
    Tensor ga = Tensor::empty(as, g.dtype(), g.device());
    backend(g.device()).strided_copy(g, interior, ost, ga, 0, contiguous_strides(as), as, false);
    return std::vector<Tensor>{ga};
  }, fmt::format("{},{}", ph, pw));
}

}  // namespace gl
