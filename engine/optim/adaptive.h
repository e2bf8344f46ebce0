// Adam, AdamW and RMSprop with PyTorch's update rules (torch 1.13, amsgrad
// off) and weight-decay groups as SGD has them (engine/optim/sgd.h):
//   Adam:    g = grad + wd p;  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//            p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
//   AdamW:   p *= 1 - lr wd first (decoupled), then Adam's step with g = grad.
//   RMSprop: g = grad + wd p;  s = a s + (1-a) g^2;  (centered: c = a c + (1-a) g,
//            s' = s - c^2);  d = sqrt(s') + eps;  momentum: b = mu b + g / d, p -= lr b;
//            otherwise p -= lr g / d.
// The updates are composed from the engine's ops (no graph), so they run on
// every device; a parameter without a gradient is skipped (its step count too).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/optim/sgd.h"

namespace gl::optim {

class Adam {
 public:
  Adam(std::vector<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
       double eps = 1e-8, bool decoupled_weight_decay = false);
  void step();
  void zero_grad();
  double lr() const { return lr_; }
  void set_lr(double lr);
  const std::vector<ParamGroup>& groups() const { return groups_; }
  // Per parameter, in group order: steps taken, first and second moments (undefined before its first step).
  std::vector<std::int64_t>& steps() { return steps_; }
  std::vector<Tensor>& exp_avg() { return m_; }
  std::vector<Tensor>& exp_avg_sq() { return v_; }
  std::string name() const { return decoupled_ ? "AdamW" : "Adam"; }

 private:
  std::vector<ParamGroup> groups_;
  std::vector<std::int64_t> steps_;
  std::vector<Tensor> m_, v_;
  double lr_, beta1_, beta2_, eps_;
  bool decoupled_;
};

class RMSprop {
 public:
  RMSprop(std::vector<ParamGroup> groups, double lr = 1e-2, double alpha = 0.99, double eps = 1e-8,
          double momentum = 0.0, bool centered = false);
  void step();
  void zero_grad();
  double lr() const { return lr_; }
  void set_lr(double lr);
  const std::vector<ParamGroup>& groups() const { return groups_; }
  std::vector<Tensor>& square_avg() { return sq_; }
  std::vector<Tensor>& grad_avg() { return ga_; }
  std::vector<Tensor>& momentum_buffer() { return buf_; }

 private:
  std::vector<ParamGroup> groups_;
  std::vector<Tensor> sq_, ga_, buf_;
  double lr_, alpha_, eps_, momentum_;
  bool centered_;
};

}  // namespace gl::optim
