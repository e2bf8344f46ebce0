// Elementwise ops: forward values against std:: math, gradients by finite
// differences, NumPy broadcasting in both directions ([3,1] vs [1,4],
// [2,3,4] vs [4], scalars).
#include <cmath>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using test::uniform64;
using Inputs = std::vector<Tensor>;

// ---- binary ops with broadcasting --------------------------------------------------
struct BroadcastCase {
  Shape a, b, out;
};

const std::vector<BroadcastCase> kBroadcastCases = {
    {{2, 3}, {2, 3}, {2, 3}},       {{3, 1}, {1, 4}, {3, 4}}, {{2, 3, 4}, {4}, {2, 3, 4}},
    {{4}, {2, 3, 4}, {2, 3, 4}},    {{2, 3}, {}, {2, 3}},     {{}, {5}, {5}},
    {{2, 1, 3}, {4, 1}, {2, 4, 3}}, {{1}, {3, 2}, {3, 2}},
};

// Value of a broadcast operand at the output's flat index (NumPy rules).
double broadcast_value(const std::vector<double>& v, const Shape& shape, const Shape& out,
                       std::int64_t flat) {
  const Strides out_strides = contiguous_strides(out);
  const Strides strides = contiguous_strides(shape);
  const std::size_t lead = out.size() - shape.size();
  std::int64_t offset = 0;
  for (std::size_t d = 0; d < out.size(); ++d) {
    const std::int64_t i = (flat / out_strides[d]) % out[d];
    if (d >= lead && shape[d - lead] != 1) offset += i * strides[d - lead];
  }
  return v[static_cast<std::size_t>(offset)];
}

using BinaryOp = Tensor (*)(const Tensor&, const Tensor&);

void check_binary(const char* name, BinaryOp op, double (*reference)(double, double)) {
  for (const BroadcastCase& c : kBroadcastCases) {
    SCOPED_TRACE(std::string(name) + " " + shape_str(c.a) + " with " + shape_str(c.b));
    // b kept in [0.5, 2] so that div is smooth; a any sign.
    Tensor a = randn64(c.a, 1);
    Tensor b = uniform64(c.b, 2, 0.5, 2.0);
    Tensor y = op(a, b);
    ASSERT_EQ(y.shape(), c.out);
    const std::vector<double> av = a.to_vector(), bv = b.to_vector();
    std::vector<double> expected(static_cast<std::size_t>(numel(c.out)));
    for (std::int64_t i = 0; i < numel(c.out); ++i) {
      expected[i] = reference(broadcast_value(av, c.a, c.out, i), broadcast_value(bv, c.b, c.out, i));
    }
    EXPECT_TRUE(all_close(y.to_vector(), expected, 1e-14, 1e-15));
    EXPECT_OP_GRADIENTS_OK([op](const Inputs& in) { return op(in[0], in[1]); }, {a, b});
  }
}

TEST(Elementwise, AddBroadcastForwardAndGradient) {
  check_binary("add", &add, [](double x, double y) { return x + y; });
}
TEST(Elementwise, SubBroadcastForwardAndGradient) {
  check_binary("sub", &sub, [](double x, double y) { return x - y; });
}
TEST(Elementwise, MulBroadcastForwardAndGradient) {
  check_binary("mul", &mul, [](double x, double y) { return x * y; });
}
TEST(Elementwise, DivBroadcastForwardAndGradient) {
  check_binary("div", &div, [](double x, double y) { return x / y; });
}

TEST(Elementwise, SameTensorOnBothSidesAccumulates) {
  // y = x * x: both inputs are x, so d/dx = 2x (the two contributions add).
  Tensor x = randn64({3, 2}, 3);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return mul(in[0], in[0]); }, {x});
  x.zero_grad();  // the check above ran backward passes into x.grad
  Tensor y = sum(mul(x, x));
  y.backward();
  EXPECT_TRUE(all_close(x.grad(), mul_scalar(x.detach(), 2.0)));
}

