#include "model.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/ops/ops.h"

namespace resnet {
using gl::Tensor;
using gl::nn::BatchNorm;
using gl::nn::Conv2d;

std::string ModelConfig::describe() const {
  return fmt::format("ResNet-{} v{} ({} blocks per stack, {} first filters, {} classes, {} on "
                     "stack 1's first block)",
                     depth(), version, size, first_filters, num_classes,
                     projection_first_block ? "projection" : "identity");
}

void validate(const ModelConfig& c) {
  GL_CHECK(c.version == 1 || c.version == 2,
           "--resnet-version must be 1 (standard blocks) or 2 (bottleneck blocks), got {}",
           c.version);
  GL_CHECK(c.size >= 1 && c.size <= 200, "--resnet-size must be 1-200 blocks per stack, got {}",
           c.size);
  GL_CHECK(c.first_filters >= 1 && c.first_filters <= 1024,
           "--first-num-filters must be 1-1024, got {}", c.first_filters);
  GL_CHECK(c.num_classes >= 2 && c.num_classes <= 256,
           "--num-classes must be 2-256 (a label is one byte), got {}", c.num_classes);
}

namespace {
std::shared_ptr<BatchNorm> make_bn(std::int64_t channels) {
  return std::make_shared<BatchNorm>(channels, 0.1, 1e-5);
}
std::shared_ptr<Conv2d> make_conv(std::int64_t in, std::int64_t out, std::int64_t kernel,
                                  std::int64_t stride, gl::Rng& rng) {
  // Kaiming-normal fan_out init is Conv2d's default (engine/nn/layers.h).
  return std::make_shared<Conv2d>(in, out, kernel, stride, kernel / 2, false, rng);
}
}  // namespace

StandardBlock::StandardBlock(std::int64_t in, std::int64_t filters, std::int64_t stride,
                             bool projection, gl::Rng& rng) {
  conv1_ = register_module("conv1", make_conv(in, filters, 3, stride, rng));
  bn1_ = register_module("bn1", make_bn(filters));
  conv2_ = register_module("conv2", make_conv(filters, filters, 3, 1, rng));
  bn2_ = register_module("bn2", make_bn(filters));
  if (projection) {
    proj_conv_ = register_module("shortcut_conv", make_conv(in, filters, 1, stride, rng));
    proj_bn_ = register_module("shortcut_bn", make_bn(filters));
  }
}

Tensor StandardBlock::forward(const Tensor& x) {
  Tensor h = bn1_->forward_relu((*conv1_)(x));                // [N, f, H/s, W/s]
  Tensor shortcut = proj_conv_ ? (*proj_bn_)((*proj_conv_)(x)) : x;
  return bn2_->forward_add_relu((*conv2_)(h), shortcut);       // relu(bn2(conv2 h) + shortcut), fused
}

BottleneckBlock::BottleneckBlock(std::int64_t in, std::int64_t filters, std::int64_t stride,
                                 bool projection, gl::Rng& rng) {
  bn1_ = register_module("bn1", make_bn(in));
  conv1_ = register_module("conv1", make_conv(in, filters, 1, 1, rng));
  bn2_ = register_module("bn2", make_bn(filters));
  conv2_ = register_module("conv2", make_conv(filters, filters, 3, stride, rng));
  bn3_ = register_module("bn3", make_bn(filters));
  conv3_ = register_module("conv3", make_conv(filters, 4 * filters, 1, 1, rng));
  if (projection) {
    proj_conv_ = register_module("shortcut_conv", make_conv(in, 4 * filters, 1, stride, rng));
  }
}

Tensor BottleneckBlock::forward(const Tensor& x) {
  Tensor a = bn1_->forward_relu(x);                            // [N, in, H, W]
  Tensor h = (*conv1_)(a);                                     // [N, f, H, W]
  h = (*conv2_)(bn2_->forward_relu(h));                        // [N, f, H/s, W/s]
  h = (*conv3_)(bn3_->forward_relu(h));                        // [N, 4f, H/s, W/s]
  // Pre-activation: the projection sees the activated input a, identity sees x.
  Tensor shortcut = proj_conv_ ? (*proj_conv_)(a) : x;
  return h + shortcut;
}

ResNet::ResNet(const ModelConfig& config, gl::Rng& rng) : config_(config) {
  validate(config);
  const std::int64_t F = config.first_filters;
  stem_conv_ = register_module("stem_conv", make_conv(3, F, 3, 1, rng));
  if (config.version == 1) stem_bn_ = register_module("stem_bn", make_bn(F));
  std::int64_t channels = F;
  for (int s = 0; s < 3; ++s) {
    const std::int64_t filters = F << s;
    const std::int64_t out = config.version == 1 ? filters : 4 * filters;
    for (int b = 0; b < config.size; ++b) {
      const std::int64_t stride = (s > 0 && b == 0) ? 2 : 1;
      const bool projection =
          b == 0 && (s > 0 || config.projection_first_block || channels != out);
      const std::string name = fmt::format("stack{}.block{}", s + 1, b);
      std::shared_ptr<gl::nn::Module> block;
      if (config.version == 1) {
        block = register_module(name, std::make_shared<StandardBlock>(channels, filters, stride,
                                                                      projection, rng));
      } else {
        block = register_module(name, std::make_shared<BottleneckBlock>(channels, filters, stride,
                                                                        projection, rng));
      }
      blocks_.push_back(block);
      channels = out;
    }
  }
  if (config.version == 2) final_bn_ = register_module("final_bn", make_bn(channels));
  dense_ = register_module("dense", std::make_shared<gl::nn::Linear>(channels, config.num_classes,
                                                                    true, rng));
  // PyTorch's nn.Linear default: weight and bias U(-1/sqrt(in), 1/sqrt(in)).
  const double bound = 1.0 / std::sqrt(static_cast<double>(channels));
  gl::nn::uniform_(dense_->weight, rng, -bound, bound);
  gl::nn::uniform_(dense_->bias, rng, -bound, bound);
}

Tensor ResNet::forward(const Tensor& x) {
  GL_CHECK(x.dim() == 4 && x.size(1) == 3,
           "ResNet::forward: expected images [N, 3, H, W], got {}", gl::shape_str(x.shape()));
  Tensor h = (*stem_conv_)(x);                                 // [N, F, H, W]
  if (stem_bn_) h = stem_bn_->forward_relu(h);                // relu(bn(.)), fused
  for (auto& block : blocks_) h = (*block)(h);                 // [N, C, H/4, W/4]
  if (final_bn_) h = final_bn_->forward_relu(h);
  return (*dense_)(gl::global_avg_pool2d(h));                  // [N, classes]
}

}  // namespace resnet
