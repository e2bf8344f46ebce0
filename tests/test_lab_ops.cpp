// The lab ops (engine/ops/lab_ops.h): forward values on small hand-checked
// cases, PyTorch's conventions at ties and kinks, errors, and a float64
// finite-difference check of every differentiable op (inputs kept away from
// kinks and ties, so every element is checked).
#include <cmath>
#include <limits>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using test::uniform64;
using Inputs = std::vector<Tensor>;

Tensor f64(const std::vector<double>& v, const Shape& s, bool grad = false) {
  Tensor t = Tensor::from_vector(v, s, DType::f64);
  t.set_requires_grad(grad);
  return t;
}
Tensor i64(const std::vector<double>& v, const Shape& s) { return Tensor::from_vector(v, s, DType::i64); }
std::vector<double> vals(const Tensor& t) { return t.to_vector(); }

// ---- dtypes ------------------------------------------------------------------------
TEST(LabDtypes, Int64AndBoolRoundTripAndRefuseGradients) {
  const Tensor a = i64({1, -2, 3}, {3});
  EXPECT_EQ(a.dtype(), DType::i64);
  EXPECT_EQ(dtype_size(DType::i64), 8u);
  EXPECT_EQ(dtype_size(DType::b8), 1u);
  EXPECT_EQ(vals(a), (std::vector<double>{1, -2, 3}));
  const Tensor b = Tensor::from_vector({0, 2, 0}, {3}, DType::b8);
  EXPECT_EQ(vals(b), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(vals(b.to(DType::f32)), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(vals(a.to(DType::f64).to(DType::i64)), vals(a));
  Tensor c = a.clone();
  EXPECT_TRUE(test::throws_error_containing([&] { c.set_requires_grad(true); }, "int64"));
  Tensor d = b.clone();
  EXPECT_TRUE(test::throws_error_containing([&] { d.set_requires_grad(true); }, "bool"));
  EXPECT_TRUE(test::throws_error_containing([&] { Tensor::full({2}, std::nan(""), DType::i64); }, "int64"));
  EXPECT_TRUE(test::throws_error_containing([&] { exp(a); }, "int64"));
}

TEST(LabDtypes, IntegerArithmeticFollowsPython) {
  const Tensor a = i64({7, -7, 7, -7}, {4}), b = i64({2, 2, -2, -2}, {4});
  EXPECT_EQ(vals(floor_divide(a, b)), (std::vector<double>{3, -4, -4, 3}));
  EXPECT_EQ(vals(remainder(a, b)), (std::vector<double>{1, 1, -1, -1}));
  EXPECT_EQ(vals(arith(ArithOp::add, a, b)), (std::vector<double>{9, -5, 5, -9}));
  EXPECT_EQ(vals(arith(ArithOp::mul, a, b)), (std::vector<double>{14, -14, -14, 14}));
  EXPECT_EQ(vals(arith(ArithOp::pow, i64({2, 3}, {2}), i64({10, 3}, {2}))), (std::vector<double>{1024, 27}));
  EXPECT_TRUE(test::throws_error_containing([&] { floor_divide(a, i64({0}, {1})); }, "division by zero"));
  const Tensor fa = f64({7, -7}, {2}), fb = f64({2, 2}, {2});
  EXPECT_EQ(vals(floor_divide(fa, fb)), (std::vector<double>{3, -4}));
  EXPECT_EQ(vals(remainder(fa, f64({-2, 2}, {2}))), (std::vector<double>{-1, 1}));
}

// ---- comparisons and selection --------------------------------------------------------
TEST(LabCompare, BroadcastsAndGivesBool) {
  const Tensor a = f64({1, 2, 3}, {3, 1}), b = f64({2, 2}, {1, 2});
  const Tensor r = lt(a, b);
  EXPECT_EQ(r.dtype(), DType::b8);
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_EQ(vals(r), (std::vector<double>{1, 1, 0, 0, 0, 0}));
  EXPECT_EQ(vals(eq(a, b)), (std::vector<double>{0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(vals(ge(a, b)), (std::vector<double>{0, 0, 1, 1, 1, 1}));
  EXPECT_EQ(vals(ne(i64({1, 2}, {2}), i64({1}, {1}))), (std::vector<double>{0, 1}));
  EXPECT_EQ(vals(logical_and(gt(a, b), ne(a, f64({3}, {1})))), (std::vector<double>{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(vals(logical_not(eq(a, f64({2}, {1})))), (std::vector<double>{1, 0, 1}));
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(vals(isnan(f64({nan, 1, inf}, {3}))), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(vals(isfinite(f64({nan, 1, -inf}, {3}))), (std::vector<double>{0, 1, 0}));
  EXPECT_TRUE(test::throws_error_containing([&] { eq(a, i64({1}, {1})); }, "dtypes differ"));
  EXPECT_TRUE(test::throws_error_containing([&] { eq(f64({1, 2}, {2}), f64({1, 2, 3}, {3})); }, "eq"));
}

TEST(LabCompare, WhereGradientsGoToTheChosenSide) {
  const Tensor cond = Tensor::from_vector({1, 0, 1}, {3}, DType::b8);
  Tensor a = randn64({2, 3}, 1), b = randn64({3}, 2);
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return where(cond, in[0], in[1]); }, {a, b});
  const Tensor r = where(cond, a, b);
  EXPECT_EQ(r.at({1, 1}), b.at({1}));
  EXPECT_EQ(r.at({1, 2}), a.at({1, 2}));
}

TEST(LabCompare, MaximumMinimumClampGradients) {
  Tensor a = randn64({3, 4}, 3), b = randn64({4}, 4);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return maximum(in[0], in[1]); }, {a, b});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return minimum(in[0], in[1]); }, {a, b});
  Tensor x = test::away_from_zero64({5, 3}, 5, 0.2);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return clamp(in[0], -0.5, 0.6); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return clamp(in[0], std::nullopt, 0.3); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return hardtanh(in[0], -0.5, 0.6); }, {x});
}

TEST(LabCompare, TiesAndBoundsFollowPyTorch) {
  Tensor a = f64({1, 2, 3}, {3}, true), b = f64({1, 5, 0}, {3}, true);
  sum(maximum(a, b)).backward();
  EXPECT_EQ(vals(a.grad()), (std::vector<double>{0.5, 0, 1}));
  EXPECT_EQ(vals(b.grad()), (std::vector<double>{0.5, 1, 0}));
  Tensor x = f64({-1, 0, 0.5, 1, 2}, {5}, true);
  sum(clamp(x, 0.0, 1.0)).backward();  // bounds included
  EXPECT_EQ(vals(x.grad()), (std::vector<double>{0, 1, 1, 1, 0}));
  Tensor y = f64({-1, 0, 0.5, 1, 2}, {5}, true);
  sum(hardtanh(y, 0.0, 1.0)).backward();  // bounds excluded
  EXPECT_EQ(vals(y.grad()), (std::vector<double>{0, 0, 1, 0, 0}));
}

// ---- pointwise -------------------------------------------------------------------------
TEST(LabPointwise, GradientsMatchFiniteDifferences) {
  Tensor x = test::away_from_zero64({3, 4}, 6, 0.1);
  Tensor p = uniform64({3, 4}, 7, 0.2, 2.0);
  using Fn = Tensor (*)(const Tensor&);
  for (Fn f : {static_cast<Fn>(&abs), static_cast<Fn>(&sin), static_cast<Fn>(&cos), static_cast<Fn>(&expm1),
               static_cast<Fn>(&exp2), static_cast<Fn>(&silu)}) {
    EXPECT_OP_GRADIENTS_OK([f](const Inputs& in) { return f(in[0]); }, {x});
  }
  for (Fn f : {static_cast<Fn>(&tan), static_cast<Fn>(&log1p), static_cast<Fn>(&log2), static_cast<Fn>(&log10),
               static_cast<Fn>(&rsqrt)}) {
    EXPECT_OP_GRADIENTS_OK([f](const Inputs& in) { return f(in[0]); }, {p});
  }
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return leaky_relu(in[0], 0.1); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return elu(in[0], 1.5); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return gelu(in[0]); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return gelu(in[0], true); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return softplus(in[0], 2.0, 1.0); }, {x});
  Tensor e = randn64({4}, 8);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return pow(in[0], in[1]); }, {p, e});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return rpow(2.5, in[0]); }, {e});
}

