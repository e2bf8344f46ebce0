// SGD (plain, momentum, Nesterov, weight decay per group) against steps
// computed by hand here; decay_groups; learning-rate schedules at and around
// their boundaries.
#include <cmath>
#include <numbers>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;

// Gives `p` the gradient `g` (through backward of sum(p * g)).
void set_grad(Tensor& p, const std::vector<double>& g) {
  p.zero_grad();
  sum(mul(p, Tensor::from_vector(g, p.shape(), p.dtype()))).backward();
}

// PyTorch's SGD written out for one scalar parameter: returns p after each step.
std::vector<double> hand_sgd(double p, const std::vector<double>& grads, double lr, double momentum,
                             double wd, bool nesterov) {
  std::vector<double> out;
  double v = 0;
  for (std::size_t t = 0; t < grads.size(); ++t) {
    const double d = grads[t] + wd * p;
    v = t == 0 ? d : momentum * v + d;
    p -= lr * (nesterov ? d + momentum * v : v);
    out.push_back(p);
  }
  return out;
}

struct SgdCase {
  double lr, momentum, wd;
  bool nesterov;
};

TEST(SGD, MatchesHandComputedSteps) {
  const std::vector<double> p0{1.0, -2.0, 0.5};
  const std::vector<std::vector<double>> grads{{0.5, 0.25, -1.0}, {-1.0, 0.5, 2.0}, {0.3, -0.7, 0.1}};
  for (SgdCase c : std::vector<SgdCase>{{0.1, 0.0, 0.0, false},
                                        {0.1, 0.9, 0.0, false},
                                        {0.05, 0.9, 0.0, true},
                                        {0.1, 0.9, 0.01, false},
                                        {0.1, 0.9, 0.01, true},
                                        {0.2, 0.0, 0.1, false}}) {
    SCOPED_TRACE(fmt::format("lr {} momentum {} wd {} nesterov {}", c.lr, c.momentum, c.wd, c.nesterov));
    Tensor p = Tensor::from_vector(p0, {3}, DType::f64).set_requires_grad();
    optim::SGD opt({{{p}, c.wd}}, c.lr, c.momentum, c.nesterov);
    std::vector<std::vector<double>> expected(3);
    for (int i = 0; i < 3; ++i) {
      std::vector<double> gi;
      for (const auto& g : grads) gi.push_back(g[i]);
      expected[i] = hand_sgd(p0[i], gi, c.lr, c.momentum, c.wd, c.nesterov);
    }
    for (std::size_t t = 0; t < grads.size(); ++t) {
      set_grad(p, grads[t]);
      opt.step();
      EXPECT_TRUE(all_close(p.to_vector(), {expected[0][t], expected[1][t], expected[2][t]}, 1e-14,
                            1e-15))
          << "after step " << t + 1;
    }
  }
}

TEST(SGD, WeightDecayIsPerGroupAndParamsWithoutGradAreSkipped) {
  Tensor a = Tensor::from_vector({1.0, 2.0}, {2}, DType::f64).set_requires_grad();
  Tensor b = Tensor::from_vector({1.0, 2.0}, {2}, DType::f64).set_requires_grad();
  Tensor idle = Tensor::from_vector({5.0}, {1}, DType::f64).set_requires_grad();
  optim::SGD opt({{{a}, 0.5}, {{b, idle}, 0.0}}, 0.1);
  set_grad(a, {1.0, 1.0});
  set_grad(b, {1.0, 1.0});
  opt.step();
  // a: p - lr (g + wd p) = [1 - 0.1 * 1.5, 2 - 0.1 * 2]; b: p - lr g.
  EXPECT_TRUE(all_close(a.to_vector(), {0.85, 1.8}, 1e-15));
  EXPECT_TRUE(all_close(b.to_vector(), {0.9, 1.9}, 1e-15));
  EXPECT_EQ(idle.to_vector(), (std::vector<double>{5.0}));
}

