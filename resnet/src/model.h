// The course's ResNets for 32 x 32 images ([1] He et al. 2015, [2] He et al. 2016).
//
//   stem:   conv3x3(3 -> F)                      (v1 adds BN-ReLU; v2 leaves it to block 1)
//   stack1: n blocks at 32x32, filters F,  stride 1
//   stack2: n blocks at 16x16, filters 2F, stride 2 (first block)
//   stack3: n blocks at  8x8,  filters 4F, stride 2 (first block)
//   v2: final BN-ReLU;  global average pooling;  dense -> num_classes
//
// v1 "standard" block ([2] Fig. 4a): y = relu(bn2(conv3(relu(bn1(conv3(x))))) + shortcut(x)),
//   output channels = filters. ResNet-(6n+2): n = 3 is ResNet-20.
// v2 "bottleneck" block, full pre-activation ([2] Fig. 4e):
//   a = relu(bn1(x)); y = conv1x1(relu(bn3(conv3x3(relu(bn2(conv1x1(a))))))) + shortcut
//   output channels = 4 * filters. ResNet-(9n+2): n = 18 is ResNet-164.
// Shortcut: a 1x1 projection (v1: conv + BN on x; v2: conv on a) on the first
// block of each stack, identity elsewhere. On stack 1 the shape does not change
// for v1, so `projection_first_block` chooses: true follows the course's starter
// code, false gives the PyTorch reference's ResNet-20 (272,474 parameters).
// Convolutions have no bias and Kaiming-normal (fan_out) weights; batch norm
// uses momentum 0.1, eps 1e-5; the dense layer PyTorch's default U(+-1/sqrt(in)).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/core/random.h"
#include "engine/nn/layers.h"

namespace resnet {

struct ModelConfig {
  int version = 1;          // 1: standard blocks, 2: bottleneck blocks
  int size = 3;             // n, blocks per stack
  int first_filters = 16;   // F
  int num_classes = 10;
  bool projection_first_block = true;  // 1x1 projection on stack 1's first block

  int depth() const { return version == 1 ? 6 * size + 2 : 9 * size + 2; }
  std::string describe() const;  // "ResNet-20 v1 (n=3, 16 filters, ...)"
};

// Throws naming the field when the configuration cannot build a network.
void validate(const ModelConfig& config);

class StandardBlock : public gl::nn::Module {
 public:
  StandardBlock(std::int64_t in, std::int64_t filters, std::int64_t stride, bool projection,
                gl::Rng& rng);
  gl::Tensor forward(const gl::Tensor& x) override;
  std::string type_name() const override { return "StandardBlock"; }

 private:
  std::shared_ptr<gl::nn::Conv2d> conv1_, conv2_, proj_conv_;
  std::shared_ptr<gl::nn::BatchNorm> bn1_, bn2_, proj_bn_;
};

class BottleneckBlock : public gl::nn::Module {
 public:
  BottleneckBlock(std::int64_t in, std::int64_t filters, std::int64_t stride, bool projection,
                  gl::Rng& rng);
  gl::Tensor forward(const gl::Tensor& x) override;
  std::string type_name() const override { return "BottleneckBlock"; }

 private:
  std::shared_ptr<gl::nn::BatchNorm> bn1_, bn2_, bn3_;
  std::shared_ptr<gl::nn::Conv2d> conv1_, conv2_, conv3_, proj_conv_;
};

class ResNet : public gl::nn::Module {
 public:
  ResNet(const ModelConfig& config, gl::Rng& rng);
  gl::Tensor forward(const gl::Tensor& x) override;  // [N,3,H,W] -> logits [N, classes]
  std::string type_name() const override { return "ResNet"; }
  const ModelConfig& config() const { return config_; }

 private:
  ModelConfig config_;
  std::shared_ptr<gl::nn::Conv2d> stem_conv_;
  std::shared_ptr<gl::nn::BatchNorm> stem_bn_, final_bn_;  // stem_bn_: v1, final_bn_: v2
  std::vector<std::shared_ptr<gl::nn::Module>> blocks_;
  std::shared_ptr<gl::nn::Linear> dense_;
};

}  // namespace resnet
