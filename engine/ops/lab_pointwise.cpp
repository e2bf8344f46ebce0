// Pointwise functions beyond ops.h: abs, sign, rounding, trigonometry, log1p,
// expm1, exp2/log2/log10/rsqrt, pow with a tensor exponent, and the
// activations (leaky_relu, elu, gelu, silu, softplus). New elementwise values
// come from Backend::math; derivatives are composed from other ops.
#include <cmath>
#include <numbers>

#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

namespace {
Tensor lab_math(MathOp op, const char* name, const Tensor& a) {
  GL_CHECK(a.defined(), "{}: input is undefined", name);
  Tensor out = Tensor::empty(a.shape(), a.dtype(), a.device());
  backend(a.device()).math(op, a, out, 0.0, 0.0);
  return out;
}

// y = op(x) with dy/dx = deriv(x, y) (composed from ops, run without recording).
template <class Deriv> Tensor lab_unary(MathOp op, const char* name, const Tensor& a, Deriv deriv) {
  require_float(name, a);
  Tensor y = lab_math(op, name, a);
  if (!needs_grad(a)) return y;
  const SavedTensor sx(a, name), sy(y, name);
  return record(y, name, {a}, [sx, sy, deriv](const Tensor& g) {
    return std::vector<Tensor>{mul(g, deriv(sx.get(), sy.get()))};
  });
}

// An op with a zero gradient (sign, floor, ceil, round): PyTorch returns zeros.
Tensor flat_op(MathOp op, const char* name, const Tensor& a) {
  Tensor y = lab_math(op, name, a);
  if (!needs_grad(a)) return y;
  return record(y, name, {a}, [](const Tensor& g) { return std::vector<Tensor>{mul_scalar(g, 0.0)}; });
}
}  // namespace

// d|x| = sign(x) (0 at 0)
Tensor abs(const Tensor& a) {
  if (!is_floating(a.dtype())) return lab_math(MathOp::abs, "abs", a);
  return lab_unary(MathOp::abs, "abs", a, [](const Tensor& x, const Tensor&) { return lab_math(MathOp::sign, "abs", x); });
}
Tensor sign(const Tensor& a) { return flat_op(MathOp::sign, "sign", a); }
Tensor floor(const Tensor& a) { return flat_op(MathOp::floor, "floor", a); }
Tensor ceil(const Tensor& a) { return flat_op(MathOp::ceil, "ceil", a); }
Tensor round(const Tensor& a) { return flat_op(MathOp::round, "round", a); }
// d sin = cos x; d cos = -sin x; d tan = 1 + tan^2 x
Tensor sin(const Tensor& a) {
  return lab_unary(MathOp::sin, "sin", a, [](const Tensor& x, const Tensor&) { return lab_math(MathOp::cos, "sin", x); });
}
Tensor cos(const Tensor& a) {
  return lab_unary(MathOp::cos, "cos", a,
                   [](const Tensor& x, const Tensor&) { return neg(lab_math(MathOp::sin, "cos", x)); });
}
Tensor tan(const Tensor& a) {
  return lab_unary(MathOp::tan, "tan", a, [](const Tensor&, const Tensor& y) { return add_scalar(mul(y, y), 1.0); });
}
// d log1p = 1 / (1 + x); d expm1 = y + 1
Tensor log1p(const Tensor& a) {
  return lab_unary(MathOp::log1p, "log1p", a,
                   [](const Tensor& x, const Tensor&) { return pow(add_scalar(x, 1.0), -1.0); });
}
Tensor expm1(const Tensor& a) {
  return lab_unary(MathOp::expm1, "expm1", a, [](const Tensor&, const Tensor& y) { return add_scalar(y, 1.0); });
}
Tensor exp2(const Tensor& a) { return exp(mul_scalar(a, std::numbers::ln2)); }
Tensor log2(const Tensor& a) { return mul_scalar(log(a), 1.0 / std::numbers::ln2); }
Tensor log10(const Tensor& a) { return mul_scalar(log(a), 1.0 / std::numbers::ln10); }
Tensor rsqrt(const Tensor& a) { return pow(a, -0.5); }

// x^0 = 1 with gradient 0 (also at x = 0, where p x^(p-1) would be 0 * inf).
Tensor pow_scalar(const Tensor& a, double p) {
  if (p != 0.0) return pow(a, p);
  require_float("pow", a);
  Tensor y = Tensor::ones(a.shape(), a.dtype(), a.device());
  if (!needs_grad(a)) return y;
  return record(y, "pow", {a}, [](const Tensor& g) { return std::vector<Tensor>{mul_scalar(g, 0.0)}; }, "0");
}

