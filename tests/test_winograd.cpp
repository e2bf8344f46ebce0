// The Winograd convolution (engine/cpu/winograd.h), F(2x2, 3x3) and
// F(4x4, 3x3), which conv2d runs for float32 3x3 stride-1 layers: the
// transform matrices in exact arithmetic (float64), then y, dx and dw in
// float32 against the float64 im2col reference and next to the float32
// im2col path, over shapes that reach the kernel's edges: batches that are not
// whole blocks of 8 or 16 images, maps that are not whole tiles, paddings 0..2,
// channel counts that are not whole register panels, tasks that span blocks.
//
// Tolerance, measured: the largest error over a tensor divided by the largest
// |value| of the float64 result (a scale-relative error). The float32 im2col
// path stays below 1e-6 here; F(2x2) below 2e-6; F(4x4) below 1e-5 (its
// transforms have entries up to 8 and 1/24, so rounding grows ~10x). The tests
// allow 2e-5 for F(2x2) and 1e-4 for F(4x4).
#include <cmath>
#include <cstdio>

#include "engine/cpu/conv_algorithm.h"
#include "engine/cpu/isa.h"
#include "engine/cpu/winograd.h"
#include "engine/cpu/winograd_transforms.h"
#include "engine/core/random.h"
#include "tests/test_util.h"

namespace gl {
namespace {

using test::randn64;

// ---- the matrices, in float64 --------------------------------------------------------

// y = AT [(G g G^T) (.) (BT d BT^T)] AT^T against the correlation of d by g,
// and the weight gradient G^T [(A dy A^T) (.) (BT d BT^T)] G against its sum.
template <int M> void expect_exact_transforms() {
  using F = cpu::winograd::Transform<M>;
  constexpr int a = F::kAlpha;
  Rng rng(7 + M);
  double d[a][a], g[3][3], dy[M][M];
  for (auto& row : d)
    for (double& v : row) v = rng.normal(0.0, 1.0);
  for (auto& row : g)
    for (double& v : row) v = rng.normal(0.0, 1.0);
  for (auto& row : dy)
    for (double& v : row) v = rng.normal(0.0, 1.0);
  double U[a][a] = {}, V[a][a] = {}, Y[a][a] = {};
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < a; ++j)
      for (int r = 0; r < 3; ++r)
        for (int s = 0; s < 3; ++s) U[i][j] += F::G[i][r] * g[r][s] * F::G[j][s];
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < a; ++j)
      for (int r = 0; r < a; ++r)
        for (int s = 0; s < a; ++s) V[i][j] += double(F::BT[i][r]) * d[r][s] * double(F::BT[j][s]);
  for (int i = 0; i < a; ++i)
    for (int j = 0; j < a; ++j)
      for (int r = 0; r < M; ++r)
        for (int s = 0; s < M; ++s) Y[i][j] += double(F::A[i][r]) * dy[r][s] * double(F::A[j][s]);
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < M; ++j) {
      double y = 0.0, expected = 0.0;
      for (int r = 0; r < a; ++r)
        for (int s = 0; s < a; ++s) y += double(F::AT[i][r]) * U[r][s] * V[r][s] * double(F::AT[j][s]);
      for (int r = 0; r < 3; ++r)
        for (int s = 0; s < 3; ++s) expected += d[i + r][j + s] * g[r][s];
      EXPECT_NEAR(y, expected, 1e-12) << "F(" << M << "x" << M << ") output " << i << "," << j;
    }
  for (int r = 0; r < 3; ++r)
    for (int s = 0; s < 3; ++s) {
      double dw = 0.0, expected = 0.0;
      for (int i = 0; i < a; ++i)
        for (int j = 0; j < a; ++j) dw += F::G[i][r] * Y[i][j] * V[i][j] * F::G[j][s];
      for (int i = 0; i < M; ++i)
        for (int j = 0; j < M; ++j) expected += dy[i][j] * d[i + r][j + s];
      EXPECT_NEAR(dw, expected, 1e-12) << "F(" << M << "x" << M << ") weight gradient " << r << "," << s;
    }
}

TEST(Winograd, TransformsAreExactInFloat64) {
  expect_exact_transforms<2>();
  expect_exact_transforms<4>();
}

// ---- float32 kernels against the float64 reference ------------------------------------

