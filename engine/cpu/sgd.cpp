// PyTorch's SGD step, elementwise:
//   g = grad + weight_decay * param
//   v = momentum * v + g                       (skipped when momentum == 0)
//   step = nesterov ? g + momentum * v : v     (step = g when momentum == 0)
//   param -= lr * step
#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

void CpuBackend::sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, const Tensor& lr,
                            double momentum, double weight_decay, bool nesterov) {
  check_same_numel("sgd_update", param, grad);
  check_lr_tensor("sgd_update (cpu)", lr, param);
  const bool use_v = momentum != 0.0;
  GL_CHECK(!use_v || velocity.defined(),
           "sgd_update (cpu): momentum {} needs a velocity buffer for {}", momentum,
           describe(param));
  dispatch_float(param.dtype(), "sgd_update", [&](auto tag) {
    using T = decltype(tag);
    T* p = ptr<T>(param);
    const T* g = ptr<T>(grad);
    T* v = use_v ? ptr<T>(velocity) : nullptr;
    const T lr_t = static_cast<T>(*ptr<double>(lr)), mu = static_cast<T>(momentum),
            wd = static_cast<T>(weight_decay);
    const std::int64_t n = param.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (std::int64_t i = 0; i < n; ++i) {
      const T gi = g[i] + wd * p[i];
      T step = gi;
      if (v != nullptr) {
        v[i] = mu * v[i] + gi;
        step = nesterov ? gi + mu * v[i] : v[i];
      }
      p[i] -= lr_t * step;
    }
  });
}

}  // namespace gl::cpu
