// Sums and means over axes. The backend reduces to a same-rank shape with 1s
// in the summed axes ("kept" shape); keepdims = false then drops those axes.
#include <algorithm>

#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {
std::vector<bool> axis_mask(const char* op, const Tensor& a, const std::vector<int>& axes) {
  std::vector<bool> mask(a.dim(), axes.empty());
  for (int ax : axes) {
    const int k = normalize_axis(ax, a.dim(), op);
    GL_CHECK(!mask[k] || axes.empty(), "{}: axis {} listed twice", op, ax);
    mask[k] = true;
  }
  return mask;
}
}  // namespace

// y = sum over axes; dy/dx broadcasts g back over the summed axes.
Tensor sum(const Tensor& a, std::vector<int> axes, bool keepdims) {
  Backend& be = require_compatible("sum", {&a});
  const auto mask = axis_mask("sum", a, axes);
  Shape kept = a.shape(), dropped;
  for (int i = 0; i < a.dim(); ++i) {
    if (mask[i]) kept[i] = 1;
    else dropped.push_back(a.shape()[i]);
  }
  Tensor out = empty_like_shape(a, kept);
  be.reduce_sum(a, out);
  if (!keepdims) out = view(out, dropped);
  return record(out, "sum", {a}, [kept, as = a.shape()](const Tensor& g) {
    return std::vector<Tensor>{expand(view(g, kept), as)};
  }, axes.empty() ? "all" : fmt::format("axes={}", fmt::join(axes, ",")));
}

Tensor mean(const Tensor& a, std::vector<int> axes, bool keepdims) {
  const auto mask = axis_mask("mean", a, axes);
  std::int64_t count = 1;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) count *= a.shape()[i];
  GL_CHECK(count > 0, "mean: reducing over an empty axis of shape {}", shape_str(a.shape()));
  return mul_scalar(sum(a, std::move(axes), keepdims), 1.0 / static_cast<double>(count));
}

// var = mean((a - mean(a))^2) * M / (M - 1 if unbiased else M)
Tensor var(const Tensor& a, std::vector<int> axes, bool keepdims, bool unbiased) {
  const auto mask = axis_mask("var", a, axes);
  std::int64_t count = 1;
  for (int i = 0; i < a.dim(); ++i)
    if (mask[i]) count *= a.shape()[i];
  GL_CHECK(!unbiased || count > 1, "var: unbiased variance needs at least 2 elements, got {}", count);
  Tensor centered = sub(a, mean(a, axes, true));
  Tensor v = mean(mul(centered, centered), axes, keepdims);
  return unbiased ? mul_scalar(v, static_cast<double>(count) / static_cast<double>(count - 1)) : v;
}

// Reverse of broadcasting: sum the leading extra axes and the axes where
// `shape` has 1 but `a` does not.
Tensor sum_to(const Tensor& a, const Shape& shape) {
  if (a.shape() == shape) return a;
  const int lead = a.dim() - static_cast<int>(shape.size());
  GL_CHECK(lead >= 0, "sum_to: cannot sum shape {} to the larger rank of {}", shape_str(a.shape()),
           shape_str(shape));
  Shape kept(a.dim(), 1);
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const auto ai = a.shape()[lead + i];
    GL_CHECK(shape[i] == ai || shape[i] == 1, "sum_to: shape {} is not a broadcast of {}",
             shape_str(a.shape()), shape_str(shape));
    kept[lead + i] = shape[i];
  }
  Backend& be = require_compatible("sum_to", {&a});
  Tensor out = empty_like_shape(a, kept);
  be.reduce_sum(a, out);
  out = view(out, shape);
  return record(out, "sum_to", {a}, [as = a.shape()](const Tensor& g) {
    return std::vector<Tensor>{expand(g, as)};
  });
}

}  // namespace gl
