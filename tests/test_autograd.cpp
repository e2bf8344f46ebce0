// The autograd rules documented in engine/core/autograd.h: accumulation,
// zero_grad, requires_grad propagation, NoGradGuard, graph release and
// retain_graph, retain_grad on non-leaves, seeds, jacobian(), to_dot().
#include <sstream>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;

TEST(Autograd, GradientsAccumulateAcrossBackwardCalls) {
  Tensor x = randn64({2, 3}, 151);
  const Tensor two_x = mul_scalar(x.detach(), 2.0);
  sum(mul(x, x)).backward();
  EXPECT_TRUE(all_close(x.grad(), two_x));
  sum(mul(x, x)).backward();  // a fresh graph: += into the same .grad
  EXPECT_TRUE(all_close(x.grad(), mul_scalar(two_x, 2.0)));
}

TEST(Autograd, RetainGraphAllowsASecondBackwardThatAccumulates) {
  Tensor x = randn64({4}, 152);
  Tensor y = sum(exp(x));
  y.backward(/*retain_graph=*/true);
  y.backward();
  EXPECT_TRUE(all_close(x.grad(), mul_scalar(exp(x.detach()), 2.0), 1e-15));
}

TEST(Autograd, SecondBackwardThroughReleasedGraphThrows) {
  Tensor x = randn64({3}, 153);
  Tensor y = sum(mul(x, x));
  y.backward();
  EXPECT_THROW(y.backward(), Error);
}

TEST(Autograd, ZeroGradDropsTheGradient) {
  Tensor x = randn64({3}, 154);
  sum(x).backward();
  ASSERT_TRUE(x.grad().defined());
  x.zero_grad();
  EXPECT_FALSE(x.grad().defined());
  sum(mul_scalar(x, 3.0)).backward();
  EXPECT_TRUE(all_close(x.grad().to_vector(), {3, 3, 3}, 0, 0));
}

// Persistent gradient buffers (for CUDA graph replay): zeroed in place, the
// next backward accumulates into the same storage, with the same values a
// fresh gradient would get.
TEST(Autograd, ZeroGradKeepingTheBufferZeroesInPlaceAndBackwardReusesIt) {
  Tensor x = randn64({2, 3}, 155);
  sum(mul(x, x)).backward();
  const void* buffer = x.grad().raw_data();
  x.zero_grad(/*keep_buffer=*/true);
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().raw_data(), buffer);
  EXPECT_TRUE(all_close(x.grad().to_vector(), std::vector<double>(6, 0.0), 0, 0));
  sum(mul_scalar(x, 3.0)).backward();
  EXPECT_EQ(x.grad().raw_data(), buffer);
  EXPECT_TRUE(all_close(x.grad().to_vector(), std::vector<double>(6, 3.0), 0, 0));
  // Without a gradient yet, keeping the buffer has nothing to keep.
  Tensor y = randn64({4}, 156);
  y.zero_grad(true);
  EXPECT_FALSE(y.grad().defined());
}

TEST(Autograd, RequiresGradPropagates) {
  Tensor a = randn64({2}, 155, /*requires_grad=*/false), b = randn64({2}, 156, false);
  Tensor c = add(a, b);
  EXPECT_FALSE(c.requires_grad());
  EXPECT_EQ(c.grad_fn(), nullptr);
  EXPECT_TRUE(c.is_leaf());
  b.set_requires_grad();
  Tensor d = add(a, b);
  EXPECT_TRUE(d.requires_grad());
  ASSERT_NE(d.grad_fn(), nullptr);
  EXPECT_EQ(d.grad_fn()->op, "add");
  EXPECT_FALSE(d.is_leaf());
  Tensor e = relu(mul(d, a));  // propagates through a chain
  EXPECT_TRUE(e.requires_grad());
  EXPECT_EQ(e.grad_fn()->op, "relu");
  // Only inputs with requires_grad receive a gradient.
  sum(mul(d, a)).backward();
  EXPECT_FALSE(a.grad().defined());
  EXPECT_TRUE(all_close(b.grad(), a));
}

TEST(Autograd, NoGradGuardRecordsNothing) {
  Tensor x = randn64({3}, 157);
  EXPECT_TRUE(grad_enabled());
  {
    NoGradGuard guard;
    EXPECT_FALSE(grad_enabled());
    Tensor y = mul(x, x);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    {
      NoGradGuard nested;
      EXPECT_FALSE(grad_enabled());
    }
    EXPECT_FALSE(grad_enabled());  // the nested guard restores "off", not "on"
  }
  EXPECT_TRUE(grad_enabled());
  EXPECT_TRUE(mul(x, x).requires_grad());
}

TEST(Autograd, NonLeafGradOnlyWithRetainGrad) {
  Tensor x = randn64({3}, 158);
  Tensor h = mul_scalar(x, 2.0);
  Tensor kept = mul_scalar(x, 3.0);
  kept.retain_grad();
  sum(mul(h, kept)).backward();
  EXPECT_FALSE(h.grad().defined());
  ASSERT_TRUE(kept.grad().defined());
  // d/d kept of sum(h * kept) = h.
  EXPECT_TRUE(all_close(kept.grad(), h.detach()));
  // d/dx = 2 * kept + 3 * h = 12 x.
  EXPECT_TRUE(all_close(x.grad(), mul_scalar(x.detach(), 12.0), 1e-15));
}

