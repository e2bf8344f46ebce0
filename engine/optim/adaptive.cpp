#include "engine/optim/adaptive.h"

#include <cmath>

#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "engine/ops/ops.h"

namespace gl::optim {


namespace {
void check_lr(const char* name, double lr) {
  GL_CHECK(lr >= 0 && std::isfinite(lr), "{}: learning rate must be finite and >= 0, got {}", name, lr);
}
// p += alpha * d in place (the parameter keeps its storage: modules hold handles).
void add_into(Tensor& p, double alpha, const Tensor& d) {
  backend(p.device()).axpy(alpha, d, p);
  mark_modified(p);
}
Tensor zeros_like(const Tensor& p) { return Tensor::zeros(p.shape(), p.dtype(), p.device()); }
void zero_all(std::vector<ParamGroup>& groups) {
  for (auto& g : groups)
    for (auto& p : g.params) p.zero_grad();
}
}  // namespace

Adam::Adam(std::vector<ParamGroup> groups, double lr, double beta1, double beta2, double eps, bool decoupled)
    : groups_(std::move(groups)), lr_(lr), beta1_(beta1), beta2_(beta2), eps_(eps), decoupled_(decoupled) {
  const std::string n = name();
  check_lr(n.c_str(), lr);
  GL_CHECK(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "{}: betas must be in [0, 1), got ({}, {})", n, beta1,
           beta2);
  GL_CHECK(eps >= 0, "{}: eps must be >= 0, got {}", n, eps);
  const std::size_t count = check_param_groups(n.c_str(), groups_);
  steps_.assign(count, 0);
  m_.resize(count);
  v_.resize(count);
}

void Adam::set_lr(double lr) {
  check_lr(name().c_str(), lr);
  lr_ = lr;
}

void Adam::step() {
  NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& group : groups_) {
    for (auto& p : group.params) {
      const std::size_t k = i++;
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (!m_[k].defined()) {
        m_[k] = zeros_like(p);
        v_[k] = zeros_like(p);
      }
      const double wd = group.weight_decay;
      if (wd != 0.0) {
        if (decoupled_) {
          add_into(p, -lr_ * wd, p.clone());  // p *= 1 - lr wd
        } else {
          g = add(g, mul_scalar(p, wd));
        }
      }
      const std::int64_t t = ++steps_[k];
      m_[k] = add(mul_scalar(m_[k], beta1_), mul_scalar(g, 1.0 - beta1_));
      v_[k] = add(mul_scalar(v_[k], beta2_), mul_scalar(mul(g, g), 1.0 - beta2_));
      const double bias1 = 1.0 - std::pow(beta1_, static_cast<double>(t));
      const double bias2 = 1.0 - std::pow(beta2_, static_cast<double>(t));
      const Tensor denom = add_scalar(mul_scalar(sqrt(v_[k]), 1.0 / std::sqrt(bias2)), eps_);
      add_into(p, -lr_ / bias1, div(m_[k], denom));
    }
  }
}

void Adam::zero_grad() { zero_all(groups_); }

RMSprop::RMSprop(std::vector<ParamGroup> groups, double lr, double alpha, double eps, double momentum, bool centered)
    : groups_(std::move(groups)), lr_(lr), alpha_(alpha), eps_(eps), momentum_(momentum), centered_(centered) {
  check_lr("RMSprop", lr);
  GL_CHECK(alpha >= 0 && alpha <= 1, "RMSprop: alpha must be in [0, 1], got {}", alpha);
  GL_CHECK(eps >= 0, "RMSprop: eps must be >= 0, got {}", eps);
  GL_CHECK(momentum >= 0 && momentum < 1, "RMSprop: momentum must be in [0, 1), got {}", momentum);
  const std::size_t count = check_param_groups("RMSprop", groups_);
  sq_.resize(count);
  ga_.resize(count);
  buf_.resize(count);
}

void RMSprop::set_lr(double lr) {
  check_lr("RMSprop", lr);
  lr_ = lr;
}

void RMSprop::step() {
  NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& group : groups_) {
    for (auto& p : group.params) {
      const std::size_t k = i++;
      Tensor g = p.grad();
      if (!g.defined()) continue;
      if (group.weight_decay != 0.0) g = add(g, mul_scalar(p, group.weight_decay));
      if (!sq_[k].defined()) sq_[k] = zeros_like(p);
      sq_[k] = add(mul_scalar(sq_[k], alpha_), mul_scalar(mul(g, g), 1.0 - alpha_));
      Tensor avg = sq_[k];
      if (centered_) {
        if (!ga_[k].defined()) ga_[k] = zeros_like(p);
        ga_[k] = add(mul_scalar(ga_[k], alpha_), mul_scalar(g, 1.0 - alpha_));
        avg = sub(avg, mul(ga_[k], ga_[k]));
      }
      const Tensor denom = add_scalar(sqrt(avg), eps_);
      if (momentum_ > 0) {
        if (!buf_[k].defined()) buf_[k] = zeros_like(p);
        buf_[k] = add(mul_scalar(buf_[k], momentum_), div(g, denom));
        add_into(p, -lr_, buf_[k]);
      } else {
        add_into(p, -lr_, div(g, denom));
      }
    }
  }
}

void RMSprop::zero_grad() { zero_all(groups_); }

}  // namespace gl::optim
