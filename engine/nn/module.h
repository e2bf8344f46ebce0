// Modules: named parameters (trained) and buffers (state such as batch-norm
// running statistics, saved in checkpoints but never trained), nested
// children with dotted names ("stack1.block0.conv1.weight"), train/eval mode.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/tensor.h"

namespace gl::nn {

struct NamedTensor {
  std::string name;
  Tensor tensor;
  bool decay = false;  // parameters only: true for conv/linear kernels (weight decay applies)
};

class Module {
 public:
  virtual ~Module() = default;
  virtual Tensor forward(const Tensor& x) = 0;
  Tensor operator()(const Tensor& x) { return forward(x); }
  virtual std::string type_name() const = 0;  // "Conv2d", for summaries

  std::vector<NamedTensor> named_parameters() const;  // recursive, registration order
  std::vector<NamedTensor> named_buffers() const;
  std::vector<Tensor> parameters() const;
  std::int64_t parameter_count() const;  // trainable elements
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }

  void train(bool on = true);  // recursive
  void eval() { train(false); }
  bool is_training() const { return training_; }
  void to(Device device);  // moves every parameter and buffer in place
  void to(DType dtype);
  void zero_grad(bool keep_buffers = false);  // see Tensor::zero_grad
  // Registers a child module under `name`, replacing the child of that name
  // if there is one (what assigning a Module attribute does in Python).
  void set_child(const std::string& name, std::shared_ptr<Module> child);

 protected:
  Tensor& register_parameter(std::string name, Tensor t, bool decay);
  Tensor& register_buffer(std::string name, Tensor t);
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> m) {
    children_.emplace_back(std::move(name), m);
    return m;
  }

 private:
  void collect(const std::string& prefix, bool params, std::vector<NamedTensor>& out) const;
  std::vector<NamedTensor> params_;
  std::vector<NamedTensor> buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace gl::nn