TEST(LabPointwise, RoundingSignAndPowAtZero) {
  EXPECT_EQ(vals(round(f64({0.5, 1.5, -2.5, 2.4}, {4}))), (std::vector<double>{0, 2, -2, 2}));
  EXPECT_EQ(vals(floor(f64({-0.5, 1.5}, {2}))), (std::vector<double>{-1, 1}));
  EXPECT_EQ(vals(ceil(f64({-0.5, 1.5}, {2}))), (std::vector<double>{-0, 2}));
  EXPECT_EQ(vals(sign(f64({-3, 0, 2}, {3}))), (std::vector<double>{-1, 0, 1}));
  EXPECT_EQ(vals(abs(i64({-3, 4}, {2}))), (std::vector<double>{3, 4}));
  Tensor x = f64({0, 2}, {2}, true);
  sum(pow_scalar(x, 0.0)).backward();  // PyTorch: d x^0 = 0, also at 0
  EXPECT_EQ(vals(x.grad()), (std::vector<double>{0, 0}));
  Tensor a = f64({0, 2}, {2}, true), b = f64({0, 0}, {2}, true);
  sum(pow(a, b)).backward();
  EXPECT_EQ(vals(a.grad()), (std::vector<double>{0, 0}));
  EXPECT_EQ(vals(b.grad())[0], 0.0);  // a == 0, b >= 0: 0
  EXPECT_NEAR(vals(b.grad())[1], std::log(2.0), 1e-15);
  EXPECT_EQ(vals(isclose(f64({1, 1.1}, {2}), f64({1 + 1e-9, 1}, {2}))), (std::vector<double>{1, 0}));
}

