// Batch normalization: shape checks and workspace on the host, the three-pass
// kernels in batchnorm.cu.
#include "cuda/allocator.h"
#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

struct BnDims {
  i64 N, C, L;
};

BnDims bn_dims(const Tensor& x, const char* op) {
  GL_CHECK(x.dim() >= 2, "{} (cuda): x must be [N, C, ...], got {}", op, describe(x));
  const i64 N = x.size(0), C = x.size(1);
  return {N, C, N * C == 0 ? 0 : x.numel() / (N * C)};
}

void check_channels(const char* op, i64 C, std::initializer_list<const Tensor*> ts) {
  for (const Tensor* t : ts) {
    GL_CHECK(!t->defined() || t->numel() == C, "{} (cuda): {} must have {} elements (one per channel)", op,
             describe(*t), C);
  }
}

}  // namespace

void CudaBackend::batchnorm_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                                          double momentum, Tensor& running_mean, Tensor& running_var, Tensor& y,
                                          Tensor& save_mean, Tensor& save_invstd) {
  const BnDims d = bn_dims(x, "batchnorm_forward_train");
  GL_CHECK(d.N * d.L > 1, "batchnorm_forward_train (cuda): need more than one value per channel, x is {}",
           describe(x));
  check_channels("batchnorm_forward_train", d.C,
                 {&gamma, &beta, &running_mean, &running_var, &save_mean, &save_invstd});
  Workspace ws(static_cast<std::size_t>(bn_workspace_doubles(d.N, d.C, d.L)) * sizeof(double));
  dispatch_float(x.dtype(), "batchnorm_forward_train", [&](auto tag) {
    using T = decltype(tag);
    BnTrainArgs a;
    a.N = d.N;
    a.C = d.C;
    a.L = d.L;
    a.eps = eps;
    a.momentum = momentum;
    launch_bn_forward_train<T>(dptr<T>(x), dptr<T>(gamma), dptr<T>(beta), a, dptr<T>(running_mean),
                               dptr<T>(running_var), dptr<T>(y), dptr<T>(save_mean), dptr<T>(save_invstd),
                               ws.as<double>(), stream());
  });
}

void CudaBackend::batchnorm_forward_eval(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                         const Tensor& running_mean, const Tensor& running_var, double eps,
                                         Tensor& y) {
  const BnDims d = bn_dims(x, "batchnorm_forward_eval");
  GL_CHECK(running_mean.defined() && running_var.defined(),
           "batchnorm_forward_eval (cuda): evaluation needs running_mean and running_var");
  check_channels("batchnorm_forward_eval", d.C, {&gamma, &beta, &running_mean, &running_var});
  dispatch_float(x.dtype(), "batchnorm_forward_eval", [&](auto tag) {
    using T = decltype(tag);
    launch_bn_forward_eval<T>(dptr<T>(x), dptr<T>(gamma), dptr<T>(beta), dptr<T>(running_mean),
                              dptr<T>(running_var), d.N, d.C, d.L, eps, dptr<T>(y), stream());
  });
}

void CudaBackend::batchnorm_backward(const Tensor& x, const Tensor& gamma, const Tensor& save_mean,
                                     const Tensor& save_invstd, const Tensor& dy, Tensor& dx, Tensor& dgamma,
                                     Tensor& dbeta) {
  const BnDims d = bn_dims(x, "batchnorm_backward");
  GL_CHECK(save_mean.defined() && save_invstd.defined(),
           "batchnorm_backward (cuda): needs save_mean and save_invstd from the training forward");
  check_channels("batchnorm_backward", d.C, {&gamma, &save_mean, &save_invstd, &dgamma, &dbeta});
  check_same_numel("batchnorm_backward", x, dy);
  Workspace ws(static_cast<std::size_t>(bn_workspace_doubles(d.N, d.C, d.L)) * sizeof(double));
  dispatch_float(x.dtype(), "batchnorm_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_bn_backward<T>(dptr<T>(x), dptr<T>(gamma), dptr<T>(save_mean), dptr<T>(save_invstd), dptr<T>(dy), d.N,
                          d.C, d.L, dptr<T>(dx), dptr<T>(dgamma), dptr<T>(dbeta), ws.as<double>(), stream());
  });
}

}  // namespace gl::cuda
