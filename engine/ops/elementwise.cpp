// Elementwise ops with NumPy broadcasting. Gradients of broadcast inputs are
// summed back to the input's shape (sum_to).
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {
Tensor binary_forward(BinaryOp op, const char* name, const Tensor& a, const Tensor& b) {
  Backend& be = require_compatible(name, {&a, &b});
  Tensor out = empty_like_shape(a, broadcast_shapes(a.shape(), b.shape(), name));
  be.binary(op, a, b, out);
  return out;
}

Tensor unary_forward(UnaryOp op, const char* name, const Tensor& a, double scalar) {
  Backend& be = require_compatible(name, {&a});
  Tensor out = empty_like_shape(a, a.shape());
  be.unary(op, a, out, scalar);
  return out;
}

// Which of x and y = op(x) the derivative reads (Backend::unary_backward):
// only those are saved, and checked for in-place writes before backward.
bool derivative_reads_y(UnaryOp op) { return op == UnaryOp::tanh || op == UnaryOp::sigmoid || op == UnaryOp::exp; }
bool derivative_reads_x(UnaryOp op) {
  return op == UnaryOp::relu || op == UnaryOp::log || op == UnaryOp::sqrt || op == UnaryOp::pow_scalar;
}

// Records y = op(x) with the backend's fused derivative kernel.
Tensor unary(UnaryOp op, const char* name, const Tensor& x, double scalar = 0.0) {
  Tensor y = unary_forward(op, name, x, scalar);
  if (!needs_grad(x)) return y;
  const SavedTensor sx = derivative_reads_x(op) ? SavedTensor(x, name) : SavedTensor();
  const SavedTensor sy = derivative_reads_y(op) ? SavedTensor(y, name) : SavedTensor();
  return record(y, name, {x}, [op, scalar, sx, sy, xs = x.shape()](const Tensor& g) {
    Tensor gx = empty_like_shape(g, xs);
    backend(g.device()).unary_backward(op, sx.get(), sy.get(), g, gx, scalar);
    return std::vector<Tensor>{gx};
  }, op == UnaryOp::pow_scalar || op == UnaryOp::mul_scalar || op == UnaryOp::add_scalar
         ? fmt::format("{}", scalar) : "");
}
}  // namespace

// d(a+b) = g, g
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::add, "add", a, b);
  return record(out, "add", {a, b}, [as = a.shape(), bs = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, as), sum_to(g, bs)};
  });
}

// d(a-b) = g, -g
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::sub, "sub", a, b);
  return record(out, "sub", {a, b}, [as = a.shape(), bs = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{sum_to(g, as), sum_to(neg(g), bs)};
  });
}

// d(a*b) = g*b, g*a
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::mul, "mul", a, b);
  const bool ga = needs_grad(a), gb = needs_grad(b);
  if (!ga && !gb) return out;
  // d/da reads b and d/db reads a: save only what a needed gradient reads.
  const SavedTensor sa = gb ? SavedTensor(a, "mul") : SavedTensor(), sb = ga ? SavedTensor(b, "mul") : SavedTensor();
  return record(out, "mul", {a, b}, [ga, gb, sa, sb, as = a.shape(), bs = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{ga ? sum_to(mul(g, sb.get()), as) : Tensor(),
                               gb ? sum_to(mul(g, sa.get()), bs) : Tensor()};
  });
}

// d(a/b) = g/b, -g*(a/b)/b
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(BinaryOp::div, "div", a, b);
  const bool ga = needs_grad(a), gb = needs_grad(b);
  if (!ga && !gb) return out;
  const SavedTensor sb(b, "div"), sout = gb ? SavedTensor(out, "div") : SavedTensor();
  return record(out, "div", {a, b}, [ga, gb, sb, sout, as = a.shape(), bs = b.shape()](const Tensor& g) {
    const Tensor& b = sb.get();
    return std::vector<Tensor>{ga ? sum_to(div(g, b), as) : Tensor(),
                               gb ? sum_to(neg(div(mul(g, sout.get()), b)), bs) : Tensor()};
  });
}

Tensor add_scalar(const Tensor& a, double s) { return unary(UnaryOp::add_scalar, "add_scalar", a, s); }
Tensor mul_scalar(const Tensor& a, double s) { return unary(UnaryOp::mul_scalar, "mul_scalar", a, s); }
Tensor neg(const Tensor& a) { return unary(UnaryOp::neg, "neg", a); }
Tensor exp(const Tensor& a) { return unary(UnaryOp::exp, "exp", a); }        // d = g * y
Tensor log(const Tensor& a) { return unary(UnaryOp::log, "log", a); }        // d = g / x
Tensor sqrt(const Tensor& a) { return unary(UnaryOp::sqrt, "sqrt", a); }     // d = g / (2 sqrt x)
Tensor pow(const Tensor& a, double p) { return unary(UnaryOp::pow_scalar, "pow", a, p); }  // d = g p x^(p-1)
Tensor tanh(const Tensor& a) { return unary(UnaryOp::tanh, "tanh", a); }     // d = g (1 - y^2)
Tensor sigmoid(const Tensor& a) { return unary(UnaryOp::sigmoid, "sigmoid", a); }  // d = g y (1 - y)
Tensor relu(const Tensor& a) { return unary(UnaryOp::relu, "relu", a); }     // d = g [x > 0]

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& a) { return neg(a); }
Tensor operator+(const Tensor& a, double s) { return add_scalar(a, s); }
Tensor operator+(double s, const Tensor& a) { return add_scalar(a, s); }
Tensor operator-(const Tensor& a, double s) { return add_scalar(a, -s); }
Tensor operator-(double s, const Tensor& a) { return add_scalar(neg(a), s); }
Tensor operator*(const Tensor& a, double s) { return mul_scalar(a, s); }
Tensor operator*(double s, const Tensor& a) { return mul_scalar(a, s); }
Tensor operator/(const Tensor& a, double s) { return mul_scalar(a, 1.0 / s); }

}  // namespace gl
