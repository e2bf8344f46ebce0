// Comparisons, logical ops, integer arithmetic, where, maximum/minimum and
// clamp (Backend::compare, arith, select, math). Comparisons give bool and no
// gradient; where/maximum/minimum/clamp pass the gradient to the selected side.
#include <cmath>
#include <limits>

#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

namespace {
Tensor compare_op(CompareOp op, const char* name, const Tensor& a, const Tensor& b) {
  Backend& be = require_same_dtype(name, {&a, &b});
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), name), DType::b8, a.device());
  be.compare(op, a, b, out);
  return out;
}

Tensor math_op(MathOp op, const char* name, const Tensor& a, double s0 = 0.0, double s1 = 0.0) {
  GL_CHECK(a.defined(), "{}: input is undefined", name);
  Tensor out = Tensor::empty(a.shape(), op == MathOp::isnan || op == MathOp::isfinite || op == MathOp::logical_not
                                            ? DType::b8 : a.dtype(), a.device());
  backend(a.device()).math(op, a, out, s0, s1);
  return out;
}

// The float 0/1 mask of a bool tensor, in like's dtype.
Tensor mask_like(const Tensor& b, const Tensor& like) { return b.to(like.dtype()); }
}  // namespace

Tensor eq(const Tensor& a, const Tensor& b) { return compare_op(CompareOp::eq, "eq", a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return compare_op(CompareOp::ne, "ne", a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return compare_op(CompareOp::lt, "lt", a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return compare_op(CompareOp::le, "le", a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return compare_op(CompareOp::gt, "gt", a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return compare_op(CompareOp::ge, "ge", a, b); }
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return compare_op(CompareOp::logical_and, "logical_and", as_dtype(a, DType::b8), as_dtype(b, DType::b8));
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return compare_op(CompareOp::logical_or, "logical_or", as_dtype(a, DType::b8), as_dtype(b, DType::b8));
}
Tensor logical_not(const Tensor& a) { return math_op(MathOp::logical_not, "logical_not", a); }
Tensor isnan(const Tensor& a) { return math_op(MathOp::isnan, "isnan", a); }
Tensor isfinite(const Tensor& a) { return math_op(MathOp::isfinite, "isfinite", a); }

Tensor arith(ArithOp op, const Tensor& a, const Tensor& b) {
  Backend& be = require_same_dtype("arith", {&a, &b});
  GL_CHECK(a.dtype() != DType::b8, "arith: bool tensors {} and {} have no arithmetic; convert with .to(DType::i64)",
           describe(a), describe(b));
  const bool integer = a.dtype() == DType::i32 || a.dtype() == DType::i64;
  if (integer && (op == ArithOp::div || op == ArithOp::floordiv || op == ArithOp::mod)) {
    const Tensor zero = eq(b, scalar_like(0.0, b));
    Tensor any_zero = Tensor::empty({1}, DType::i64, b.device()), hit = Tensor::empty({1}, DType::b8, b.device());
    if (zero.numel() > 0) {
      backend(b.device()).arg_reduce(zero, 1, zero.numel(), 1, false, hit, any_zero);
      GL_CHECK(!(hit.item() != 0.0), "{}: integer division by zero (the divisor {} holds a 0 at flat index {})",
               op == ArithOp::mod ? "remainder" : "floor_divide", describe(b), any_zero.item());
    }
  }
  if (integer && op == ArithOp::pow && b.numel() > 0) {
    Tensor smallest = Tensor::empty({1}, b.dtype(), b.device()), at = Tensor::empty({1}, DType::i64, b.device());
    backend(b.device()).arg_reduce(b, 1, b.numel(), 1, true, smallest, at);
    GL_CHECK(smallest.item() >= 0, "pow: integers to negative integer powers are not allowed ({} ** {}); convert the "
             "base to float first", describe(a), smallest.item());
  }
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), "arith"), a.dtype(), a.device());
  be.arith(op, a, b, out);
  return out;
}
Tensor floor_divide(const Tensor& a, const Tensor& b) { return arith(ArithOp::floordiv, a, b); }
Tensor remainder(const Tensor& a, const Tensor& b) { return arith(ArithOp::mod, a, b); }

// d where = g where cond, 0 elsewhere (for a); the opposite for b.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  Backend& be = require_same_dtype("where", {&a, &b});
  GL_CHECK(cond.defined() && cond.dtype() == DType::b8,
           "where: the condition must be a bool tensor, got {}; compare first (gt, eq, ...)", describe(cond));
  backend_of("where", {&cond, &a});
  const Shape shape = broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape(), "where"), "where");
  Tensor out = Tensor::empty(shape, a.dtype(), a.device());
  be.select(cond, a, b, out);
  const bool ga = needs_grad(a), gb = needs_grad(b);
  if (!ga && !gb) return out;
  return record(out, "where", {a, b}, [cond, ga, gb, as = a.shape(), bs = b.shape()](const Tensor& g) {
    const Tensor zero = scalar_like(0.0, g);
    return std::vector<Tensor>{ga ? sum_to(where(cond, g, zero), as) : Tensor(),
                               gb ? sum_to(where(cond, zero, g), bs) : Tensor()};
  });
}

