// Reductions with indices (max/min over a dim, amax/amin, argmax/argmin) on
// Backend::arg_reduce, and the reductions composed from other ops: logsumexp,
// prod, any/all, std, norm, cumsum.
//
// Legend: a reduction over axis d views a as [outer, n, inner] with
// outer = prod(shape[:d]), n = shape[d], inner = prod(shape[d+1:]).
#include <cmath>
#include <limits>
#include <numeric>

#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

namespace {
struct AxisView {
  std::int64_t outer = 1, n = 1, inner = 1;
};
AxisView axis_view(const Shape& s, int d) {
  AxisView v;
  for (int i = 0; i < static_cast<int>(s.size()); ++i) {
    if (i < d) v.outer *= s[i];
    else if (i == d) v.n = s[i];
    else v.inner *= s[i];
  }
  return v;
}

// a with the masked axes moved to the end and merged: [kept..., reduced] (no graph).
Tensor rows_for(const Tensor& a, const std::vector<bool>& mask, std::int64_t& n_reduced) {
  NoGradGuard no_grad;
  std::vector<int> order;
  Shape kept;
  n_reduced = 1;
  for (int i = 0; i < a.dim(); ++i)
    if (!mask[i]) {
      order.push_back(i);
      kept.push_back(a.shape()[i]);
    }
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) {
      order.push_back(i);
      n_reduced *= a.shape()[i];
    }
  bool identity = true;
  for (int i = 0; i < static_cast<int>(order.size()); ++i) identity = identity && order[i] == i;
  Tensor moved = identity ? a.detach() : permute_copy(a.detach(), order);
  kept.push_back(n_reduced);
  return reshape(moved, kept);
}

// The extreme value over the masked axes (keepdims shape), no graph.
Tensor extreme_values(const char* op, const Tensor& a, const std::vector<bool>& mask, bool is_min) {
  std::int64_t n = 1;
  const Tensor rows = rows_for(a, mask, n);
  GL_CHECK(n > 0, "{}: cannot reduce over an empty axis of {} (there is no maximum of nothing)", op, describe(a));
  Tensor values = Tensor::empty(reduced_shape(a.shape(), mask, true), a.dtype(), a.device());
  Tensor idx = Tensor::empty({values.numel()}, DType::i64, a.device());
  backend(a.device()).arg_reduce(rows, rows.numel() / n, n, 1, is_min, values, idx);
  return values;
}

// Flat positions into a tensor of `shape` of the entries idx[p] along `dim`:
// sum over d != dim of p_d * stride_d + idx[p] * stride_dim (int64, idx's shape).
Tensor flat_positions(const Tensor& idx, int dim, const Shape& shape) {
  NoGradGuard no_grad;
  const Strides st = contiguous_strides(shape);
  Tensor pos = arith(ArithOp::mul, idx, Tensor::scalar(static_cast<double>(st[dim]), DType::i64, idx.device()));
  for (int d = 0; d < idx.dim(); ++d) {
    if (d == dim || idx.shape()[d] == 1) continue;
    Shape s(idx.dim(), 1);
    s[d] = idx.shape()[d];
    Tensor r = reshape(Tensor::arange(idx.shape()[d], DType::i64, idx.device()), s);
    r = arith(ArithOp::mul, r, Tensor::scalar(static_cast<double>(st[d]), DType::i64, idx.device()));
    pos = arith(ArithOp::add, pos, r);
  }
  return pos;
}

// zeros(shape) with g's entries added at flat positions pos (pos and g share a shape).
Tensor scatter_flat(const Tensor& g, const Tensor& pos, const Shape& shape) {
  Tensor out = Tensor::zeros(shape, g.dtype(), g.device());
  backend(g.device()).index_put(g, 1, out.numel(), 1, reshape(pos, {pos.numel()}), out, true);
  return out;
}

ValuesIndices max_min_dim(const char* op, const Tensor& a, int dim, bool keepdim, bool is_min) {
  GL_CHECK(a.defined(), "{}: input is undefined", op);
  const int rank = std::max(a.dim(), 1);
  const int d = normalize_axis(dim, rank, op);
  const Shape shape = a.dim() == 0 ? Shape{1} : a.shape();
  const AxisView v = axis_view(shape, d);
  GL_CHECK(v.n > 0, "{}: dim {} of {} is empty; there is no {} of nothing (reduce over a non-empty dim)", op, dim,
           describe(a), is_min ? "minimum" : "maximum");
  Shape kept = shape;
  kept[d] = 1;
  Tensor values = Tensor::empty(kept, a.dtype(), a.device());
  Tensor indices = Tensor::empty(kept, DType::i64, a.device());
  backend(a.device()).arg_reduce(a, v.outer, v.n, v.inner, is_min, values, indices);
  Shape out_shape = a.dim() == 0 ? Shape{} : reduced_shape(shape, lab_axis_mask(op, rank, {d}), keepdim);
  ValuesIndices r{view(values, out_shape), view(indices, out_shape)};
  if (!needs_grad(a)) return r;
  // d max = g at the selected entry (scatter g back to the positions of the indices).
  r.values = record(r.values, op, {a}, [kept, d, indices, as = a.shape()](const Tensor& g) {
    const Tensor pos = flat_positions(indices, d, kept.size() == as.size() ? as : Shape{1});
    return std::vector<Tensor>{reshape(scatter_flat(reshape(g, kept), pos, as.empty() ? Shape{1} : as), as)};
  }, fmt::format("dim={}", d));
  return r;
}

