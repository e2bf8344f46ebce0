// The device registry: one Backend per Device, looked up at run time.
#include "engine/core/backend.h"

#include <array>
#include <atomic>

#include "engine/core/cuda_info.h"
#include "engine/core/cuda_plugin.h"
#include "engine/core/error.h"
#include "engine/cpu/cpu_backend.h"

namespace gl {
namespace {
// Atomic: the CUDA plugin registers itself from whichever thread loads it.
std::atomic<Backend*>& slot(Device d) {
  static std::array<std::atomic<Backend*>, 2> backends{nullptr, nullptr};
  return backends[static_cast<int>(d)];
}
}  // namespace

void register_backend(Device device, Backend* b) { slot(device).store(b); }

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
  Tensor no_residual;  // the composed masked backward below, without a residual gradient
  Backend::batchnorm_add_relu_backward(x, gamma, save_mean, save_invstd, y, dy, dx, dgamma, dbeta,
                                       no_residual);
}

void Backend::batchnorm_add_relu_forward_train(const Tensor& x, const Tensor& gamma,
                                               const Tensor& beta, const Tensor& residual,
                                               double eps, double momentum, Tensor& running_mean,
                                               Tensor& running_var, Tensor& y, Tensor& save_mean,
                                               Tensor& save_invstd) {
  batchnorm_forward_train(x, gamma, beta, eps, momentum, running_mean, running_var, y, save_mean,
                          save_invstd);
  binary(BinaryOp::add, y, residual, y);
  unary(UnaryOp::relu, y, y, 0.0);
}

void Backend::batchnorm_add_relu_backward(const Tensor& x, const Tensor& gamma,
                                          const Tensor& save_mean, const Tensor& save_invstd,
                                          const Tensor& y, const Tensor& dy, Tensor& dx,
                                          Tensor& dgamma, Tensor& dbeta, Tensor& dresidual) {
  Tensor masked = dresidual.defined() ? dresidual : Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  unary_backward(UnaryOp::relu, /*x=*/y, Tensor(), dy, masked, 0.0);  // relu'(z) = [y > 0]
  batchnorm_backward(x, gamma, save_mean, save_invstd, masked, dx, dgamma, dbeta);
}

bool device_available(Device device) {
  if (device == Device::cpu) return true;
  if (slot(device) == nullptr) cuda_plugin();  // loads the plugin once; it registers itself
  return slot(device) != nullptr;
}

Backend& backend(Device device) {
  if (device == Device::cpu) return cpu_backend();
  Backend* b = slot(device);
  if (b == nullptr) {
    cuda_plugin();  // the first request loads the CUDA plugin (engine/core/cuda_plugin.h)
    b = slot(device);
  }
  GL_CHECK(b != nullptr, "backend: CUDA is not available: {}", cuda::unavailable_reason());
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
