// Convolution: conv2d / conv1d (im2col + GEMM in the engine) against a direct
// loop written here; im2col against its definition; the explicit matrices
// (conv1d_matrix, conv2d_matrix): y = A x and dL/dx = A^T dL/dy; gradients by
// finite differences over strides 1/2/3, paddings 0/1/2, odd and non-square sizes.
//
// Legend: N batch, C input channels, K output channels, H x W input,
// R x S kernel, Ho x Wo output, L / Lo 1-D lengths.
#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using Inputs = std::vector<Tensor>;

struct Conv2dCase {
  std::int64_t N, C, H, W, K, R, S, sh, sw, ph, pw;
  bool bias;
  std::int64_t Ho() const { return (H + 2 * ph - R) / sh + 1; }
  std::int64_t Wo() const { return (W + 2 * pw - S) / sw + 1; }
};

// y[n,k,i,j] = b[k] + sum_{c,r,s} x[n, c, i*sh + r - ph, j*sw + s - pw] * w[k,c,r,s]
// (cross-correlation; out-of-range x reads as 0).
std::vector<double> direct_conv2d(const Conv2dCase& p, const std::vector<double>& x,
                                  const std::vector<double>& w, const std::vector<double>& b) {
  const std::int64_t Ho = p.Ho(), Wo = p.Wo();
  std::vector<double> y(static_cast<std::size_t>(p.N * p.K * Ho * Wo));
  for (std::int64_t n = 0; n < p.N; ++n)
    for (std::int64_t k = 0; k < p.K; ++k)
      for (std::int64_t i = 0; i < Ho; ++i)
        for (std::int64_t j = 0; j < Wo; ++j) {
          double s = b.empty() ? 0.0 : b[k];
          for (std::int64_t c = 0; c < p.C; ++c)
            for (std::int64_t r = 0; r < p.R; ++r)
              for (std::int64_t q = 0; q < p.S; ++q) {
                const std::int64_t hi = i * p.sh + r - p.ph, wi = j * p.sw + q - p.pw;
                if (hi < 0 || hi >= p.H || wi < 0 || wi >= p.W) continue;
                s += x[((n * p.C + c) * p.H + hi) * p.W + wi] * w[((k * p.C + c) * p.R + r) * p.S + q];
              }
          y[((n * p.K + k) * Ho + i) * Wo + j] = s;
        }
  return y;
}

const std::vector<Conv2dCase> kConv2dCases = {
    // N  C  H  W  K  R  S sh sw ph pw bias
    {1, 1, 3, 3, 1, 3, 3, 1, 1, 0, 0, false},  // one output pixel
    {2, 3, 5, 5, 4, 3, 3, 1, 1, 1, 1, true},   // "same" 3x3
    {2, 2, 7, 7, 3, 3, 3, 2, 2, 1, 1, true},   // stride 2, odd size
    {1, 2, 8, 8, 2, 3, 3, 2, 2, 1, 1, false},  // stride 2, even size (last row unused)
    {1, 2, 7, 8, 3, 3, 3, 3, 3, 2, 2, true},   // stride 3, padding 2
    {2, 2, 5, 6, 2, 1, 1, 2, 2, 0, 0, false},  // 1x1 projection, stride 2
    {1, 2, 5, 7, 2, 2, 3, 1, 2, 0, 1, true},   // non-square kernel, stride, padding
    {1, 1, 4, 9, 2, 3, 2, 2, 1, 2, 0, true},   // non-square everything
    {1, 3, 5, 5, 2, 5, 5, 1, 1, 2, 2, true},   // kernel as large as the input
};

Tensor run_conv2d(const Conv2dCase& p, const Tensor& x, const Tensor& w, const Tensor& b) {
  if (p.sh == p.sw && p.ph == p.pw) return conv2d(x, w, b, p.sh, p.ph);
  return conv2d(x, w, b, p.sh, p.sw, p.ph, p.pw);
}

std::string describe_case(const Conv2dCase& p) {
  return fmt::format("x [{}, {}, {}, {}] w [{}, {}, {}, {}] stride {}x{} pad {}x{} bias {}", p.N,
                     p.C, p.H, p.W, p.K, p.C, p.R, p.S, p.sh, p.sw, p.ph, p.pw, p.bias);
}

