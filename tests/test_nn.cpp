// nn modules: parameter and buffer naming and counts, train/eval, to(DType),
// initialisation statistics, and forward passes equal to the functional ops.
#include <cmath>
#include <set>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;

std::vector<std::string> names_of(const std::vector<nn::NamedTensor>& v) {
  std::vector<std::string> out;
  for (const auto& nt : v) out.push_back(nt.name);
  return out;
}

TEST(NN, LinearParametersAndForward) {
  Rng rng(1);
  nn::Linear fc(3, 4, /*bias=*/true, rng);
  fc.to(DType::f64);
  EXPECT_EQ(names_of(fc.named_parameters()), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(fc.parameter_count(), 4 * 3 + 4);
  EXPECT_EQ(fc.weight.shape(), (Shape{4, 3}));
  EXPECT_EQ(fc.bias.shape(), (Shape{4}));
  const auto params = fc.named_parameters();
  EXPECT_TRUE(params[0].decay);   // kernel: weight decay applies
  EXPECT_FALSE(params[1].decay);  // bias: none
  EXPECT_TRUE(fc.weight.requires_grad());
  EXPECT_TRUE(fc.named_buffers().empty());
  Tensor x = randn64({5, 3}, 171, false);
  EXPECT_TRUE(all_close(fc(x), linear(x, fc.weight, fc.bias), 0, 0));
  nn::Linear no_bias(3, 4, false, rng);
  EXPECT_FALSE(no_bias.bias.defined());
  EXPECT_EQ(no_bias.parameter_count(), 12);
  EXPECT_EQ(no_bias.parameters().size(), 1u);
}

TEST(NN, LinearBiasInitIsUniformInFanIn) {
  Rng rng(2);
  nn::Linear fc(16, 2000, true, rng);
  const double bound = 1.0 / std::sqrt(16.0);
  double lo = 1, hi = -1;
  for (double v : fc.bias.to_vector()) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  EXPECT_GE(lo, -bound);
  EXPECT_LE(hi, bound);
  EXPECT_LT(lo, -0.9 * bound);  // 2000 draws cover the interval
  EXPECT_GT(hi, 0.9 * bound);
}

TEST(NN, Conv2dParametersInitAndForward) {
  Rng rng(3);
  nn::Conv2d conv(16, 32, 3, 2, 1, /*bias=*/true, rng);
  EXPECT_EQ(conv.weight.shape(), (Shape{32, 16, 3, 3}));
  EXPECT_EQ(conv.parameter_count(), 32 * 16 * 9 + 32);
  EXPECT_EQ(names_of(conv.named_parameters()), (std::vector<std::string>{"weight", "bias"}));
  // Kaiming normal, fan_out: std = sqrt(2 / (K R S)) = sqrt(2 / 288); 4608 samples.
  const std::vector<double> w = conv.weight.to_vector();
  double s = 0, ss = 0;
  for (double v : w) s += v, ss += v * v;
  const double n = static_cast<double>(w.size()), m = s / n;
  const double sd = std::sqrt(ss / n - m * m), expected_sd = std::sqrt(2.0 / 288.0);
  EXPECT_NEAR(sd / expected_sd, 1.0, 0.06);
  EXPECT_NEAR(m / expected_sd, 0.0, 0.06);
  conv.to(DType::f64);
  Tensor x = randn64({2, 16, 5, 5}, 172, false);
  EXPECT_TRUE(all_close(conv(x), conv2d(x, conv.weight, conv.bias, 2, 1), 0, 0));
}

TEST(NN, Conv1dForwardEqualsFunctional) {
  Rng rng(4);
  nn::Conv1d conv(2, 3, 3, 1, 1, false, rng);
  EXPECT_FALSE(conv.bias.defined());
  EXPECT_EQ(conv.parameter_count(), 3 * 2 * 3);
  conv.to(DType::f64);
  Tensor x = randn64({2, 2, 7}, 173, false);
  EXPECT_TRUE(all_close(conv(x), conv1d(x, conv.weight, Tensor(), 1, 1), 0, 0));
}

TEST(NN, BatchNormParametersBuffersAndModes) {
  nn::BatchNorm bn(4, 0.2, 1e-4);
  EXPECT_EQ(bn.parameter_count(), 8);  // gamma and beta; running stats are buffers
  EXPECT_EQ(bn.named_parameters().size(), 2u);
  for (const auto& p : bn.named_parameters()) EXPECT_FALSE(p.decay) << p.name;
  const auto buffers = bn.named_buffers();
  ASSERT_EQ(buffers.size(), 2u);
  EXPECT_EQ(buffers[0].name, "running_mean");
  EXPECT_EQ(buffers[1].name, "running_var");
  EXPECT_EQ(buffers[0].tensor.impl(), bn.running_mean.impl());
  EXPECT_FALSE(bn.running_mean.requires_grad());
  EXPECT_EQ(bn.gamma.to_vector(), (std::vector<double>{1, 1, 1, 1}));
  EXPECT_EQ(bn.beta.to_vector(), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(bn.running_mean.to_vector(), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(bn.running_var.to_vector(), (std::vector<double>{1, 1, 1, 1}));

  bn.to(DType::f64);
  EXPECT_EQ(bn.running_var.dtype(), DType::f64);
  Tensor x = randn64({3, 4, 2, 2}, 174, false);
  // Training: the functional op on copies of the running stats gives the same output and stats.
  Tensor rm = bn.running_mean.clone(), rv = bn.running_var.clone();
  Tensor expected = batch_norm(x, bn.gamma, bn.beta, rm, rv, true, 0.2, 1e-4);
  EXPECT_TRUE(bn.is_training());
  EXPECT_TRUE(all_close(bn(x), expected, 0, 0));
  EXPECT_TRUE(all_close(bn.running_mean, rm, 0, 0));
  EXPECT_TRUE(all_close(bn.running_var, rv, 0, 0));
  // Eval: running statistics, not updated.
  bn.eval();
  EXPECT_FALSE(bn.is_training());
  Tensor y_eval = bn(x);
  EXPECT_TRUE(all_close(y_eval, batch_norm(x, bn.gamma, bn.beta, rm, rv, false, 0.2, 1e-4), 0, 0));
  EXPECT_TRUE(all_close(bn.running_mean, rm, 0, 0));
}

// A small residual-free stack exercising dotted names.
std::shared_ptr<nn::Sequential> make_stack(Rng& rng) {
  auto seq = std::make_shared<nn::Sequential>();
  seq->add(std::make_shared<nn::Conv2d>(3, 4, 3, 1, 1, false, rng));
  seq->add(std::make_shared<nn::BatchNorm>(4), "bn");
  seq->add(std::make_shared<nn::ReLU>());
  seq->add(std::make_shared<nn::GlobalAvgPool>());
  seq->add(std::make_shared<nn::Linear>(4, 2, true, rng), "fc");
  return seq;
}

TEST(NN, SequentialNamesCountsAndForward) {
  Rng rng(5);
  auto seq = make_stack(rng);
  EXPECT_EQ(seq->size(), 5u);
  const std::vector<std::string> names = names_of(seq->named_parameters());
  ASSERT_EQ(names.size(), 5u);
  EXPECT_EQ(names[0], "0.weight");
  EXPECT_EQ(names[1].rfind("bn.", 0), 0u) << names[1];
  EXPECT_EQ(names[2].rfind("bn.", 0), 0u) << names[2];
  EXPECT_EQ(names[3], "fc.weight");
  EXPECT_EQ(names[4], "fc.bias");
  EXPECT_EQ(names_of(seq->named_buffers()),
            (std::vector<std::string>{"bn.running_mean", "bn.running_var"}));
  EXPECT_EQ(seq->parameter_count(), 4 * 3 * 9 + 4 + 4 + 2 * 4 + 2);
  EXPECT_EQ(seq->children().size(), 5u);

  seq->to(DType::f64);
  for (const Tensor& p : seq->parameters()) EXPECT_EQ(p.dtype(), DType::f64);
  for (const auto& b : seq->named_buffers()) EXPECT_EQ(b.tensor.dtype(), DType::f64);
  seq->eval();
  for (const auto& child : seq->children()) EXPECT_FALSE(child.second->is_training()) << child.first;
  seq->train();
  for (const auto& child : seq->children()) EXPECT_TRUE(child.second->is_training()) << child.first;

  auto conv = std::static_pointer_cast<nn::Conv2d>(seq->children()[0].second);
  auto bn = std::static_pointer_cast<nn::BatchNorm>(seq->children()[1].second);
  auto fc = std::static_pointer_cast<nn::Linear>(seq->children()[4].second);
  Tensor x = randn64({2, 3, 4, 4}, 175, false);
  Tensor rm = bn->running_mean.clone(), rv = bn->running_var.clone();
  Tensor expected = linear(
      global_avg_pool2d(relu(batch_norm(conv2d(x, conv->weight, Tensor(), 1, 1), bn->gamma,
                                        bn->beta, rm, rv, true, bn->momentum, bn->eps))),
      fc->weight, fc->bias);
  Tensor y = (*seq)(x);
  EXPECT_TRUE(all_close(y, expected, 1e-14, 1e-15));

  // zero_grad drops every parameter's gradient.
  sum(y).backward();
  for (const Tensor& p : seq->parameters()) EXPECT_TRUE(p.grad().defined());
  seq->zero_grad();
  for (const Tensor& p : seq->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(NN, ModuleGradientsMatchFiniteDifferences) {
  Rng rng(6);
  auto seq = make_stack(rng);
  seq->to(DType::f64);
  Tensor x = randn64({3, 3, 3, 3}, 176);
  std::vector<Tensor> inputs = seq->parameters();
  inputs.push_back(x);
  // Each forward in training mode also updates the running stats; the output does not use them.
  EXPECT_GRADIENTS_OK([&] { return sum(mul((*seq)(x), randn64({3, 2}, 177, false))); }, inputs);
}

TEST(NN, InitialisersAreSeeded) {
  Tensor a = Tensor::zeros({8, 4, 3, 3}), b = Tensor::zeros({8, 4, 3, 3});
  Rng r1(9), r2(9);
  nn::kaiming_normal_fan_out(a, r1);
  nn::kaiming_normal_fan_out(b, r2);
  EXPECT_EQ(a.to_vector(), b.to_vector());
  Tensor u = Tensor::zeros({500}, DType::f64);
  nn::uniform_(u, r1, 2.0, 3.0);
  for (double v : u.to_vector()) {
    EXPECT_GE(v, 2.0);
    EXPECT_LE(v, 3.0);
  }
}

}  // namespace
}  // namespace gl
