// Index arrays along one axis (Backend::index_select, index_put): take,
// index_select, index_put_, gather, scatter_add, one_hot, nonzero. The
// gradient of a gather is a scatter-add of the output gradient (repeated
// indices add up), and the other way round.
//
// Legend: along axis d, a is viewed as [outer, n, inner]; m = idx.numel().
#include <algorithm>

#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

namespace {
struct IndexView {
  std::int64_t outer = 1, n = 1, inner = 1;
};
IndexView index_view(const Shape& s, int d) {
  IndexView v;
  for (int i = 0; i < static_cast<int>(s.size()); ++i) {
    if (i < d) v.outer *= s[i];
    else if (i == d) v.n = s[i];
    else v.inner *= s[i];
  }
  return v;
}

// Every index in [lo, n) (lo = -n allows negative indices); the error names the dim.
void check_index_range(const char* op, const Tensor& idx, std::int64_t n, int dim, const Tensor& a,
                       bool allow_negative) {
  if (idx.numel() == 0) return;
  Tensor values = Tensor::empty({1}, DType::i64, idx.device()), at = Tensor::empty({1}, DType::i64, idx.device());
  Backend& be = backend(idx.device());
  const std::int64_t lo = allow_negative ? -n : 0;
  be.arg_reduce(idx, 1, idx.numel(), 1, true, values, at);
  const auto smallest = static_cast<std::int64_t>(values.item());
  be.arg_reduce(idx, 1, idx.numel(), 1, false, values, at);
  const auto largest = static_cast<std::int64_t>(values.item());
  const std::int64_t bad = smallest < lo ? smallest : largest;
  GL_CHECK(smallest >= lo && largest < n,
           "{}: index {} is out of range for dim {} of size {} (tensor {}); indices must lie in [{}, {})", op, bad, dim,
           n, describe(a), lo, n);
}

// Negative indices count from the end: idx + n where idx < 0.
Tensor wrap_negative(const Tensor& idx, std::int64_t n) {
  const Tensor zero = Tensor::scalar(0.0, DType::i64, idx.device());
  return where(lt(idx, zero), arith(ArithOp::add, idx, Tensor::scalar(static_cast<double>(n), DType::i64, idx.device())),
               idx);
}

Tensor take_checked(const char* op, const Tensor& a, int dim, const Tensor& index, bool allow_negative) {
  GL_CHECK(a.defined(), "{}: input is undefined", op);
  GL_CHECK(a.dim() >= 1, "{}: cannot index a 0-d tensor ({}) along a dim", op, describe(a));
  const int d = normalize_axis(dim, a.dim(), op);
  const IndexView v = index_view(a.shape(), d);
  Tensor idx = index_int64(op, index, a.device());
  check_index_range(op, idx, v.n, d, a, allow_negative);
  if (allow_negative) idx = wrap_negative(idx, v.n);
  Shape out_shape(a.shape().begin(), a.shape().begin() + d);
  out_shape.insert(out_shape.end(), idx.shape().begin(), idx.shape().end());
  out_shape.insert(out_shape.end(), a.shape().begin() + d + 1, a.shape().end());
  Tensor out = Tensor::empty(out_shape, a.dtype(), a.device());
  const Tensor flat = view(idx, {idx.numel()});
  backend(a.device()).index_select(a, v.outer, v.n, v.inner, flat, out);
  if (!needs_grad(a)) return out;
  return record(out, op, {a}, [flat, v, as = a.shape()](const Tensor& g) {
    Tensor ga = Tensor::zeros(as, g.dtype(), g.device());
    backend(g.device()).index_put(g, v.outer, v.n, v.inner, flat, ga, true);
    return std::vector<Tensor>{ga};
  }, fmt::format("dim={}", d));
}

// Flat positions into a (shape `shape`) of index's entries along dim (gather's addressing).
Tensor gather_positions(const Tensor& idx, int dim, const Shape& shape) {
  const Strides st = contiguous_strides(shape);
  const Device dev = idx.device();
  Tensor pos = arith(ArithOp::mul, idx, Tensor::scalar(static_cast<double>(st[dim]), DType::i64, dev));
  for (int d = 0; d < idx.dim(); ++d) {
    if (d == dim || idx.shape()[d] == 1) continue;
    Shape s(idx.dim(), 1);
    s[d] = idx.shape()[d];
    const Tensor r = arith(ArithOp::mul, reshape(Tensor::arange(idx.shape()[d], DType::i64, dev), s),
                           Tensor::scalar(static_cast<double>(st[d]), DType::i64, dev));
    pos = arith(ArithOp::add, pos, r);
  }
  return view(pos, {pos.numel()});
}

void check_gather_shapes(const char* op, const Tensor& a, int d, const Tensor& index) {
  GL_CHECK(index.dim() == a.dim(), "{}: index {} must have the rank of the input {}", op, describe(index), describe(a));
  for (int i = 0; i < a.dim(); ++i)
    GL_CHECK(i == d || index.shape()[i] <= a.shape()[i],
             "{}: index {} is larger than the input {} in dim {} (only dim {} may differ)", op,
             shape_str(index.shape()), shape_str(a.shape()), i, d);
}
}  // namespace

