// Batch normalization over x viewed as [N, C, L] (L = H*W, or 1 for [N, C]).
// Per channel c, over the M = N*L values x[n, c, l]:
//   mean = sum x / M,  var = sum (x - mean)^2 / M  (biased, used to normalize)
//   xhat = (x - mean) * invstd,  invstd = 1 / sqrt(var + eps),  y = gamma xhat + beta
//   running_var uses the unbiased var * M / (M - 1) (PyTorch's convention).
// Backward (training statistics):
//   dbeta = sum dy,  dgamma = sum dy xhat,
//   dx = gamma invstd / M * (M dy - dbeta - xhat dgamma).
// Channels are independent: OpenMP over c. Sums accumulate in double.
// gamma / beta may be undefined (no affine part: gamma = 1, beta = 0).
// The fused batch norm + relu variants take the same passes: the affine pass
// writes max(0, y) (max(0, y + residual) with a residual), and the backward
// reads the output y to mask dy by y > 0 inside its two passes (dy' = [y > 0] dy
// replaces dy everywhere above; with a residual, its first pass also writes dy'
// as the residual's gradient).
#include <cmath>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

struct BnDims {
  std::int64_t N, C, L;
};

BnDims bn_dims(const Tensor& x, const char* op) {
  GL_CHECK(x.dim() >= 2, "{} (cpu): x must be [N, C, ...], got {}", op, describe(x));
  const std::int64_t N = x.size(0), C = x.size(1);
  return {N, C, N * C == 0 ? 0 : x.numel() / (N * C)};
}

template <class T> T* opt(const Tensor& t) { return t.defined() ? ptr<T>(t) : nullptr; }

// Sum over (n, l) of f(value) for channel c of a [N, C, L] array.
template <class T, class F> double channel_sum(const T* a, const BnDims& d, std::int64_t c, F f) {
  double s = 0.0;
  for (std::int64_t n = 0; n < d.N; ++n) {
    const T* row = a + (n * d.C + c) * d.L;
    T part = T(0);  // one plane in T, vectorized (simd reorders the sum), planes combined in double
#pragma omp simd reduction(+ : part)
    for (std::int64_t l = 0; l < d.L; ++l) part += f(row[l], l);
    s += static_cast<double>(part);
  }
  return s;
}

// y[n, c, l] = x[n, c, l] * scale + shift for one channel (+ residual[n, c, l]
// when given, then max(0, .) when Relu).
template <bool Relu, class T>
void channel_affine(const T* x, const BnDims& d, std::int64_t c, T scale, T shift, T* y,
                    const T* residual = nullptr) {
  for (std::int64_t n = 0; n < d.N; ++n) {
    const std::int64_t off = (n * d.C + c) * d.L;
    if (residual != nullptr) {
      for (std::int64_t l = 0; l < d.L; ++l) {
        const T v = (x[off + l] * scale + shift) + residual[off + l];
        y[off + l] = Relu ? (v > T(0) ? v : T(0)) : v;
      }
      continue;
    }
    for (std::int64_t l = 0; l < d.L; ++l) {
      const T v = x[off + l] * scale + shift;
      y[off + l] = Relu ? (v > T(0) ? v : T(0)) : v;
    }
  }
}

// residual: added before the relu (batchnorm_add_relu_forward_train), or undefined.
template <bool Relu>
void forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps,
                   double momentum, Tensor& running_mean, Tensor& running_var, Tensor& y,
                   Tensor& save_mean, Tensor& save_invstd, const Tensor& residual = Tensor()) {
  const char* op = !Relu                ? "batchnorm_forward_train"
                   : residual.defined() ? "batchnorm_add_relu_forward_train"
                                        : "batchnorm_relu_forward_train";
  const BnDims d = bn_dims(x, op);
  const std::int64_t M = d.N * d.L;
  GL_CHECK(M > 1, "{} (cpu): need more than one value per channel, x is {}", op, describe(x));
  dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const T *xp = ptr<T>(x), *gp = opt<T>(gamma), *bp = opt<T>(beta), *rp = opt<T>(residual);
    T *rm = opt<T>(running_mean), *rv = opt<T>(running_var), *sm = opt<T>(save_mean),
      *si = opt<T>(save_invstd), *yp = opt<T>(y);
#pragma omp parallel for schedule(static) if (x.numel() >= kParallelMin)
    for (std::int64_t c = 0; c < d.C; ++c) {
      const double mean = channel_sum(xp, d, c, [](T v, std::int64_t) { return v; }) / M;
      const T mt = static_cast<T>(mean);
      const double var =
          channel_sum(xp, d, c, [mt](T v, std::int64_t) { return (v - mt) * (v - mt); }) / M;
      const double invstd = 1.0 / std::sqrt(var + eps);
      if (sm != nullptr) sm[c] = static_cast<T>(mean);
      if (si != nullptr) si[c] = static_cast<T>(invstd);
      if (rm != nullptr) rm[c] = static_cast<T>((1 - momentum) * rm[c] + momentum * mean);
      if (rv != nullptr) {
        rv[c] = static_cast<T>((1 - momentum) * rv[c] + momentum * var * M / (M - 1));
      }
      if (yp != nullptr) {
        const double g = gp != nullptr ? gp[c] : 1.0, b = bp != nullptr ? bp[c] : 0.0;
        channel_affine<Relu>(xp, d, c, static_cast<T>(g * invstd),
                             static_cast<T>(b - mean * invstd * g), yp, rp);
      }
    }
  });
}

}  // namespace

