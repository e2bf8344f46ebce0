// Stochastic gradient descent with momentum, Nesterov momentum and weight
// decay per parameter group (PyTorch's formulation, see Backend::sgd_update):
//   g = grad + wd * p;  v = momentum * v + g;  p -= lr * (nesterov ? g + momentum * v : v)
// Groups let biases and batch-norm parameters go without weight decay.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "engine/core/tensor.h"
#include "engine/nn/module.h"

namespace gl::optim {

struct ParamGroup {
  std::vector<Tensor> params;
  double weight_decay = 0.0;
};

// The checks every optimizer makes on its groups: defined float tensors,
// each listed once (a parameter listed twice would be updated twice per
// step; PyTorch refuses it too), finite weight decay >= 0. Returns the
// number of parameters; throws naming `name`, the parameter and both places.
std::size_t check_param_groups(const char* name, const std::vector<ParamGroup>& groups);

// Two groups from a module: kernels (decay = true) with `weight_decay`,
// everything else (biases, batch-norm scale and shift) with none.
std::vector<ParamGroup> decay_groups(const nn::Module& model, double weight_decay);

class SGD {
 public:
  SGD(std::vector<ParamGroup> groups, double lr, double momentum = 0.0, bool nesterov = false);
  void step();       // parameters without a gradient are skipped
  // Drops every parameter's gradient, or zeroes it in place (keep_buffers:
  // fixed gradient addresses, see Tensor::zero_grad).
  void zero_grad(bool keep_buffers = false);
  // The learning rate also lives in a one-element float64 tensor per device
  // that the update reads (Backend::sgd_update); set_lr rewrites it in place,
  // so its address stays fixed for a captured CUDA graph.
  void set_lr(double lr);
  double lr() const { return lr_; }
  const Tensor& lr_tensor(Device device);
  double momentum() const { return momentum_; }
  bool nesterov() const { return nesterov_; }
  const std::vector<ParamGroup>& groups() const { return groups_; }
  // Momentum buffers, one per parameter in group order (undefined until the
  // first step). Checkpoints save and restore them.
  std::vector<Tensor>& velocities() { return velocities_; }

 private:
  std::vector<ParamGroup> groups_;
  std::vector<Tensor> velocities_;
  std::vector<std::pair<Device, Tensor>> lr_tensors_;  // created on first use per device
  double lr_, momentum_;
  bool nesterov_;
};

}  // namespace gl::optim
