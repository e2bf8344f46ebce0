// A whole training step of a small ResNet on the device against the CPU:
// conv-BN-ReLU stem, two residual blocks (identity shortcut, then a 1x1
// projection with stride 2), global average pooling, linear, cross-entropy,
// SGD with Nesterov momentum and weight decay on the kernels. Two steps, so
// the momentum buffers are used; the loss, every gradient, the updated
// parameters and the batch-norm running statistics are compared.
#include <algorithm>
#include <memory>

#include "tests/test_gpu_util.h"

namespace gl {
namespace {

using namespace gl::test;

class ResidualBlock : public nn::Module {
 public:
  ResidualBlock(std::int64_t in, std::int64_t out, std::int64_t stride, Rng& rng) {
    conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(in, out, 3, stride, 1, false, rng));
    bn1_ = register_module("bn1", std::make_shared<nn::BatchNorm>(out));
    conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(out, out, 3, 1, 1, false, rng));
    bn2_ = register_module("bn2", std::make_shared<nn::BatchNorm>(out));
    if (stride != 1 || in != out) {
      proj_ = register_module("proj", std::make_shared<nn::Conv2d>(in, out, 1, stride, 0, false, rng));
      proj_bn_ = register_module("proj_bn", std::make_shared<nn::BatchNorm>(out));
    }
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = relu(bn1_->forward(conv1_->forward(x)));  // [N, out, H/s, W/s]
    h = bn2_->forward(conv2_->forward(h));
    const Tensor shortcut = proj_ ? proj_bn_->forward(proj_->forward(x)) : x;
    return relu(h + shortcut);
  }
  std::string type_name() const override { return "ResidualBlock"; }

 private:
  std::shared_ptr<nn::Conv2d> conv1_, conv2_, proj_;
  std::shared_ptr<nn::BatchNorm> bn1_, bn2_, proj_bn_;
};

class SmallResNet : public nn::Module {
 public:
  explicit SmallResNet(Rng& rng) {
    stem_ = register_module("stem", std::make_shared<nn::Conv2d>(3, 8, 3, 1, 1, false, rng));
    stem_bn_ = register_module("stem_bn", std::make_shared<nn::BatchNorm>(8));
    block1_ = register_module("block1", std::make_shared<ResidualBlock>(8, 8, 1, rng));
    block2_ = register_module("block2", std::make_shared<ResidualBlock>(8, 16, 2, rng));
    fc_ = register_module("fc", std::make_shared<nn::Linear>(16, 10, true, rng));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h = relu(stem_bn_->forward(stem_->forward(x)));  // [N, 8, H, W]
    h = block2_->forward(block1_->forward(h));             // [N, 16, H/2, W/2]
    return fc_->forward(global_avg_pool2d(h));             // [N, 10]
  }
  std::string type_name() const override { return "SmallResNet"; }

 private:
  std::shared_ptr<nn::Conv2d> stem_;
  std::shared_ptr<nn::BatchNorm> stem_bn_;
  std::shared_ptr<ResidualBlock> block1_, block2_;
  std::shared_ptr<nn::Linear> fc_;
};

// max |dev - ref| <= rel * max |ref| (+ a floor): a per-tensor scale, since
// gradients of different layers differ by orders of magnitude and float32
// sums through batch norm lose digits relative to the tensor's scale, not to
// each element.
::testing::AssertionResult close_to_scale(const Tensor& dev, const Tensor& ref, double rel) {
  if (!dev.defined() || !ref.defined()) return ::testing::AssertionFailure() << "undefined tensor";
  const std::vector<double> d = dev.to_vector(), r = ref.to_vector();
  if (d.size() != r.size()) return ::testing::AssertionFailure() << "sizes differ";
  double scale = 0, worst = 0;
  std::size_t worst_at = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    scale = std::max(scale, std::abs(r[i]));
    const double diff = std::abs(d[i] - r[i]);
    if (!(diff <= worst)) {  // NaN counts as worst
      worst = std::isnan(diff) ? INFINITY : diff;
      worst_at = i;
    }
  }
  const double limit = rel * scale + 1e-30;
  if (worst <= limit) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max |dev - ref| = " << worst << " at " << worst_at << " (dev " << d[worst_at]
                                       << ", ref " << r[worst_at] << ") exceeds " << rel << " * max|ref| = " << limit;
}

void run_training_parity(DType dt, double rel) {
  const std::int64_t N = 8, H = 16;
  Rng init_ref(7), init_dev(7);  // the same host-side initialisation on both
  SmallResNet ref(init_ref), dev(init_dev);
  ref.to(dt);
  dev.to(dt);
  dev.to(dut());
  optim::SGD opt_ref(optim::decay_groups(ref, 5e-4), 0.1, 0.9, true);
  optim::SGD opt_dev(optim::decay_groups(dev, 5e-4), 0.1, 0.9, true);
  const auto params_ref = ref.named_parameters(), params_dev = dev.named_parameters();
  ASSERT_EQ(params_ref.size(), params_dev.size());
  for (int step = 0; step < 2; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    const Tensor x = random_cpu({N, 3, H, H}, dt, 300 + step, -2, 2);
    const Pair labels = labels_pair(N, 10, 400 + step);
    opt_ref.zero_grad();
    opt_dev.zero_grad();
    const Tensor loss_ref = cross_entropy(ref(x), labels.ref);
    const Tensor loss_dev = cross_entropy(dev(x.to(dut())), labels.dev);
    EXPECT_TRUE(close_to_scale(loss_dev, loss_ref, rel)) << "loss";
    loss_ref.backward();
    loss_dev.backward();
    for (std::size_t i = 0; i < params_ref.size(); ++i) {
      EXPECT_TRUE(close_to_scale(params_dev[i].tensor.grad(), params_ref[i].tensor.grad(), rel))
          << "gradient of " << params_ref[i].name;
    }
    opt_ref.step();
    opt_dev.step();
    for (std::size_t i = 0; i < params_ref.size(); ++i) {
      EXPECT_TRUE(close_to_scale(params_dev[i].tensor, params_ref[i].tensor, rel)) << "updated " << params_ref[i].name;
    }
  }
  const auto buffers_ref = ref.named_buffers(), buffers_dev = dev.named_buffers();
  ASSERT_EQ(buffers_ref.size(), buffers_dev.size());
  for (std::size_t i = 0; i < buffers_ref.size(); ++i) {
    EXPECT_TRUE(close_to_scale(buffers_dev[i].tensor, buffers_ref[i].tensor, rel)) << buffers_ref[i].name;
  }
  // Evaluation mode (running statistics) gives the same logits too.
  ref.eval();
  dev.eval();
  NoGradGuard no_grad;
  const Tensor x = random_cpu({N, 3, H, H}, dt, 500);
  EXPECT_TRUE(close_to_scale(dev(x.to(dut())), ref(x), rel)) << "eval logits";
}

TEST(GpuResNet, TrainingStepMatchesCpuFloat64) {
  GL_SKIP_WITHOUT_GPU();
  run_training_parity(DType::f64, 1e-9);
}

TEST(GpuResNet, TrainingStepMatchesCpuFloat32) {
  GL_SKIP_WITHOUT_GPU();
  run_training_parity(DType::f32, 2e-3);
}

}  // namespace
}  // namespace gl
