// Shape ops: reshape (shares storage), flatten, permute, transpose, slice
// (steps, negative bounds), concat, expand, pad2d: values against index
// arithmetic written here, gradients by finite differences.
#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using Inputs = std::vector<Tensor>;

TEST(ShapeOps, ReshapeKeepsOrderAndInfersMinusOne) {
  Tensor x = randn64({2, 3, 4}, 31);
  Tensor y = reshape(x, {4, -1});
  ASSERT_EQ(y.shape(), (Shape{4, 6}));
  EXPECT_TRUE(all_close(y.to_vector(), x.to_vector(), 0, 0));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return reshape(in[0], {3, 8}); }, {x});
}

TEST(ShapeOps, ReshapeSharesStorage) {
  Tensor x = Tensor::zeros({2, 3}, DType::f64);
  Tensor y = reshape(x, {6});
  EXPECT_EQ(y.impl()->storage, x.impl()->storage);
  y.data<double>()[4] = 7.0;
  EXPECT_DOUBLE_EQ(x.at({1, 1}), 7.0);
}

TEST(ShapeOps, Flatten) {
  Tensor x = randn64({2, 3, 2, 2}, 32);
  EXPECT_EQ(flatten(x).shape(), (Shape{2, 12}));
  EXPECT_EQ(flatten(x, 2).shape(), (Shape{2, 3, 4}));
  EXPECT_TRUE(all_close(flatten(x).to_vector(), x.to_vector(), 0, 0));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return flatten(in[0]); }, {x});
}

TEST(ShapeOps, PermuteValues) {
  const Shape shape{2, 3, 4};
  Tensor x = randn64(shape, 33);
  const std::vector<double> xv = x.to_vector();
  for (const std::vector<int>& order :
       std::vector<std::vector<int>>{{0, 1, 2}, {2, 0, 1}, {1, 2, 0}, {2, 1, 0}, {0, 2, 1}}) {
    SCOPED_TRACE(fmt::format("order {}", order));
    Tensor y = permute(x, order);
    Shape out(3);
    for (int d = 0; d < 3; ++d) out[d] = shape[order[d]];
    ASSERT_EQ(y.shape(), out);
    // y[j0, j1, j2] = x[i] with i[order[d]] = j[d].
    const Strides xs = contiguous_strides(shape), ys = contiguous_strides(out);
    std::vector<double> expected(xv.size());
    for (std::int64_t f = 0; f < numel(out); ++f) {
      std::int64_t src = 0;
      for (int d = 0; d < 3; ++d) src += ((f / ys[d]) % out[d]) * xs[order[d]];
      expected[f] = xv[src];
    }
    EXPECT_TRUE(all_close(y.to_vector(), expected, 0, 0));
    EXPECT_OP_GRADIENTS_OK([order](const Inputs& in) { return permute(in[0], order); }, {x});
  }
}

TEST(ShapeOps, TransposeLastTwoAndChosenAxes) {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::f64).set_requires_grad();
  Tensor t = transpose(x);
  ASSERT_EQ(t.shape(), (Shape{3, 2}));
  EXPECT_TRUE(all_close(t.to_vector(), {1, 4, 2, 5, 3, 6}, 0, 0));
  Tensor z = randn64({2, 3, 4}, 34);
  EXPECT_EQ(transpose(z, 0, 2).shape(), (Shape{4, 3, 2}));
  EXPECT_TRUE(all_close(transpose(z, 0, 2), permute(z, {2, 1, 0}), 0, 0));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return transpose(in[0]); }, {z});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return transpose(in[0], 0, 2); }, {z});
}

struct SliceCase {
  int axis;
  std::int64_t start, end, step;
  std::vector<std::int64_t> picked;  // indices taken along the axis (size 7)
};

TEST(ShapeOps, SliceStepsAndNegativeBounds) {
  // x [3, 7, 2]; slicing axis 1 (length 7), or axis -2 (the same one).
  Tensor x = randn64({3, 7, 2}, 35);
  const std::vector<double> xv = x.to_vector();
  const std::vector<SliceCase> cases = {
      {1, 0, 7, 1, {0, 1, 2, 3, 4, 5, 6}}, {1, 1, 5, 1, {1, 2, 3, 4}},
      {1, 0, 7, 2, {0, 2, 4, 6}},          {1, 1, 7, 3, {1, 4}},
      {1, -3, 7, 1, {4, 5, 6}},            {1, 0, -2, 2, {0, 2, 4}},
      {-2, -6, -1, 2, {1, 3, 5}},          {1, 2, 3, 5, {2}},
  };
  for (const SliceCase& c : cases) {
    SCOPED_TRACE(fmt::format("axis {} start {} end {} step {}", c.axis, c.start, c.end, c.step));
    Tensor y = slice(x, c.axis, c.start, c.end, c.step);
    const auto m = static_cast<std::int64_t>(c.picked.size());
    ASSERT_EQ(y.shape(), (Shape{3, m, 2}));
    std::vector<double> expected;
    for (std::int64_t i = 0; i < 3; ++i)
      for (std::int64_t j : c.picked)
        for (std::int64_t k = 0; k < 2; ++k) expected.push_back(xv[(i * 7 + j) * 2 + k]);
    EXPECT_TRUE(all_close(y.to_vector(), expected, 0, 0));
    const SliceCase cc = c;
    EXPECT_OP_GRADIENTS_OK(
        [cc](const Inputs& in) { return slice(in[0], cc.axis, cc.start, cc.end, cc.step); }, {x});
  }
}