// ---- reductions --------------------------------------------------------------------------
TEST(LabReduce, MaxMinArgmaxValuesAndTies) {
  const Tensor a = f64({1, 5, 5, 0, -2, 7}, {2, 3});
  const auto m = max(a, 1);
  EXPECT_EQ(vals(m.values), (std::vector<double>{5, 7}));
  EXPECT_EQ(vals(m.indices), (std::vector<double>{1, 2}));  // first maximum
  EXPECT_EQ(m.indices.dtype(), DType::i64);
  EXPECT_EQ(max(a, 0, true).values.shape(), (Shape{1, 3}));
  EXPECT_EQ(vals(min(a, -1).indices), (std::vector<double>{0, 1}));
  EXPECT_EQ(vals(argmax(a)), (std::vector<double>{5}));
  EXPECT_EQ(argmax(a).dim(), 0);
  EXPECT_EQ(vals(argmin(a, 0)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(vals(argmax(i64({3, 9, 9}, {3}))), (std::vector<double>{1}));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(std::isnan(vals(max(f64({1, nan, 3}, {3})))[0]));
  EXPECT_EQ(vals(argmax(f64({1, nan, 3}, {3}))), (std::vector<double>{1}));
  // gradients: max(dim) to the first maximum; max() shared evenly among ties
  Tensor x = f64({1, 5, 5, 0, -2, 7}, {2, 3}, true);
  sum(max(x, 1).values).backward();
  EXPECT_EQ(vals(x.grad()), (std::vector<double>{0, 1, 0, 0, 0, 1}));
  Tensor y = f64({1, 5, 5}, {3}, true);
  max(y).backward();
  EXPECT_EQ(vals(y.grad()), (std::vector<double>{0, 0.5, 0.5}));
  EXPECT_TRUE(test::throws_error_containing([&] { max(Tensor::zeros({2, 0}, DType::f64), 1); }, "empty"));
  EXPECT_TRUE(test::throws_error_containing([&] { argmax(Tensor::zeros({0}, DType::f64)); }, "argmax"));
}

TEST(LabReduce, GradientsMatchFiniteDifferences) {
  Tensor x = randn64({3, 4, 5}, 9);  // distinct values: no ties
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return max(in[0], 1).values; }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return min(in[0], -1, true).values; }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return amax(in[0], {0, 2}); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return max(in[0]); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return logsumexp(in[0], {1}); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return logsumexp(in[0], {0, 2}, true); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return prod(in[0], 1); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return prod(in[0]); }, {randn64({2, 3}, 10)});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return stddev(in[0], {2}); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return norm(in[0], 2.0, {1}); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return norm(in[0], 3.0); }, {x});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return cumsum(in[0], 1); }, {x});
}