namespace {
// maximum / minimum: the winner takes the gradient, ties split it in half.
Tensor extremum(ArithOp op, const char* name, const Tensor& a, const Tensor& b) {
  Backend& be = require_same_dtype(name, {&a, &b});
  Tensor out = Tensor::empty(broadcast_shapes(a.shape(), b.shape(), name), a.dtype(), a.device());
  be.arith(op, a, b, out);
  const bool ga = needs_grad(a), gb = needs_grad(b);
  if (!ga && !gb) return out;
  const SavedTensor sa(a, name), sb(b, name);
  return record(out, name, {a, b}, [op, ga, gb, sa, sb, as = a.shape(), bs = b.shape()](const Tensor& g) {
    const Tensor& x = sa.get();
    const Tensor& y = sb.get();
    const Tensor a_wins = mask_like(op == ArithOp::maximum ? gt(x, y) : lt(x, y), g);
    const Tensor tie = mul_scalar(mask_like(eq(x, y), g), 0.5);
    const Tensor wa = add(a_wins, tie);
    const Tensor wb = sub(add_scalar(neg(a_wins), 1.0), tie);  // 1 where b wins, 1/2 at ties
    return std::vector<Tensor>{ga ? sum_to(mul(g, wa), as) : Tensor(), gb ? sum_to(mul(g, wb), bs) : Tensor()};
  });
}
}  // namespace

// bool: maximum is or, minimum is and.
Tensor maximum(const Tensor& a, const Tensor& b) {
  if (a.defined() && b.defined() && a.dtype() == DType::b8 && b.dtype() == DType::b8) return logical_or(a, b);
  return extremum(ArithOp::maximum, "maximum", a, b);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  if (a.defined() && b.defined() && a.dtype() == DType::b8 && b.dtype() == DType::b8) return logical_and(a, b);
  return extremum(ArithOp::minimum, "minimum", a, b);
}

// d clamp = g where lo <= x <= hi.
Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi) {
  GL_CHECK(a.defined(), "clamp: input is undefined");
  GL_CHECK(lo || hi, "clamp: give at least one of min and max");
  const double l = lo ? *lo : -std::numeric_limits<double>::infinity();
  const double h = hi ? *hi : std::numeric_limits<double>::infinity();
  Tensor out = math_op(MathOp::clamp, "clamp", a, l, h);
  if (!needs_grad(a)) return out;
  const SavedTensor sa(a, "clamp");
  return record(out, "clamp", {a}, [sa, l, h](const Tensor& g) {
    const Tensor& x = sa.get();
    const Tensor inside = logical_and(ge(x, scalar_like(l, x)), le(x, scalar_like(h, x)));
    return std::vector<Tensor>{mul(g, mask_like(inside, g))};
  }, fmt::format("{}..{}", l, h));
}

Tensor clamp(const Tensor& a, const Tensor& lo, const Tensor& hi) {
  GL_CHECK(lo.defined() || hi.defined(), "clamp: give at least one of min and max");
  Tensor r = a;
  if (lo.defined()) r = maximum(r, lo);
  if (hi.defined()) r = minimum(r, hi);
  return r;
}

// d hardtanh = g where lo < x < hi (bounds excluded, PyTorch's hardtanh_backward).
Tensor hardtanh(const Tensor& a, double lo, double hi) {
  require_float("hardtanh", a);
  Tensor out = math_op(MathOp::clamp, "hardtanh", a, lo, hi);
  if (!needs_grad(a)) return out;
  const SavedTensor sa(a, "hardtanh");
  return record(out, "hardtanh", {a}, [sa, lo, hi](const Tensor& g) {
    const Tensor& x = sa.get();
    const Tensor inside = logical_and(gt(x, scalar_like(lo, x)), lt(x, scalar_like(hi, x)));
    return std::vector<Tensor>{mul(g, mask_like(inside, g))};
  });
}

}  // namespace gl
