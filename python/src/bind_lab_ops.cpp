// The operations lab code uses beyond the engine's core set (comparisons,
// selections, reductions with indices, index arrays, losses with options,
// dtype promotion in the operators): bound here under PyTorch's names and
// keyword arguments. Indexing (t[...], t[...] = v) is python/gradlab/_indexing.py
// over the `_take` / `_index_put_` bound here; gradlab.autograd.Function is
// python/gradlab/autograd.py over `_custom_function`.
#include <cstring>
#include <optional>
#include <string>

#include "batches.h"
#include "bindings.h"
#include "engine/ops/lab_util.h"
#include "cifar_io.h"

namespace gradlab_py {
namespace {

using OptTensor = std::optional<gl::Tensor>;
using Release = py::call_guard<ReleaseGil>;

// Replaces a function or method (pybind11's def would add an overload after the old one).
// Only names defined on the scope itself (not inherited ones, such as object.__eq__).
void drop(py::handle scope, const char* name) {
  if (py::reinterpret_borrow<py::object>(scope).attr("__dict__").contains(name)) py::delattr(scope, name);
}

int rank_of(gl::DType t) {  // bool < integers < floats; wider wins within a kind
  switch (t) {
    case gl::DType::b8: return 0;
    case gl::DType::i32: return 1;
    case gl::DType::i64: return 2;
    case gl::DType::f32: return 3;
    case gl::DType::f64: return 4;
  }
  return 0;
}
bool is_int(gl::DType t) { return t == gl::DType::i32 || t == gl::DType::i64; }

bool is_py_scalar(const py::handle& v) {
  return PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr()) || PyBool_Check(v.ptr()) ||
         py::isinstance(v, py::module_::import("numpy").attr("generic"));
}

// The kind of a Python scalar: bool, int or float (numpy scalars by their dtype kind).
gl::DType scalar_kind(const py::handle& v) {
  if (PyBool_Check(v.ptr())) return gl::DType::b8;
  if (PyLong_Check(v.ptr())) return gl::DType::i64;
  if (PyFloat_Check(v.ptr())) return gl::DType::f64;
  const std::string kind = py::str(v.attr("dtype").attr("kind"));
  if (kind == "b") return gl::DType::b8;
  if (kind == "i" || kind == "u") return gl::DType::i64;
  if (kind == "f") return gl::DType::f64;
  throw py::type_error("gradlab: cannot use " + std::string(py::repr(v)) + " as a number here");
}

// A tensor converted for an operation (no graph: only tensors that do not require grad are converted).
gl::Tensor converted(const gl::Tensor& t, gl::DType d, const char* op) {
  if (t.dtype() == d) return t;
  if (t.requires_grad())
    throw py::value_error(std::string(op) + ": " + gl::describe(t) + " requires grad and cannot be converted to " +
                          gl::dtype_name(d) + " on the fly (the conversion is not differentiable); convert the other "
                          "operand, or call .to('" + gl::dtype_name(d) + "') yourself");
  return t.to(d);
}

// The two operands of a Python operator, converted to one dtype as PyTorch promotes:
// Python numbers are "weak" (an int tensor stays int with an int, becomes float32 with a float);
// between tensors the higher kind wins (bool < int32 < int64 < float32 < float64).
// numpy arrays and lists next to a float tensor take its dtype (as before).
struct Operands {
  gl::Tensor a, b;
  bool b_is_number = false;
  double number = 0;
};
std::optional<Operands> operands(const gl::Tensor& self, const py::object& other, const char* op) {
  Operands r;
  gl::Tensor b;
  if (py::isinstance<gl::Tensor>(other)) {
    b = other.cast<gl::Tensor>();
  } else if (is_py_scalar(other)) {
    const gl::DType kind = scalar_kind(other);
    r.b_is_number = true;
    r.number = other.cast<double>();
    gl::DType target = self.dtype();
    if (rank_of(kind) > rank_of(self.dtype()))
      target = kind == gl::DType::f64 ? gl::DType::f32 : (kind == gl::DType::i64 ? gl::DType::i64 : kind);
    r.a = converted(self, target, op);
    if (is_int(target) && kind == gl::DType::i64) {  // exact, and range-checked for the target
      r.b = tensor_from_python(py::int_(other), py::cast(target), false, py::cast(self.device()));
    } else {
      r.b = gl::Tensor::scalar(r.number, target, self.device());
    }
    return r;
  } else if (py::isinstance<py::array>(other) || py::isinstance<py::list>(other) || py::isinstance<py::tuple>(other)) {
    b = gl::is_floating(self.dtype()) ? as_tensor(other, self)
                                      : tensor_from_python(other, py::none(), false, py::cast(self.device()));
  } else {
    return std::nullopt;
  }
  // float32 next to float64 stays an error (convert explicitly, as the core ops ask).
  if (gl::is_floating(b.dtype()) && gl::is_floating(self.dtype())) {
    r.a = self;
    r.b = b;
    return r;
  }
  const gl::DType target = rank_of(b.dtype()) > rank_of(self.dtype()) ? b.dtype() : self.dtype();
  r.a = converted(self, target, op);
  r.b = converted(b, target, op);
  return r;
}

enum class PyOp { add, sub, mul, truediv, floordiv, mod, pow, eq, ne, lt, le, gt, ge, and_, or_, xor_ };

const char* op_name(PyOp op) {
  switch (op) {
    case PyOp::add: return "add";
    case PyOp::sub: return "sub";
    case PyOp::mul: return "mul";
    case PyOp::truediv: return "div";
    case PyOp::floordiv: return "floor_divide";
    case PyOp::mod: return "remainder";
    case PyOp::pow: return "pow";
    case PyOp::eq: return "eq";
    case PyOp::ne: return "ne";
    case PyOp::lt: return "lt";
    case PyOp::le: return "le";
    case PyOp::gt: return "gt";
    case PyOp::ge: return "ge";
    case PyOp::and_: return "logical_and";
    case PyOp::or_: return "logical_or";
    case PyOp::xor_: return "logical_xor";
  }
  return "?";
}

// x op y on tensors of one dtype.
gl::Tensor apply(PyOp op, const gl::Tensor& x, const gl::Tensor& y) {
  const bool fl = gl::is_floating(x.dtype());
  switch (op) {
    case PyOp::add: return fl ? gl::add(x, y) : gl::arith(gl::ArithOp::add, x, y);
    case PyOp::sub: return fl ? gl::sub(x, y) : gl::arith(gl::ArithOp::sub, x, y);
    case PyOp::mul: return fl ? gl::mul(x, y) : gl::arith(gl::ArithOp::mul, x, y);
    case PyOp::truediv: return fl ? gl::div(x, y) : gl::div(x.to(gl::DType::f32), y.to(gl::DType::f32));
    case PyOp::floordiv: return gl::floor_divide(x, y);
    case PyOp::mod: return gl::remainder(x, y);
    case PyOp::pow: return fl ? gl::pow(x, y) : gl::arith(gl::ArithOp::pow, x, y);
    case PyOp::eq: return gl::eq(x, y);
    case PyOp::ne: return gl::ne(x, y);
    case PyOp::lt: return gl::lt(x, y);
    case PyOp::le: return gl::le(x, y);
    case PyOp::gt: return gl::gt(x, y);
    case PyOp::ge: return gl::ge(x, y);
    case PyOp::and_: return gl::logical_and(x, y);
    case PyOp::or_: return gl::logical_or(x, y);
    case PyOp::xor_: return gl::ne(x.to(gl::DType::b8), y.to(gl::DType::b8));
  }
  return x;
}

// The scalar fast paths of float tensors (one graph node, as before).
std::optional<gl::Tensor> float_scalar(PyOp op, const gl::Tensor& x, double s, bool reflected) {
  if (!gl::is_floating(x.dtype())) return std::nullopt;
  switch (op) {
    case PyOp::add: return gl::add_scalar(x, s);
    case PyOp::sub: return reflected ? gl::add_scalar(gl::neg(x), s) : gl::add_scalar(x, -s);
    case PyOp::mul: return gl::mul_scalar(x, s);
    case PyOp::truediv: return reflected ? gl::mul_scalar(gl::pow(x, -1.0), s) : gl::mul_scalar(x, 1.0 / s);
    case PyOp::pow: return reflected ? gl::rpow(s, x) : gl::pow_scalar(x, s);
    default: return std::nullopt;
  }
}

py::object binary_op(PyOp op, const gl::Tensor& self, const py::object& other, bool reflected) {
  if (op == PyOp::and_ || op == PyOp::or_ || op == PyOp::xor_) {
    if (self.dtype() != gl::DType::b8)
      throw py::type_error(std::string("gradlab: & | ^ work on bool tensors (logical and/or/xor), got ") +
                           gl::describe(self) + "; compare first (t > 0) or use logical_and");
  }
  auto ops = operands(self, other, op_name(op));
  if (!ops) return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  if (ops->b_is_number && ops->a.dtype() == self.dtype())
    if (auto r = float_scalar(op, ops->a, ops->number, reflected)) return py::cast(*r);
  const gl::Tensor& x = reflected ? ops->b : ops->a;
  const gl::Tensor& y = reflected ? ops->a : ops->b;
  return py::cast(apply(op, x, y));
}

// dim=None / int; axes from dim (int, list or tuple) for reductions.
std::vector<int> dims_from(const py::object& dim) {
  if (dim.is_none()) return {};
  if (py::isinstance<py::int_>(dim)) return {dim.cast<int>()};
  try {
    return dim.cast<std::vector<int>>();
  } catch (py::cast_error&) {
    throw py::type_error("gradlab: dim must be an int or a sequence of ints, got " + std::string(py::repr(dim)));
  }
}

gl::Reduction reduction_from(const std::string& r, const char* op) {
  if (r == "mean") return gl::Reduction::mean;
  if (r == "sum") return gl::Reduction::sum;
  if (r == "none") return gl::Reduction::none;
  throw py::value_error(std::string(op) + ": reduction must be 'mean', 'sum' or 'none', got '" + r + "'");
}

// A tensor argument that may be a number or array (converted like `like`).
gl::Tensor arg(const py::object& v, const gl::Tensor& like) {
  if (py::isinstance<gl::Tensor>(v)) return v.cast<gl::Tensor>();
  if (is_py_scalar(v)) {
    auto ops = operands(like, v, "gradlab");
    return ops->b;
  }
  return as_tensor(v, like);
}

// Two tensor-or-number operands brought to one dtype (where, maximum, ...).
std::pair<gl::Tensor, gl::Tensor> pair_args(const py::object& a, const py::object& b, const char* op) {
  if (!py::isinstance<gl::Tensor>(a) && !py::isinstance<gl::Tensor>(b)) {
    if (!is_py_scalar(a) || !is_py_scalar(b))
      throw py::type_error(std::string(op) + ": at least one operand must be a Tensor or both numbers");
    // two numbers: 0-d tensors of their kind (ints int64, floats float32, as PyTorch)
    const bool floats = scalar_kind(a) == gl::DType::f64 || scalar_kind(b) == gl::DType::f64;
    const py::object dt = py::cast(floats ? gl::DType::f32 : gl::DType::i64);
    return {tensor_from_python(a, dt, false, py::none()), tensor_from_python(b, dt, false, py::none())};
  }
  if (py::isinstance<gl::Tensor>(a)) {
    auto ops = operands(a.cast<gl::Tensor>(), b, op);
    if (!ops) throw py::type_error(std::string(op) + ": cannot use " + std::string(py::repr(b)) + " as a tensor");
    return {ops->a, ops->b};
  }
  auto ops = operands(b.cast<gl::Tensor>(), a, op);
  if (!ops) throw py::type_error(std::string(op) + ": cannot use " + std::string(py::repr(a)) + " as a tensor");
  return {ops->b, ops->a};
}

// (values, indices) as a named tuple, as torch.return_types; the class is made once.
py::object values_indices(const gl::ValuesIndices& r) {
  static py::object* cls = new py::object(
      py::module_::import("collections").attr("namedtuple")("return_types", "values indices"));
  return (*cls)(r.values, r.indices);
}

// The Python callable of a custom Function's backward, freed with the GIL held
// (graph nodes may die in a backward that runs without it).
std::shared_ptr<py::object> hold(const py::object& f) {
  return std::shared_ptr<py::object>(new py::object(f), [](py::object* p) {
    if (!Py_IsInitialized()) return;  // interpreter gone: leak rather than crash
    py::gil_scoped_acquire gil;
    delete p;
  });
}

}  // namespace

