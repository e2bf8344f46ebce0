// The explicit (Toeplitz / unrolled) matrix of a convolution with fixed
// weights: vec(y) = A vec(x) for one example, x [C, H, W] and y [K, Ho, Wo]
// flattened row-major. Row (k*Ho + oh)*Wo + ow, column (c*H + ih)*W + iw holds
// w[k, c, r, s] when ih = oh*stride - pad + r and iw = ow*stride - pad + s,
// else 0. Built on the host: it is for teaching and checking, not for speed.
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {
// A[e] = w[source[e]] (0 where source[e] < 0); dA/dw scatters back.
Tensor gather_matrix(const char* op, const Tensor& w, std::vector<std::int64_t> source, const Shape& shape) {
  const std::vector<double> wv = w.to_vector();
  std::vector<double> a(source.size(), 0.0);
  for (std::size_t e = 0; e < source.size(); ++e)
    if (source[e] >= 0) a[e] = wv[source[e]];
  Tensor A = Tensor::from_vector(a, shape, w.dtype(), w.device());
  return record(A, op, {w}, [source = std::move(source), w = w.detach()](const Tensor& g) {
    const std::vector<double> gv = g.to_vector();
    std::vector<double> dw(static_cast<std::size_t>(w.numel()), 0.0);
    for (std::size_t e = 0; e < source.size(); ++e)
      if (source[e] >= 0) dw[source[e]] += gv[e];
    return std::vector<Tensor>{Tensor::from_vector(dw, w.shape(), w.dtype(), w.device())};
  });
}
}  // namespace

Tensor conv2d_matrix(const Tensor& weight, std::int64_t H, std::int64_t W, std::int64_t stride, std::int64_t padding) {
  require_compatible("conv2d_matrix", {&weight});
  GL_CHECK(weight.dim() == 4, "conv2d_matrix: weight must be [K, C, R, S], got {}", shape_str(weight.shape()));
  GL_CHECK(stride >= 1 && padding >= 0, "conv2d_matrix: stride must be >= 1 and padding >= 0");
  const std::int64_t K = weight.size(0), C = weight.size(1), R = weight.size(2), S = weight.size(3);
  const std::int64_t Ho = window_output_size("conv2d_matrix", H, padding, padding, R, stride);
  const std::int64_t Wo = window_output_size("conv2d_matrix", W, padding, padding, S, stride);
  const std::int64_t rows = checked_numel("conv2d_matrix", {K, Ho, Wo}), cols = checked_numel("conv2d_matrix", {C, H, W});
  checked_numel("conv2d_matrix", {rows, cols});  // A's size must be representable before it is allocated
  std::vector<std::int64_t> source(static_cast<std::size_t>(rows * cols), -1);
  for (std::int64_t k = 0; k < K; ++k)
    for (std::int64_t oh = 0; oh < Ho; ++oh)
      for (std::int64_t ow = 0; ow < Wo; ++ow)
        for (std::int64_t c = 0; c < C; ++c)
          for (std::int64_t r = 0; r < R; ++r)
            for (std::int64_t s = 0; s < S; ++s) {
              const std::int64_t ih = oh * stride - padding + r, iw = ow * stride - padding + s;
              if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;  // a zero-padding position
              const std::int64_t row = (k * Ho + oh) * Wo + ow, col = (c * H + ih) * W + iw;
              source[row * cols + col] = ((k * C + c) * R + r) * S + s;
            }
  return gather_matrix("conv2d_matrix", weight, std::move(source), {rows, cols});
}

Tensor conv1d_matrix(const Tensor& weight, std::int64_t length, std::int64_t stride, std::int64_t padding) {
  GL_CHECK(weight.defined() && weight.dim() == 3, "conv1d_matrix: weight must be [K, C, S], got {}",
           weight.defined() ? shape_str(weight.shape()) : "undefined");
  // 1-D is 2-D with H = 1 (padding only along the length).
  GL_CHECK(stride >= 1 && padding >= 0, "conv1d_matrix: stride must be >= 1 and padding >= 0");
  const std::int64_t K = weight.size(0), C = weight.size(1), S = weight.size(2);
  const std::int64_t Lo = window_output_size("conv1d_matrix", length, padding, padding, S, stride);
  const std::int64_t rows = checked_numel("conv1d_matrix", {K, Lo}), cols = checked_numel("conv1d_matrix", {C, length});
  checked_numel("conv1d_matrix", {rows, cols});
  std::vector<std::int64_t> source(static_cast<std::size_t>(rows * cols), -1);
  for (std::int64_t k = 0; k < K; ++k)
    for (std::int64_t o = 0; o < Lo; ++o)
      for (std::int64_t c = 0; c < C; ++c)
        for (std::int64_t s = 0; s < S; ++s) {
          const std::int64_t l = o * stride - padding + s;
          if (l < 0 || l >= length) continue;
          source[(k * Lo + o) * cols + c * length + l] = (k * C + c) * S + s;
        }
  return gather_matrix("conv1d_matrix", weight, std::move(source), {rows, cols});
}

}  // namespace gl
