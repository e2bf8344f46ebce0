// The two residual blocks of Problem 3, built from gl::nn modules.
//
//   standard (v1):     x -> conv3x3(C->C) BN ReLU conv3x3(C->C) BN -> (+x) -> ReLU
//   bottleneck (v1):   x -> conv1x1(C->C/4) BN ReLU conv3x3(C/4->C/4) BN ReLU conv1x1(C/4->C) BN -> (+x) -> ReLU
//   pre-activation:    the same convolutions with BN-ReLU moved before each one, no final ReLU
//                      ([2], Fig. 4e): the same parameters, counted as a check.
// Shapes: x [N, C, H, W] (the problem's N x H x W x C, in the engine's NCHW layout).
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "engine/nn/layers.h"

namespace gl::ex {

enum class ResidualKind { standard, bottleneck };

class ResidualBlock : public nn::Module {
 public:
  ResidualBlock(ResidualKind kind, std::int64_t channels, bool conv_bias, bool pre_activation, Rng& rng);
  Tensor forward(const Tensor& x) override;  // [N, C, H, W] -> [N, C, H, W]
  std::string type_name() const override { return "ResidualBlock"; }
  std::shared_ptr<nn::Sequential> body;  // the residual branch F(x)
  bool pre_activation;
};

}  // namespace gl::ex