void CpuBackend::batchnorm_forward_eval(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                        const Tensor& running_mean, const Tensor& running_var,
                                        double eps, Tensor& y) {
  const BnDims d = bn_dims(x, "batchnorm_forward_eval");
  dispatch_float(x.dtype(), "batchnorm_forward_eval", [&](auto tag) {
    using T = decltype(tag);
    const T *xp = ptr<T>(x), *gp = opt<T>(gamma), *bp = opt<T>(beta);
    const T *rm = ptr<T>(running_mean), *rv = ptr<T>(running_var);
    T* yp = ptr<T>(y);
#pragma omp parallel for schedule(static) if (x.numel() >= kParallelMin)
    for (std::int64_t c = 0; c < d.C; ++c) {
      const double invstd = 1.0 / std::sqrt(static_cast<double>(rv[c]) + eps);
      const double g = gp != nullptr ? gp[c] : 1.0, b = bp != nullptr ? bp[c] : 0.0;
      channel_affine<false>(xp, d, c, static_cast<T>(g * invstd),
                            static_cast<T>(b - rm[c] * invstd * g), yp);
    }
  });
}

namespace {

// y: the fused forward's output when Relu (dy is masked by y > 0), else unused.
// dresidual (Relu only, may be undefined): receives the masked dy.
template <bool Relu>
void backward(const Tensor& x, const Tensor& gamma, const Tensor& save_mean,
              const Tensor& save_invstd, const Tensor& y, const Tensor& dy, Tensor& dx,
              Tensor& dgamma, Tensor& dbeta, const Tensor& dresidual = Tensor()) {
  const char* op = !Relu                 ? "batchnorm_backward"
                   : dresidual.defined() ? "batchnorm_add_relu_backward"
                                         : "batchnorm_relu_backward";
  const BnDims d = bn_dims(x, op);
  const std::int64_t M = d.N * d.L;
  dispatch_float(x.dtype(), op, [&](auto tag) {
    using T = decltype(tag);
    const T *xp = ptr<T>(x), *gp = opt<T>(gamma), *mp = ptr<T>(save_mean),
            *ip = ptr<T>(save_invstd), *dyp = ptr<T>(dy), *yp = Relu ? ptr<T>(y) : nullptr;
    T *dxp = opt<T>(dx), *dgp = opt<T>(dgamma), *dbp = opt<T>(dbeta), *drp = opt<T>(dresidual);
    // dy' = [y > 0] dy for the fused relu, dy itself otherwise: both loads
    // unconditional and the choice a select, so the loops vectorize. (Called
    // through a per-channel copy: read through the closure shared by the
    // OpenMP threads, GCC reloads the pointers every element and gives up.)
    const auto grad_shared = [yp, dyp](std::int64_t i) {
      const T g = dyp[i];
      if constexpr (Relu) {
        const T y = yp[i];
        return y > T(0) ? g : T(0);
      } else {
        (void)yp;  // captured for the fused relu only
        return g;
      }
    };
#pragma omp parallel for schedule(static) if (x.numel() >= kParallelMin)
    for (std::int64_t c = 0; c < d.C; ++c) {
      const auto grad = grad_shared;
      const T* xs = xp;
      const T mean = mp[c], invstd = ip[c];
      // sum dy, and sum dy * xhat computed as invstd * sum dy (x - mean), in one pass.
      double sum_dy = 0.0, sum_dy_xmu = 0.0;
      for (std::int64_t n = 0; n < d.N; ++n) {
        const std::int64_t off = (n * d.C + c) * d.L;
        T part_dy = T(0), part_xmu = T(0);
        if (drp != nullptr) {
          T* dr = drp;
#pragma omp simd reduction(+ : part_dy, part_xmu)
          for (std::int64_t l = 0; l < d.L; ++l) {
            const T g = grad(off + l);
            dr[off + l] = g;
            part_dy += g;
            part_xmu += g * (xs[off + l] - mean);
          }
        } else {
#pragma omp simd reduction(+ : part_dy, part_xmu)
          for (std::int64_t l = 0; l < d.L; ++l) {
            const T g = grad(off + l);
            part_dy += g;
            part_xmu += g * (xs[off + l] - mean);
          }
        }
        sum_dy += static_cast<double>(part_dy);
        sum_dy_xmu += static_cast<double>(part_xmu);
      }
      const double dgamma_c = sum_dy_xmu * invstd;
      if (dbp != nullptr) dbp[c] = static_cast<T>(sum_dy);
      if (dgp != nullptr) dgp[c] = static_cast<T>(dgamma_c);
      if (dxp != nullptr) {
        // dx = k * (dy - sum_dy/M - (x - mean) * invstd^2 * sum_dy_xmu / M), k = gamma invstd.
        const double g = gp != nullptr ? gp[c] : 1.0;
        const T k = static_cast<T>(g * invstd);
        const T mean_dy = static_cast<T>(sum_dy / M);
        const T proj = static_cast<T>(static_cast<double>(invstd) * invstd * sum_dy_xmu / M);
        for (std::int64_t n = 0; n < d.N; ++n) {
          const std::int64_t off = (n * d.C + c) * d.L;
          for (std::int64_t l = 0; l < d.L; ++l) {
            dxp[off + l] = k * (grad(off + l) - mean_dy - (xs[off + l] - mean) * proj);
          }
        }
      }
    }
  });
}

}  // namespace

