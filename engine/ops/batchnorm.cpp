// Batch normalization over [N, C] or [N, C, H, W], statistics per channel C.
// Training: xhat = (x - mean_B) / sqrt(var_B + eps), y = gamma * xhat + beta,
// with the analytic backward (Ioffe & Szegedy 2015, eq. in Sec. 3):
//   dxhat = dy * gamma
//   dx = invstd / M * (M * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)),  M = N*H*W
//   dgamma = sum(dy * xhat), dbeta = sum(dy)
// Evaluation: the running statistics replace the batch ones.
// batch_norm_relu = relu(batch_norm(.)) as one node: in training the backend
// fuses the pair (one pass over memory instead of three), the node saves the
// output y instead of the pre-activation, and backward masks dy by y > 0.
// batch_norm_add_relu = relu(batch_norm(.) + residual), the same with the
// residual added in the affine pass; the masked dy is the residual's gradient.
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {

// relu: relu after; residual (defined only with relu): added before the relu.
Tensor batch_norm_impl(const char* op, bool relu, const Tensor& x, const Tensor& gamma, const Tensor& beta,
                       const Tensor& residual, Tensor running_mean, Tensor running_var, bool training,
                       double momentum, double eps) {
  Backend& be = require_compatible(op, {&x, &gamma, &beta, &residual, &running_mean, &running_var});
  GL_CHECK(x.dim() == 2 || x.dim() == 4, "{}: input must be [N, C] or [N, C, H, W], got {}", op, shape_str(x.shape()));
  const bool add = residual.defined();
  GL_CHECK(!add || residual.shape() == x.shape(), "{}: residual must have the input's shape {}, got {}", op,
           shape_str(x.shape()), shape_str(residual.shape()));
  const std::int64_t C = x.size(1);
  for (const Tensor* p : std::initializer_list<const Tensor*>{&gamma, &beta, &running_mean, &running_var})
    GL_CHECK(!p->defined() || p->shape() == Shape{C}, "{}: per-channel tensors must be [{}] for input {}, got {}",
             op, C, shape_str(x.shape()), shape_str(p->shape()));
  GL_CHECK(gamma.defined() && beta.defined(), "{}: gamma and beta are required", op);
  GL_CHECK(eps > 0, "{}: eps must be positive, got {}", op, eps);
  Tensor y = empty_like_shape(x, x.shape());

  if (!training) {
    GL_CHECK(running_mean.defined() && running_var.defined(),
             "{}: evaluation mode needs running_mean and running_var", op);
    if (!needs_grad(x) && !needs_grad(gamma) && !needs_grad(beta) && !(add && needs_grad(residual))) {
      be.batchnorm_forward_eval(x, gamma, beta, running_mean, running_var, eps, y);
      if (add) be.binary(BinaryOp::add, y, residual, y);
      if (relu) be.unary(UnaryOp::relu, y, y, 0.0);
      return y;
    }
    // Differentiable evaluation: an affine map per channel, composed of ops.
    Shape bshape(x.dim(), 1);
    bshape[1] = C;
    Tensor scale = gamma / sqrt(running_var.detach() + eps);
    Tensor shift = beta - running_mean.detach() * scale;
    Tensor out = x * reshape(scale, bshape) + reshape(shift, bshape);
    if (add) out = out + residual;
    return relu ? gl::relu(out) : out;
  }

  const std::int64_t M = x.numel() / C;
  GL_CHECK(M > 1, "{}: training needs more than one value per channel (input {}); use evaluation mode",
           op, shape_str(x.shape()));
  Tensor save_mean = empty_like_shape(x, {C}), save_invstd = empty_like_shape(x, {C});
  if (add) {
    be.batchnorm_add_relu_forward_train(x, gamma, beta, residual, eps, momentum, running_mean, running_var, y,
                                        save_mean, save_invstd);
  } else if (relu) {
    be.batchnorm_relu_forward_train(x, gamma, beta, eps, momentum, running_mean, running_var, y, save_mean,
                                    save_invstd);
  } else {
    be.batchnorm_forward_train(x, gamma, beta, eps, momentum, running_mean, running_var, y, save_mean, save_invstd);
  }
  // The running statistics were updated in place.
  mark_modified(running_mean);
  mark_modified(running_var);
  const bool gx = needs_grad(x), gg = needs_grad(gamma), gb = needs_grad(beta), gr = add && needs_grad(residual);
  if (!gx && !gg && !gb && !gr) return y;
  // The fused node keeps its output (for the relu mask); the next layer holds it anyway.
  const SavedTensor sx(x, op), sgamma(gamma, op), sy = relu ? SavedTensor(y, op) : SavedTensor();
  std::vector<Tensor> inputs{x, gamma, beta};
  if (add) inputs.push_back(residual);
  return record(y, op, inputs,
                [=](const Tensor& dy) {
                  const Tensor& x = sx.get();
                  const Tensor& gamma = sgamma.get();
                  const Tensor& y_saved = sy.get();
                  Tensor dx = gx ? empty_like_shape(x, x.shape()) : Tensor();
                  Tensor dgamma = gg ? empty_like_shape(x, {C}) : Tensor();
                  Tensor dbeta = gb ? empty_like_shape(x, {C}) : Tensor();
                  Backend& b = backend(x.device());
                  if (add) {
                    Tensor dresidual = gr ? empty_like_shape(x, x.shape()) : Tensor();
                    b.batchnorm_add_relu_backward(x, gamma, save_mean, save_invstd, y_saved, dy, dx, dgamma, dbeta,
                                                  dresidual);
                    return std::vector<Tensor>{dx, dgamma, dbeta, dresidual};
                  }
                  if (relu) {
                    b.batchnorm_relu_backward(x, gamma, save_mean, save_invstd, y_saved, dy, dx, dgamma, dbeta);
                  } else {
                    b.batchnorm_backward(x, gamma, save_mean, save_invstd, dy, dx, dgamma, dbeta);
                  }
                  return std::vector<Tensor>{dx, dgamma, dbeta};
                }, fmt::format("train eps={}", eps));
}

}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor running_mean, Tensor running_var,
                  bool training, double momentum, double eps) {
  return batch_norm_impl("batch_norm", false, x, gamma, beta, Tensor(), std::move(running_mean),
                         std::move(running_var), training, momentum, eps);
}

Tensor batch_norm_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor running_mean,
                       Tensor running_var, bool training, double momentum, double eps) {
  return batch_norm_impl("batch_norm_relu", true, x, gamma, beta, Tensor(), std::move(running_mean),
                         std::move(running_var), training, momentum, eps);
}

Tensor batch_norm_add_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& residual,
                           Tensor running_mean, Tensor running_var, bool training, double momentum, double eps) {
  GL_CHECK(residual.defined(), "batch_norm_add_relu: the residual is required (use batch_norm_relu without one)");
  return batch_norm_impl("batch_norm_add_relu", true, x, gamma, beta, residual, std::move(running_mean),
                         std::move(running_var), training, momentum, eps);
}

}  // namespace gl
