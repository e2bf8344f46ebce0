// The layers the course's networks are made of. Initialisation: Linear
// weight and bias U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's default); conv
// weights Kaiming-normal with fan_out and ReLU gain (std = sqrt(2 / fan_out)),
// the ResNet recipe's choice; conv biases U(-1/sqrt(fan_in), 1/sqrt(fan_in));
// batch norm gamma = 1, beta = 0, running mean 0, running var 1.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "engine/core/random.h"
#include "engine/nn/module.h"

namespace gl::nn {

class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, bool bias, Rng& rng);
  Tensor forward(const Tensor& x) override;  // [N, in] -> [N, out]
  std::string type_name() const override { return "Linear"; }
  Tensor weight, bias;  // [out, in], [out] (bias undefined when disabled)
};

class Conv2d : public Module {
 public:
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
         std::int64_t stride, std::int64_t padding, bool bias, Rng& rng);
  Tensor forward(const Tensor& x) override;  // [N,C,H,W] -> [N,K,Ho,Wo]
  std::string type_name() const override { return "Conv2d"; }
  Tensor weight, bias;  // [K, C, R, R], [K]
  std::int64_t stride, padding;
};

class Conv1d : public Module {
 public:
  Conv1d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
         std::int64_t stride, std::int64_t padding, bool bias, Rng& rng);
  Tensor forward(const Tensor& x) override;  // [N,C,L] -> [N,K,Lo]
  std::string type_name() const override { return "Conv1d"; }
  Tensor weight, bias;  // [K, C, S], [K]
  std::int64_t stride, padding;
};

// Over [N, C] or [N, C, H, W]; statistics per channel C.
class BatchNorm : public Module {
 public:
  explicit BatchNorm(std::int64_t channels, double momentum = 0.1, double eps = 1e-5);
  Tensor forward(const Tensor& x) override;
  Tensor forward_relu(const Tensor& x);  // relu(forward(x)), fused (gl::batch_norm_relu)
  // relu(forward(x) + residual), fused (gl::batch_norm_add_relu)
  Tensor forward_add_relu(const Tensor& x, const Tensor& residual);
  std::string type_name() const override { return "BatchNorm"; }
  Tensor gamma, beta;                 // parameters [C]
  Tensor running_mean, running_var;   // buffers [C]
  double momentum, eps;
};

class ReLU : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "ReLU"; }
};

class Flatten : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // [N, ...] -> [N, prod]
  std::string type_name() const override { return "Flatten"; }
};

class GlobalAvgPool : public Module {
 public:
  Tensor forward(const Tensor& x) override;  // [N,C,H,W] -> [N,C]
  std::string type_name() const override { return "GlobalAvgPool"; }
};

class Sequential : public Module {
 public:
  Sequential() = default;
  // Children are named "0", "1", ... unless a name is given.
  template <class M>
  std::shared_ptr<M> add(std::shared_ptr<M> m, std::string name = {}) {
    if (name.empty()) name = std::to_string(layers_.size());
    layers_.push_back(m);
    return register_module(std::move(name), m);
  }
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "Sequential"; }
  std::size_t size() const { return layers_.size(); }

 private:
  std::vector<std::shared_ptr<Module>> layers_;
};

// In-place initialisers (host-side random numbers, then copied to the device).
void kaiming_normal_fan_out(Tensor& weight, Rng& rng);  // std = sqrt(2 / (K * R * S))
void uniform_(Tensor& t, Rng& rng, double low, double high);

}  // namespace gl::nn
