// Unary ops, their backward, and axpy. Each op is a small functor applied by
// one parallel loop; the switch on the op happens once, outside the loop.
#include <cmath>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

// out[i] = f(i) for i < n, in parallel when n is large. Each thread works on
// its own copy of f: the pointers f captured then live in registers (out
// cannot alias a local), so the loop vectorizes; through the shared closure
// GCC reloads them every element and emits scalar code.
template <class T, class F> void map_index(T* out, std::int64_t n, const F& f) {
#pragma omp parallel if (n >= kParallelMin)
  {
    const F local = f;
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) out[i] = local(i);
  }
}

template <class T> void unary_kernel(UnaryOp op, const T* a, T* o, std::int64_t n, T s) {
  switch (op) {
    case UnaryOp::neg: return map_index(o, n, [=](std::int64_t i) { return -a[i]; });
    case UnaryOp::exp: return map_index(o, n, [=](std::int64_t i) { return std::exp(a[i]); });
    case UnaryOp::log: return map_index(o, n, [=](std::int64_t i) { return std::log(a[i]); });
    case UnaryOp::tanh: return map_index(o, n, [=](std::int64_t i) { return std::tanh(a[i]); });
    case UnaryOp::sigmoid:
      // 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) otherwise: no overflow either way.
      return map_index(o, n, [=](std::int64_t i) {
        const T x = a[i];
        if (x >= 0) return T(1) / (T(1) + std::exp(-x));
        const T e = std::exp(x);
        return e / (T(1) + e);
      });
    case UnaryOp::relu:
      return map_index(o, n, [=](std::int64_t i) { return a[i] > T(0) ? a[i] : T(0); });
    case UnaryOp::sqrt: return map_index(o, n, [=](std::int64_t i) { return std::sqrt(a[i]); });
    case UnaryOp::pow_scalar:
      if (s == T(2)) return map_index(o, n, [=](std::int64_t i) { return a[i] * a[i]; });
      return map_index(o, n, [=](std::int64_t i) { return std::pow(a[i], s); });
    case UnaryOp::mul_scalar: return map_index(o, n, [=](std::int64_t i) { return a[i] * s; });
    case UnaryOp::add_scalar: return map_index(o, n, [=](std::int64_t i) { return a[i] + s; });
  }
}

// gi = go * d op / dx, from x (relu, log, sqrt, pow) or y = op(x) (exp, tanh, sigmoid).
template <class T>
void unary_backward_kernel(UnaryOp op, const T* x, const T* y, const T* go, T* gi, std::int64_t n,
                           T s) {
  switch (op) {
    case UnaryOp::neg: return map_index(gi, n, [=](std::int64_t i) { return -go[i]; });
    case UnaryOp::exp: return map_index(gi, n, [=](std::int64_t i) { return go[i] * y[i]; });
    case UnaryOp::log: return map_index(gi, n, [=](std::int64_t i) { return go[i] / x[i]; });
    case UnaryOp::tanh:
      return map_index(gi, n, [=](std::int64_t i) { return go[i] * (T(1) - y[i] * y[i]); });
    case UnaryOp::sigmoid:
      return map_index(gi, n, [=](std::int64_t i) { return go[i] * y[i] * (T(1) - y[i]); });
    case UnaryOp::relu:
      // Both loads unconditional: a select, not a branch (the sign pattern is
      // random, a branch mispredicts half the time and blocks vectorization).
      return map_index(gi, n, [=](std::int64_t i) {
        const T g = go[i];
        return x[i] > T(0) ? g : T(0);
      });
    case UnaryOp::sqrt:  // d sqrt(x) = 1 / (2 sqrt(x))
      return map_index(gi, n, [=](std::int64_t i) { return go[i] / (T(2) * std::sqrt(x[i])); });
    case UnaryOp::pow_scalar:  // d x^s = s x^(s-1)
      return map_index(gi, n,
                       // s = 0: the derivative is 0 everywhere (PyTorch's rule; 0 * 0^-1 would be NaN at 0)
                       [=](std::int64_t i) { return s == T(0) ? T(0) : go[i] * s * std::pow(x[i], s - T(1)); });
    case UnaryOp::mul_scalar: return map_index(gi, n, [=](std::int64_t i) { return go[i] * s; });
    case UnaryOp::add_scalar: return map_index(gi, n, [=](std::int64_t i) { return go[i]; });
  }
}

bool backward_needs_x(UnaryOp op) {
  return op == UnaryOp::relu || op == UnaryOp::log || op == UnaryOp::sqrt ||
         op == UnaryOp::pow_scalar;
}
bool backward_needs_y(UnaryOp op) {
  return op == UnaryOp::exp || op == UnaryOp::tanh || op == UnaryOp::sigmoid;
}

}  // namespace

void CpuBackend::unary(UnaryOp op, const Tensor& a, Tensor& out, double scalar) {
  check_same_numel("unary", a, out);
  dispatch_float(a.dtype(), "unary", [&](auto tag) {
    using T = decltype(tag);
    unary_kernel<T>(op, ptr<T>(a), ptr<T>(out), a.numel(), static_cast<T>(scalar));
  });
}

void CpuBackend::unary_backward(UnaryOp op, const Tensor& x, const Tensor& y,
                                const Tensor& grad_out, Tensor& grad_in, double scalar) {
  check_same_numel("unary_backward", grad_out, grad_in);
  GL_CHECK(!backward_needs_x(op) || x.defined(),
           "unary_backward (cpu): this op's gradient needs the forward input x");
  GL_CHECK(!backward_needs_y(op) || y.defined(),
           "unary_backward (cpu): this op's gradient needs the forward output y");
  dispatch_float(grad_out.dtype(), "unary_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = x.defined() ? ptr<T>(x) : nullptr;
    const T* yp = y.defined() ? ptr<T>(y) : nullptr;
    unary_backward_kernel<T>(op, xp, yp, ptr<T>(grad_out), ptr<T>(grad_in), grad_out.numel(),
                             static_cast<T>(scalar));
  });
}

void CpuBackend::axpy(double alpha, const Tensor& a, Tensor& out) {
  check_same_numel("axpy", a, out);
  dispatch_float(out.dtype(), "axpy", [&](auto tag) {
    using T = decltype(tag);
    const T* ap = ptr<T>(a);
    T* o = ptr<T>(out);
    const T al = static_cast<T>(alpha);
    const std::int64_t n = out.numel();
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (std::int64_t i = 0; i < n; ++i) o[i] += al * ap[i];
  });
}

}  // namespace gl::cpu
