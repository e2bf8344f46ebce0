// Reductions: sum, mean, var over chosen axes with and without keepdims, and
// sum_to (the reverse of broadcasting), against loops written here.
#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using Inputs = std::vector<Tensor>;

// Reference reduction of x [2, 3, 4] over `axes` (sorted, non-negative):
// returns per-output-element lists of the reduced values.
std::vector<std::vector<double>> groups_of(const std::vector<double>& x, const Shape& shape,
                                           const std::vector<int>& axes) {
  Shape out = shape;
  for (int a : axes) out[a] = 1;
  const Strides in_strides = contiguous_strides(shape), out_strides = contiguous_strides(out);
  std::vector<std::vector<double>> groups(static_cast<std::size_t>(numel(out)));
  for (std::int64_t i = 0; i < numel(shape); ++i) {
    std::int64_t o = 0;
    for (std::size_t d = 0; d < shape.size(); ++d) {
      const std::int64_t idx = (i / in_strides[d]) % shape[d];
      if (out[d] != 1) o += idx * out_strides[d];
    }
    groups[o].push_back(x[i]);
  }
  return groups;
}

struct ReduceCase {
  std::vector<int> axes;       // as passed to the op (may be negative or empty)
  std::vector<int> positive;   // the same axes, normalized
  Shape out, out_keepdims;
};

const Shape kShape = {2, 3, 5};
const std::vector<ReduceCase> kReduceCases = {
    {{}, {0, 1, 2}, {}, {1, 1, 1}},         {{0}, {0}, {3, 5}, {1, 3, 5}},
    {{1}, {1}, {2, 5}, {2, 1, 5}},          {{-1}, {2}, {2, 3}, {2, 3, 1}},
    {{0, 2}, {0, 2}, {3}, {1, 3, 1}},       {{2, 0}, {0, 2}, {3}, {1, 3, 1}},
    {{0, 1, 2}, {0, 1, 2}, {}, {1, 1, 1}},
};

enum class Kind { sum, mean, var_biased, var_unbiased };

double reduce_group(const std::vector<double>& g, Kind kind) {
  double s = 0;
  for (double v : g) s += v;
  if (kind == Kind::sum) return s;
  const double m = s / static_cast<double>(g.size());
  if (kind == Kind::mean) return m;
  double ss = 0;
  for (double v : g) ss += (v - m) * (v - m);
  return ss / static_cast<double>(g.size() - (kind == Kind::var_unbiased ? 1 : 0));
}

Tensor apply(Kind kind, const Tensor& x, const std::vector<int>& axes, bool keepdims) {
  switch (kind) {
    case Kind::sum: return sum(x, axes, keepdims);
    case Kind::mean: return mean(x, axes, keepdims);
    case Kind::var_biased: return var(x, axes, keepdims, false);
    case Kind::var_unbiased: return var(x, axes, keepdims, true);
  }
  return {};
}

void check_reduction(Kind kind, const char* name) {
  Tensor x = randn64(kShape, 21);
  const std::vector<double> xv = x.to_vector();
  for (const ReduceCase& c : kReduceCases) {
    for (bool keepdims : {false, true}) {
      SCOPED_TRACE(fmt::format("{} axes {} keepdims {}", name, c.axes, keepdims));
      Tensor y = apply(kind, x, c.axes, keepdims);
      ASSERT_EQ(y.shape(), keepdims ? c.out_keepdims : c.out);
      std::vector<double> expected;
      for (const auto& g : groups_of(xv, kShape, c.positive)) expected.push_back(reduce_group(g, kind));
      EXPECT_TRUE(all_close(y.to_vector(), expected, 1e-13, 1e-14));
      const std::vector<int> axes = c.axes;
      EXPECT_OP_GRADIENTS_OK(
          [kind, axes, keepdims](const Inputs& in) { return apply(kind, in[0], axes, keepdims); },
          {x});
    }
  }
}

TEST(Reduce, Sum) { check_reduction(Kind::sum, "sum"); }
TEST(Reduce, Mean) { check_reduction(Kind::mean, "mean"); }
TEST(Reduce, VarBiased) { check_reduction(Kind::var_biased, "var"); }
TEST(Reduce, VarUnbiased) { check_reduction(Kind::var_unbiased, "var unbiased"); }

TEST(Reduce, SumOfAllIsOneElement) {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::f64);
  EXPECT_EQ(sum(x).numel(), 1);
  EXPECT_DOUBLE_EQ(sum(x).item(), 21.0);
  EXPECT_DOUBLE_EQ(mean(x).item(), 3.5);
  EXPECT_DOUBLE_EQ(var(x).item(), 17.5 / 6.0);
  EXPECT_DOUBLE_EQ(var(x, {}, false, true).item(), 17.5 / 5.0);
}

TEST(Reduce, SumToReversesBroadcasting) {
  struct Case {
    Shape from, to;
  };
  for (const Case& c : std::vector<Case>{{{2, 3, 4}, {4}},
                                         {{2, 3, 4}, {3, 1}},
                                         {{2, 3, 4}, {1, 3, 4}},
                                         {{2, 3, 4}, {2, 1, 1}},
                                         {{3, 4}, {}},
                                         {{3, 4}, {3, 4}}}) {
    SCOPED_TRACE(shape_str(c.from) + " -> " + shape_str(c.to));
    Tensor x = randn64(c.from, 22);
    Tensor y = sum_to(x, c.to);
    ASSERT_EQ(y.shape(), c.to);
    // sum_to(x, s) is the adjoint of expand(., x.shape): <sum_to(x), v> = <x, expand(v)>.
    Tensor v = randn64(c.to, 23, false);
    EXPECT_NEAR(sum(mul(y, v)).item(), sum(mul(x, expand(v, c.from))).item(), 1e-12);
    const Shape to = c.to;
    EXPECT_OP_GRADIENTS_OK([to](const Inputs& in) { return sum_to(in[0], to); }, {x});
  }
}

TEST(Reduce, SumToValues) {
  Tensor x = Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::f64);
  EXPECT_TRUE(all_close(sum_to(x, {3}).to_vector(), {5, 7, 9}, 0, 0));
  EXPECT_TRUE(all_close(sum_to(x, {2, 1}).to_vector(), {6, 15}, 0, 0));
}

}  // namespace
}  // namespace gl