// amax / amin: ties share the gradient evenly (PyTorch's amax and max()).
Tensor amax_amin(const char* op, const Tensor& a, const std::vector<int>& axes, bool keepdims, bool is_min) {
  GL_CHECK(a.defined(), "{}: input is undefined", op);
  const auto mask = lab_axis_mask(op, a.dim(), axes);
  Tensor kept = extreme_values(op, a, mask, is_min);
  Tensor out = view(kept, reduced_shape(a.shape(), mask, keepdims));
  if (!needs_grad(a)) return out;
  const SavedTensor sa(a, op);
  return record(out, op, {a}, [sa, kept, mask](const Tensor& g) {
    const Tensor& x = sa.get();
    const Tensor hit = eq(x, kept).to(g.dtype());
    std::vector<int> axes;
    for (int i = 0; i < static_cast<int>(mask.size()); ++i)
      if (mask[i]) axes.push_back(i);
    const Tensor count = sum(hit, axes, true);
    return std::vector<Tensor>{mul(hit, div(reshape(g, kept.shape()), count))};
  });
}

Tensor arg_extreme(const char* op, const Tensor& a, std::optional<int> dim, bool keepdim, bool is_min) {
  GL_CHECK(a.defined(), "{}: input is undefined", op);
  if (dim) return max_min_dim(op, a.detach(), *dim, keepdim, is_min).indices;
  GL_CHECK(a.numel() > 0, "{}: {} is empty; there is no {} of nothing", op, describe(a), is_min ? "minimum" : "maximum");
  Tensor idx = Tensor::empty(keepdim ? Shape(a.dim(), 1) : Shape{}, DType::i64, a.device());
  Tensor none;
  backend(a.device()).arg_reduce(a, 1, a.numel(), 1, is_min, none, idx);
  return idx;
}
}  // namespace

ValuesIndices max(const Tensor& a, int dim, bool keepdim) { return max_min_dim("max", a, dim, keepdim, false); }
ValuesIndices min(const Tensor& a, int dim, bool keepdim) { return max_min_dim("min", a, dim, keepdim, true); }
Tensor max(const Tensor& a) { return amax_amin("max", a, {}, false, false); }
Tensor min(const Tensor& a) { return amax_amin("min", a, {}, false, true); }
Tensor amax(const Tensor& a, std::vector<int> axes, bool keepdims) { return amax_amin("amax", a, axes, keepdims, false); }
Tensor amin(const Tensor& a, std::vector<int> axes, bool keepdims) { return amax_amin("amin", a, axes, keepdims, true); }
Tensor argmax(const Tensor& a, std::optional<int> dim, bool keepdim) { return arg_extreme("argmax", a, dim, keepdim, false); }
Tensor argmin(const Tensor& a, std::optional<int> dim, bool keepdim) { return arg_extreme("argmin", a, dim, keepdim, true); }

// logsumexp = m + log(sum(exp(a - m))), m the (constant) max over the axes;
// an all -inf (or infinite) m is replaced by 0 so that a - m stays defined.
// The gradient, softmax(a) * g, comes out of the composition.
Tensor logsumexp(const Tensor& a, std::vector<int> axes, bool keepdims) {
  require_float("logsumexp", a);
  const auto mask = lab_axis_mask("logsumexp", a.dim(), axes);
  if (a.dim() == 0) return add_scalar(a, 0.0);  // log(exp(a)) of one element
  std::int64_t count = 1;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) count *= a.shape()[i];
  if (count == 0) return log(sum(exp(a), axes, keepdims));  // log(0) = -inf, as PyTorch
  Tensor m = extreme_values("logsumexp", a, mask, false);
  m = where(isfinite(m), m, scalar_like(0.0, m));
  Tensor r = add(log(sum(exp(sub(a, m)), axes, true)), m);
  return keepdims ? r : reshape(r, reduced_shape(a.shape(), mask, false));
}

