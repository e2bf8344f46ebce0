// The finite-difference checker itself (engine/core/gradcheck.h): it must catch
// a wrong backward and say where (input, index, expected, actual), skip kinks,
// and its Jacobian must agree with autograd's.
#include "tests/test_util.h"

namespace gl {
namespace {

using test::randn64;

// y = x^2 elementwise, recorded with a deliberately wrong backward
// (3x instead of 2x at flat index 4 only).
Tensor square_with_wrong_backward(const Tensor& x) {
  Tensor y;
  {
    NoGradGuard no_grad;
    y = mul(x, x);
  }
  return record(y, "bad_square", {x}, [x = x.detach()](const Tensor& g) {
    std::vector<double> d = x.to_vector();
    for (std::size_t i = 0; i < d.size(); ++i) d[i] *= (i == 4 ? 3.0 : 2.0);
    return std::vector<Tensor>{mul(g, Tensor::from_vector(d, x.shape(), x.dtype()))};
  });
}

TEST(GradCheck, CatchesAWrongBackwardAndSaysWhere) {
  Tensor x = randn64({2, 3}, 191);
  const GradCheckResult r = check_gradients([&] { return sum(square_with_wrong_backward(x)); }, {x});
  EXPECT_FALSE(r.ok);
  const double x4 = x.to_vector()[4];
  // The message names the flat index, the expected (numeric, 2 x) and actual (3 x) values.
  EXPECT_NE(r.message.find("4"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find(fmt::format("{:.6g}", 2 * x4).substr(0, 5)), std::string::npos) << r.message;
  EXPECT_NE(r.message.find(fmt::format("{:.6g}", 3 * x4).substr(0, 5)), std::string::npos) << r.message;
  EXPECT_GT(r.max_abs_error, 0.5 * std::abs(x4));
  EXPECT_FALSE(test::gradients_ok([&] { return sum(square_with_wrong_backward(x)); }, {x}));
}

TEST(GradCheck, CorrectBackwardPassesAndCountsElements) {
  Tensor x = randn64({2, 3}, 192), w = randn64({3}, 193);
  const GradCheckResult r = check_gradients([&] { return sum(mul(tanh(x), w)); }, {x, w});
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.checked, 9);
  EXPECT_EQ(r.skipped_kinks, 0);
  EXPECT_LT(r.max_abs_error, 1e-8);
}

TEST(GradCheck, JacobianOfWrongBackwardDiffers) {
  Tensor x = randn64({6}, 194);
  EXPECT_FALSE(test::jacobian_matches([&] { return square_with_wrong_backward(x); }, x));
  EXPECT_TRUE(test::jacobian_matches([&] { return mul(x, x); }, x));
}

TEST(GradCheck, NumericalGradientAndJacobianShapes) {
  Tensor x = Tensor::from_vector({1.0, 2.0, 3.0}, {3}, DType::f64);
  const Tensor g = numerical_gradient([&] { return sum(mul(x, x)); }, x);
  ASSERT_EQ(g.shape(), (Shape{3}));
  EXPECT_TRUE(test::all_close(g.to_vector(), {2, 4, 6}, 1e-8, 1e-8));
  const Tensor J = numerical_jacobian([&] { return mul_scalar(x, 5.0); }, x);
  ASSERT_EQ(J.shape(), (Shape{3, 3}));
  EXPECT_TRUE(test::all_close(J.to_vector(), {5, 0, 0, 0, 5, 0, 0, 0, 5}, 1e-8, 1e-8));
  // Finite differences need float64 on the cpu.
  Tensor x32 = x.to(DType::f32);
  EXPECT_GL_ERROR(numerical_gradient([&] { return sum(x32); }, x32), "numerical_gradient");
}

}  // namespace
}  // namespace gl