TEST(Elementwise, OperatorsMatchFunctions) {
  Tensor a = randn64({2, 3}, 4, false), b = uniform64({3}, 5, 0.5, 2.0, false);
  EXPECT_TRUE(all_close(a + b, add(a, b), 0, 0));
  EXPECT_TRUE(all_close(a - b, sub(a, b), 0, 0));
  EXPECT_TRUE(all_close(a * b, mul(a, b), 0, 0));
  EXPECT_TRUE(all_close(a / b, div(a, b), 0, 0));
  EXPECT_TRUE(all_close(-a, neg(a), 0, 0));
  EXPECT_TRUE(all_close(a + 2.5, add_scalar(a, 2.5), 0, 0));
  EXPECT_TRUE(all_close(2.5 + a, add_scalar(a, 2.5), 0, 0));
  EXPECT_TRUE(all_close(a - 2.5, add_scalar(a, -2.5), 0, 0));
  EXPECT_TRUE(all_close(2.5 - a, add_scalar(neg(a), 2.5), 0, 0));
  EXPECT_TRUE(all_close(a * 3.0, mul_scalar(a, 3.0), 0, 0));
  EXPECT_TRUE(all_close(3.0 * a, mul_scalar(a, 3.0), 0, 0));
  EXPECT_TRUE(all_close(a / 4.0, mul_scalar(a, 0.25), 1e-15, 0));
}

// ---- unary ops --------------------------------------------------------------------------
struct UnaryCase {
  const char* name;
  Tensor (*op)(const Tensor&);
  double (*reference)(double);
  double low, high;  // input domain
};

const std::vector<Shape> kUnaryShapes = {{7}, {3, 5}, {2, 3, 1, 4}};

void check_unary(const UnaryCase& c) {
  for (const Shape& shape : kUnaryShapes) {
    SCOPED_TRACE(std::string(c.name) + " " + shape_str(shape));
    Tensor x = uniform64(shape, 11, c.low, c.high);
    Tensor y = c.op(x);
    ASSERT_EQ(y.shape(), shape);
    std::vector<double> expected = x.to_vector();
    for (double& v : expected) v = c.reference(v);
    EXPECT_TRUE(all_close(y.to_vector(), expected, 1e-14, 1e-15));
    EXPECT_OP_GRADIENTS_OK([&c](const Inputs& in) { return c.op(in[0]); }, {x});
  }
}

TEST(Elementwise, Neg) { check_unary({"neg", &neg, [](double v) { return -v; }, -2, 2}); }
TEST(Elementwise, Exp) { check_unary({"exp", &exp, [](double v) { return std::exp(v); }, -2, 2}); }
TEST(Elementwise, Log) { check_unary({"log", &log, [](double v) { return std::log(v); }, 0.2, 3}); }
TEST(Elementwise, Sqrt) {
  check_unary({"sqrt", &sqrt, [](double v) { return std::sqrt(v); }, 0.2, 3});
}
TEST(Elementwise, Tanh) {
  check_unary({"tanh", &tanh, [](double v) { return std::tanh(v); }, -3, 3});
}
TEST(Elementwise, Sigmoid) {
  check_unary({"sigmoid", &sigmoid, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }, -4, 4});
}

TEST(Elementwise, SigmoidIsStableForLargeInputs) {
  Tensor x = Tensor::from_vector({-800.0, -40.0, 0.0, 40.0, 800.0}, {5}, DType::f64);
  const std::vector<double> y = sigmoid(x).to_vector();
  for (double v : y) EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(y[0], 0.0, 1e-300);
  EXPECT_DOUBLE_EQ(y[2], 0.5);
  EXPECT_DOUBLE_EQ(y[4], 1.0);
}

TEST(Elementwise, PowSeveralExponents) {
  for (double exponent : {2.0, 3.0, 0.5, -1.0, -1.5, 1.7}) {
    SCOPED_TRACE("exponent " + std::to_string(exponent));
    Tensor x = uniform64({2, 3}, 12, 0.3, 2.5);
    std::vector<double> expected = x.to_vector();
    for (double& v : expected) v = std::pow(v, exponent);
    EXPECT_TRUE(all_close(pow(x, exponent).to_vector(), expected, 1e-14, 1e-15));
    EXPECT_OP_GRADIENTS_OK([exponent](const Inputs& in) { return pow(in[0], exponent); }, {x});
  }
}