TEST(ShapeOps, SliceFirstAndLastAxis) {
  Tensor x = randn64({5, 4}, 36);
  EXPECT_TRUE(all_close(slice(x, 0, 1, 3), reshape(slice(reshape(x, {20}), 0, 4, 12), {2, 4}), 0, 0));
  EXPECT_EQ(slice(x, -1, 0, 4, 3).shape(), (Shape{5, 2}));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return slice(in[0], -1, 0, 4, 3); }, {x});
}

TEST(ShapeOps, ConcatAlongEachAxis) {
  Tensor a = randn64({2, 3, 2}, 37), b = randn64({2, 1, 2}, 38), c = randn64({2, 2, 2}, 39);
  Tensor y = concat({a, b, c}, 1);
  ASSERT_EQ(y.shape(), (Shape{2, 6, 2}));
  EXPECT_TRUE(all_close(slice(y, 1, 0, 3), a, 0, 0));
  EXPECT_TRUE(all_close(slice(y, 1, 3, 4), b, 0, 0));
  EXPECT_TRUE(all_close(slice(y, 1, 4, 6), c, 0, 0));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return concat({in[0], in[1], in[2]}, 1); },
                         {a, b, c});
  Tensor d = randn64({1, 3, 2}, 40);
  EXPECT_EQ(concat({a, d}, 0).shape(), (Shape{3, 3, 2}));
  EXPECT_TRUE(all_close(concat({a, d}, 0).to_vector(),
                        [&] {
                          std::vector<double> v = a.to_vector(), w = d.to_vector();
                          v.insert(v.end(), w.begin(), w.end());
                          return v;
                        }(),
                        0, 0));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return concat({in[0], in[1]}, 0); }, {a, d});
  Tensor e = randn64({2, 3, 3}, 41);
  EXPECT_EQ(concat({a, e}, -1).shape(), (Shape{2, 3, 5}));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return concat({in[0], in[1]}, -1); }, {a, e});
}

TEST(ShapeOps, ExpandCopiesAlongBroadcastAxes) {
  Tensor x = Tensor::from_vector({1, 2, 3}, {3, 1}, DType::f64).set_requires_grad();
  Tensor y = expand(x, {2, 3, 4});
  ASSERT_EQ(y.shape(), (Shape{2, 3, 4}));
  std::vector<double> expected;
  for (int r = 0; r < 2; ++r)
    for (double v : {1.0, 2.0, 3.0})
      for (int k = 0; k < 4; ++k) expected.push_back(v);
  EXPECT_TRUE(all_close(y.to_vector(), expected, 0, 0));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return expand(in[0], {2, 3, 4}); }, {x});
  Tensor z = randn64({4}, 42);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return expand(in[0], {3, 4}); }, {z});
}

TEST(ShapeOps, Pad2dZeroPadsLastTwoAxes) {
  for (auto pads : std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 1}, {0, 2}, {2, 1}}) {
    const std::int64_t ph = pads.first, pw = pads.second;
    SCOPED_TRACE(fmt::format("pad {} {}", ph, pw));
    Tensor x = randn64({2, 3, 3, 5}, 43);
    Tensor y = pad2d(x, ph, pw);
    const std::int64_t H = 3 + 2 * ph, W = 5 + 2 * pw;
    ASSERT_EQ(y.shape(), (Shape{2, 3, H, W}));
    const std::vector<double> xv = x.to_vector(), yv = y.to_vector();
    for (std::int64_t p = 0; p < 6; ++p)
      for (std::int64_t i = 0; i < H; ++i)
        for (std::int64_t j = 0; j < W; ++j) {
          const std::int64_t si = i - ph, sj = j - pw;
          const bool inside = si >= 0 && si < 3 && sj >= 0 && sj < 5;
          const double expected = inside ? xv[(p * 3 + si) * 5 + sj] : 0.0;
          ASSERT_EQ(yv[(p * H + i) * W + j], expected) << "plane " << p << " at " << i << "," << j;
        }
    EXPECT_OP_GRADIENTS_OK([ph, pw](const Inputs& in) { return pad2d(in[0], ph, pw); }, {x});
  }
}

}  // namespace
}  // namespace gl