TEST(LabReduce, LogsumexpIsStableAndProdHandlesZeros) {
  EXPECT_NEAR(logsumexp(f64({1000, 1000}, {2})).item(), 1000 + std::log(2.0), 1e-12);
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(logsumexp(f64({-inf, -inf}, {2})).item(), -inf);
  Tensor x = f64({2, 0, 3}, {3}, true);
  prod(x).backward();
  EXPECT_EQ(vals(x.grad()), (std::vector<double>{0, 6, 0}));
  EXPECT_EQ(vals(any(f64({0, 0, 1, 0}, {2, 2}), {1})), (std::vector<double>{0, 1}));
  EXPECT_EQ(vals(all(f64({1, 2, 1, 0}, {2, 2}), {1})), (std::vector<double>{1, 0}));
  EXPECT_EQ(vals(cumsum(f64({1, 2, 3}, {3}), 0)), (std::vector<double>{1, 3, 6}));
  Tensor z = Tensor::zeros({3}, DType::f64).set_requires_grad(true);
  norm(z).backward();
  EXPECT_EQ(vals(z.grad()), (std::vector<double>{0, 0, 0}));
}

// ---- index arrays --------------------------------------------------------------------------
TEST(LabIndex, TakeGathersAndScatterAddsBack) {
  const Tensor a = f64({0, 1, 2, 3, 4, 5}, {2, 3});
  EXPECT_EQ(vals(take(a, 1, i64({2, 0, -1}, {3}))), (std::vector<double>{2, 0, 2, 5, 3, 5}));
  EXPECT_EQ(take(a, 0, i64({1, 1, 0, 1}, {2, 2})).shape(), (Shape{2, 2, 3}));
  Tensor x = f64({0, 1, 2, 3, 4, 5}, {2, 3}, true);
  sum(take(x, 1, i64({2, 2, 0}, {3}))).backward();  // repeated indices add up
  EXPECT_EQ(vals(x.grad()), (std::vector<double>{1, 0, 2, 1, 0, 2}));
  EXPECT_TRUE(test::throws_error_containing([&] { take(a, 1, i64({3}, {1})); }, "dim 1 of size 3"));
  EXPECT_TRUE(test::throws_error_containing([&] { index_select(a, 0, i64({-1}, {1})); }, "index_select"));
  EXPECT_TRUE(test::throws_error_containing([&] { take(a, 0, f64({0}, {1})); }, "int64 or int32"));
  Tensor y = randn64({4, 5}, 11);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return take(in[0], 0, i64({3, 0, 3, 1}, {2, 2})); }, {y});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return index_select(in[0], 1, i64({4, 0}, {2})); }, {y});
}

TEST(LabIndex, GatherScatterAddOneHotNonzero) {
  const Tensor a = f64({1, 2, 3, 4}, {2, 2});
  const Tensor idx = i64({0, 0, 1, 0}, {2, 2});
  EXPECT_EQ(vals(gather(a, 1, idx)), (std::vector<double>{1, 1, 4, 3}));
  EXPECT_EQ(vals(scatter_add(Tensor::zeros({2, 2}, DType::f64), 1, idx, a)), (std::vector<double>{3, 0, 4, 3}));
  Tensor y = randn64({3, 4}, 12), src = randn64({3, 2}, 13);
  const Tensor gi = i64({3, 0, 1, 1, 0, 2}, {3, 2});
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return gather(in[0], 1, gi); }, {y});
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return scatter_add(in[0], 1, gi, in[1]); }, {y, src});
  const Tensor oh = one_hot(i64({2, 0}, {2}), 3);
  EXPECT_EQ(oh.dtype(), DType::i64);
  EXPECT_EQ(vals(oh), (std::vector<double>{0, 0, 1, 1, 0, 0}));
  EXPECT_EQ(vals(nonzero(f64({0, 1, 2, 0}, {2, 2}))), (std::vector<double>{0, 1, 1, 0}));
}

TEST(LabIndex, IndexPutWritesAndRefusesTensorsThatRequireGrad) {
  Tensor a = Tensor::zeros({2, 3}, DType::f64);
  const auto before = a.impl()->storage->version.load();
  index_put_(a, 1, i64({2, 0}, {2}), f64({7}, {1}));
  EXPECT_EQ(vals(a), (std::vector<double>{7, 0, 7, 7, 0, 7}));
  EXPECT_GT(a.impl()->storage->version.load(), before);
  index_put_(a, 0, i64({1, 1}, {2}), f64({1, 2, 3}, {3}), true);
  EXPECT_EQ(vals(a), (std::vector<double>{7, 0, 7, 9, 4, 13}));
  Tensor w = randn64({3}, 14);
  EXPECT_TRUE(test::throws_error_containing([&] { index_put_(w, 0, i64({0}, {1}), f64({1}, {1})); }, "leaf"));
  Tensor ints = Tensor::zeros({3}, DType::i64);
  index_put_(ints, 0, i64({1}, {1}), f64({4.0}, {1}));
  EXPECT_EQ(vals(ints), (std::vector<double>{0, 4, 0}));
}