TEST(SGD, ZeroGradLrAndVelocities) {
  Tensor p = Tensor::from_vector({1.0}, {1}, DType::f64).set_requires_grad();
  Tensor q = Tensor::from_vector({1.0, 1.0}, {2}, DType::f64).set_requires_grad();
  optim::SGD opt({{{p, q}, 0.0}}, 0.1, 0.9, true);
  EXPECT_DOUBLE_EQ(opt.lr(), 0.1);
  EXPECT_DOUBLE_EQ(opt.momentum(), 0.9);
  EXPECT_TRUE(opt.nesterov());
  set_grad(p, {2.0});
  set_grad(q, {1.0, -1.0});
  opt.step();
  ASSERT_EQ(opt.velocities().size(), 2u);
  EXPECT_EQ(opt.velocities()[0].to_vector(), (std::vector<double>{2.0}));
  EXPECT_EQ(opt.velocities()[1].to_vector(), (std::vector<double>{1.0, -1.0}));
  opt.zero_grad();
  EXPECT_FALSE(p.grad().defined());
  EXPECT_FALSE(q.grad().defined());
  opt.set_lr(0.01);
  EXPECT_DOUBLE_EQ(opt.lr(), 0.01);
}

// Gradients kept in persistent buffers (zero_grad(true)) train exactly like
// gradients dropped and reallocated, and keep their addresses across steps.
TEST(SGD, PersistentGradientBuffersTrainIdenticallyAtFixedAddresses) {
  auto train = [](bool keep_buffers, std::vector<const void*>* addresses) {
    Tensor w = Tensor::from_vector({0.5, -0.3, 0.8, 0.1, -0.6, 0.2}, {2, 3}, DType::f64).set_requires_grad();
    Tensor b = Tensor::from_vector({0.1, -0.1}, {2}, DType::f64).set_requires_grad();
    const Tensor x = Tensor::from_vector({1, 2, 3, -1, 0.5, 2, 0, 1, -2, 3, 1, 1}, {4, 3}, DType::f64);
    const Tensor target = Tensor::from_vector({1, 0, 0, 1, 1, 1, 0, 0}, {4, 2}, DType::f64);
    optim::SGD opt({{{w}, 0.01}, {{b}, 0.0}}, 0.05, 0.9, true);
    for (int step = 0; step < 5; ++step) {
      opt.zero_grad(keep_buffers);
      mse_loss(linear(x, w, b), target).backward();
      if (addresses) addresses->push_back(w.grad().raw_data());
      opt.step();
    }
    std::vector<double> out = w.to_vector();
    for (double v : b.to_vector()) out.push_back(v);
    return out;
  };
  std::vector<const void*> addresses;
  const std::vector<double> kept = train(true, &addresses), dropped = train(false, nullptr);
  EXPECT_EQ(kept, dropped);
  for (const void* a : addresses) EXPECT_EQ(a, addresses.front());
}

// The learning rate the update reads lives in one float64 tensor per device,
// rewritten in place by set_lr (a fixed address for CUDA graph replay).
TEST(SGD, LearningRateTensorIsRewrittenInPlaceAndRead) {
  Tensor p = Tensor::from_vector({1.0, 2.0}, {2}, DType::f64).set_requires_grad();
  optim::SGD opt({{{p}, 0.0}}, 0.1);
  const Tensor& lr = opt.lr_tensor(Device::cpu);
  const void* address = lr.raw_data();
  EXPECT_EQ(lr.item(), 0.1);
  set_grad(p, {1.0, -1.0});
  opt.step();
  EXPECT_TRUE(all_close(p.to_vector(), {0.9, 2.1}, 1e-15, 0));
  opt.set_lr(0.5);
  EXPECT_EQ(opt.lr_tensor(Device::cpu).raw_data(), address);
  EXPECT_EQ(opt.lr_tensor(Device::cpu).item(), 0.5);
  opt.step();
  EXPECT_TRUE(all_close(p.to_vector(), {0.4, 2.6}, 1e-15, 0));
  EXPECT_GL_ERROR(opt.set_lr(std::nan("")), "finite");
  EXPECT_GL_ERROR(opt.set_lr(-1.0), ">= 0");
  EXPECT_EQ(opt.lr(), 0.5);  // a refused value changes nothing
  // The backend refuses a learning rate of the wrong kind, naming it.
  Tensor v;
  const Tensor lr_f32 = Tensor::full({1}, 0.1, DType::f32);
  EXPECT_GL_ERROR(backend(Device::cpu).sgd_update(p, p.grad(), v, lr_f32, 0.0, 0.0, false), "float64 tensor of one element");
}

