// The float32 direct convolution (engine/cpu/conv_direct.h), which conv2d
// uses for stride-1 layers (y, and dx through the flipped kernel), against
// the float64 path (im2col + GEMM + col2im, itself tested against loops and
// finite differences in test_conv.cpp). Shapes cover the kernel's edges:
// output channels not a multiple of its 8-channel panel, grid widths that are
// not whole vectors, paddings 0..2, non-square kernels, the ResNet layers,
// and small maps packed several images to a padded plane with a short last group.
#include "engine/cpu/conv_algorithm.h"
#include "engine/cpu/conv_direct.h"
#include "engine/cpu/isa.h"
#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;

struct DirectCase {
  std::int64_t N, C, H, W, K, R, S, ph, pw;
};

const std::vector<DirectCase> kDirectCases = {
    // N   C   H   W   K  R  S ph pw
    {2, 16, 32, 32, 16, 3, 3, 1, 1},  // ResNet stack 1
    {2, 32, 16, 16, 32, 3, 3, 1, 1},  // stack 2
    {3, 64, 8, 8, 64, 3, 3, 1, 1},    // stack 3 (4 images a group: one short group)
    {9, 8, 8, 8, 16, 3, 3, 1, 1},     // groups of 4, 4 and 1 image
    {5, 4, 16, 16, 8, 3, 3, 1, 1},    // groups of 2, 2 and 1
    {2, 3, 32, 32, 16, 3, 3, 1, 1},   // the stem (3 input channels)
    {2, 5, 7, 9, 10, 3, 3, 1, 1},     // K = 10: a partial panel; odd sizes
    {1, 4, 6, 5, 3, 3, 3, 0, 0},      // no padding
    {1, 2, 5, 11, 9, 5, 3, 2, 1},     // non-square kernel and padding
    {2, 3, 4, 4, 17, 1, 1, 1, 1},     // 1x1 with padding (not a plain GEMM)
    {1, 2, 3, 3, 2, 3, 3, 2, 2},      // padding larger than the dx convolution allows
};

TEST(ConvDirect, AppliesToStrideOneExceptThePlainGemm) {
  auto geom = [](std::int64_t R, std::int64_t stride, std::int64_t pad) {
    const std::int64_t Ho = (8 + 2 * pad - R) / stride + 1;
    return ConvGeom{1, 4, 8, 8, 4, R, R, stride, stride, pad, pad, Ho, Ho};
  };
  EXPECT_TRUE(cpu::conv_direct_applies(geom(3, 1, 1)));
  EXPECT_TRUE(cpu::conv_direct_applies(geom(1, 1, 1)));
  EXPECT_FALSE(cpu::conv_direct_applies(geom(3, 2, 1)));
  EXPECT_FALSE(cpu::conv_direct_applies(geom(1, 1, 0)));
}

// conv2d with the direct kernel wherever it applies (3x3 layers would
// otherwise take the Winograd path, tests/test_winograd.cpp).
struct ForceDirect {
  ForceDirect() { cpu::set_conv_algorithm(cpu::ConvAlgorithm::kDirect); }
  ~ForceDirect() { cpu::set_conv_algorithm(cpu::ConvAlgorithm::kAuto); }
};

void expect_float32_matches_float64() {
  const ForceDirect direct;
  for (const DirectCase& p : kDirectCases) {
    SCOPED_TRACE(fmt::format("x [{}, {}, {}, {}] w [{}, {}, {}, {}] pad {}x{}", p.N, p.C, p.H, p.W,
                             p.K, p.C, p.R, p.S, p.ph, p.pw));
    const Tensor x64 = randn64({p.N, p.C, p.H, p.W}, 81), w64 = randn64({p.K, p.C, p.R, p.S}, 82);
    const Tensor b64 = randn64({p.K}, 83);
    const std::int64_t Ho = p.H + 2 * p.ph - p.R + 1, Wo = p.W + 2 * p.pw - p.S + 1;
    const Tensor g64 = randn64({p.N, p.K, Ho, Wo}, 84, false);  // dL/dy

    Tensor x32 = x64.to(DType::f32).detach().set_requires_grad(true);
    Tensor w32 = w64.to(DType::f32).detach().set_requires_grad(true);
    Tensor b32 = b64.to(DType::f32).detach().set_requires_grad(true);
    const Tensor y64 = conv2d(x64, w64, b64, 1, 1, p.ph, p.pw);
    const Tensor y32 = conv2d(x32, w32, b32, 1, 1, p.ph, p.pw);
    sum(y64 * g64).backward();
    sum(y32 * g64.to(DType::f32)).backward();

    // float32 sums of C*R*S (forward), K*R*S (dx) or N*Ho*Wo (dw) products.
    EXPECT_TRUE(all_close(y32.to(DType::f64), y64, 1e-4, 1e-4)) << "y";
    EXPECT_TRUE(all_close(x32.grad().to(DType::f64), x64.grad(), 1e-4, 1e-4)) << "dx";
    EXPECT_TRUE(all_close(w32.grad().to(DType::f64), w64.grad(), 1e-4, 1e-3)) << "dw";
    EXPECT_TRUE(all_close(b32.grad().to(DType::f64), b64.grad(), 1e-4, 1e-3)) << "db";
  }
}

TEST(ConvDirect, Float32ForwardAndGradientsMatchTheFloat64Reference) {
  expect_float32_matches_float64();
}

// The AVX2 build of the kernel (and of the GEMM), which AVX-512 machines skip.
TEST(ConvDirect, Avx2BuildMatchesTheFloat64Reference) {
  if (!cpu::cpu_has_avx512()) GTEST_SKIP() << "this CPU has no AVX-512: the test above already ran the AVX2 build";
  cpu::set_avx512_allowed(false);
  expect_float32_matches_float64();
  cpu::set_avx512_allowed(true);
}

}  // namespace
}  // namespace gl