TEST(Conv2d, ForwardEqualsDirectLoop) {
  for (const Conv2dCase& p : kConv2dCases) {
    SCOPED_TRACE(describe_case(p));
    Tensor x = randn64({p.N, p.C, p.H, p.W}, 71, false), w = randn64({p.K, p.C, p.R, p.S}, 72, false);
    Tensor b = p.bias ? randn64({p.K}, 73, false) : Tensor();
    Tensor y = run_conv2d(p, x, w, b);
    ASSERT_EQ(y.shape(), (Shape{p.N, p.K, p.Ho(), p.Wo()}));
    const std::vector<double> expected =
        direct_conv2d(p, x.to_vector(), w.to_vector(), p.bias ? b.to_vector() : std::vector<double>{});
    EXPECT_TRUE(all_close(y.to_vector(), expected, 1e-12, 1e-13));
  }
}

TEST(Conv2d, GradientsOfInputWeightAndBias) {
  for (const Conv2dCase& p : kConv2dCases) {
    SCOPED_TRACE(describe_case(p));
    Tensor x = randn64({p.N, p.C, p.H, p.W}, 74), w = randn64({p.K, p.C, p.R, p.S}, 75);
    if (p.bias) {
      Tensor b = randn64({p.K}, 76);
      EXPECT_OP_GRADIENTS_OK([p](const Inputs& in) { return run_conv2d(p, in[0], in[1], in[2]); },
                             {x, w, b});
    } else {
      EXPECT_OP_GRADIENTS_OK([p](const Inputs& in) { return run_conv2d(p, in[0], in[1], Tensor()); },
                             {x, w});
    }
  }
}

TEST(Conv2d, Float32MatchesFloat64) {
  const Conv2dCase& p = kConv2dCases[2];
  Tensor x = randn64({p.N, p.C, p.H, p.W}, 77, false), w = randn64({p.K, p.C, p.R, p.S}, 78, false);
  Tensor b = randn64({p.K}, 79, false);
  Tensor y32 = run_conv2d(p, x.to(DType::f32), w.to(DType::f32), b.to(DType::f32));
  EXPECT_EQ(y32.dtype(), DType::f32);
  EXPECT_TRUE(all_close(y32.to_vector(), run_conv2d(p, x, w, b).to_vector(), 1e-5, 1e-5));
}

// ---- im2col ------------------------------------------------------------------------------
TEST(Im2col, MatchesDefinition) {
  struct Case {
    std::int64_t N, C, H, W, R, S, stride, pad;
  };
  for (Case p : std::vector<Case>{{1, 1, 3, 3, 2, 2, 1, 0}, {2, 2, 5, 4, 3, 3, 2, 1}, {1, 3, 4, 6, 1, 3, 1, 2}}) {
    SCOPED_TRACE(fmt::format("x [{}, {}, {}, {}] kernel {}x{} stride {} pad {}", p.N, p.C, p.H, p.W,
                             p.R, p.S, p.stride, p.pad));
    Tensor x = randn64({p.N, p.C, p.H, p.W}, 81);
    Tensor cols = im2col(x, p.R, p.S, p.stride, p.pad);
    const std::int64_t Ho = (p.H + 2 * p.pad - p.R) / p.stride + 1;
    const std::int64_t Wo = (p.W + 2 * p.pad - p.S) / p.stride + 1;
    ASSERT_EQ(cols.shape(), (Shape{p.N, p.C * p.R * p.S, Ho * Wo}));
    // cols[n, (c*R + r)*S + s, i*Wo + j] = x[n, c, i*stride + r - pad, j*stride + s - pad].
    const std::vector<double> xv = x.to_vector(), cv = cols.to_vector();
    const std::int64_t rows = p.C * p.R * p.S;
    for (std::int64_t n = 0; n < p.N; ++n)
      for (std::int64_t c = 0; c < p.C; ++c)
        for (std::int64_t r = 0; r < p.R; ++r)
          for (std::int64_t s = 0; s < p.S; ++s)
            for (std::int64_t i = 0; i < Ho; ++i)
              for (std::int64_t j = 0; j < Wo; ++j) {
                const std::int64_t hi = i * p.stride + r - p.pad, wi = j * p.stride + s - p.pad;
                const bool inside = hi >= 0 && hi < p.H && wi >= 0 && wi < p.W;
                const double expected = inside ? xv[((n * p.C + c) * p.H + hi) * p.W + wi] : 0.0;
                const std::int64_t row = (c * p.R + r) * p.S + s;
                ASSERT_EQ(cv[(n * rows + row) * Ho * Wo + i * Wo + j], expected)
                    << "n " << n << " row " << row << " col " << i * Wo + j;
              }
    // Backward is col2im: overlapping windows add up.
    EXPECT_OP_GRADIENTS_OK(
        [p](const Inputs& in) { return im2col(in[0], p.R, p.S, p.stride, p.pad); }, {x});
  }
}