struct Case {
  std::int64_t N, C, H, W, K, pad, pad_w;
};
const std::vector<Case> kCases = {
    // N   C   H   W   K pad pad_w
    {8, 16, 32, 32, 16, 1, 1},  // ResNet stack 1 (one block of 8 images; a task spans tile rows)
    {3, 32, 16, 16, 32, 1, 1},  // stack 2, a short block
    {17, 64, 8, 8, 64, 1, 1},   // stack 3: 2 full blocks of 8, then 1 image; tasks span blocks
    {2, 3, 7, 9, 5, 1, 1},      // maps that are not whole tiles; K not a whole panel; C = 3
    {1, 1, 5, 5, 1, 0, 0},      // one channel, no padding
    {2, 4, 6, 6, 7, 2, 2},      // padding 2 (the input gradient then has padding 0)
    {5, 9, 3, 3, 6, 1, 1},      // a map smaller than one F(4x4) tile
    {20, 8, 12, 4, 12, 1, 1},   // 20 images: blocks of 16 and 4 with AVX-512
    {2, 5, 20, 20, 6, 1, 1},    // rows of 20: a whole vector of columns and a tail, for 8 and 16 lanes
    {3, 4, 3, 3, 4, 0, 0},      // 1x1 outputs
    {2, 6, 9, 7, 5, 2, 0},      // different padding of rows and columns
};

struct Result {
  Tensor y, dx, dw, db;
};

// Which gradients a run asks for (a backward may want dx alone or dw alone).
enum class Wants { kAll, kInputOnly, kWeightOnly };

// conv2d forward and backward under `algorithm`, in `dtype`; the gradients not
// asked for come back undefined.
Result run(const Case& p, cpu::ConvAlgorithm algorithm, DType dtype, Wants wants = Wants::kAll) {
  cpu::set_conv_algorithm(algorithm);
  const Tensor x = randn64({p.N, p.C, p.H, p.W}, 81).to(dtype).detach().set_requires_grad(wants != Wants::kWeightOnly);
  const Tensor w = randn64({p.K, p.C, 3, 3}, 82).to(dtype).detach().set_requires_grad(wants != Wants::kInputOnly);
  const Tensor b = randn64({p.K}, 83).to(dtype).detach().set_requires_grad(wants == Wants::kAll);
  const std::int64_t Ho = p.H + 2 * p.pad - 2, Wo = p.W + 2 * p.pad_w - 2;
  const Tensor dy = randn64({p.N, p.K, Ho, Wo}, 84, false).to(dtype);
  const Tensor y = conv2d(x, w, b, 1, 1, p.pad, p.pad_w);
  sum(y * dy).backward();
  cpu::set_conv_algorithm(cpu::ConvAlgorithm::kAuto);
  auto grad = [](const Tensor& t) { return t.grad().defined() ? t.grad().to(DType::f64) : Tensor(); };
  return {y.detach().to(DType::f64), grad(x), grad(w), grad(b)};
}

// max |actual - expected| / max |expected|.
double scaled_error(const Tensor& actual, const Tensor& expected) {
  const std::vector<double> a = actual.to_vector(), e = expected.to_vector();
  EXPECT_EQ(a.size(), e.size());
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < a.size() && i < e.size(); ++i) {
    const double d = std::abs(a[i] - e[i]);
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
    scale = std::max(scale, std::abs(e[i]));
  }
  return diff / std::max(scale, 1e-30);
}

