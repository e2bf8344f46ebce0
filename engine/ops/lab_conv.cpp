// Convolution and pooling options beyond conv.cpp/pool.cpp, composed from the
// differentiable core (pad, slice, reshape, concat, conv2d, amax), so their
// gradients come with them:
//   conv2d_ex: groups (split the channels, convolve each group, concatenate),
//     dilation (the kernel spread out with zeros), asymmetric or negative padding
//     (pad/crop the input first);
//   conv_transpose2d: the adjoint of conv2d (Problem 5(c)): the input spread out
//     by the stride, padded by dilation*(R-1) - padding, convolved with the kernel
//     flipped and its in/out channels swapped;
//   max_pool2d_ex: non-square windows, strides and paddings, ceil_mode, as the
//     max over the R*S shifted strided slices (padding is -inf).
// Legend: x [N, C, H, W], weight [K, C/groups, R, S] (transposed: [C, K/groups, R, S]).
#include <cmath>
#include <limits>

#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

namespace {
// a [..., n, ...] -> [..., (n-1)*step + 1, ...] with step-1 zeros between entries along `dim`.
Tensor spread(const Tensor& a, int dim, std::int64_t step) {
  if (step == 1 || a.shape()[dim] == 0) return a;
  Shape s = a.shape();
  const std::int64_t n = s[dim];
  Shape with_gap = s;
  with_gap.insert(with_gap.begin() + dim + 1, 1);
  Tensor r = reshape(a, with_gap);  // [..., n, 1, ...]
  std::vector<std::int64_t> pads(2 * (r.dim() - dim - 2), 0);
  pads.push_back(0);
  pads.push_back(step - 1);  // zeros after each entry along the new dim
  r = pad(r, pads);          // [..., n, step, ...]
  s[dim] = n * step;
  return slice(reshape(r, s), dim, 0, (n - 1) * step + 1);
}
}  // namespace

Tensor conv2d_ex(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride_h,
                 std::int64_t stride_w, const std::vector<std::int64_t>& padding, std::int64_t dilation_h,
                 std::int64_t dilation_w, std::int64_t groups) {
  GL_CHECK(x.defined() && weight.defined() && x.dim() == 4 && weight.dim() == 4,
           "conv2d: needs x [N, C, H, W] and weight [K, C/groups, R, S], got {} and {}", describe(x), describe(weight));
  GL_CHECK(groups >= 1 && x.shape()[1] % groups == 0 && weight.shape()[0] % groups == 0 &&
               weight.shape()[1] * groups == x.shape()[1],
           "conv2d: groups={} needs C ({}) and K ({}) divisible by groups and weight.shape[1] == C/groups, got {} and {}",
           groups, x.shape()[1], weight.shape()[0], describe(x), describe(weight));
  GL_CHECK(dilation_h >= 1 && dilation_w >= 1, "conv2d: dilation must be >= 1, got ({}, {})", dilation_h, dilation_w);
  GL_CHECK(padding.size() == 2 || padding.size() == 4,
           "conv2d: padding is (h, w) or (left, right, top, bottom), got {} numbers", padding.size());
  // (top, bottom, left, right)
  const std::int64_t top = padding.size() == 2 ? padding[0] : padding[2];
  const std::int64_t bottom = padding.size() == 2 ? padding[0] : padding[3];
  const std::int64_t left = padding.size() == 2 ? padding[1] : padding[0];
  const std::int64_t right = padding.size() == 2 ? padding[1] : padding[1];
  Tensor in = x;
  std::int64_t ph = 0, pw = 0;
  if (top == bottom && left == right && top >= 0 && left >= 0) {
    ph = top;
    pw = left;
  } else {
    in = pad(x, {left, right, top, bottom});
  }
  Tensor w = spread(spread(weight, 2, dilation_h), 3, dilation_w);
  if (groups == 1) return conv2d(in, w, bias, stride_h, stride_w, ph, pw);
  const auto xs = chunk(in, groups, 1);
  const auto ws = chunk(w, groups, 0);
  std::vector<Tensor> outs;
  for (std::int64_t g = 0; g < groups; ++g) outs.push_back(conv2d(xs[g], ws[g], Tensor(), stride_h, stride_w, ph, pw));
  Tensor y = concat(outs, 1);
  if (bias.defined()) y = add(y, reshape(bias, {1, bias.numel(), 1, 1}));
  return y;
}

Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride_h,
                        std::int64_t stride_w, std::int64_t pad_h, std::int64_t pad_w, std::int64_t out_pad_h,
                        std::int64_t out_pad_w, std::int64_t groups, std::int64_t dilation_h, std::int64_t dilation_w) {
  GL_CHECK(x.defined() && weight.defined() && x.dim() == 4 && weight.dim() == 4,
           "conv_transpose2d: needs x [N, C, H, W] and weight [C, K/groups, R, S], got {} and {}", describe(x),
           describe(weight));
  GL_CHECK(groups >= 1 && weight.shape()[0] == x.shape()[1] && x.shape()[1] % groups == 0,
           "conv_transpose2d: weight {} must have x's {} channels first (and groups={} must divide them)",
           describe(weight), x.shape()[1], groups);
  GL_CHECK(stride_h >= 1 && stride_w >= 1 && dilation_h >= 1 && dilation_w >= 1 && pad_h >= 0 && pad_w >= 0,
           "conv_transpose2d: stride and dilation must be >= 1 and padding >= 0");
  GL_CHECK(out_pad_h >= 0 && out_pad_w >= 0 && (out_pad_h < stride_h || out_pad_h < dilation_h) &&
               (out_pad_w < stride_w || out_pad_w < dilation_w),
           "conv_transpose2d: output_padding ({}, {}) must be smaller than the stride or the dilation", out_pad_h,
           out_pad_w);
  const std::int64_t R = weight.shape()[2], S = weight.shape()[3];
  // The input spread by the stride, then padded so that a plain convolution gives the transpose.
  Tensor in = spread(spread(x, 2, stride_h), 3, stride_w);
  const std::int64_t eh = dilation_h * (R - 1) - pad_h, ew = dilation_w * (S - 1) - pad_w;
  in = pad(in, {ew, ew + out_pad_w, eh, eh + out_pad_h});
  // weight [C, K/g, R, S] -> per group [K/g, C/g, R, S], flipped in space.
  const std::int64_t C = x.shape()[1], Kg = weight.shape()[1];
  Tensor w = reshape(weight, {groups, C / groups, Kg, R, S});
  w = permute(w, {0, 2, 1, 3, 4});  // [g, K/g, C/g, R, S]
  w = reshape(flip(w, {3, 4}), {groups * Kg, C / groups, R, S});
  return conv2d_ex(in, w, bias, 1, 1, {0, 0}, dilation_h, dilation_w, groups);
}

Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride,
                        std::int64_t padding, std::int64_t output_padding, std::int64_t groups, std::int64_t dilation) {
  GL_CHECK(x.defined() && weight.defined() && x.dim() == 3 && weight.dim() == 3,
           "conv_transpose1d: needs x [N, C, L] and weight [C, K/groups, S], got {} and {}", describe(x),
           describe(weight));
  const Tensor y = conv_transpose2d(unsqueeze(x, 2), unsqueeze(weight, 2), bias, 1, stride, 0, padding, 0,
                                    output_padding, groups, 1, dilation);
  return squeeze(y, 2);
}