// ---- conv1d -------------------------------------------------------------------------------
struct Conv1dCase {
  std::int64_t N, C, L, K, S, stride, pad;
  bool bias;
  std::int64_t Lo() const { return (L + 2 * pad - S) / stride + 1; }
};

const std::vector<Conv1dCase> kConv1dCases = {
    {1, 2, 4, 2, 3, 1, 0, false},  // the assignment's Problem 5 shape
    {2, 3, 9, 2, 3, 2, 1, true},  {1, 1, 7, 3, 2, 3, 2, true}, {2, 2, 5, 1, 5, 1, 2, false},
};

std::vector<double> direct_conv1d(const Conv1dCase& p, const std::vector<double>& x,
                                  const std::vector<double>& w, const std::vector<double>& b) {
  std::vector<double> y(static_cast<std::size_t>(p.N * p.K * p.Lo()));
  for (std::int64_t n = 0; n < p.N; ++n)
    for (std::int64_t k = 0; k < p.K; ++k)
      for (std::int64_t t = 0; t < p.Lo(); ++t) {
        double s = b.empty() ? 0.0 : b[k];
        for (std::int64_t c = 0; c < p.C; ++c)
          for (std::int64_t q = 0; q < p.S; ++q) {
            const std::int64_t li = t * p.stride + q - p.pad;
            if (li >= 0 && li < p.L) s += x[(n * p.C + c) * p.L + li] * w[(k * p.C + c) * p.S + q];
          }
        y[(n * p.K + k) * p.Lo() + t] = s;
      }
  return y;
}

TEST(Conv1d, ForwardEqualsDirectLoopAndGradients) {
  for (const Conv1dCase& p : kConv1dCases) {
    SCOPED_TRACE(fmt::format("x [{}, {}, {}] w [{}, {}, {}] stride {} pad {} bias {}", p.N, p.C,
                             p.L, p.K, p.C, p.S, p.stride, p.pad, p.bias));
    Tensor x = randn64({p.N, p.C, p.L}, 91), w = randn64({p.K, p.C, p.S}, 92);
    Tensor b = p.bias ? randn64({p.K}, 93) : Tensor();
    Tensor y = conv1d(x, w, b, p.stride, p.pad);
    ASSERT_EQ(y.shape(), (Shape{p.N, p.K, p.Lo()}));
    EXPECT_TRUE(all_close(y.to_vector(),
                          direct_conv1d(p, x.to_vector(), w.to_vector(),
                                        p.bias ? b.to_vector() : std::vector<double>{}),
                          1e-12, 1e-13));
    if (p.bias) {
      EXPECT_OP_GRADIENTS_OK(
          [p](const Inputs& in) { return conv1d(in[0], in[1], in[2], p.stride, p.pad); }, {x, w, b});
    } else {
      EXPECT_OP_GRADIENTS_OK(
          [p](const Inputs& in) { return conv1d(in[0], in[1], Tensor(), p.stride, p.pad); }, {x, w});
    }
  }
}