TEST(Autograd, BackwardFromNonScalarNeedsASeedOfTheRightShape) {
  Tensor x = randn64({2, 3}, 159);
  Tensor y = mul_scalar(x, 2.0);
  EXPECT_THROW(y.backward(), Error);
  EXPECT_THROW(y.backward(Tensor::ones({3, 2}, DType::f64)), Error);
  EXPECT_THROW(y.backward(Tensor::ones({6}, DType::f64)), Error);
  // A correct seed gives the vector-Jacobian product seed^T dy/dx.
  Tensor seed = randn64({2, 3}, 160, false);
  y.backward(seed);
  EXPECT_TRUE(all_close(x.grad(), mul_scalar(seed, 2.0)));
}

TEST(Autograd, DiamondAndReusedNodes) {
  // z = exp(x) feeds two paths: y = z * z + z, dy/dx = (2 z + 1) z.
  Tensor x = randn64({5}, 161);
  Tensor z = exp(x);
  sum(add(mul(z, z), z)).backward();
  const Tensor zd = exp(x.detach());
  EXPECT_TRUE(all_close(x.grad(), mul(add_scalar(mul_scalar(zd, 2.0), 1.0), zd), 1e-14));
}

TEST(Autograd, DetachStopsTheGradient) {
  Tensor x = randn64({4}, 162);
  sum(mul(x.detach(), x)).backward();
  EXPECT_TRUE(all_close(x.grad(), x.detach()));
  EXPECT_FALSE(x.detach().requires_grad());
}

TEST(Autograd, LongChainDoesNotOverflowTheStack) {
  // Reverse topological order must not recurse once per node.
  Tensor x = randn64({2}, 163);
  Tensor y = x;
  for (int i = 0; i < 20000; ++i) y = add_scalar(y, 1e-4);
  sum(y).backward();
  EXPECT_TRUE(all_close(x.grad().to_vector(), {1, 1}, 0, 0));
}

TEST(Autograd, JacobianIsCorrectAndLeavesGradAlone) {
  Tensor x = randn64({3}, 164);
  sum(x).backward();  // x.grad = [1, 1, 1]
  Tensor A = randn64({2, 3}, 165, false);
  Tensor y = tanh(matmul(A, reshape(x, {3, 1})));  // [2, 1]
  Tensor J = jacobian(y, x);
  ASSERT_EQ(J.shape(), (Shape{2, 3}));
  // dy_i/dx_j = (1 - y_i^2) A_ij.
  const std::vector<double> yv = y.to_vector(), av = A.to_vector(), jv = J.to_vector();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(jv[i * 3 + j], (1 - yv[i] * yv[i]) * av[i * 3 + j], 1e-15);
  EXPECT_TRUE(all_close(x.grad().to_vector(), {1, 1, 1}, 0, 0)) << "jacobian() changed x.grad";
  // The graph is kept: a later backward still works.
  sum(y).backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_TRUE(test::jacobian_matches([&] { return tanh(matmul(A, reshape(x, {3, 1}))); }, x));
}

TEST(Autograd, JacobianLeavesUndefinedGradUndefined) {
  Tensor x = randn64({2}, 166);
  Tensor J = jacobian(mul(x, x), x);
  EXPECT_TRUE(all_close(J.to_vector(), {2 * x.at({0}), 0, 0, 2 * x.at({1})}, 1e-15));
  EXPECT_FALSE(x.grad().defined());
}

TEST(Autograd, ToDotNamesOpsAndShapes) {
  Tensor x = randn64({2, 3}, 167);
  x.set_name("input");
  Tensor w = randn64({4, 3}, 168);
  Tensor y = sum(relu(linear(x, w)));
  const std::string dot = to_dot(y);
  EXPECT_NE(dot.find("digraph"), std::string::npos) << dot;
  EXPECT_NE(dot.find("linear"), std::string::npos) << dot;
  EXPECT_NE(dot.find("relu"), std::string::npos) << dot;
  EXPECT_NE(dot.find("sum"), std::string::npos) << dot;
  EXPECT_NE(dot.find("input"), std::string::npos) << dot;
  EXPECT_NE(dot.find("[2, 3]"), std::string::npos) << dot;
  EXPECT_NE(dot.find("[4, 3]"), std::string::npos) << dot;
  std::ostringstream out;
  write_dot(y, out);
  EXPECT_EQ(out.str(), dot);
}

TEST(Autograd, FullJacobiansOfSmallOpsMatchFiniteDifferences) {
  // Every entry of d vec(y) / d vec(x), not just one projection of it.
  Tensor x = randn64({2, 3}, 169);
  Tensor img = randn64({1, 2, 4, 4}, 170);
  Tensor w = randn64({2, 2, 3, 3}, 171, false);
  Tensor m = randn64({3, 2}, 172, false);
  struct Case {
    const char* name;
    Tensor* input;
    std::function<Tensor()> f;
  };
  const std::vector<Case> cases = {
      {"exp", &x, [&] { return exp(x); }},
      {"sigmoid", &x, [&] { return sigmoid(x); }},
      {"softmax", &x, [&] { return softmax(x); }},
      {"log_softmax", &x, [&] { return log_softmax(x); }},
      {"var", &x, [&] { return var(x, {1}, true, true); }},
      {"matmul", &x, [&] { return matmul(x, m); }},
      {"permute", &x, [&] { return permute(x, {1, 0}); }},
      {"slice", &x, [&] { return slice(x, 1, 0, 3, 2); }},
      {"pad2d", &x, [&] { return pad2d(x, 1, 0); }},
      {"conv2d", &img, [&] { return conv2d(img, w, Tensor(), 2, 1); }},
      {"max_pool2d", &img, [&] { return max_pool2d(img, 2); }},
      {"avg_pool2d", &img, [&] { return avg_pool2d(img, 3, 1, 1); }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_TRUE(test::jacobian_matches(c.f, *c.input));
  }
}

}  // namespace
}  // namespace gl
