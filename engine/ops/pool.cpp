// Max and average pooling over H, W per channel; global average pooling.
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {
PoolGeom make_geom(const char* op, const Tensor& x, std::int64_t k, std::int64_t stride, std::int64_t pad) {
  GL_CHECK(x.defined() && x.dim() == 4, "{}: input must be [N, C, H, W], got {}", op,
           x.defined() ? shape_str(x.shape()) : "undefined");
  if (stride == 0) stride = k;
  GL_CHECK(k >= 1 && stride >= 1 && pad >= 0 && pad <= k / 2,
           "{}: need kernel >= 1, stride >= 1 and 0 <= padding <= kernel/2; got kernel {}, stride {}, padding {}", op, k,
           stride, pad);
  PoolGeom g{x.size(0), x.size(1), x.size(2), x.size(3), k, k, stride, stride, pad, pad, 0, 0};
  g.Ho = window_output_size(op, g.H, pad, pad, k, stride);
  g.Wo = window_output_size(op, g.W, pad, pad, k, stride);
  // max pooling keeps each window's argmax as an int32 flat index h*W + w.
  GL_CHECK(checked_mul(g.H, g.W, op) <= INT32_MAX, "{}: input planes of {}x{} are too large (H*W must fit int32)",
           op, g.H, g.W);
  return g;
}
}  // namespace

// y = max over each window; the gradient goes to the (first) maximum.
Tensor max_pool2d(const Tensor& x, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
  Backend& be = require_compatible("max_pool2d", {&x});
  const PoolGeom g = make_geom("max_pool2d", x, kernel, stride, padding);
  Tensor y = empty_like_shape(x, {g.N, g.C, g.Ho, g.Wo});
  Tensor argmax = Tensor::empty({g.N, g.C, g.Ho, g.Wo}, DType::i32, x.device());
  be.maxpool2d_forward(x, g, y, argmax);
  return record(y, "max_pool2d", {x}, [g, argmax, xs = x.shape()](const Tensor& dy) {
    Tensor dx = empty_like_shape(dy, xs);
    backend(dy.device()).maxpool2d_backward(dy, argmax, g, dx);
    return std::vector<Tensor>{dx};
  }, fmt::format("{}x{} stride={} pad={}", g.R, g.S, g.stride_h, g.pad_h));
}

// y = mean over each window (padding counts as zeros, divisor kernel^2).
Tensor avg_pool2d(const Tensor& x, std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
  Backend& be = require_compatible("avg_pool2d", {&x});
  const PoolGeom g = make_geom("avg_pool2d", x, kernel, stride, padding);
  Tensor y = empty_like_shape(x, {g.N, g.C, g.Ho, g.Wo});
  be.avgpool2d_forward(x, g, y);
  return record(y, "avg_pool2d", {x}, [g, xs = x.shape()](const Tensor& dy) {
    Tensor dx = empty_like_shape(dy, xs);
    backend(dy.device()).avgpool2d_backward(dy, g, dx);
    return std::vector<Tensor>{dx};
  }, fmt::format("{}x{} stride={} pad={}", g.R, g.S, g.stride_h, g.pad_h));
}

Tensor global_avg_pool2d(const Tensor& x) {
  GL_CHECK(x.defined() && x.dim() == 4, "global_avg_pool2d: input must be [N, C, H, W], got {}",
           x.defined() ? shape_str(x.shape()) : "undefined");
  return mean(x, {2, 3}, false);
}

}  // namespace gl
