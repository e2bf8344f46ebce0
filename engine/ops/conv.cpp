// Convolution (cross-correlation, as deep-learning frameworks compute it).
// Forward: y[n,k] = W [K, C*R*S] x im2col(x[n]) [C*R*S, Ho*Wo] (+ bias).
// Backward: dW = sum_n dy[n] im2col(x[n])^T; dx = col2im(W^T dy[n]); db = sum dy.
// The backend runs these GEMMs (engine/cpu/conv.cpp, cuda/conv.cpp).
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {
ConvGeom make_geom(const char* op, const Tensor& x, std::int64_t K, std::int64_t C_w, std::int64_t R, std::int64_t S,
                   std::int64_t sh, std::int64_t sw, std::int64_t ph, std::int64_t pw) {
  GL_CHECK(x.dim() == 4, "{}: input must be [N, C, H, W], got {}", op, shape_str(x.shape()));
  GL_CHECK(sh > 0 && sw > 0 && ph >= 0 && pw >= 0, "{}: stride must be >= 1 and padding >= 0, got stride ({}, {}) padding ({}, {})",
           op, sh, sw, ph, pw);
  ConvGeom g{x.size(0), x.size(1), x.size(2), x.size(3), K, R, S, sh, sw, ph, pw, 0, 0};
  GL_CHECK(C_w == g.C, "{}: input has {} channels but the weight expects {} (weight [K, C, R, S] must match x [N, C, H, W])",
           op, g.C, C_w);
  g.Ho = window_output_size(op, g.H, ph, ph, R, sh);
  g.Wo = window_output_size(op, g.W, pw, pw, S, sw);
  // The output and the unrolled input (im2col, [N, C*R*S, Ho*Wo]) must have
  // representable sizes, whichever kernel the backend picks.
  checked_numel(op, {g.N, K, g.Ho, g.Wo});
  checked_numel(op, {g.N, g.C, R, S, g.Ho, g.Wo});
  return g;
}
}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t sh, std::int64_t sw,
              std::int64_t ph, std::int64_t pw) {
  Backend& be = require_compatible("conv2d", {&x, &weight, &bias});
  GL_CHECK(weight.dim() == 4, "conv2d: weight must be [K, C, R, S], got {}", shape_str(weight.shape()));
  const ConvGeom g = make_geom("conv2d", x, weight.size(0), weight.size(1), weight.size(2), weight.size(3), sh, sw, ph, pw);
  if (bias.defined())
    GL_CHECK(bias.shape() == Shape{g.K}, "conv2d: bias must be [{}], got {}", g.K, shape_str(bias.shape()));
  Tensor y = empty_like_shape(x, {g.N, g.K, g.Ho, g.Wo});
  be.conv2d_forward(x, weight, bias, g, y);
  const bool gx = needs_grad(x), gw = needs_grad(weight), gb = needs_grad(bias);
  if (!gx && !gw && !gb) return y;
  // dx reads the weight and dW reads x (the backend takes both; only those are checked).
  const SavedTensor saved_x(x, "conv2d"), saved_w(weight, "conv2d");
  return record(y, "conv2d", {x, weight, bias}, [=](const Tensor& dy) {
    const Tensor& x = gw ? saved_x.get() : saved_x.unchecked();
    const Tensor& w = gx ? saved_w.get() : saved_w.unchecked();
    Tensor dx = gx ? empty_like_shape(x, x.shape()) : Tensor();
    Tensor dw = gw ? empty_like_shape(w, w.shape()) : Tensor();
    Tensor db = gb ? empty_like_shape(w, {g.K}) : Tensor();
    backend(x.device()).conv2d_backward(x, w, dy, g, dx, dw, db);
    return std::vector<Tensor>{dx, dw, db};
  }, sh == sw && ph == pw ? fmt::format("{}x{} stride={} pad={}", g.R, g.S, sh, ph)
                          : fmt::format("{}x{} stride=({},{}) pad=({},{})", g.R, g.S, sh, sw, ph, pw));
}

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride, std::int64_t padding) {
  return conv2d(x, weight, bias, stride, stride, padding, padding);
}

// A 1-D convolution is a 2-D one over a 1-pixel-high image: [N,C,L] -> [N,C,1,L].
// Its arguments are checked here, in 1-D terms, before the reshape.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride, std::int64_t padding) {
  require_compatible("conv1d", {&x, &weight, &bias});
  GL_CHECK(x.dim() == 3, "conv1d: input must be [N, C, L], got {}", shape_str(x.shape()));
  GL_CHECK(weight.dim() == 3, "conv1d: weight must be [K, C, S], got {}", shape_str(weight.shape()));
  GL_CHECK(weight.size(1) == x.size(1),
           "conv1d: input x {} has {} channels but weight {} expects {} (weight [K, C, S] must match x [N, C, L])",
           shape_str(x.shape()), x.size(1), shape_str(weight.shape()), weight.size(1));
  GL_CHECK(stride >= 1 && padding >= 0, "conv1d: stride must be >= 1 and padding >= 0, got stride {} padding {}",
           stride, padding);
  GL_CHECK(x.size(2) + 2 * padding >= weight.size(2), "conv1d: kernel length {} exceeds the padded input length {}",
           weight.size(2), x.size(2) + 2 * padding);
  if (bias.defined())
    GL_CHECK(bias.shape() == Shape{weight.size(0)}, "conv1d: bias must be [{}], got {}", weight.size(0),
             shape_str(bias.shape()));
  Tensor y = conv2d(reshape(x, {x.size(0), x.size(1), 1, x.size(2)}),
                    reshape(weight, {weight.size(0), weight.size(1), 1, weight.size(2)}), bias, 1, stride, 0, padding);
  return reshape(y, {y.size(0), y.size(1), y.size(3)});
}

Tensor im2col(const Tensor& x, std::int64_t R, std::int64_t S, std::int64_t stride, std::int64_t padding) {
  Backend& be = require_compatible("im2col", {&x});
  const ConvGeom g = make_geom("im2col", x, 1, x.defined() && x.dim() == 4 ? x.size(1) : 0, R, S, stride, stride, padding, padding);
  Tensor cols = empty_like_shape(x, {g.N, g.C * R * S, g.Ho * g.Wo});
  be.im2col(x, g, cols);
  return record(cols, "im2col", {x}, [g, xs = x.shape()](const Tensor& dcols) {
    Tensor dx = empty_like_shape(dcols, xs);
    backend(dcols.device()).col2im(dcols, g, dx);
    return std::vector<Tensor>{dx};
  }, fmt::format("{}x{} stride={} pad={}", R, S, stride, padding));
}

}  // namespace gl