// Product by halving: multiply the first and second halves until one slice is
// left. Every step is a differentiable mul, so zeros get exact gradients.
Tensor prod(const Tensor& a, std::optional<int> dim, bool keepdim) {
  require_float("prod", a);
  if (!dim) {
    Tensor p = prod(reshape(a, {a.numel()}), 0, false);
    return keepdim ? reshape(p, Shape(a.dim(), 1)) : p;
  }
  const int rank = std::max(a.dim(), 1);
  const int d = normalize_axis(*dim, rank, "prod");
  Tensor r = a.dim() == 0 ? reshape(a, {1}) : a;
  Shape kept = r.shape();
  kept[d] = 1;
  if (r.shape()[d] == 0) {
    r = add_scalar(mul_scalar(sum(r, {d}, true), 0.0), 1.0);  // ones, still in the graph
  } else {
    while (r.shape()[d] > 1) {
      const std::int64_t n = r.shape()[d], half = n / 2;
      Tensor p = mul(slice(r, d, 0, half), slice(r, d, half, 2 * half));
      r = n % 2 ? concat({p, slice(r, d, n - 1, n)}, d) : p;
    }
  }
  if (a.dim() == 0) return reshape(r, {});
  return keepdim ? r : reshape(r, reduced_shape(a.shape(), lab_axis_mask("prod", a.dim(), {d}), false));
}

namespace {
Tensor any_all(const char* op, const Tensor& a, const std::vector<int>& axes, bool keepdims, bool is_all) {
  GL_CHECK(a.defined(), "{}: input is undefined", op);
  const auto mask = lab_axis_mask(op, a.dim(), axes);
  const Tensor b = ne(a.detach(), scalar_like(0.0, a));
  std::int64_t n = 1;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) n *= a.shape()[i];
  const Shape out_shape = reduced_shape(a.shape(), mask, keepdims);
  if (n == 0) return Tensor::full(out_shape, is_all ? 1.0 : 0.0, DType::b8, a.device());
  return view(extreme_values(op, b, mask, is_all), out_shape);
}
}  // namespace

Tensor any(const Tensor& a, std::vector<int> axes, bool keepdims) { return any_all("any", a, axes, keepdims, false); }
Tensor all(const Tensor& a, std::vector<int> axes, bool keepdims) { return any_all("all", a, axes, keepdims, true); }

Tensor stddev(const Tensor& a, std::vector<int> axes, bool keepdims, bool unbiased) {
  return sqrt(var(a, std::move(axes), keepdims, unbiased));
}

// 2-norm: d = g x / ||x|| (0 where the norm is 0, PyTorch's subgradient).
Tensor norm(const Tensor& a, double p, std::vector<int> axes, bool keepdims) {
  require_float("norm", a);
  GL_CHECK(p > 0, "norm: p must be > 0 (1, 2, inf, ...), got {}", p);
  if (std::isinf(p)) return amax(abs(a), axes, keepdims);
  if (p == 1.0) return sum(abs(a), axes, keepdims);
  if (p != 2.0) return pow(sum(pow(abs(a), p), axes, keepdims), 1.0 / p);
  const auto mask = lab_axis_mask("norm", a.dim(), axes);
  Tensor n_kept;
  {
    NoGradGuard no_grad;
    n_kept = sqrt(sum(mul(a, a), axes, true));
  }
  Tensor out = view(n_kept, reduced_shape(a.shape(), mask, keepdims));
  if (!needs_grad(a)) return out;
  const SavedTensor sa(a, "norm"), sn(n_kept, "norm");
  return record(out, "norm", {a}, [sa, sn](const Tensor& g) {
    const Tensor& x = sa.get();
    const Tensor& nk = sn.get();
    const Tensor zero = scalar_like(0.0, nk);
    const Tensor scale = where(eq(nk, zero), zero, div(reshape(g, nk.shape()), where(eq(nk, zero), scalar_like(1.0, nk), nk)));
    return std::vector<Tensor>{mul(x, scale)};
  });
}

// cumsum along dim = rows @ U with U[i][j] = 1 for i <= j (a differentiable matmul).
Tensor cumsum(const Tensor& a, int dim) {
  require_float("cumsum", a);
  if (a.dim() == 0) {
    normalize_axis(dim, 1, "cumsum");
    return add_scalar(a, 0.0);
  }
  const int d = normalize_axis(dim, a.dim(), "cumsum");
  const std::int64_t n = a.shape()[d];
  if (a.numel() == 0) return add_scalar(a, 0.0);
  std::vector<int> order(a.dim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[d], order.back());
  Tensor moved = d == a.dim() - 1 ? a : permute(a, order);
  const Shape moved_shape = moved.shape();
  std::vector<double> u(static_cast<std::size_t>(n * n), 0.0);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = i; j < n; ++j) u[i * n + j] = 1.0;
  const Tensor U = Tensor::from_vector(u, {n, n}, a.dtype(), a.device());
  Tensor r = reshape(matmul(reshape(moved, {moved.numel() / n, n}), U), moved_shape);
  return d == a.dim() - 1 ? r : permute(r, order);
}

}  // namespace gl