TEST(Elementwise, PowIntegerExponentOfNegativeBase) {
  Tensor x = Tensor::from_vector({-2.0, -0.5, 1.5}, {3}, DType::f64).set_requires_grad();
  EXPECT_TRUE(all_close(pow(x, 3.0).to_vector(), {-8.0, -0.125, 3.375}, 1e-15));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return pow(in[0], 2.0); }, {x});
}

// x^0 = 1 everywhere, so its derivative is 0 everywhere, at x = 0 too (PyTorch's
// rule; the formula 0 * x^-1 would give NaN there).
TEST(Elementwise, PowZeroExponentHasZeroGradientAtZero) {
  Tensor x = Tensor::from_vector({0.0, -1.5, 2.0}, {3}, DType::f64).set_requires_grad();
  sum(pow(x, 0.0)).backward();
  EXPECT_EQ(x.grad().to_vector(), std::vector<double>(3, 0.0));
  Tensor y = Tensor::from_vector({0.0, 3.0}, {2}, DType::f32).set_requires_grad();
  sum(pow(y, 0.0)).backward();
  EXPECT_EQ(y.grad().to_vector(), std::vector<double>(2, 0.0));
}

TEST(Elementwise, ScalarOps) {
  Tensor x = randn64({3, 4}, 13);
  std::vector<double> xv = x.to_vector(), plus = xv, times = xv;
  for (double& v : plus) v += -1.25;
  for (double& v : times) v *= 3.5;
  EXPECT_TRUE(all_close(add_scalar(x, -1.25).to_vector(), plus, 0, 0));
  EXPECT_TRUE(all_close(mul_scalar(x, 3.5).to_vector(), times, 0, 0));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return add_scalar(in[0], -1.25); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return mul_scalar(in[0], 3.5); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return 2.0 - in[0] / 3.0; }, {x});
}

// ---- relu and its kink --------------------------------------------------------------
TEST(Elementwise, ReluForwardAndGradientAwayFromZero) {
  for (const Shape& shape : kUnaryShapes) {
    SCOPED_TRACE(shape_str(shape));
    Tensor x = test::away_from_zero64(shape, 14);
    std::vector<double> expected = x.to_vector();
    for (double& v : expected) v = v > 0 ? v : 0.0;
    EXPECT_TRUE(all_close(relu(x).to_vector(), expected, 0, 0));
    EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return relu(in[0]); }, {x});
  }
}

TEST(Elementwise, ReluAtZeroIsSkippedAsKinkAndHasZeroGradient) {
  // Exact zeros sit on the kink: the checker must skip them (not fail), and the
  // engine uses the subgradient 0 there (PyTorch's convention).
  Tensor x = Tensor::from_vector({-1.0, 0.0, 2.0, 0.0, 0.5}, {5}, DType::f64).set_requires_grad();
  const GradCheckResult r = check_gradients([&] { return sum(relu(x)); }, {x});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.skipped_kinks, 2);
  EXPECT_EQ(r.checked, 3);
  x.zero_grad();
  sum(relu(x)).backward();
  EXPECT_TRUE(all_close(x.grad().to_vector(), {0, 0, 1, 0, 1}, 0, 0));
}

TEST(Elementwise, Float32ForwardMatchesFloat64) {
  Tensor a64 = randn64({4, 5}, 15, false), b64 = uniform64({5}, 16, 0.5, 2, false);
  Tensor a32 = a64.to(DType::f32), b32 = b64.to(DType::f32);
  EXPECT_EQ((a32 * b32).dtype(), DType::f32);
  EXPECT_TRUE(all_close((a32 / b32 + tanh(a32)).to_vector(), (a64 / b64 + tanh(a64)).to_vector(),
                        1e-6, 1e-6));
}

}  // namespace
}  // namespace gl
