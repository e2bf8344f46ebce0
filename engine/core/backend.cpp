// The device registry: one Backend per Device, looked up at run time.
#include "engine/core/backend.h"

#include <array>

#include "engine/core/error.h"
#include "engine/cpu/cpu_backend.h"

namespace gl {
namespace {
Backend*& slot(Device d) {
  static std::array<Backend*, 2> backends{nullptr, nullptr};
  return backends[static_cast<int>(d)];
}
}  // namespace

void register_backend(Device device, Backend* b) { slot(device) = b; }

void Backend::batchnorm_relu_forward_train(const Tensor& x, const Tensor& gamma,
                                           const Tensor& beta, double eps, double momentum,
                                           Tensor& running_mean, Tensor& running_var, Tensor& y,
                                           Tensor& save_mean, Tensor& save_invstd) {
  batchnorm_forward_train(x, gamma, beta, eps, momentum, running_mean, running_var, y, save_mean,
                          save_invstd);
  unary(UnaryOp::relu, y, y, 0.0);  // elementwise, so in place is fine
}

void Backend::batchnorm_relu_backward(const Tensor& x, const Tensor& gamma,
                                      const Tensor& save_mean, const Tensor& save_invstd,
                                      const Tensor& y, const Tensor& dy, Tensor& dx,
                                      Tensor& dgamma, Tensor& dbeta) {
  Tensor masked = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  unary_backward(UnaryOp::relu, /*x=*/y, Tensor(), dy, masked, 0.0);  // relu'(z) = [y > 0]
  batchnorm_backward(x, gamma, save_mean, save_invstd, masked, dx, dgamma, dbeta);
}

bool device_available(Device device) {
  return device == Device::cpu || slot(device) != nullptr;
}

Backend& backend(Device device) {
  if (device == Device::cpu) return cpu_backend();
  Backend* b = slot(device);
  GL_CHECK(b != nullptr,
           "backend: no CUDA device is available: either this binary was built without CUDA "
           "(cmake reports 'gradlab build mode: CPU only') or no NVIDIA GPU is visible "
           "(check nvidia-smi). Use --device cpu, or build with nvcc present and run on a GPU machine");
  return *b;
}

Backend& backend_of(const char* op, std::initializer_list<const Tensor*> tensors) {
  const Tensor* first = nullptr;
  for (const Tensor* t : tensors) {
    if (!t || !t->defined()) continue;
    if (!first) {
      first = t;
      continue;
    }
    GL_CHECK(t->device() == first->device(),
             "{}: tensors are on different devices ({} and {}); move them with .to(Device) first", op,
             device_name(first->device()), device_name(t->device()));
  }
  GL_CHECK(first != nullptr, "{}: no defined tensor argument", op);
  return backend(first->device());
}

void check_lr_tensor(const char* op, const Tensor& lr, const Tensor& param) {
  GL_CHECK(lr.defined() && lr.dtype() == DType::f64 && lr.numel() == 1 && lr.device() == param.device(),
           "{}: the learning rate must be a float64 tensor of one element on {} (the parameter's device), got {}",
           op, device_name(param.device()), lr.defined() ? describe(lr) : std::string("an undefined tensor"));
}

}  // namespace gl
