#include "engine/optim/sgd.h"

#include <cmath>
#include <unordered_map>

#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/core/error.h"

namespace gl::optim {

std::vector<ParamGroup> decay_groups(const nn::Module& model, double weight_decay) {
  ParamGroup decayed{{}, weight_decay}, plain{{}, 0.0};
  for (const auto& nt : model.named_parameters()) (nt.decay ? decayed : plain).params.push_back(nt.tensor);
  return {decayed, plain};
}

std::size_t check_param_groups(const char* name, const std::vector<ParamGroup>& groups) {
  std::size_t n = 0;
  std::unordered_map<const TensorImpl*, std::pair<std::size_t, std::size_t>> seen;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    const auto& g = groups[gi];
    GL_CHECK(std::isfinite(g.weight_decay) && g.weight_decay >= 0, "{}: weight decay must be finite and >= 0, got {}",
             name, g.weight_decay);
    for (std::size_t pi = 0; pi < g.params.size(); ++pi) {
      const Tensor& p = g.params[pi];
      GL_CHECK(p.defined(), "{}: parameter {} of group {} is undefined", name, pi, gi);
      GL_CHECK(is_floating(p.dtype()), "{}: parameter {} of group {} is {}; only float tensors can be trained", name,
               pi, gi, describe(p));
      const auto [it, fresh] = seen.emplace(p.impl(), std::make_pair(gi, pi));
      GL_CHECK(fresh,
               "{}: parameter {}({}) appears twice: group {} position {} and group {} position {}; it would be "
               "updated twice per step. List each parameter once (decay_groups(model) already covers every "
               "parameter of the model)",
               name, p.name().empty() ? "" : "'" + p.name() + "' ", describe(p), it->second.first, it->second.second,
               gi, pi);
    }
    n += g.params.size();
  }
  return n;
}

SGD::SGD(std::vector<ParamGroup> groups, double lr, double momentum, bool nesterov)
    : groups_(std::move(groups)), lr_(lr), momentum_(momentum), nesterov_(nesterov) {
  GL_CHECK(lr >= 0 && std::isfinite(lr), "SGD: learning rate must be finite and >= 0, got {}", lr);
  GL_CHECK(momentum >= 0 && momentum < 1, "SGD: momentum must be in [0, 1), got {}", momentum);
  GL_CHECK(!nesterov || momentum > 0, "SGD: Nesterov momentum needs momentum > 0");
  velocities_.resize(check_param_groups("SGD", groups_));
}

void SGD::step() {
  NoGradGuard no_grad;
  std::size_t i = 0;
  for (auto& group : groups_) {
    for (auto& p : group.params) {
      Tensor& v = velocities_[i++];
      const Tensor g = p.grad();
      if (!g.defined()) continue;
      if (momentum_ > 0 && !v.defined()) v = Tensor::zeros(p.shape(), p.dtype(), p.device());
      if (v.defined() && v.device() != p.device()) v.to_(p.device());
      backend(p.device()).sgd_update(p, g, v, lr_tensor(p.device()), momentum_, group.weight_decay, nesterov_);
      mark_modified(p);
    }
  }
}

void SGD::set_lr(double lr) {
  GL_CHECK(lr >= 0 && std::isfinite(lr), "SGD::set_lr: learning rate must be finite and >= 0, got {}", lr);
  lr_ = lr;
  for (auto& [device, t] : lr_tensors_) backend(device).fill(t, lr);
}

const Tensor& SGD::lr_tensor(Device device) {
  for (const auto& [d, t] : lr_tensors_)
    if (d == device) return t;
  lr_tensors_.emplace_back(device, Tensor::full({1}, lr_, DType::f64, device));
  return lr_tensors_.back().second;
}

void SGD::zero_grad(bool keep_buffers) {
  for (auto& group : groups_)
    for (auto& p : group.params) p.zero_grad(keep_buffers);
}

}  // namespace gl::optim