// d/da = b a^(b-1), 0 where b == 0; d/db = y log a, 0 where a == 0 and b >= 0 (PyTorch's pow_backward).
Tensor pow(const Tensor& a, const Tensor& b) {
  Backend& be = require_compatible("pow", {&a, &b});
  Tensor y = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), "pow"), a.dtype(), a.device());
  be.arith(ArithOp::pow, a, b, y);
  const bool ga = needs_grad(a), gb = needs_grad(b);
  if (!ga && !gb) return y;
  const SavedTensor sa(a, "pow"), sb(b, "pow"), sy(y, "pow");
  return record(y, "pow", {a, b}, [ga, gb, sa, sb, sy, as = a.shape(), bs = b.shape()](const Tensor& g) {
    const Tensor& x = sa.get();
    const Tensor& e = sb.get();
    const Tensor zero = scalar_like(0.0, g);
    Tensor da, db;
    if (ga) da = sum_to(where(eq(e, zero), zero, mul(g, mul(e, pow(x, sub(e, scalar_like(1.0, e)))))), as);
    if (gb) {
      const Tensor skip = logical_and(eq(x, zero), ge(e, zero));
      db = sum_to(where(skip, zero, mul(g, mul(sy.get(), log(x)))), bs);
    }
    return std::vector<Tensor>{da, db};
  });
}

Tensor rpow(double s, const Tensor& b) {
  require_float("pow", b);
  return pow(Tensor::full({}, s, b.dtype(), b.device()), b);
}

// leaky_relu = x if x > 0 else slope * x (the slope at 0, PyTorch's)
Tensor leaky_relu(const Tensor& a, double negative_slope) {
  require_float("leaky_relu", a);
  return where(gt(a, scalar_like(0.0, a)), a, mul_scalar(a, negative_slope));
}

// elu = x if x > 0 else alpha (e^x - 1); exp reads min(x, 0) so the unused branch stays finite.
Tensor elu(const Tensor& a, double alpha) {
  require_float("elu", a);
  const Tensor neg_part = mul_scalar(expm1(clamp(a, std::nullopt, 0.0)), alpha);
  return where(gt(a, scalar_like(0.0, a)), a, neg_part);
}

// gelu = x Phi(x) = x (1 + erf(x / sqrt 2)) / 2; d = Phi(x) + x phi(x).
// With tanh_approximation: x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2, composed.
Tensor gelu(const Tensor& a, bool tanh_approximation) {
  require_float("gelu", a);
  if (tanh_approximation) {
    const double k = std::sqrt(2.0 / std::numbers::pi);
    const Tensor inner = mul_scalar(add(a, mul_scalar(pow(a, 3.0), 0.044715)), k);
    return mul(mul_scalar(a, 0.5), add_scalar(tanh(inner), 1.0));
  }
  Tensor cdf = mul_scalar(add_scalar(lab_math(MathOp::erf, "gelu", mul_scalar(a.detach(), 1.0 / std::numbers::sqrt2)), 1.0), 0.5);
  Tensor y = mul(a.detach(), cdf);
  if (!needs_grad(a)) return y;
  const SavedTensor sx(a, "gelu"), scdf(cdf, "gelu");
  return record(y, "gelu", {a}, [sx, scdf](const Tensor& g) {
    const Tensor& x = sx.get();
    const Tensor pdf = mul_scalar(exp(mul_scalar(mul(x, x), -0.5)), 1.0 / std::sqrt(2.0 * std::numbers::pi));
    return std::vector<Tensor>{mul(g, add(scdf.get(), mul(x, pdf)))};
  });
}

Tensor silu(const Tensor& a) {
  require_float("silu", a);
  return mul(a, sigmoid(a));
}

// softplus = log(1 + e^(beta x)) / beta, x itself where beta x > threshold (PyTorch's).
Tensor softplus(const Tensor& a, double beta, double threshold) {
  require_float("softplus", a);
  const Tensor bx = mul_scalar(a, beta);
  const Tensor soft = mul_scalar(log1p(exp(clamp(bx, std::nullopt, threshold))), 1.0 / beta);
  return where(gt(bx, scalar_like(threshold, a)), a, soft);
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  require_same_dtype("isclose", {&a, &b});
  NoGradGuard no_grad;
  const Tensor x = is_floating(a.dtype()) ? a : a.to(DType::f64);
  const Tensor y = is_floating(b.dtype()) ? b : b.to(DType::f64);
  const Tensor diff = abs(sub(x, y));
  const Tensor tol = add_scalar(mul_scalar(abs(y), rtol), atol);
  // eq: equal infinities; the tolerance only between finite values (PyTorch's)
  Tensor close = logical_or(eq(x, y), logical_and(logical_and(isfinite(x), isfinite(y)), le(diff, tol)));
  if (equal_nan) close = logical_or(close, logical_and(isnan(x), isnan(y)));
  return close;
}

}  // namespace gl