void expect_close_to_reference(cpu::ConvAlgorithm algorithm, double tolerance) {
  double worst = 0.0, worst_im2col = 0.0;
  for (const Case& p : kCases) {
    SCOPED_TRACE(fmt::format("{}: x [{}, {}, {}, {}] w [{}, {}, 3, 3] pad {}x{}",
                             cpu::conv_algorithm_name(algorithm), p.N, p.C, p.H, p.W, p.K, p.C, p.pad, p.pad_w));
    const Result ref = run(p, cpu::ConvAlgorithm::kIm2col, DType::f64);
    const Result im2col = run(p, cpu::ConvAlgorithm::kIm2col, DType::f32);
    const Result fast = run(p, algorithm, DType::f32);
    const std::pair<const char*, double> errors[] = {{"y", scaled_error(fast.y, ref.y)},
                                                     {"dx", scaled_error(fast.dx, ref.dx)},
                                                     {"dw", scaled_error(fast.dw, ref.dw)},
                                                     {"db", scaled_error(fast.db, ref.db)}};
    for (const auto& [what, error] : errors) {
      EXPECT_LE(error, tolerance) << what;
      worst = std::max(worst, error);
    }
    for (double e : {scaled_error(im2col.y, ref.y), scaled_error(im2col.dx, ref.dx),
                     scaled_error(im2col.dw, ref.dw)})
      worst_im2col = std::max(worst_im2col, e);
    // A backward that wants one of the two gradients gets the same one.
    const Result dx_only = run(p, algorithm, DType::f32, Wants::kInputOnly);
    const Result dw_only = run(p, algorithm, DType::f32, Wants::kWeightOnly);
    EXPECT_FALSE(dx_only.dw.defined());
    EXPECT_FALSE(dw_only.dx.defined());
    EXPECT_EQ(dx_only.dx.to_vector(), fast.dx.to_vector()) << "dx alone";
    EXPECT_EQ(dw_only.dw.to_vector(), fast.dw.to_vector()) << "dw alone";
  }
  std::printf("[ measured ] %s: largest scale-relative error %.2e (float32 im2col: %.2e; tolerance %.0e)\n",
              cpu::conv_algorithm_name(algorithm), worst, worst_im2col, tolerance);
}

TEST(Winograd, F2x2MatchesTheFloat64Reference) {
  expect_close_to_reference(cpu::ConvAlgorithm::kWinograd2, 2e-5);
}

TEST(Winograd, F4x4MatchesTheFloat64Reference) {
  expect_close_to_reference(cpu::ConvAlgorithm::kWinograd4, 1e-4);
}

// The AVX2 build, which AVX-512 machines would otherwise skip.
TEST(Winograd, Avx2BuildMatchesTheFloat64Reference) {
  if (!cpu::cpu_has_avx512()) GTEST_SKIP() << "this CPU has no AVX-512: the tests above already ran the AVX2 build";
  cpu::set_avx512_allowed(false);
  expect_close_to_reference(cpu::ConvAlgorithm::kWinograd2, 2e-5);
  expect_close_to_reference(cpu::ConvAlgorithm::kWinograd4, 1e-4);
  cpu::set_avx512_allowed(true);
}

// The weight gradient sums one partial per task in task order: the same bits
// with 1 thread as with 2.
TEST(Winograd, WeightGradientDoesNotDependOnTheThreadCount) {
  const Case p{17, 16, 16, 16, 16, 1, 1};
  const int threads = num_threads();
  set_num_threads(1);
  const Result one = run(p, cpu::ConvAlgorithm::kWinograd4, DType::f32);
  set_num_threads(2);
  const Result two = run(p, cpu::ConvAlgorithm::kWinograd4, DType::f32);
  set_num_threads(threads);
  EXPECT_EQ(one.dw.to_vector(), two.dw.to_vector());
  EXPECT_EQ(one.y.to_vector(), two.y.to_vector());
  EXPECT_EQ(one.dx.to_vector(), two.dx.to_vector());
}

TEST(Winograd, AppliesToThreeByThreeStrideOneLayers) {
  auto geom = [](std::int64_t R, std::int64_t stride, std::int64_t pad) {
    const std::int64_t Ho = (8 + 2 * pad - R) / stride + 1;
    return ConvGeom{1, 4, 8, 8, 4, R, R, stride, stride, pad, pad, Ho, Ho};
  };
  EXPECT_TRUE(cpu::winograd_applies(geom(3, 1, 1)));
  EXPECT_TRUE(cpu::winograd_applies(geom(3, 1, 2)));
  EXPECT_FALSE(cpu::winograd_applies(geom(3, 2, 1)));  // strided
  EXPECT_FALSE(cpu::winograd_applies(geom(5, 1, 2)));  // 5x5
  EXPECT_FALSE(cpu::winograd_applies(geom(3, 1, 3)));  // its input gradient would need padding -1
}

TEST(Winograd, TheAlgorithmSettingNamesItsChoices) {
  EXPECT_EQ(cpu::parse_conv_algorithm("winograd4", "x"), cpu::ConvAlgorithm::kWinograd4);
  try {
    cpu::parse_conv_algorithm("fast", "GRADLAB_CONV_ALGORITHM");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "GRADLAB_CONV_ALGORITHM is \"fast\": expected one of auto, im2col, direct, winograd2, winograd4");
  }
}

}  // namespace
}  // namespace gl