TEST(SGD, DecayGroupsExcludeBiasesAndBatchNorm) {
  Rng rng(1);
  nn::Sequential model;
  auto conv = model.add(std::make_shared<nn::Conv2d>(3, 4, 3, 1, 1, true, rng));
  auto bn = model.add(std::make_shared<nn::BatchNorm>(4));
  auto fc = model.add(std::make_shared<nn::Linear>(4, 2, true, rng));
  const std::vector<optim::ParamGroup> groups = optim::decay_groups(model, 5e-4);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_DOUBLE_EQ(groups[0].weight_decay, 5e-4);
  EXPECT_DOUBLE_EQ(groups[1].weight_decay, 0.0);
  auto impls = [](const std::vector<Tensor>& v) {
    std::set<TensorImpl*> s;
    for (const Tensor& t : v) s.insert(t.impl());
    return s;
  };
  EXPECT_EQ(impls(groups[0].params), (std::set<TensorImpl*>{conv->weight.impl(), fc->weight.impl()}));
  EXPECT_EQ(impls(groups[1].params), (std::set<TensorImpl*>{conv->bias.impl(), bn->gamma.impl(),
                                                            bn->beta.impl(), fc->bias.impl()}));
}

TEST(SGD, OptimizerSeesParametersMovedToAnotherDType) {
  // Modules convert parameters in place, so an optimizer built before to(DType) still works.
  Rng rng(2);
  nn::Linear fc(2, 1, false, rng);
  optim::SGD opt(optim::decay_groups(fc, 0.0), 0.5);
  fc.to(DType::f64);
  const double w0 = fc.weight.at({0, 0});
  sum(fc(Tensor::from_vector({1.0, 0.0}, {1, 2}, DType::f64))).backward();
  opt.step();
  EXPECT_EQ(fc.weight.dtype(), DType::f64);
  EXPECT_NEAR(fc.weight.at({0, 0}), w0 - 0.5, 1e-15);
}

// ---- schedules -------------------------------------------------------------------------
TEST(Schedule, PiecewiseConstantAtAndAroundBoundaries) {
  optim::PiecewiseConstant s(0.1, {32000, 48000}, {1.0, 0.1, 0.01});
  EXPECT_DOUBLE_EQ(s.at(0), 0.1);
  EXPECT_DOUBLE_EQ(s.at(31999), 0.1);
  EXPECT_DOUBLE_EQ(s.at(32000), 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(s.at(32001), 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(s.at(47999), 0.1 * 0.1);
  EXPECT_DOUBLE_EQ(s.at(48000), 0.1 * 0.01);
  EXPECT_DOUBLE_EQ(s.at(1000000), 0.1 * 0.01);
  EXPECT_FALSE(s.describe().empty());
  EXPECT_GL_ERROR(optim::PiecewiseConstant(0.1, {10, 20}, {1.0, 0.1}), "PiecewiseConstant");
}

TEST(Schedule, CosineWarmupRampPeakMidpointEnd) {
  const double base = 0.4, final_lr = 0.004;
  optim::CosineWarmup s(base, 10, 110, final_lr);
  // Warm-up: base / warmup at step 0, rising linearly to base.
  EXPECT_NEAR(s.at(0), base / 10, 1e-15);
  EXPECT_NEAR(s.at(4), base * 5 / 10, 1e-15);
  EXPECT_LT(s.at(8), s.at(9));
  // Peak at the end of warm-up; cosine from there.
  EXPECT_NEAR(s.at(10), base, 1e-15);
  EXPECT_NEAR(s.at(60), final_lr + (base - final_lr) / 2, 1e-15);  // t = 1/2
  EXPECT_NEAR(s.at(35), final_lr + (base - final_lr) * (1 + std::cos(std::numbers::pi / 4)) / 2, 1e-15);
  EXPECT_NEAR(s.at(110), final_lr, 1e-15);
  EXPECT_NEAR(s.at(500), final_lr, 1e-15);
  for (std::int64_t step = 10; step < 110; ++step) EXPECT_GE(s.at(step), s.at(step + 1)) << step;
  EXPECT_FALSE(s.describe().empty());
}

}  // namespace
}  // namespace gl