void bind_lab_ops(py::module_& m) {
  // ---- dtypes: int64 and bool ---------------------------------------------------------
  {
    py::object dtype_cls = m.attr("DType");
    py::dict entries = dtype_cls.attr("__entries");
    entries["int64"] = py::make_tuple(py::cast(gl::DType::i64), py::none());
    entries["bool"] = py::make_tuple(py::cast(gl::DType::b8), py::none());
    py::setattr(dtype_cls, "int64", py::cast(gl::DType::i64));
    py::setattr(dtype_cls, "bool", py::cast(gl::DType::b8));
    m.attr("int64") = gl::DType::i64;
    m.attr("long") = gl::DType::i64;
    m.attr("bool_") = gl::DType::b8;  // gradlab.bool is set in python (not exported by `import *`)
  }
  auto cls = py::reinterpret_borrow<py::class_<gl::Tensor>>(m.attr("Tensor"));

  // ---- operators ----------------------------------------------------------------------
  struct OpDef {
    const char* name;
    PyOp op;
    bool reflected;
  };
  for (const OpDef& d : {OpDef{"__add__", PyOp::add, false}, OpDef{"__radd__", PyOp::add, true},
                         OpDef{"__sub__", PyOp::sub, false}, OpDef{"__rsub__", PyOp::sub, true},
                         OpDef{"__mul__", PyOp::mul, false}, OpDef{"__rmul__", PyOp::mul, true},
                         OpDef{"__truediv__", PyOp::truediv, false}, OpDef{"__rtruediv__", PyOp::truediv, true},
                         OpDef{"__floordiv__", PyOp::floordiv, false}, OpDef{"__rfloordiv__", PyOp::floordiv, true},
                         OpDef{"__mod__", PyOp::mod, false}, OpDef{"__rmod__", PyOp::mod, true},
                         OpDef{"__pow__", PyOp::pow, false}, OpDef{"__rpow__", PyOp::pow, true},
                         OpDef{"__eq__", PyOp::eq, false}, OpDef{"__ne__", PyOp::ne, false},
                         OpDef{"__lt__", PyOp::lt, false}, OpDef{"__le__", PyOp::le, false},
                         OpDef{"__gt__", PyOp::gt, false}, OpDef{"__ge__", PyOp::ge, false},
                         OpDef{"__and__", PyOp::and_, false}, OpDef{"__rand__", PyOp::and_, true},
                         OpDef{"__or__", PyOp::or_, false}, OpDef{"__ror__", PyOp::or_, true},
                         OpDef{"__xor__", PyOp::xor_, false}, OpDef{"__rxor__", PyOp::xor_, true}}) {
    drop(cls, d.name);
    const PyOp op = d.op;
    const bool reflected = d.reflected;
    cls.def(d.name, [op, reflected](const gl::Tensor& a, const py::object& b) { return binary_op(op, a, b, reflected); },
            py::is_operator());
  }
  cls.def("__hash__", [](const gl::Tensor& t) { return reinterpret_cast<std::intptr_t>(t.impl()); });
  cls.def("__invert__", [](const gl::Tensor& t) {
    if (t.dtype() != gl::DType::b8) throw py::type_error("gradlab: ~ works on bool tensors, got " + gl::describe(t));
    return gl::logical_not(t);
  });
  cls.def("__abs__", [](const gl::Tensor& t) { return gl::abs(t); });
  cls.def("__bool__", [](const gl::Tensor& t) {
    if (t.numel() != 1)
      throw py::value_error("gradlab: the truth value of a tensor with " + std::to_string(t.numel()) +
                            " elements is ambiguous; use .any() or .all()");
    return t.item() != 0.0;
  });
  drop(cls, "__int__");
  cls.def("__int__", [](const gl::Tensor& t) -> py::object {
    if (!gl::is_floating(t.dtype())) return py::int_(tensor_to_numpy(t, false).attr("item")());
    PyObject* r = PyNumber_Long(py::float_(t.item()).ptr());
    if (r == nullptr) throw py::error_already_set();
    return py::reinterpret_steal<py::object>(r);
  });
  cls.def("__index__", [](const gl::Tensor& t) -> py::object {
    if (!is_int(t.dtype()) || t.dim() != 0)
      throw py::type_error("gradlab: only 0-d integer tensors can be used as an index (as numpy's rule), got " +
                           gl::describe(t));
    return py::int_(tensor_to_numpy(t, false).attr("item")());
  });
  drop(cls, "item");
  cls.def("item", [](const gl::Tensor& t) -> py::object {
    if (t.numel() != 1)
      throw py::value_error("Tensor.item: tensor has shape " + gl::shape_str(t.shape()) +
                            " (" + std::to_string(t.numel()) + " elements); item() needs exactly one");
    return tensor_to_numpy(t, false).attr("item")();
  }, "The one element as a Python number (int for integer tensors, bool for bool).");
  // register_hook (gradlab/_lab.py): the Python object takes over a new handle (an identity node).
  cls.def("_rebind", [](gl::Tensor& self, const gl::Tensor& other) { self = other; });
  cls.def("_graph_released", [](const gl::Tensor& t) { return t.grad_fn() && t.grad_fn()->released; });

  // ---- comparisons and selection -------------------------------------------------------
  for (auto [name, op] : {std::pair{"eq", PyOp::eq}, std::pair{"ne", PyOp::ne}, std::pair{"lt", PyOp::lt},
                          std::pair{"le", PyOp::le}, std::pair{"gt", PyOp::gt}, std::pair{"ge", PyOp::ge}}) {
    const PyOp o = op;
    m.def(name, [o](const gl::Tensor& input, const py::object& other) { return binary_op(o, input, other, false); },
          py::arg("input"), py::arg("other"),
          (std::string(name) + "(input, other) -> bool tensor of the broadcast shape; other a tensor, array or "
                               "number. Not differentiable.").c_str());
  }
  m.attr("greater") = m.attr("gt");
  m.attr("less") = m.attr("lt");
  m.attr("greater_equal") = m.attr("ge");
  m.attr("less_equal") = m.attr("le");
  m.attr("not_equal") = m.attr("ne");
  m.def("logical_and", [](const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "logical_and");
    return gl::logical_and(x, y);
  }, py::arg("input"), py::arg("other"), "Elementwise and of nonzero values: bool [broadcast shape].");
  m.def("logical_or", [](const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "logical_or");
    return gl::logical_or(x, y);
  }, py::arg("input"), py::arg("other"), "Elementwise or of nonzero values: bool [broadcast shape].");
  m.def("logical_xor", [](const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "logical_xor");
    return gl::ne(x.to(gl::DType::b8), y.to(gl::DType::b8));
  }, py::arg("input"), py::arg("other"), "Elementwise xor of nonzero values: bool [broadcast shape].");
  m.def("logical_not", &gl::logical_not, py::arg("input"), "Elementwise not (zero -> True): bool, input's shape.");
  m.def("isnan", &gl::isnan, py::arg("input"), "bool, input's shape: True where NaN.");
  m.def("isfinite", &gl::isfinite, py::arg("input"), "bool, input's shape: True where neither NaN nor infinite.");
  m.def("isinf", [](const gl::Tensor& a) { return gl::logical_not(gl::logical_or(gl::isfinite(a), gl::isnan(a))); },
        py::arg("input"), "bool, input's shape: True where +-inf.");
  m.def("where", [](const gl::Tensor& cond, const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "where");
    return gl::where(cond.dtype() == gl::DType::b8 ? cond : gl::ne(cond, gl::Tensor::scalar(0, cond.dtype(), cond.device())),
                     x, y);
  }, py::arg("condition"), py::arg("input"), py::arg("other"),
     "where(condition, input, other): input where condition (bool) holds, else other; all three broadcast. "
     "Gradients flow to input and other where each was chosen.");
  m.def("maximum", [](const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "maximum");
    return gl::maximum(x, y);
  }, py::arg("input"), py::arg("other"), "Elementwise max [broadcast shape]; ties split the gradient in half.");
  m.def("minimum", [](const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "minimum");
    return gl::minimum(x, y);
  }, py::arg("input"), py::arg("other"), "Elementwise min [broadcast shape]; ties split the gradient in half.");
  auto clamp = [](const gl::Tensor& a, const py::object& lo, const py::object& hi) {
    if (lo.is_none() && hi.is_none())
      throw py::value_error("clamp: give at least one of min and max, for " + gl::describe(a));
    if ((lo.is_none() || is_py_scalar(lo)) && (hi.is_none() || is_py_scalar(hi))) {
      std::optional<double> l, h;
      if (!lo.is_none()) l = lo.cast<double>();
      if (!hi.is_none()) h = hi.cast<double>();
      return gl::clamp(a, l, h);
    }
    return gl::clamp(a, lo.is_none() ? gl::Tensor() : arg(lo, a), hi.is_none() ? gl::Tensor() : arg(hi, a));
  };
  m.def("clamp", clamp, py::arg("input"), py::arg("min") = py::none(), py::arg("max") = py::none(),
        "clamp(input, min=None, max=None): input's shape, values kept in [min, max] (numbers or tensors). "
        "Gradient 1 where min <= x <= max (PyTorch's rule).");
  m.attr("clip") = m.attr("clamp");
  m.def("hardtanh", &gl::hardtanh, py::arg("input"), py::arg("min_val") = -1.0, py::arg("max_val") = 1.0,
        "clamp into [min_val, max_val], gradient 1 strictly inside (PyTorch's hardtanh).");
  m.def("relu6", [](const gl::Tensor& a) { return gl::hardtanh(a, 0.0, 6.0); }, py::arg("input"),
        "min(max(x, 0), 6), input's shape.");
  m.def("floor_divide", [](const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "floor_divide");
    return gl::floor_divide(x, y);
  }, py::arg("input"), py::arg("other"), "Python's //: floor(a / b), broadcast; integer division by zero raises.");
  m.def("remainder", [](const py::object& a, const py::object& b) {
    auto [x, y] = pair_args(a, b, "remainder");
    return gl::remainder(x, y);
  }, py::arg("input"), py::arg("other"), "Python's %: the remainder has the divisor's sign, broadcast.");
  m.def("isclose", [](const gl::Tensor& a, const py::object& b, double rtol, double atol, bool equal_nan) {
    return gl::isclose(a, arg(b, a), rtol, atol, equal_nan);
  }, py::arg("input"), py::arg("other"), py::arg("rtol") = 1e-5, py::arg("atol") = 1e-8, py::arg("equal_nan") = false,
     "bool [broadcast shape]: |input - other| <= atol + rtol |other|.");

  // ---- pointwise --------------------------------------------------------------------------
  using Unary = gl::Tensor (*)(const gl::Tensor&);
  for (auto [name, fn, doc] : {
           std::tuple<const char*, Unary, const char*>{"abs", &gl::abs, "|x|, input's shape; gradient sign(x) (0 at 0)."},
           {"sign", &gl::sign, "-1, 0 or 1, input's shape; gradient 0."},
           {"floor", &gl::floor, "floor, input's shape; gradient 0."},
           {"ceil", &gl::ceil, "ceil, input's shape; gradient 0."},
           {"round", &gl::round, "round half to even, input's shape; gradient 0."},
           {"sin", &gl::sin, "sin, input's shape."},
           {"cos", &gl::cos, "cos, input's shape."},
           {"tan", &gl::tan, "tan, input's shape."},
           {"log1p", &gl::log1p, "log(1 + x), accurate near 0; input's shape."},
           {"expm1", &gl::expm1, "exp(x) - 1, accurate near 0; input's shape."},
           {"exp2", &gl::exp2, "2^x, input's shape."},
           {"log2", &gl::log2, "log base 2, input's shape."},
           {"log10", &gl::log10, "log base 10, input's shape."},
           {"rsqrt", &gl::rsqrt, "1 / sqrt(x), input's shape."},
           {"silu", &gl::silu, "x * sigmoid(x), input's shape."}}) {
    m.def(name, fn, py::arg("input"), doc);
  }
  m.attr("absolute") = m.attr("abs");
  m.def("leaky_relu", &gl::leaky_relu, py::arg("input"), py::arg("negative_slope") = 0.01,
        "x if x > 0 else negative_slope * x, input's shape.");
  m.def("elu", &gl::elu, py::arg("input"), py::arg("alpha") = 1.0, "x if x > 0 else alpha (e^x - 1), input's shape.");
  m.def("gelu", [](const gl::Tensor& a, const std::string& approximate) {
    if (approximate != "none" && approximate != "tanh")
      throw py::value_error("gelu: approximate must be 'none' or 'tanh', got '" + approximate + "'");
    return gl::gelu(a, approximate == "tanh");
  }, py::arg("input"), py::arg("approximate") = "none", "x * Phi(x) (exact, or the tanh approximation), input's shape.");
  m.def("softplus", &gl::softplus, py::arg("input"), py::arg("beta") = 1.0, py::arg("threshold") = 20.0,
        "log(1 + e^(beta x)) / beta (x where beta x > threshold), input's shape.");
  drop(m, "pow");
  m.def("pow", [](const py::object& a, const py::object& e) -> py::object {
    if (py::isinstance<gl::Tensor>(a)) return binary_op(PyOp::pow, a.cast<gl::Tensor>(), e, false);
    if (py::isinstance<gl::Tensor>(e)) return binary_op(PyOp::pow, e.cast<gl::Tensor>(), a, true);
    throw py::type_error("pow: the base or the exponent must be a Tensor");
  }, py::arg("input"), py::arg("exponent"),
     "input ** exponent with broadcasting (either may be a number). The gradient of x**0 is 0 (PyTorch's rule).");

  // ---- reductions with indices ----------------------------------------------------------
  auto max_min = [](bool is_min) {
    return [is_min](const gl::Tensor& a, const py::object& dim, bool keepdim) -> py::object {
      if (dim.is_none()) return py::cast(is_min ? gl::min(a) : gl::max(a));
      if (!py::isinstance<py::int_>(dim)) {
        // torch.max(a, b): the elementwise maximum
        auto [x, y] = pair_args(py::cast(a), dim, is_min ? "min" : "max");
        return py::cast(is_min ? gl::minimum(x, y) : gl::maximum(x, y));
      }
      const int d = dim.cast<int>();
      return values_indices(is_min ? gl::min(a, d, keepdim) : gl::max(a, d, keepdim));
    };
  };
  m.def("max", max_min(false), py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
        "max(input): 0-d, ties share the gradient evenly. max(input, dim, keepdim=False): (values, indices) with "
        "dim removed (kept as 1 with keepdim); indices int64, the first maximum; the gradient goes to it. "
        "max(input, other): the elementwise maximum.");
  m.def("min", max_min(true), py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
        "min(input) / min(input, dim, keepdim=False) -> (values, indices) / min(input, other); as max.");
  m.def("amax", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    return gl::amax(a, dims_from(dim), keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
     "max over dims (int or tuple; None: all); ties share the gradient evenly.");
  m.def("amin", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    return gl::amin(a, dims_from(dim), keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
     "min over dims (int or tuple; None: all); ties share the gradient evenly.");
  m.def("argmax", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    return gl::argmax(a, dim.is_none() ? std::nullopt : std::optional<int>(dim.cast<int>()), keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
     "int64 position of the first maximum along dim (dim removed, or 1 with keepdim); without dim, the flat "
     "position (0-d).");
  m.def("argmin", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    return gl::argmin(a, dim.is_none() ? std::nullopt : std::optional<int>(dim.cast<int>()), keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false, "as argmax, for the minimum.");
  m.def("logsumexp", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    const std::vector<int> dims = dims_from(dim);
    ReleaseGil release;
    return gl::logsumexp(a, dims, keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
     "log(sum(exp(input))) over dim (int or tuple; None: all), stable for large inputs.");
  m.def("prod", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    return gl::prod(a, dim.is_none() ? std::nullopt : std::optional<int>(dim.cast<int>()), keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false,
     "product over dim (None: all, 0-d); exact gradients with zeros.");
  m.def("any", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    return gl::any(a, dims_from(dim), keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false, "bool: any nonzero over dim.");
  m.def("all", [](const gl::Tensor& a, const py::object& dim, bool keepdim) {
    return gl::all(a, dims_from(dim), keepdim);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("keepdim") = false, "bool: all nonzero over dim.");
  m.def("std", [](const gl::Tensor& a, const py::object& dim, bool unbiased, bool keepdim, const py::object& correction) {
    bool ub = unbiased;
    if (!correction.is_none()) ub = correction.cast<int>() != 0;
    return gl::stddev(a, dims_from(dim), keepdim, ub);
  }, py::arg("input"), py::arg("dim") = py::none(), py::arg("unbiased") = true, py::arg("keepdim") = false,
     py::kw_only(), py::arg("correction") = py::none(), "standard deviation over dim (unbiased by default).");
  m.def("norm", [](const gl::Tensor& a, const py::object& p, const py::object& dim, bool keepdim) {
    double pv = 2.0;
    if (py::isinstance<py::str>(p)) {
      if (p.cast<std::string>() != "fro") throw py::value_error("norm: p must be a number or 'fro'");
    } else if (!p.is_none()) {
      pv = p.cast<double>();
    }
    return gl::norm(a, pv, dims_from(dim), keepdim);
  }, py::arg("input"), py::arg("p") = "fro", py::arg("dim") = py::none(), py::arg("keepdim") = false,
     "p-norm over dim (None: all): 2 / 'fro' (gradient 0 at 0), 1, inf or any p > 0.");
  m.def("cumsum", &gl::cumsum, py::arg("input"), py::arg("dim"), "running sum along dim, input's shape.");

  // ---- index arrays ------------------------------------------------------------------------
  m.def("_take", &gl::take, py::arg("input"), py::arg("dim"), py::arg("index"), Release(),
        "input with dim replaced by index's shape (negative indices count from the end); gradient scatter-adds.");
  m.def("_index_put_", [](gl::Tensor a, int dim, const gl::Tensor& index, const py::object& values, bool accumulate) {
    gl::index_put_(a, dim, index, arg(values, a), accumulate);
    return a;
  }, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("values"), py::arg("accumulate") = false);
  m.def("_permute_copy", [](const gl::Tensor& a, std::vector<int> order) {
    if (static_cast<int>(order.size()) != a.dim())
      throw py::value_error("permute: order has " + std::to_string(order.size()) + " dims but the tensor " +
                            gl::describe(a) + " has " + std::to_string(a.dim()));
    std::vector<bool> seen(order.size(), false);
    for (int& o : order) {
      o = gl::normalize_axis(o, a.dim(), "permute");
      if (seen[o]) throw py::value_error("permute: axis " + std::to_string(o) + " appears twice in the order");
      seen[o] = true;
    }
    return gl::detail::permute_copy(a, order);
  }, py::arg("input"), py::arg("order"), "permute for integer and bool tensors (a copy, no graph).");
  m.def("index_select", &gl::index_select, py::arg("input"), py::arg("dim"), py::arg("index"), Release(),
        "index_select(input, dim, index): index 1-D int64/int32 in [0, n); dim's size becomes len(index).");
  m.def("gather", &gl::gather, py::arg("input"), py::arg("dim"), py::arg("index"), Release(),
        "out[i][j] = input[index[i][j]][j] (dim 0); out has index's shape (index has input's rank).");
  m.def("scatter_add", &gl::scatter_add, py::arg("input"), py::arg("dim"), py::arg("index"), py::arg("src"),
        Release(), "a copy of input with src added at index along dim (repeats add up); input's shape.");
  m.def("one_hot", &gl::one_hot, py::arg("tensor"), py::arg("num_classes") = -1,
        "int64 [..., num_classes]: 1 at each index (num_classes -1: max + 1).");
  m.def("nonzero", [](const gl::Tensor& a, bool as_tuple) -> py::object {
    gl::Tensor nz = gl::nonzero(a);
    if (!as_tuple) return py::cast(nz);
    py::tuple out(a.dim());
    for (int d = 0; d < a.dim(); ++d)
      out[d] = gl::reshape(gl::take(nz, 1, gl::Tensor::scalar(d, gl::DType::i64)), {nz.shape()[0]});
    return out;
  }, py::arg("input"), py::arg("as_tuple") = false, "int64 [count, ndim] positions of nonzero entries.");

  // ---- shape -------------------------------------------------------------------------------
  m.def("stack", &gl::stack, py::arg("tensors"), py::arg("dim") = 0, Release(),
        "k tensors of one shape S -> S with a new dim of size k at dim.");
  m.def("cat", &gl::concat, py::arg("tensors"), py::arg("dim") = 0, Release(), "concatenation along dim.");
  m.def("split", [](const gl::Tensor& a, const py::object& size, int dim) {
    if (py::isinstance<py::int_>(size)) return gl::split(a, size.cast<std::int64_t>(), dim);
    return gl::split(a, size.cast<std::vector<std::int64_t>>(), dim);
  }, py::arg("tensor"), py::arg("split_size_or_sections"), py::arg("dim") = 0,
     "pieces along dim of size split_size (the last may be smaller) or of the listed sizes.");
  m.def("chunk", &gl::chunk, py::arg("input"), py::arg("chunks"), py::arg("dim") = 0,
        "at most `chunks` pieces of size ceil(n / chunks) along dim.");
  m.def("squeeze", [](const gl::Tensor& a, const py::object& dim) {
    return gl::squeeze(a, dim.is_none() ? std::nullopt : std::optional<int>(dim.cast<int>()));
  }, py::arg("input"), py::arg("dim") = py::none(), "drops size-1 dims (or dim, when it has size 1).");
  m.def("unsqueeze", &gl::unsqueeze, py::arg("input"), py::arg("dim"), "a new size-1 dim at dim.");
  m.def("flip", [](const gl::Tensor& a, const py::object& dims) { return gl::flip(a, dims_from(dims)); },
        py::arg("input"), py::arg("dims"), "reverses the order along dims; input's shape.");
  m.def("tile", &gl::tile, py::arg("input"), py::arg("dims"), "numpy/torch tile: repeats along each dim.");
  m.def("pad", [](const gl::Tensor& a, const std::vector<std::int64_t>& pad, const std::string& mode, double value) {
    if (mode != "constant") throw py::value_error("pad: only mode='constant' is supported, got '" + mode + "'");
    return gl::pad(a, pad, value);
  }, py::arg("input"), py::arg("pad"), py::arg("mode") = "constant", py::arg("value") = 0.0,
     "F.pad: (lo, hi) widths from the last dim backwards; negative widths crop.");
  drop(m, "matmul");
  m.def("matmul", [](const gl::Tensor& a, const py::object& b) { return gl::matmul_nd(a, arg(b, a)); },
        py::arg("input"), py::arg("other"),
        "numpy's matmul: [..., M, K] @ [..., K, N] -> [..., M, N] with broadcast batch dims; 1-D operands as vectors.");
  m.def("einsum", [](const std::string& eq, const py::args& ops) {
    std::vector<gl::Tensor> ts;
    for (auto o : ops) {
      if (py::isinstance<py::list>(o) || py::isinstance<py::tuple>(o))
        for (auto t : o) ts.push_back(t.cast<gl::Tensor>());
      else
        ts.push_back(o.cast<gl::Tensor>());
    }
    return gl::einsum(eq, ts);
  }, py::arg("equation"), "einsum('ij,jk->ik', a, b): one or two operands, no repeated letter within one.");
  drop(cls, "__matmul__");
  drop(cls, "__rmatmul__");
  cls.def("__matmul__", [](const gl::Tensor& a, const py::object& b) { return gl::matmul_nd(a, arg(b, a)); },
          py::is_operator());
  cls.def("__rmatmul__", [](const gl::Tensor& a, const py::object& b) { return gl::matmul_nd(arg(b, a), a); },
          py::is_operator());

  // ---- convolution and pooling options (replace the core bindings, which they extend) ----
  auto ints = [](const py::object& v, std::size_t n, const char* op, const char* what) {
    std::vector<std::int64_t> out;
    if (py::isinstance<py::int_>(v)) {
      out.assign(n, v.cast<std::int64_t>());
      return out;
    }
    try {
      out = v.cast<std::vector<std::int64_t>>();
    } catch (py::cast_error&) {
      throw py::type_error(std::string(op) + ": " + what + " is an int or a tuple of ints, got " + std::string(py::repr(v)));
    }
    return out;
  };
  drop(m, "conv2d");
  m.def("conv2d", [ints](const gl::Tensor& x, const gl::Tensor& w, const OptTensor& b, const py::object& stride,
                         const py::object& padding, const py::object& dilation, std::int64_t groups) {
    const auto st = ints(stride, 2, "conv2d", "stride"), dl = ints(dilation, 2, "conv2d", "dilation");
    if (st.size() != 2 || dl.size() != 2) throw py::value_error("conv2d: stride and dilation take 2 numbers (h, w)");
    std::vector<std::int64_t> pad;
    if (py::isinstance<py::str>(padding)) {
      const std::string mode = padding.cast<std::string>();
      if (mode == "valid") {
        pad = {0, 0};
      } else if (mode == "same") {
        if (st[0] != 1 || st[1] != 1) throw py::value_error("conv2d: padding='same' needs stride 1");
        if (w.dim() != 4) throw py::value_error("conv2d: weight must be [K, C, R, S], got " + gl::describe(w));
        const std::int64_t th = dl[0] * (w.shape()[2] - 1), tw = dl[1] * (w.shape()[3] - 1);
        pad = {tw / 2, tw - tw / 2, th / 2, th - th / 2};  // PyTorch: the extra one on the right/bottom
      } else {
        throw py::value_error("conv2d: padding must be a number, a tuple, 'same' or 'valid', got '" + mode + "'");
      }
    } else {
      pad = ints(padding, 2, "conv2d", "padding");
      if (pad.size() != 2 && pad.size() != 4)
        throw py::value_error("conv2d: padding takes 1, 2 (h, w) or 4 (left, right, top, bottom) numbers");
    }
    ReleaseGil release;
    return gl::conv2d_ex(x, w, b ? *b : gl::Tensor(), st[0], st[1], pad, dl[0], dl[1], groups);
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
     py::arg("dilation") = 1, py::arg("groups") = 1,
     "x [N,C,H,W], weight [K,C/groups,R,S], bias [K] or None -> [N,K,Ho,Wo]; stride/dilation int or (h, w); padding "
     "int, (h, w), (left, right, top, bottom) (negative crops), 'same' or 'valid'; groups splits the channels.");
  drop(m, "conv1d");
  m.def("conv1d", [ints](const gl::Tensor& x, const gl::Tensor& w, const OptTensor& b, std::int64_t stride,
                         const py::object& padding, std::int64_t dilation, std::int64_t groups) {
    if (x.dim() != 3 || w.dim() != 3)
      throw py::value_error("conv1d: needs x [N, C, L] and weight [K, C/groups, S], got " + gl::describe(x) + " and " +
                            gl::describe(w));
    std::vector<std::int64_t> lr;
    if (py::isinstance<py::str>(padding)) {
      const std::string mode = padding.cast<std::string>();
      if (mode == "same") {
        if (stride != 1) throw py::value_error("conv1d: padding='same' needs stride 1");
        const std::int64_t t = dilation * (w.shape()[2] - 1);
        lr = {t / 2, t - t / 2};
      } else if (mode == "valid") {
        lr = {0, 0};
      } else {
        throw py::value_error("conv1d: padding must be a number, (left, right), 'same' or 'valid', got '" + mode + "'");
      }
    } else {
      lr = ints(padding, 2, "conv1d", "padding");
      if (lr.size() != 2) throw py::value_error("conv1d: padding takes 1 or 2 (left, right) numbers");
    }
    ReleaseGil release;
    const gl::Tensor y = gl::conv2d_ex(gl::unsqueeze(x, 2), gl::unsqueeze(w, 2), b ? *b : gl::Tensor(), 1, stride,
                                       {lr[0], lr[1], 0, 0}, 1, dilation, groups);
    return gl::squeeze(y, 2);
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
     py::arg("dilation") = 1, py::arg("groups") = 1,
     "x [N,C,L], weight [K,C/groups,S], bias [K] or None -> [N,K,Lo]; padding int, (left, right), 'same' or 'valid'.");
  m.def("conv_transpose2d", [ints](const gl::Tensor& x, const gl::Tensor& w, const OptTensor& b,
                                   const py::object& stride, const py::object& padding,
                                   const py::object& output_padding, std::int64_t groups, const py::object& dilation) {
    const auto st = ints(stride, 2, "conv_transpose2d", "stride"), pd = ints(padding, 2, "conv_transpose2d", "padding"),
               op = ints(output_padding, 2, "conv_transpose2d", "output_padding"),
               dl = ints(dilation, 2, "conv_transpose2d", "dilation");
    if (st.size() != 2 || pd.size() != 2 || op.size() != 2 || dl.size() != 2)
      throw py::value_error("conv_transpose2d: stride, padding, output_padding and dilation take 1 or 2 numbers");
    ReleaseGil release;
    return gl::conv_transpose2d(x, w, b ? *b : gl::Tensor(), st[0], st[1], pd[0], pd[1], op[0], op[1], groups, dl[0],
                                dl[1]);
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
     py::arg("output_padding") = 0, py::arg("groups") = 1, py::arg("dilation") = 1,
     "the transposed convolution (conv2d's input gradient as an op): x [N,C,H,W], weight [C,K/groups,R,S] -> "
     "[N,K,(H-1)*stride-2*padding+dilation*(R-1)+output_padding+1, ...].");
  m.def("conv_transpose1d", [](const gl::Tensor& x, const gl::Tensor& w, const OptTensor& b, std::int64_t stride,
                               std::int64_t padding, std::int64_t output_padding, std::int64_t groups,
                               std::int64_t dilation) {
    ReleaseGil release;
    return gl::conv_transpose1d(x, w, b ? *b : gl::Tensor(), stride, padding, output_padding, groups, dilation);
  }, py::arg("input"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
     py::arg("output_padding") = 0, py::arg("groups") = 1, py::arg("dilation") = 1,
     "x [N,C,L], weight [C,K/groups,S] -> [N,K,(L-1)*stride-2*padding+dilation*(S-1)+output_padding+1].");
  drop(m, "max_pool2d");
  m.def("max_pool2d", [ints](const gl::Tensor& x, const py::object& kernel_size, const py::object& stride,
                             const py::object& padding, bool ceil_mode, const py::object& kernel_kw) {
    const py::object& kernel = kernel_size.is_none() ? kernel_kw : kernel_size;
    if (kernel.is_none()) throw py::type_error("max_pool2d: give kernel_size");
    const auto k = ints(kernel, 2, "max_pool2d", "kernel_size");
    const auto s = stride.is_none() || (py::isinstance<py::int_>(stride) && stride.cast<std::int64_t>() == 0)
                       ? k : ints(stride, 2, "max_pool2d", "stride");
    const auto p = ints(padding, 2, "max_pool2d", "padding");
    if (k.size() != 2 || s.size() != 2 || p.size() != 2)
      throw py::value_error("max_pool2d: kernel_size, stride and padding take 1 or 2 numbers (h, w)");
    ReleaseGil release;
    if (k[0] == k[1] && s[0] == s[1] && p[0] == p[1] && !ceil_mode)
      return gl::max_pool2d(x, k[0], s[0], p[0]);  // the engine's kernel
    return gl::max_pool2d_ex(x, k[0], k[1], s[0], s[1], p[0], p[1], ceil_mode);
  }, py::arg("input"), py::arg("kernel_size") = py::none(), py::arg("stride") = py::none(), py::arg("padding") = 0,
     py::arg("ceil_mode") = false, py::kw_only(), py::arg("kernel") = py::none(),
     "x [N,C,H,W] -> [N,C,Ho,Wo]; kernel_size/stride/padding int or (h, w) (stride None or 0: the kernel); "
     "padding counts as -inf; ceil_mode rounds the output size up (PyTorch's rule).");

  drop(m, "avg_pool2d");
  m.def("avg_pool2d", [ints](const gl::Tensor& x, const py::object& kernel_size, const py::object& stride,
                             const py::object& padding, const py::object& kernel_kw) {
    const py::object& kernel = kernel_size.is_none() ? kernel_kw : kernel_size;
    if (kernel.is_none()) throw py::type_error("avg_pool2d: give kernel_size");
    const auto k = ints(kernel, 2, "avg_pool2d", "kernel_size");
    const auto s = stride.is_none() || (py::isinstance<py::int_>(stride) && stride.cast<std::int64_t>() == 0)
                       ? k : ints(stride, 2, "avg_pool2d", "stride");
    const auto p = ints(padding, 2, "avg_pool2d", "padding");
    if (k.size() != 2 || s.size() != 2 || p.size() != 2)
      throw py::value_error("avg_pool2d: kernel_size, stride and padding take 1 or 2 numbers (h, w)");
    ReleaseGil release;
    if (k[0] == k[1] && s[0] == s[1] && p[0] == p[1]) return gl::avg_pool2d(x, k[0], s[0], p[0]);  // the engine's kernel
    return gl::avg_pool2d_ex(x, k[0], k[1], s[0], s[1], p[0], p[1]);
  }, py::arg("input"), py::arg("kernel_size") = py::none(), py::arg("stride") = py::none(), py::arg("padding") = 0,
     py::kw_only(), py::arg("kernel") = py::none(),
     "x [N,C,H,W] -> [N,C,Ho,Wo]; kernel_size/stride/padding int or (h, w) (stride None or 0: the kernel); zero "
     "padding counted in the divisor (count_include_pad).");

  // ---- losses ---------------------------------------------------------------------------------
  drop(m, "cross_entropy");
  m.def("cross_entropy", [](const OptTensor& input, const py::object& target_arg, const std::string& reduction,
                            double label_smoothing, std::int64_t ignore_index, const OptTensor& logits_kw,
                            const py::object& labels_kw) {
    if (!input && !logits_kw) throw py::type_error("cross_entropy: give the logits (input)");
    const gl::Tensor logits = input ? *input : *logits_kw;
    const py::object& target = target_arg.is_none() ? labels_kw : target_arg;
    if (target.is_none()) throw py::type_error("cross_entropy: give the target (class indices or probabilities)");
    const gl::Tensor t = py::isinstance<gl::Tensor>(target) ? target.cast<gl::Tensor>()
                                                            : tensor_from_python(target, py::none(), false,
                                                                                 py::cast(logits.device()));
    const gl::Reduction r = reduction_from(reduction, "cross_entropy");
    const bool plain_labels = t.dim() == 1 && (t.dtype() == gl::DType::i32 || t.dtype() == gl::DType::i64) &&
                              t.device() == gl::Device::cpu &&
                              (t.numel() == 0 || py::module_::import("numpy").attr("min")(tensor_to_numpy(t, false))
                                                         .cast<std::int64_t>() >= 0);
    ReleaseGil release;
    if (r == gl::Reduction::mean && label_smoothing == 0.0 && ignore_index < 0 && logits.dim() == 2 && plain_labels) {
      // the engine's fused kernel (labels int32, every one in range)
      const gl::Tensor labels = t.dtype() == gl::DType::i32 ? t : t.to(gl::DType::i32);
      return gl::cross_entropy(logits, labels);
    }
    return gl::cross_entropy_ex(logits, t, r, label_smoothing, ignore_index);
  }, py::arg("input") = py::none(), py::arg("target") = py::none(), py::arg("reduction") = "mean",
     py::arg("label_smoothing") = 0.0, py::arg("ignore_index") = -100, py::kw_only(), py::arg("logits") = py::none(),
     py::arg("labels") = py::none(),
     "input [N, C] (or [N, C, d...]) logits; target int [N] class indices or float [N, C] probabilities; "
     "reduction 'mean' | 'sum' | 'none' ([N]); ignore_index rows count for nothing; label_smoothing in [0, 1].");
  m.def("nll_loss", [](const gl::Tensor& lp, const gl::Tensor& target, const std::string& reduction,
                       std::int64_t ignore_index) {
    return gl::nll_loss(lp, target, reduction_from(reduction, "nll_loss"), ignore_index);
  }, py::arg("input"), py::arg("target"), py::arg("reduction") = "mean", py::arg("ignore_index") = -100,
     "input [N, C] log-probabilities, target int [N]: -input[n, target[n]], reduced.");
  m.def("binary_cross_entropy", [](const gl::Tensor& p, const py::object& t, const std::string& reduction) {
    return gl::binary_cross_entropy(p, arg(t, p), reduction_from(reduction, "binary_cross_entropy"));
  }, py::arg("input"), py::arg("target"), py::arg("reduction") = "mean",
     "probabilities and targets of one shape; -(t log p + (1-t) log(1-p)) with logs clamped at -100, reduced.");
  m.def("binary_cross_entropy_with_logits", [](const gl::Tensor& x, const py::object& t, const std::string& reduction) {
    return gl::binary_cross_entropy_with_logits(x, arg(t, x), reduction_from(reduction, "binary_cross_entropy_with_logits"));
  }, py::arg("input"), py::arg("target"), py::arg("reduction") = "mean",
     "logits and targets of one shape; the stable BCE of sigmoid(input), reduced; gradient sigmoid(x) - t.");
  drop(m, "count_correct");
  m.def("count_correct", [](const gl::Tensor& logits, const gl::Tensor& labels, gl::Tensor counter) {
    const gl::Tensor l32 = labels.dtype() == gl::DType::i32 ? labels : labels.to(gl::DType::i32);
    if (counter.dtype() == logits.dtype()) {
      ReleaseGil release;
      gl::count_correct(logits, l32, counter);
      return;
    }
    // integer counters: count in float64, add exactly
    gl::Tensor hits = gl::Tensor::zeros({1}, gl::DType::f64, logits.device());
    gl::count_correct(logits.dtype() == gl::DType::f64 ? logits : logits.to(gl::DType::f64), l32, hits);
    gl::Tensor add = gl::reshape(hits, counter.shape()).to(counter.dtype());
    gl::Tensor sum = gl::arith(gl::ArithOp::add, counter, add);
    counter.copy_from(sum);
  }, py::arg("logits"), py::arg("labels"), py::arg("counter"),
     "counter[0] += rows of logits [N, K] whose argmax equals labels [N] (int32/int64), in place; counter "
     "float32/float64/int32/int64. Or compare: (logits.argmax(1) == labels).sum().");

  // ---- user-defined functions -----------------------------------------------------------------
  m.def("_custom_function", [](const std::string& name, const std::vector<OptTensor>& inputs, const gl::Tensor& output,
                               const py::function& backward) {
    std::vector<gl::Tensor> ins;
    for (const auto& t : inputs) ins.push_back(t ? *t : gl::Tensor());
    auto fn = hold(backward);
    const std::size_t count = ins.size();
    return gl::custom_function(name, ins, output, [fn, count, name](const gl::Tensor& g) {
      py::gil_scoped_acquire gil;
      py::object r = (*fn)(g);
      std::vector<gl::Tensor> grads;
      if (py::isinstance<py::tuple>(r) || py::isinstance<py::list>(r)) {
        for (auto item : r) grads.push_back(item.is_none() ? gl::Tensor() : item.cast<gl::Tensor>());
      } else if (r.is_none()) {
        grads.push_back(gl::Tensor());
      } else if (py::isinstance<gl::Tensor>(r)) {
        grads.push_back(r.cast<gl::Tensor>());
      } else {
        throw gl::Error(name + ".backward returned " + std::string(py::str(r.get_type().attr("__name__"))) +
                        "; return a Tensor (or a tuple of Tensors/None, one per input)");
      }
      (void)count;
      return grads;
    });
  }, py::arg("name"), py::arg("inputs"), py::arg("output"), py::arg("backward"),
     "The hook behind gradlab.autograd.Function: records one graph node named `name` over `inputs` whose "
     "backward calls backward(grad_output) -> one gradient per input.");

  // ---- CIFAR-10 for gradlab.data.CIFAR10 (resnet/'s reader, preprocessing and augmentation) ----
  m.def("_read_cifar", [](const std::string& root, bool train) {
    resnet::ImageSet set;
    {
      ReleaseGil release;
      const auto dir = resnet::locate_batches(root);
      set = train ? resnet::read_training_set(dir) : resnet::read_test_set(dir);
    }
    py::array_t<std::uint8_t> pixels({set.size(), resnet::kChannels, resnet::kImageSide, resnet::kImageSide});
    std::memcpy(pixels.mutable_data(), set.pixels.data(), set.pixels.size());
    py::array_t<std::int64_t> labels(set.size());
    for (std::int64_t i = 0; i < set.size(); ++i) labels.mutable_data()[i] = set.labels[i];
    resnet::Preprocessing prep = resnet::make_preprocessing(set, resnet::Standardize::per_channel);
    return py::make_tuple(pixels, labels, prep.channel_mean, prep.channel_std);
  }, py::arg("root"), py::arg("train"),
     "(pixels uint8 [M, 3, 32, 32], labels int64 [M], channel mean [3], channel std [3]) of the CIFAR-10 "
     "binary files under root (resnet's reader: sizes and labels checked).");
  m.def("_augment_batch", [](const gl::Tensor& pixels, const gl::Tensor& plan, std::int64_t pad, bool per_image,
                             const gl::Tensor& mean, const gl::Tensor& std_) {
    gl::Tensor out = gl::Tensor::empty({plan.shape()[0], pixels.shape()[1], pixels.shape()[2], pixels.shape()[3]},
                                       gl::DType::f32, pixels.device());
    ReleaseGil release;
    gl::backend(pixels.device()).augment_batch(pixels, plan, pad, per_image, mean, std_, out);
    return out;
  }, py::arg("pixels"), py::arg("plan"), py::arg("pad"), py::arg("per_image"), py::arg("mean"), py::arg("std"),
     "Backend::augment_batch: pixels f32 [M, C, H, W] (0..255), plan int32 [B, 4] rows (image, dy, dx, flip) -> "
     "[B, C, H, W] padded, cropped, flipped and standardized, as `resnet train` builds its batches.");

  // ---- Tensor methods ----------------------------------------------------------------------------
  for (const char* name : {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor",
                           "logical_not", "isnan", "isfinite", "isinf", "maximum", "minimum", "clamp", "clip", "abs",
                           "sign", "floor", "ceil", "round", "sin", "cos", "tan", "log1p", "expm1", "exp2", "log2",
                           "log10", "rsqrt", "leaky_relu", "elu", "gelu", "silu", "softplus", "hardtanh", "relu6",
                           "max", "min", "amax", "amin", "argmax", "argmin", "logsumexp", "prod", "any", "all", "std",
                           "norm", "cumsum", "index_select", "gather", "scatter_add", "squeeze", "unsqueeze", "flip",
                           "tile", "matmul", "isclose", "floor_divide", "remainder", "pow", "nonzero", "split",
                           "chunk"}) {
    drop(cls, name);
    cls.attr(name) = py::reinterpret_steal<py::object>(PyInstanceMethod_New(m.attr(name).ptr()));
  }
  cls.def("repeat", [](const gl::Tensor& a, const py::args& reps) {
    std::vector<std::int64_t> r;
    py::object spec = reps;
    if (reps.size() == 1 && !py::isinstance<py::int_>(reps[0])) spec = reps[0];
    for (auto v : spec) r.push_back(v.cast<std::int64_t>());
    return gl::repeat(a, r);
  }, "t.repeat(*sizes): tiles t (sizes has at least t.ndim entries; extra ones lead).");
  // Conversions: the tensor itself when it already has the dtype (its graph kept), else a copy (no graph).
  for (auto [name, dt] : {std::pair{"long", gl::DType::i64}, std::pair{"int", gl::DType::i32},
                          std::pair{"float", gl::DType::f32}, std::pair{"double", gl::DType::f64},
                          std::pair{"bool", gl::DType::b8}}) {
    const gl::DType d = dt;
    cls.def(name, [d](const gl::Tensor& t) { return t.dtype() == d ? t : t.to(d); },
            (std::string("t.") + name + "(): t as " + gl::dtype_name(dt) + " (t itself when it already is)").c_str());
  }
  for (auto [name, op] : {std::pair{"add", PyOp::add}, std::pair{"sub", PyOp::sub}, std::pair{"mul", PyOp::mul},
                          std::pair{"div", PyOp::truediv}}) {
    const PyOp o = op;
    drop(cls, name);
    cls.def(name, [o](const gl::Tensor& a, const py::object& b) { return binary_op(o, a, b, false); }, py::arg("other"),
            (std::string("t.") + name + "(other): as the operator, other a tensor, array or number").c_str());
  }
  // Dim errors are IndexError, as in PyTorch ("Dimension out of range").
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const gl::Error& e) {
      const std::string message = e.what();
      if (message.find("is out of range for a tensor of rank") == std::string::npos) throw;
      PyErr_SetString(PyExc_IndexError, message.c_str());
    }
  });
  cls.def("dim", &gl::Tensor::dim, "The number of axes (as ndim).");
}

}  // namespace gradlab_py