// ---- shape --------------------------------------------------------------------------------
TEST(LabShape, ValuesAndGradients) {
  Tensor a = randn64({2, 3}, 15), b = randn64({2, 3}, 16);
  EXPECT_EQ(stack({a, b}, 1).shape(), (Shape{2, 2, 3}));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return stack(in, -1); }, {a, b});
  EXPECT_EQ(split(a, 2, 1).size(), 2u);
  EXPECT_EQ(chunk(a, 3, 1)[2].shape(), (Shape{2, 1}));
  EXPECT_EQ(squeeze(unsqueeze(a, 0)).shape(), (Shape{2, 3}));
  EXPECT_EQ(vals(flip(f64({1, 2, 3}, {3}), {0})), (std::vector<double>{3, 2, 1}));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return flip(in[0], {0, 1}); }, {a});
  EXPECT_EQ(repeat(a, {2, 1, 2}).shape(), (Shape{2, 2, 6}));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return repeat(in[0], {2, 3}); }, {a});
  EXPECT_EQ(vals(pad(f64({1, 2}, {2}), {1, 2}, 9.0)), (std::vector<double>{9, 1, 2, 9, 9}));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return pad(in[0], {1, -1, 0, 2}); }, {a});
  Tensor v = randn64({3}, 17), m = randn64({4, 2, 3}, 18), w = randn64({3, 5}, 19);
  EXPECT_EQ(matmul_nd(v, w).shape(), (Shape{5}));
  EXPECT_EQ(matmul_nd(m, v).shape(), (Shape{4, 2}));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return matmul_nd(in[0], in[1]); }, {m, w});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return matmul_nd(in[0], in[1]); }, {v, w});
  EXPECT_TRUE(all_close(einsum("bij,jk->bik", {m, w}), matmul_nd(m, w)));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return einsum("ij,kj->ik", {in[0], in[1]}); }, {a, b});
  const Tensor sq = f64({1, 2, 3, 4}, {2, 2});
  EXPECT_EQ(vals(einsum("ii->i", {sq})), (std::vector<double>{1, 4}));  // a diagonal
  EXPECT_EQ(einsum("ii", {sq}).item(), 5.0);                               // the trace
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return einsum("ik,jkl,il->ij", {in[0], in[1], in[2]}); },
                         {randn64({2, 3}, 30), randn64({4, 3, 5}, 31), randn64({2, 5}, 32)});
  EXPECT_TRUE(test::throws_error_containing([&] { einsum("...i->i", {sq}); }, "ellipses"));
}

// ---- losses -----------------------------------------------------------------------------------
TEST(LabLoss, CrossEntropyOptionsAndGradients) {
  Tensor z = randn64({5, 4}, 20);
  const Tensor y = i64({0, 3, -100, 2, 1}, {5});
  // ignore_index: mean over the 4 rows kept; without options it equals the fused op.
  const Tensor full = i64({0, 3, 1, 2, 1}, {5});
  EXPECT_NEAR(cross_entropy_ex(z, full).item(), cross_entropy(z, full.to(DType::i32)).item(), 1e-12);
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return cross_entropy_ex(in[0], y); }, {z});
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return cross_entropy_ex(in[0], y, Reduction::none, 0.1); }, {z});
  Tensor p = uniform64({5, 4}, 21, 0.1, 1.0, false);
  p = div(p, sum(p, {1}, true));
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return cross_entropy_ex(in[0], p, Reduction::sum, 0.2); }, {z});
  Tensor z3 = randn64({2, 3, 4}, 22);
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return cross_entropy_ex(in[0], i64({0, 1, 2, 0, 1, 1, 2, 0}, {2, 4})); }, {z3});
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return nll_loss(log_softmax(in[0]), full, Reduction::sum); }, {z});
  Tensor q = uniform64({6}, 23, 0.05, 0.95), t = uniform64({6}, 24, 0.0, 1.0, false);
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return binary_cross_entropy(in[0], t); }, {q});
  Tensor logits = randn64({6}, 25), t2 = uniform64({6}, 26, 0.0, 1.0);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return binary_cross_entropy_with_logits(in[0], in[1], Reduction::none); },
                         {logits, t2});
  EXPECT_TRUE(test::throws_error_containing([&] { cross_entropy_ex(z, i64({0, 4, 1, 1, 1}, {5})); }, "out of range"));
}