Tensor take(const Tensor& a, int dim, const Tensor& idx) { return take_checked("take", a, dim, idx, true); }

Tensor index_select(const Tensor& a, int dim, const Tensor& idx) {
  GL_CHECK(idx.defined() && idx.dim() <= 1, "index_select: indices must be 1-D, got {}", describe(idx));
  return take_checked("index_select", a, dim, idx, false);
}

void index_put_(Tensor& a, int dim, const Tensor& index, const Tensor& values, bool accumulate) {
  GL_CHECK(a.defined() && values.defined(), "index_put_: the tensor and the values must be defined");
  GL_CHECK(!a.requires_grad() || (a.is_leaf() && !grad_enabled()),
           "index_put_: {} {}; writing into it in place would make its gradient wrong (PyTorch refuses this too). "
           "Assign into a tensor that does not require grad, write a leaf's values under no_grad, or build a new "
           "tensor with where()",
           describe(a), a.is_leaf() ? "is a leaf that requires grad" : "was computed from tensors that require grad");
  GL_CHECK(a.dim() >= 1, "index_put_: cannot index a 0-d tensor ({})", describe(a));
  const int d = normalize_axis(dim, a.dim(), "index_put_");
  const IndexView v = index_view(a.shape(), d);
  Tensor idx = index_int64("index_put_", index, a.device());
  check_index_range("index_put_", idx, v.n, d, a, true);
  idx = wrap_negative(idx, v.n);
  Shape sel(a.shape().begin(), a.shape().begin() + d);
  sel.insert(sel.end(), idx.shape().begin(), idx.shape().end());
  sel.insert(sel.end(), a.shape().begin() + d + 1, a.shape().end());
  GL_CHECK(values.device() == a.device(), "index_put_: values are on {} but the tensor is on {}",
           device_name(values.device()), device_name(a.device()));
  Tensor src;
  {
    NoGradGuard no_grad;
    const Tensor typed = as_dtype(values.detach(), a.dtype());
    GL_CHECK(broadcast_shapes(typed.shape(), sel, "index_put_") == sel,
             "index_put_: values of shape {} cannot broadcast to the selection's shape {}", shape_str(values.shape()),
             shape_str(sel));
    src = broadcast_copy(typed, sel);  // broadcast copy, any dtype
  }
  GL_CHECK(!(accumulate && a.dtype() == DType::b8), "index_put_: accumulate into a bool tensor is not defined");
  backend(a.device()).index_put(src, v.outer, v.n, v.inner, view(idx, {idx.numel()}), a, accumulate);
  mark_modified(a);
}