// ---- explicit matrices ------------------------------------------------------------------
// For one example: vec(y) = A vec(x), and the input gradient is A^T vec(dL/dy).
void expect_matrix_form(const Tensor& A, const Tensor& x_one, const Tensor& y_one,
                        const Tensor& x_grad_one, const Tensor& y_grad_one) {
  const Tensor x_col = reshape(x_one.detach(), {x_one.numel(), 1});
  EXPECT_TRUE(all_close(reshape(matmul(A.detach(), x_col), {y_one.numel()}).to_vector(),
                        y_one.to_vector(), 1e-12, 1e-13))
      << "vec(y) != A vec(x)";
  const Tensor gy_col = reshape(y_grad_one, {y_grad_one.numel(), 1});
  EXPECT_TRUE(all_close(reshape(matmul(transpose(A.detach()), gy_col), {x_one.numel()}).to_vector(),
                        x_grad_one.to_vector(), 1e-12, 1e-13))
      << "dL/dx != A^T dL/dy";
}

TEST(ConvMatrix, Conv1dMatrixIsTheConvolution) {
  for (const Conv1dCase& p : kConv1dCases) {
    SCOPED_TRACE(fmt::format("C {} L {} K {} S {} stride {} pad {}", p.C, p.L, p.K, p.S, p.stride, p.pad));
    Tensor x = randn64({1, p.C, p.L}, 94), w = randn64({p.K, p.C, p.S}, 95);
    Tensor A = conv1d_matrix(w, p.L, p.stride, p.pad);
    ASSERT_EQ(A.shape(), (Shape{p.K * p.Lo(), p.C * p.L}));
    Tensor y = conv1d(x, w, Tensor(), p.stride, p.pad);
    Tensor gy = randn64(y.shape(), 96, false);
    x.zero_grad();
    y.backward(gy);
    expect_matrix_form(A, x, y, x.grad(), gy);
    // A is differentiable in the weights (its entries are copies of them).
    const std::int64_t L = p.L, stride = p.stride, pad = p.pad;
    EXPECT_OP_GRADIENTS_OK(
        [L, stride, pad](const Inputs& in) { return conv1d_matrix(in[0], L, stride, pad); }, {w});
  }
}

TEST(ConvMatrix, Conv1dMatrixEntriesForProblem5) {
  // C = 2, L = 4, K = 2, S = 3, stride 1, no padding: A is [4, 8] with
  // A[k*2 + t, c*4 + t + q] = w[k, c, q] and zeros elsewhere.
  std::vector<double> wv(12);
  for (int i = 0; i < 12; ++i) wv[i] = i + 1;
  Tensor w = Tensor::from_vector(wv, {2, 2, 3}, DType::f64);
  const std::vector<double> A = conv1d_matrix(w, 4).to_vector();
  ASSERT_EQ(A.size(), 32u);
  for (int k = 0; k < 2; ++k)
    for (int t = 0; t < 2; ++t)
      for (int c = 0; c < 2; ++c)
        for (int l = 0; l < 4; ++l) {
          const int q = l - t;
          const double expected = (q >= 0 && q < 3) ? wv[(k * 2 + c) * 3 + q] : 0.0;
          EXPECT_EQ(A[(k * 2 + t) * 8 + c * 4 + l], expected) << "row " << k * 2 + t << " col " << c * 4 + l;
        }
}

TEST(ConvMatrix, Conv2dMatrixIsTheConvolution) {
  for (const Conv2dCase& p : kConv2dCases) {
    if (p.sh != p.sw || p.ph != p.pw) continue;  // conv2d_matrix takes one stride and one pad
    SCOPED_TRACE(describe_case(p));
    Tensor x = randn64({1, p.C, p.H, p.W}, 97), w = randn64({p.K, p.C, p.R, p.S}, 98);
    Tensor A = conv2d_matrix(w, p.H, p.W, p.sh, p.ph);
    ASSERT_EQ(A.shape(), (Shape{p.K * p.Ho() * p.Wo(), p.C * p.H * p.W}));
    Tensor y = conv2d(x, w, Tensor(), p.sh, p.ph);
    Tensor gy = randn64(y.shape(), 99, false);
    x.zero_grad();
    y.backward(gy);
    expect_matrix_form(A, x, y, x.grad(), gy);
  }
  Tensor w = randn64({2, 2, 3, 3}, 100);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return conv2d_matrix(in[0], 4, 5, 2, 1); }, {w});
}

}  // namespace
}  // namespace gl
