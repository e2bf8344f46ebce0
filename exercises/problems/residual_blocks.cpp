#include "exercises/problems/residual_blocks.h"

#include "engine/core/error.h"
#include "engine/ops/ops.h"

namespace gl::ex {

ResidualBlock::ResidualBlock(ResidualKind kind, std::int64_t C, bool conv_bias, bool pre, Rng& rng)
    : body(std::make_shared<nn::Sequential>()), pre_activation(pre) {
  register_module("body", body);
  // (in, out, kernel) of each convolution; padding keeps H x W.
  struct ConvSpec { std::int64_t in, out, k; };
  std::vector<ConvSpec> convs;
  if (kind == ResidualKind::standard) {
    convs = {{C, C, 3}, {C, C, 3}};
  } else {
    GL_CHECK(C % 4 == 0, "ResidualBlock: bottleneck channels must be a multiple of 4 (got {})", C);
    std::int64_t b = C / 4;  // bottleneck width
    convs = {{C, b, 1}, {b, b, 3}, {b, C, 1}};
  }
  for (std::size_t i = 0; i < convs.size(); ++i) {
    const ConvSpec& c = convs[i];
    auto conv = std::make_shared<nn::Conv2d>(c.in, c.out, c.k, 1, c.k / 2, conv_bias, rng);
    if (pre) {  // BN-ReLU-conv
      body->add(std::make_shared<nn::BatchNorm>(c.in));
      body->add(std::make_shared<nn::ReLU>());
      body->add(conv);
    } else {    // conv-BN(-ReLU, except after the last conv: the ReLU follows the addition)
      body->add(conv);
      body->add(std::make_shared<nn::BatchNorm>(c.out));
      if (i + 1 < convs.size()) body->add(std::make_shared<nn::ReLU>());
    }
  }
}

Tensor ResidualBlock::forward(const Tensor& x) {
  Tensor y = add(body->forward(x), x);  // identity shortcut
  return pre_activation ? y : relu(y);
}

}  // namespace gl::ex