Tensor max_pool2d_ex(const Tensor& x, std::int64_t R, std::int64_t S, std::int64_t stride_h, std::int64_t stride_w,
                     std::int64_t pad_h, std::int64_t pad_w, bool ceil_mode) {
  require_float("max_pool2d", x);
  GL_CHECK(x.dim() == 4, "max_pool2d: x must be [N, C, H, W], got {}", describe(x));
  GL_CHECK(R >= 1 && S >= 1 && stride_h >= 1 && stride_w >= 1, "max_pool2d: kernel and stride must be >= 1");
  GL_CHECK(pad_h >= 0 && pad_w >= 0 && 2 * pad_h <= R && 2 * pad_w <= S,
           "max_pool2d: padding ({}, {}) must be at most half the kernel ({}, {})", pad_h, pad_w, R, S);
  const std::int64_t H = x.shape()[2], W = x.shape()[3];
  auto out_size = [ceil_mode](std::int64_t n, std::int64_t k, std::int64_t s, std::int64_t p) {
    const std::int64_t span = n + 2 * p - k;
    GL_CHECK(span >= 0, "max_pool2d: the window {} does not fit the padded input {}", k, n + 2 * p);
    std::int64_t o = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
    if (ceil_mode && (o - 1) * s >= n + p) --o;  // the last window must start inside the input or left padding
    return o;
  };
  const std::int64_t Ho = out_size(H, R, stride_h, pad_h), Wo = out_size(W, S, stride_w, pad_w);
  const double inf = std::numeric_limits<double>::infinity();
  const std::int64_t extra_h = std::max<std::int64_t>(0, (Ho - 1) * stride_h + R - (H + 2 * pad_h));
  const std::int64_t extra_w = std::max<std::int64_t>(0, (Wo - 1) * stride_w + S - (W + 2 * pad_w));
  const Tensor padded = pad(x, {pad_w, pad_w + extra_w, pad_h, pad_h + extra_h}, -inf);
  std::vector<Tensor> windows;
  for (std::int64_t r = 0; r < R; ++r)
    for (std::int64_t s = 0; s < S; ++s)
      windows.push_back(slice(slice(padded, 2, r, r + (Ho - 1) * stride_h + 1, stride_h), 3, s,
                              s + (Wo - 1) * stride_w + 1, stride_w));
  return amax(stack(windows, 0), {0});
}

Tensor avg_pool2d_ex(const Tensor& x, std::int64_t R, std::int64_t S, std::int64_t stride_h, std::int64_t stride_w,
                     std::int64_t pad_h, std::int64_t pad_w) {
  require_float("avg_pool2d", x);
  GL_CHECK(x.dim() == 4, "avg_pool2d: x must be [N, C, H, W], got {}", describe(x));
  GL_CHECK(R >= 1 && S >= 1 && stride_h >= 1 && stride_w >= 1, "avg_pool2d: kernel and stride must be >= 1");
  GL_CHECK(pad_h >= 0 && pad_w >= 0 && 2 * pad_h <= R && 2 * pad_w <= S,
           "avg_pool2d: padding ({}, {}) must be at most half the kernel ({}, {})", pad_h, pad_w, R, S);
  const Tensor padded = pad(x, {pad_w, pad_w, pad_h, pad_h});
  const std::int64_t Hp = padded.shape()[2], Wp = padded.shape()[3];
  GL_CHECK(Hp >= R && Wp >= S, "avg_pool2d: the window {}x{} does not fit the padded input {}x{}", R, S, Hp, Wp);
  const std::int64_t Ho = (Hp - R) / stride_h + 1, Wo = (Wp - S) / stride_w + 1;
  Tensor total;
  for (std::int64_t r = 0; r < R; ++r)
    for (std::int64_t s = 0; s < S; ++s) {
      const Tensor win = slice(slice(padded, 2, r, r + (Ho - 1) * stride_h + 1, stride_h), 3, s,
                               s + (Wo - 1) * stride_w + 1, stride_w);
      total = total.defined() ? add(total, win) : win;
    }
  return mul_scalar(total, 1.0 / static_cast<double>(R * S));
}

}  // namespace gl
