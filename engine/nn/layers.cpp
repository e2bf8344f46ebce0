#include "engine/nn/layers.h"

#include <cmath>

#include "engine/core/error.h"
#include "engine/ops/ops.h"

namespace gl::nn {

void kaiming_normal_fan_out(Tensor& weight, Rng& rng) {
  // fan_out = out_channels * receptive field (PyTorch's mode="fan_out").
  GL_CHECK(weight.dim() >= 2, "kaiming_normal_fan_out: weight must have rank >= 2, got {}", shape_str(weight.shape()));
  if (weight.numel() == 0) return;  // nothing to draw (and fan_out would divide by zero)
  const std::int64_t fan_out = weight.numel() / weight.size(1);
  weight.copy_from(Tensor::randn(weight.shape(), rng, 0.0, std::sqrt(2.0 / static_cast<double>(fan_out)),
                                 weight.dtype()));
}

void uniform_(Tensor& t, Rng& rng, double low, double high) {
  t.copy_from(Tensor::uniform(t.shape(), rng, low, high, t.dtype()));
}

Linear::Linear(std::int64_t in, std::int64_t out, bool use_bias, Rng& rng) {
  GL_CHECK(in > 0 && out > 0, "Linear: sizes must be positive, got in={} out={}", in, out);
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", Tensor::uniform({out, in}, rng, -bound, bound), true);
  if (use_bias) bias = register_parameter("bias", Tensor::uniform({out}, rng, -bound, bound), false);
}
Tensor Linear::forward(const Tensor& x) { return linear(x, weight, bias); }

Conv2d::Conv2d(std::int64_t C, std::int64_t K, std::int64_t kernel, std::int64_t stride_, std::int64_t padding_,
               bool use_bias, Rng& rng)
    : stride(stride_), padding(padding_) {
  GL_CHECK(C > 0 && K > 0 && kernel > 0 && stride_ > 0 && padding_ >= 0,
           "Conv2d: need positive channels/kernel/stride and padding >= 0, got C={} K={} kernel={} stride={} padding={}",
           C, K, kernel, stride_, padding_);
  Tensor w = Tensor::zeros({K, C, kernel, kernel});
  kaiming_normal_fan_out(w, rng);
  weight = register_parameter("weight", w, true);
  if (use_bias) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(C * kernel * kernel));
    bias = register_parameter("bias", Tensor::uniform({K}, rng, -bound, bound), false);
  }
}
Tensor Conv2d::forward(const Tensor& x) { return conv2d(x, weight, bias, stride, padding); }

Conv1d::Conv1d(std::int64_t C, std::int64_t K, std::int64_t kernel, std::int64_t stride_, std::int64_t padding_,
               bool use_bias, Rng& rng)
    : stride(stride_), padding(padding_) {
  GL_CHECK(C > 0 && K > 0 && kernel > 0 && stride_ > 0 && padding_ >= 0,
           "Conv1d: need positive channels/kernel/stride and padding >= 0");
  Tensor w = Tensor::zeros({K, C, kernel});
  kaiming_normal_fan_out(w, rng);
  weight = register_parameter("weight", w, true);
  if (use_bias) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(C * kernel));
    bias = register_parameter("bias", Tensor::uniform({K}, rng, -bound, bound), false);
  }
}
Tensor Conv1d::forward(const Tensor& x) { return conv1d(x, weight, bias, stride, padding); }

BatchNorm::BatchNorm(std::int64_t C, double momentum_, double eps_) : momentum(momentum_), eps(eps_) {
  GL_CHECK(C > 0, "BatchNorm: channels must be positive, got {}", C);
  gamma = register_parameter("gamma", Tensor::ones({C}), false);
  beta = register_parameter("beta", Tensor::zeros({C}), false);
  running_mean = register_buffer("running_mean", Tensor::zeros({C}));
  running_var = register_buffer("running_var", Tensor::ones({C}));
}
Tensor BatchNorm::forward(const Tensor& x) {
  return batch_norm(x, gamma, beta, running_mean, running_var, is_training(), momentum, eps);
}

Tensor BatchNorm::forward_relu(const Tensor& x) {
  return batch_norm_relu(x, gamma, beta, running_mean, running_var, is_training(), momentum, eps);
}

Tensor BatchNorm::forward_add_relu(const Tensor& x, const Tensor& residual) {
  return batch_norm_add_relu(x, gamma, beta, residual, running_mean, running_var, is_training(), momentum, eps);
}

Tensor ReLU::forward(const Tensor& x) { return relu(x); }
Tensor Flatten::forward(const Tensor& x) { return flatten(x, 1); }
Tensor GlobalAvgPool::forward(const Tensor& x) { return global_avg_pool2d(x); }

Tensor Sequential::forward(const Tensor& x) {
  Tensor h = x;
  for (auto& layer : layers_) h = layer->forward(h);
  return h;
}

}  // namespace gl::nn
