// softmax, log_softmax (over the last axis), cross_entropy (mean over rows,
// int32 labels) and mse_loss against direct formulas; gradients by finite
// differences; numerical stability for large logits.
#include <cmath>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using Inputs = std::vector<Tensor>;

// log_softmax of each row of a [rows, cols] row-major array.
std::vector<double> reference_log_softmax(const std::vector<double>& x, std::int64_t cols) {
  std::vector<double> y(x.size());
  for (std::size_t r = 0; r * cols < x.size(); ++r) {
    double m = x[r * cols];
    for (std::int64_t k = 0; k < cols; ++k) m = std::max(m, x[r * cols + k]);
    double s = 0;
    for (std::int64_t k = 0; k < cols; ++k) s += std::exp(x[r * cols + k] - m);
    for (std::int64_t k = 0; k < cols; ++k) y[r * cols + k] = x[r * cols + k] - m - std::log(s);
  }
  return y;
}

const std::vector<Shape> kShapes = {{5}, {3, 4}, {2, 3, 5}, {4, 1}};

TEST(Softmax, ForwardAndGradient) {
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape_str(shape));
    Tensor x = randn64(shape, 141, true, 2.0);
    std::vector<double> expected = reference_log_softmax(x.to_vector(), shape.back());
    for (double& v : expected) v = std::exp(v);
    Tensor y = softmax(x);
    ASSERT_EQ(y.shape(), shape);
    EXPECT_TRUE(all_close(y.to_vector(), expected, 1e-13, 1e-15));
    EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return softmax(in[0]); }, {x});
  }
}

TEST(LogSoftmax, ForwardAndGradient) {
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape_str(shape));
    Tensor x = randn64(shape, 142, true, 2.0);
    Tensor y = log_softmax(x);
    ASSERT_EQ(y.shape(), shape);
    EXPECT_TRUE(all_close(y.to_vector(), reference_log_softmax(x.to_vector(), shape.back()), 1e-13,
                          1e-14));
    EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return log_softmax(in[0]); }, {x});
  }
}

TEST(Softmax, FullJacobianIsDiagMinusOuter) {
  // d softmax_i / d x_j = p_i (delta_ij - p_j).
  Tensor x = randn64({1, 4}, 143);
  EXPECT_TRUE(test::jacobian_matches([&] { return softmax(x); }, x));
  const std::vector<double> p = softmax(x).to_vector(), J = jacobian(softmax(x), x).to_vector();
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(J[i * 4 + j], p[i] * ((i == j) - p[j]), 1e-15);
}

TEST(Softmax, StableForLargeLogits) {
  Tensor x = Tensor::from_vector({1000, 1001, 1002, -1000, 0, 1000}, {2, 3}, DType::f64);
  for (double v : softmax(x).to_vector()) EXPECT_TRUE(std::isfinite(v));
  for (double v : log_softmax(x).to_vector()) EXPECT_TRUE(std::isfinite(v));
  EXPECT_TRUE(all_close(log_softmax(x).to_vector(),
                        reference_log_softmax(x.to_vector(), 3), 1e-13, 1e-13));
}

TEST(CrossEntropy, MeanNegativeLogLikelihood) {
  Tensor logits = randn64({4, 3}, 144, true, 2.0);
  const std::vector<std::int32_t> labels_v{2, 0, 1, 2};
  Tensor labels = Tensor::from_labels(labels_v);
  Tensor loss = cross_entropy(logits, labels);
  ASSERT_EQ(loss.numel(), 1);
  const std::vector<double> ls = reference_log_softmax(logits.to_vector(), 3);
  double expected = 0;
  for (int n = 0; n < 4; ++n) expected -= ls[n * 3 + labels_v[n]];
  EXPECT_NEAR(loss.item(), expected / 4, 1e-14);
  EXPECT_GRADIENTS_OK([&] { return cross_entropy(logits, labels); }, {logits});
  // dL/dlogits = (softmax - onehot) / N.
  logits.zero_grad();
  cross_entropy(logits, labels).backward();
  std::vector<double> expected_grad = softmax(logits.detach()).to_vector();
  for (int n = 0; n < 4; ++n) expected_grad[n * 3 + labels_v[n]] -= 1.0;
  for (double& v : expected_grad) v /= 4.0;
  EXPECT_TRUE(all_close(logits.grad().to_vector(), expected_grad, 1e-13, 1e-15));
}

// K = 0 classes with N > 0 rows has no loss to define: refused, naming the shape
// (the GPU backend would otherwise average per-row losses it never wrote).
TEST(CrossEntropy, RefusesLogitsWithNoClasses) {
  const Tensor logits = Tensor::zeros({3, 0}, DType::f64);
  const Tensor labels = Tensor::from_labels(std::vector<std::int32_t>{0, 0, 0});
  EXPECT_GL_ERROR(cross_entropy(logits, labels), "no classes (K = 0)");
  EXPECT_GL_ERROR(cross_entropy(logits, labels), "[3, 0]");
}

TEST(CrossEntropy, GradientThroughALinearLayerAndLargeLogits) {
  Tensor x = randn64({5, 3}, 145), w = randn64({4, 3}, 146);
  Tensor labels = Tensor::from_labels({0, 3, 1, 1, 2});
  EXPECT_GRADIENTS_OK([&] { return cross_entropy(linear(x, w), labels); }, {x, w});
  Tensor big = Tensor::from_vector({800, 0, -800, 0, 800, 0}, {2, 3}, DType::f64);
  const double l = cross_entropy(big, Tensor::from_labels({0, 2})).item();
  EXPECT_TRUE(std::isfinite(l));
  EXPECT_NEAR(l, 400.0, 1e-9);  // row 0 contributes ~0, row 1 contributes 800
}

TEST(MseLoss, MeanSquaredErrorAndGradients) {
  for (const Shape& shape : std::vector<Shape>{{6}, {2, 3}, {2, 1, 3}}) {
    SCOPED_TRACE(shape_str(shape));
    Tensor a = randn64(shape, 147), b = randn64(shape, 148);
    const std::vector<double> av = a.to_vector(), bv = b.to_vector();
    double expected = 0;
    for (std::size_t i = 0; i < av.size(); ++i) expected += (av[i] - bv[i]) * (av[i] - bv[i]);
    expected /= static_cast<double>(av.size());
    EXPECT_NEAR(mse_loss(a, b).item(), expected, 1e-14);
    EXPECT_GRADIENTS_OK([&] { return mse_loss(a, b); }, {a, b});
  }
}

TEST(CountCorrect, AccumulatesArgmaxMatches) {
  Tensor logits = Tensor::from_vector({0.1, 0.9, 0.0,  //
                                       2.0, 1.0, 0.0,  //
                                       0.0, 0.0, 3.0,  //
                                       1.0, 1.0, 0.0},  // tie: first maximum (0) wins
                                      {4, 3}, DType::f64);
  Tensor counter = Tensor::zeros({1}, DType::f64);  // same dtype as the logits
  count_correct(logits, Tensor::from_labels({1, 0, 1, 0}), counter);
  EXPECT_EQ(counter.to_vector()[0], 3.0);
  count_correct(logits, Tensor::from_labels({1, 1, 2, 1}), counter);
  EXPECT_EQ(counter.to_vector()[0], 5.0);
}

}  // namespace
}  // namespace gl
