// Pooling: max_pool2d (padding reads as -inf; ties are kinks), avg_pool2d
// (padding counts as zeros, divisor R*S as PyTorch's count_include_pad) and
// global_avg_pool2d, against loops written here; gradients by finite differences.
#include <algorithm>
#include <limits>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using Inputs = std::vector<Tensor>;

struct PoolCase {
  std::int64_t N, C, H, W, kernel, stride, pad;
  std::int64_t stride_or_kernel() const { return stride == 0 ? kernel : stride; }
  std::int64_t Ho() const { return (H + 2 * pad - kernel) / stride_or_kernel() + 1; }
  std::int64_t Wo() const { return (W + 2 * pad - kernel) / stride_or_kernel() + 1; }
};

const std::vector<PoolCase> kPoolCases = {
    {1, 1, 4, 4, 2, 0, 0},  // stride defaults to the kernel
    {2, 3, 5, 5, 2, 2, 0},  // odd size: last row/column unused
    {1, 2, 5, 7, 3, 2, 1},  // overlapping windows with padding
    {2, 1, 6, 5, 3, 1, 1},  // stride 1
    {1, 2, 7, 7, 3, 3, 0},
};

std::string describe_case(const PoolCase& p) {
  return fmt::format("x [{}, {}, {}, {}] kernel {} stride {} pad {}", p.N, p.C, p.H, p.W, p.kernel,
                     p.stride, p.pad);
}

// max = true: max over the window (padding excluded, as -inf); else the
// window sum divided by kernel^2 (padding as zeros).
std::vector<double> direct_pool(const PoolCase& p, const std::vector<double>& x, bool max) {
  const std::int64_t Ho = p.Ho(), Wo = p.Wo(), st = p.stride_or_kernel();
  std::vector<double> y(static_cast<std::size_t>(p.N * p.C * Ho * Wo));
  for (std::int64_t nc = 0; nc < p.N * p.C; ++nc)
    for (std::int64_t i = 0; i < Ho; ++i)
      for (std::int64_t j = 0; j < Wo; ++j) {
        double acc = max ? -std::numeric_limits<double>::infinity() : 0.0;
        for (std::int64_t r = 0; r < p.kernel; ++r)
          for (std::int64_t s = 0; s < p.kernel; ++s) {
            const std::int64_t hi = i * st + r - p.pad, wi = j * st + s - p.pad;
            if (hi < 0 || hi >= p.H || wi < 0 || wi >= p.W) continue;
            const double v = x[(nc * p.H + hi) * p.W + wi];
            acc = max ? std::max(acc, v) : acc + v;
          }
        y[(nc * Ho + i) * Wo + j] = max ? acc : acc / static_cast<double>(p.kernel * p.kernel);
      }
  return y;
}

TEST(MaxPool2d, ForwardAndGradients) {
  for (const PoolCase& p : kPoolCases) {
    SCOPED_TRACE(describe_case(p));
    // Distinct values (no ties) so that every element is differentiable.
    Tensor x = randn64({p.N, p.C, p.H, p.W}, 131);
    Tensor y = max_pool2d(x, p.kernel, p.stride, p.pad);
    ASSERT_EQ(y.shape(), (Shape{p.N, p.C, p.Ho(), p.Wo()}));
    EXPECT_TRUE(all_close(y.to_vector(), direct_pool(p, x.to_vector(), true), 0, 0));
    EXPECT_OP_GRADIENTS_OK([p](const Inputs& in) { return max_pool2d(in[0], p.kernel, p.stride, p.pad); },
                           {x});
  }
}

TEST(MaxPool2d, NegativeInputsWithPaddingIgnorePadding) {
  // All values negative: a padded zero must never win.
  Tensor x = mul_scalar(add_scalar(test::uniform64({1, 1, 3, 3}, 132, 0.0, 1.0, false), 1.0), -1.0);
  const PoolCase p{1, 1, 3, 3, 2, 2, 1};
  EXPECT_TRUE(all_close(max_pool2d(x, 2, 2, 1).to_vector(), direct_pool(p, x.to_vector(), true), 0, 0));
  for (double v : max_pool2d(x, 2, 2, 1).to_vector()) EXPECT_LT(v, 0.0);
}

TEST(MaxPool2d, TiesAreKinksAndGradientGoesToOneMaximum) {
  // Two equal maxima in each 2x2 window: the checker skips them as kinks;
  // autograd routes each window's gradient to exactly one of its maxima.
  Tensor x = Tensor::from_vector({1, 1, 0, 3,  //
                                  0, -1, 3, 2,  //
                                  5, 0, -2, -2,  //
                                  5, 1, -3, -2},
                                 {1, 1, 4, 4}, DType::f64)
                 .set_requires_grad();
  const GradCheckResult r = check_gradients([&] { return sum(max_pool2d(x, 2)); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_GT(r.skipped_kinks, 0);
  x.zero_grad();
  sum(max_pool2d(x, 2)).backward();
  const std::vector<double> g = x.grad().to_vector(), xv = x.to_vector();
  for (int wi = 0; wi < 4; ++wi) {
    const int top = (wi / 2) * 2, left = (wi % 2) * 2;
    double window_total = 0, window_max = -1e9;
    for (int r = 0; r < 2; ++r)
      for (int s = 0; s < 2; ++s) window_max = std::max(window_max, xv[(top + r) * 4 + left + s]);
    for (int r = 0; r < 2; ++r)
      for (int s = 0; s < 2; ++s) {
        const int i = (top + r) * 4 + left + s;
        window_total += g[i];
        if (g[i] != 0.0) {
          EXPECT_EQ(xv[i], window_max) << "gradient on a non-maximum at " << i;
        }
      }
    EXPECT_EQ(window_total, 1.0) << "window " << wi;
  }
}

TEST(AvgPool2d, ForwardAndGradients) {
  for (const PoolCase& p : kPoolCases) {
    SCOPED_TRACE(describe_case(p));
    Tensor x = randn64({p.N, p.C, p.H, p.W}, 133);
    Tensor y = avg_pool2d(x, p.kernel, p.stride, p.pad);
    ASSERT_EQ(y.shape(), (Shape{p.N, p.C, p.Ho(), p.Wo()}));
    EXPECT_TRUE(all_close(y.to_vector(), direct_pool(p, x.to_vector(), false), 1e-14, 1e-15));
    EXPECT_OP_GRADIENTS_OK([p](const Inputs& in) { return avg_pool2d(in[0], p.kernel, p.stride, p.pad); },
                           {x});
  }
}

TEST(GlobalAvgPool2d, MeanOverSpaceAndGradient) {
  for (const Shape& shape : std::vector<Shape>{{2, 3, 4, 5}, {1, 2, 1, 1}, {3, 1, 3, 3}}) {
    SCOPED_TRACE(shape_str(shape));
    Tensor x = randn64(shape, 134);
    Tensor y = global_avg_pool2d(x);
    ASSERT_EQ(y.shape(), (Shape{shape[0], shape[1]}));
    EXPECT_TRUE(all_close(y, mean(x, {2, 3}), 1e-14, 1e-15));
    EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return global_avg_pool2d(in[0]); }, {x});
  }
}

}  // namespace
}  // namespace gl
