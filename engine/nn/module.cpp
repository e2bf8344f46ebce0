#include "engine/nn/module.h"

#include "engine/core/error.h"

namespace gl::nn {

Tensor& Module::register_parameter(std::string name, Tensor t, bool decay) {
  GL_CHECK(t.defined(), "Module::register_parameter: '{}' is undefined", name);
  t.set_requires_grad(true).set_name(name);
  params_.push_back({std::move(name), t, decay});
  return params_.back().tensor;
}

void Module::set_child(const std::string& name, std::shared_ptr<Module> child) {
  GL_CHECK(child != nullptr, "Module::set_child: child '{}' is null", name);
  GL_CHECK(child.get() != this, "Module::set_child: a module cannot be its own child ('{}')", name);
  for (auto& [n, c] : children_)
    if (n == name) {
      c = std::move(child);
      return;
    }
  children_.emplace_back(name, std::move(child));
}

Tensor& Module::register_buffer(std::string name, Tensor t) {
  GL_CHECK(t.defined(), "Module::register_buffer: '{}' is undefined", name);
  t.set_name(name);
  buffers_.push_back({std::move(name), t, false});
  return buffers_.back().tensor;
}

void Module::collect(const std::string& prefix, bool params, std::vector<NamedTensor>& out) const {
  for (const auto& nt : params ? params_ : buffers_) out.push_back({prefix + nt.name, nt.tensor, nt.decay});
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", params, out);
}

std::vector<NamedTensor> Module::named_parameters() const {
  std::vector<NamedTensor> out;
  collect("", true, out);
  return out;
}

std::vector<NamedTensor> Module::named_buffers() const {
  std::vector<NamedTensor> out;
  collect("", false, out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& nt : named_parameters()) out.push_back(nt.tensor);
  return out;
}

std::int64_t Module::parameter_count() const {
  std::int64_t n = 0;
  for (const auto& nt : named_parameters()) n += nt.tensor.numel();
  return n;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

void Module::to(Device device) {
  for (auto& nt : named_parameters()) nt.tensor.to_(device);
  for (auto& nt : named_buffers()) nt.tensor.to_(device);
}

void Module::to(DType dtype) {
  for (auto& nt : named_parameters()) nt.tensor.to_(dtype);
  for (auto& nt : named_buffers()) nt.tensor.to_(dtype);
}

void Module::zero_grad(bool keep_buffers) {
  for (auto& nt : named_parameters()) nt.tensor.zero_grad(keep_buffers);
}

}  // namespace gl::nn
