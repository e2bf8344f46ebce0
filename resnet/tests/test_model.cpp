// ResNet v1/v2: parameter counts against closed forms, output shapes, and the
// whole network's gradient against finite differences in float64.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine/core/autograd.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"
#include "model.h"
#include "test_util.h"

namespace resnet {

namespace {
// v1: stem conv3 + BN; per block two conv3 + BN; projections conv1 + BN; dense.
std::int64_t v1_count(std::int64_t F, std::int64_t n, std::int64_t K, bool projection_first) {
  std::int64_t total = 27 * F + 2 * F;
  for (int s = 0; s < 3; ++s) {
    const std::int64_t f = F << s, in = s == 0 ? F : f / 2;
    total += 9 * in * f + 2 * f + 9 * f * f + 2 * f;
    if (s > 0 || projection_first) total += in * f + 2 * f;
    total += (n - 1) * 2 * (9 * f * f + 2 * f);
  }
  return total + 4 * F * K + K;
}
// v2: stem conv3; per block BN(in) conv1 BN conv3 BN conv1(4f); projection conv1
// (no BN) on each stack's first block; final BN; dense.
std::int64_t v2_count(std::int64_t F, std::int64_t n, std::int64_t K) {
  std::int64_t total = 27 * F, c = F;
  for (int s = 0; s < 3; ++s) {
    const std::int64_t f = F << s;
    const auto body = [&](std::int64_t in) {
      return 2 * in + in * f + 2 * f + 9 * f * f + 2 * f + 4 * f * f;
    };
    total += body(c) + c * 4 * f + (n - 1) * body(4 * f);
    c = 4 * f;
  }
  return total + 2 * c + c * K + K;
}
std::int64_t count(int version, int n, int F, int K, bool projection_first) {
  gl::Rng rng(0);
  return ResNet(ModelConfig{version, n, F, K, projection_first}, rng).parameter_count();
}
}  // namespace

TEST(ResNetModel, ResNet20V1MatchesThePyTorchReference) {
  EXPECT_EQ(count(1, 3, 16, 10, false), 272474);  // shared/device.md's ResNet-20
  EXPECT_EQ(v1_count(16, 3, 10, false), 272474);
}

TEST(ResNetModel, V1CountsMatchTheClosedForm) {
  EXPECT_EQ(count(1, 3, 16, 10, true), v1_count(16, 3, 10, true));
  EXPECT_EQ(count(1, 1, 8, 7, true), v1_count(8, 1, 8 - 1, true));
  EXPECT_EQ(count(1, 9, 16, 10, false), v1_count(16, 9, 10, false));  // ResNet-56
}

TEST(ResNetModel, V2BottleneckCountsMatchTheClosedForm) {
  EXPECT_EQ(count(2, 2, 16, 10, true), v2_count(16, 2, 10));
  EXPECT_EQ(count(2, 18, 16, 10, true), v2_count(16, 18, 10));  // ResNet-164: 1.70M
  EXPECT_EQ(count(2, 1, 4, 3, false), v2_count(4, 1, 3));  // the projection is needed anyway
}

TEST(ResNetModel, OutputShapesAndDepthNames) {
  gl::Rng rng(1);
  for (int version : {1, 2}) {
    ResNet model(ModelConfig{version, 1, 4, 5, true}, rng);
    const gl::Tensor x = gl::Tensor::randn({3, 3, 32, 32}, rng);
    EXPECT_EQ(model(x).shape(), (gl::Shape{3, 5}));
  }
  EXPECT_EQ((ModelConfig{1, 3, 16, 10, true}.depth()), 20);
  EXPECT_EQ((ModelConfig{2, 18, 16, 10, true}.depth()), 164);
}

TEST(ResNetModel, InvalidConfigurationsAreRejected) {
  gl::Rng rng(0);
  EXPECT_NE(testing::error_of([&] { ResNet(ModelConfig{3, 1, 4, 10, true}, rng); })
                .find("--resnet-version must be 1"),
            std::string::npos);
  EXPECT_NE(testing::error_of([&] { ResNet(ModelConfig{1, 0, 4, 10, true}, rng); })
                .find("--resnet-size"),
            std::string::npos);
}

// The whole network in float64, training mode (batch statistics): autograd's
// gradient of the loss against central differences for a few elements (first,
// middle, last) of every parameter of every layer.
class ResNetGradient : public ::testing::TestWithParam<int> {};

TEST_P(ResNetGradient, EveryLayerMatchesFiniteDifferences) {
  gl::Rng rng(7);
  ResNet model(ModelConfig{GetParam(), 1, 2, 3, true}, rng);
  model.to(gl::DType::f64);
  model.train();
  const gl::Tensor x = gl::Tensor::randn({3, 3, 8, 8}, rng, 0.0, 1.0, gl::DType::f64);
  const gl::Tensor y = gl::Tensor::from_labels({0, 2, 1});
  const auto loss = [&] { return gl::cross_entropy(model(x), y); };
  model.zero_grad();
  loss().backward();
  const double h = 1e-6;
  int checked = 0, kinks = 0;
  for (const auto& p : model.named_parameters()) {
    ASSERT_TRUE(p.tensor.grad().defined()) << p.name << " got no gradient";
    const std::vector<double> analytic = p.tensor.grad().to_vector();
    double* data = p.tensor.data<double>();
    const std::int64_t n = p.tensor.numel();
    for (std::int64_t i : {std::int64_t{0}, n / 2, n - 1}) {
      gl::NoGradGuard no_grad;
      const double saved = data[i];
      const double f0 = loss().item();
      data[i] = saved + h;
      const double up = loss().item();
      data[i] = saved - h;
      const double down = loss().item();
      data[i] = saved;
      // A relu kink between the two points makes the one-sided slopes disagree.
      if (std::abs((up - f0) / h - (f0 - down) / h) > 1e-3) {
        ++kinks;
        continue;
      }
      const double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(analytic[i], numeric, 1e-6 + 1e-4 * std::abs(numeric))
          << p.name << " element " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, 3 * static_cast<int>(model.named_parameters().size()) - 6);
  EXPECT_LE(kinks, 6);
}

INSTANTIATE_TEST_SUITE_P(Versions, ResNetGradient, ::testing::Values(1, 2),
                         [](const auto& info) { return fmt::format("v{}", info.param); });

}  // namespace resnet