// ---- custom functions ------------------------------------------------------------------------
TEST(LabFunction, RecordsTheUsersBackwardAndChecksIt) {
  Tensor x = randn64({3}, 27);
  auto cube = [](const Tensor& in) {
    Tensor out;
    {
      NoGradGuard no_grad;
      out = mul(mul(in, in), in);
    }
    const Tensor saved = in.detach();
    return custom_function("Cube", {in}, out, [saved](const Tensor& g) {
      return std::vector<Tensor>{mul(g, mul_scalar(mul(saved, saved), 3.0))};
    });
  };
  EXPECT_OP_GRADIENTS_OK([&](const Inputs& in) { return cube(in[0]); }, {x});
  Tensor y = randn64({3}, 28);
  const Tensor bad = custom_function("Bad", {y}, y.detach(), [](const Tensor&) { return std::vector<Tensor>{Tensor()}; });
  EXPECT_TRUE(test::throws_error_containing([&] { sum(bad).backward(); }, "Bad.backward returned None for input 0"));
  Tensor w = randn64({3}, 29);
  const Tensor wrong = custom_function("Wrong", {w}, w.detach(), [](const Tensor& g) {
    return std::vector<Tensor>{reshape(slice(g, 0, 0, 2), {2})};
  });
  EXPECT_TRUE(test::throws_error_containing([&] { sum(wrong).backward(); }, "shape [2] for input 0 of shape [3]"));
}

}  // namespace
}  // namespace gl

namespace gl {
namespace {

// ---- convolution options -------------------------------------------------------------------------
TEST(LabConv, GroupsDilationPaddingAndTransposeGradients) {
  using test::randn64;
  using Inputs = std::vector<Tensor>;
  Tensor x = randn64({2, 4, 7, 6}, 40), w = randn64({6, 2, 3, 2}, 41), b = randn64({6}, 42);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return conv2d_ex(in[0], in[1], in[2], 2, 1, {1, 0}, 2, 1, 2); },
                         {x, w, b});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return conv2d_ex(in[0], in[1], Tensor(), 1, 1, {2, 0, -1, 1}, 1, 2, 2); },
                         {x, w});
  Tensor wt = randn64({4, 3, 3, 2}, 43);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return conv_transpose2d(in[0], in[1], Tensor(), 2, 1, 1, 0, 1, 0, 2); },
                         {x, wt});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return max_pool2d_ex(in[0], 3, 2, 2, 1, 1, 1, true); }, {x});
}

// Problem 5(c): the input gradient of a convolution is the transposed convolution of the output gradient.
TEST(LabConv, TransposedConvolutionIsTheInputGradient) {
  using test::randn64;
  for (std::int64_t stride : {1, 2}) {
    Tensor x = randn64({2, 3, 7, 7}, 44), w = randn64({4, 3, 3, 3}, 45, false);
    const Tensor y = conv2d(x, w, Tensor(), stride, 1);
    const Tensor g = randn64(y.shape(), 46, false);
    y.backward(g);
    const std::int64_t out_pad = (7 + 2 - 3) % stride;  // recovers H = 7
    const Tensor t = conv_transpose2d(g, w, Tensor(), stride, stride, 1, 1, out_pad, out_pad);
    EXPECT_TRUE(test::all_close(t, x.grad(), 1e-10, 1e-12)) << "stride " << stride;
  }
}

}  // namespace
}  // namespace gl

namespace gl {
namespace {
TEST(LabConv, AveragePoolWithNonSquareWindows) {
  using Inputs = std::vector<Tensor>;
  Tensor x = test::randn64({2, 3, 7, 6}, 47);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return avg_pool2d_ex(in[0], 3, 2, 2, 1, 1, 1); }, {x});
  // square windows agree with the engine's kernel
  EXPECT_TRUE(test::all_close(avg_pool2d_ex(x, 3, 3, 2, 2, 1, 1), avg_pool2d(x, 3, 2, 1), 1e-12, 1e-14));
  EXPECT_TRUE(test::all_close(max_pool2d_ex(x, 3, 3, 2, 2, 1, 1), max_pool2d(x, 3, 2, 1), 0, 0));
}
}  // namespace
}  // namespace gl