// gather: out[p] = a[p with p_dim replaced by index[p]]; d = scatter-add of g.
Tensor gather(const Tensor& a, int dim, const Tensor& index) {
  GL_CHECK(a.defined(), "gather: input is undefined");
  const int d = normalize_axis(dim, std::max(a.dim(), 1), "gather");
  Tensor idx = index_int64("gather", index, a.device());
  check_gather_shapes("gather", a, d, idx);
  check_index_range("gather", idx, a.dim() == 0 ? 1 : a.shape()[d], d, a, false);
  const Tensor pos = gather_positions(idx, d, a.shape());
  Tensor out = Tensor::empty(idx.shape(), a.dtype(), a.device());
  backend(a.device()).index_select(a, 1, a.numel(), 1, pos, out);
  if (!needs_grad(a)) return out;
  return record(out, "gather", {a}, [pos, as = a.shape()](const Tensor& g) {
    Tensor ga = Tensor::zeros(as, g.dtype(), g.device());
    backend(g.device()).index_put(g, 1, ga.numel(), 1, pos, ga, true);
    return std::vector<Tensor>{ga};
  }, fmt::format("dim={}", d));
}

// scatter_add: out = a; out[p with p_dim = index[p]] += src[p]. d/da = g; d/dsrc = gather(g).
Tensor scatter_add(const Tensor& a, int dim, const Tensor& index, const Tensor& src) {
  Backend& be = require_compatible("scatter_add", {&a, &src});
  const int d = normalize_axis(dim, std::max(a.dim(), 1), "scatter_add");
  Tensor idx = index_int64("scatter_add", index, a.device());
  check_gather_shapes("scatter_add", a, d, idx);
  GL_CHECK(src.shape() == idx.shape(), "scatter_add: src {} must have the index's shape {}", shape_str(src.shape()),
           shape_str(idx.shape()));
  check_index_range("scatter_add", idx, a.shape()[d], d, a, false);
  const Tensor pos = gather_positions(idx, d, a.shape());
  Tensor out = a.clone();
  be.index_put(src, 1, out.numel(), 1, pos, out, true);
  const bool ga = needs_grad(a), gs = needs_grad(src);
  if (!ga && !gs) return out;
  return record(out, "scatter_add", {a, src}, [pos, ga, gs, ss = src.shape()](const Tensor& g) {
    Tensor gsrc;
    if (gs) {
      gsrc = Tensor::empty(ss, g.dtype(), g.device());
      backend(g.device()).index_select(g, 1, g.numel(), 1, pos, gsrc);
    }
    return std::vector<Tensor>{ga ? g : Tensor(), gsrc};
  }, fmt::format("dim={}", d));
}

Tensor one_hot(const Tensor& index, std::int64_t num_classes) {
  Tensor idx = index_int64("one_hot", index, index.device());
  if (num_classes < 0) {
    GL_CHECK(idx.numel() > 0, "one_hot: cannot infer num_classes from an empty tensor; pass num_classes");
    num_classes = static_cast<std::int64_t>(max(idx).item()) + 1;
  }
  check_index_range("one_hot", idx, num_classes, idx.dim(), idx, false);
  Shape s = idx.shape();
  s.push_back(1);
  const Tensor classes = Tensor::arange(num_classes, DType::i64, idx.device());
  return eq(reshape(idx, s), classes).to(DType::i64);
}

Tensor nonzero(const Tensor& a) {
  GL_CHECK(a.defined(), "nonzero: input is undefined");
  const Tensor mask = ne(a.detach(), scalar_like(0.0, a)).to(Device::cpu);
  const bool* m = mask.data<bool>();
  const Strides st = contiguous_strides(a.shape());
  std::vector<double> rows;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < mask.numel(); ++i) {
    if (!m[i]) continue;
    ++count;
    for (int d = 0; d < a.dim(); ++d) rows.push_back(static_cast<double>((i / st[d]) % a.shape()[d]));
  }
  return Tensor::from_vector(rows, {count, a.dim()}, DType::i64, a.device());
}

}  // namespace gl