void CpuBackend::batchnorm_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                         double eps, double momentum, Tensor& running_mean,
                                         Tensor& running_var, Tensor& y, Tensor& save_mean,
                                         Tensor& save_invstd) {
  forward_train<false>(x, gamma, beta, eps, momentum, running_mean, running_var, y, save_mean,
                       save_invstd);
}

void CpuBackend::batchnorm_relu_forward_train(const Tensor& x, const Tensor& gamma,
                                              const Tensor& beta, double eps, double momentum,
                                              Tensor& running_mean, Tensor& running_var,
                                              Tensor& y, Tensor& save_mean, Tensor& save_invstd) {
  forward_train<true>(x, gamma, beta, eps, momentum, running_mean, running_var, y, save_mean,
                      save_invstd);
}

void CpuBackend::batchnorm_backward(const Tensor& x, const Tensor& gamma, const Tensor& save_mean,
                                    const Tensor& save_invstd, const Tensor& dy, Tensor& dx,
                                    Tensor& dgamma, Tensor& dbeta) {
  backward<false>(x, gamma, save_mean, save_invstd, Tensor(), dy, dx, dgamma, dbeta);
}

void CpuBackend::batchnorm_relu_backward(const Tensor& x, const Tensor& gamma,
                                         const Tensor& save_mean, const Tensor& save_invstd,
                                         const Tensor& y, const Tensor& dy, Tensor& dx,
                                         Tensor& dgamma, Tensor& dbeta) {
  backward<true>(x, gamma, save_mean, save_invstd, y, dy, dx, dgamma, dbeta);
}

void CpuBackend::batchnorm_add_relu_forward_train(const Tensor& x, const Tensor& gamma,
                                                  const Tensor& beta, const Tensor& residual,
                                                  double eps, double momentum, Tensor& running_mean,
                                                  Tensor& running_var, Tensor& y, Tensor& save_mean,
                                                  Tensor& save_invstd) {
  forward_train<true>(x, gamma, beta, eps, momentum, running_mean, running_var, y, save_mean,
                      save_invstd, residual);
}

void CpuBackend::batchnorm_add_relu_backward(const Tensor& x, const Tensor& gamma,
                                             const Tensor& save_mean, const Tensor& save_invstd,
                                             const Tensor& y, const Tensor& dy, Tensor& dx,
                                             Tensor& dgamma, Tensor& dbeta, Tensor& dresidual) {
  backward<true>(x, gamma, save_mean, save_invstd, y, dy, dx, dgamma, dbeta, dresidual);
}

}  // namespace gl::cpu
