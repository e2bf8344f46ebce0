// Every op of engine/ops/ops.h under its C++ name and argument names, plus
// the usual Tensor methods (t.sum(), t.reshape(...), t.T). Long ops (GEMM,
// convolution, batch norm, pooling, losses) run without the GIL.
#include <optional>

#include "bindings.h"

namespace gradlab_py {
namespace {

using OptTensor = std::optional<gl::Tensor>;
gl::Tensor opt(const OptTensor& t) { return t ? *t : gl::Tensor(); }
using Release = py::call_guard<ReleaseGil>;

// axes=None / axis=None: all axes; an int or a sequence of ints otherwise.
std::vector<int> axes_from(const py::object& axes, const py::object& axis) {
  const py::object& spec = axes.is_none() ? axis : axes;
  if (spec.is_none()) return {};
  if (py::isinstance<py::int_>(spec)) return {spec.cast<int>()};
  try {
    return spec.cast<std::vector<int>>();
  } catch (py::cast_error&) {
    throw py::type_error("gradlab: axes must be an int or a sequence of ints, got " + std::string(py::repr(spec)));
  }
}

// stride=2 or stride=(2, 1).
std::pair<std::int64_t, std::int64_t> pair_from(const py::object& v, const char* what) {
  if (py::isinstance<py::int_>(v)) return {v.cast<std::int64_t>(), v.cast<std::int64_t>()};
  try {
    auto p = v.cast<std::vector<std::int64_t>>();
    if (p.size() == 2) return {p[0], p[1]};
  } catch (py::cast_error&) {
  }
  throw py::type_error(std::string("conv2d: ") + what + " is an int or a pair of ints, got " +
                       std::string(py::repr(v)));
}

gl::Shape shape_arg(const py::args& args) {
  py::object spec = args;
  if (args.size() == 1 && !py::isinstance<py::int_>(args[0])) spec = args[0];
  try {
    return spec.cast<gl::Shape>();
  } catch (py::cast_error&) {
    throw py::type_error("gradlab: a shape is a tuple of ints, got " + std::string(py::repr(spec)));
  }
}

// A second operand that may be a number or an array: converted like `a`.
gl::Tensor operand(const py::object& b, const gl::Tensor& a) { return as_tensor(b, a); }

}  // namespace

void bind_ops(py::module_& m) {
  // numpy arrays pass wherever a Tensor is expected (copied, dtype kept).
  py::implicitly_convertible<py::array, gl::Tensor>();

  // ---- elementwise ------------------------------------------------------------
  m.def("add", [](const gl::Tensor& a, const py::object& b) { return gl::add(a, operand(b, a)); }, py::arg("a"), py::arg("b"),
        "a + b elementwise with NumPy broadcasting; b may be a number or an array.");
  m.def("sub", [](const gl::Tensor& a, const py::object& b) { return gl::sub(a, operand(b, a)); }, py::arg("a"), py::arg("b"),
        "a - b elementwise with NumPy broadcasting; b may be a number or an array.");
  m.def("mul", [](const gl::Tensor& a, const py::object& b) { return gl::mul(a, operand(b, a)); }, py::arg("a"), py::arg("b"),
        "a * b elementwise with NumPy broadcasting; b may be a number or an array.");
  m.def("div", [](const gl::Tensor& a, const py::object& b) { return gl::div(a, operand(b, a)); }, py::arg("a"), py::arg("b"),
        "a / b elementwise with NumPy broadcasting; b may be a number or an array.");
  m.def("add_scalar", &gl::add_scalar, py::arg("a"), py::arg("s"),
        "a + s for a number s; shape of a.");
  m.def("mul_scalar", &gl::mul_scalar, py::arg("a"), py::arg("s"),
        "a * s for a number s; shape of a.");
  m.def("neg", &gl::neg, py::arg("a"),
        "-a; shape of a.");
  m.def("exp", &gl::exp, py::arg("a"),
        "e^a elementwise; shape of a. Gradient: g * exp(a).");
  m.def("log", &gl::log, py::arg("a"),
        "The natural logarithm elementwise; shape of a. Gradient: g / a.");
  m.def("sqrt", &gl::sqrt, py::arg("a"),
        "The square root elementwise; shape of a. Gradient: g / (2 sqrt(a)).");
  m.def("pow", static_cast<gl::Tensor (*)(const gl::Tensor&, double)>(&gl::pow), py::arg("a"), py::arg("exponent"));
  m.def("tanh", &gl::tanh, py::arg("a"),
        "tanh elementwise; shape of a. Gradient: g (1 - tanh(a)^2).");
  m.def("sigmoid", &gl::sigmoid, py::arg("a"),
        "1 / (1 + e^-a) elementwise; shape of a. Gradient: g s (1 - s).");
  m.def("relu", &gl::relu, py::arg("a"),
        "max(a, 0) elementwise; shape of a. Gradient: g where a > 0, else 0.");

  // ---- reductions ---------------------------------------------------------------
  m.def("sum", [](const gl::Tensor& a, const py::object& axes, bool keepdims, const py::object& axis) {
    return gl::sum(a, axes_from(axes, axis), keepdims);
  }, py::arg("a"), py::arg("axes") = py::none(), py::arg("keepdims") = false, py::kw_only(), py::arg("axis") = py::none(),
        "The sum over axes (an int or a sequence; None: all; axis= is the same); keepdims keeps them as size 1.");
  m.def("mean", [](const gl::Tensor& a, const py::object& axes, bool keepdims, const py::object& axis) {
    return gl::mean(a, axes_from(axes, axis), keepdims);
  }, py::arg("a"), py::arg("axes") = py::none(), py::arg("keepdims") = false, py::kw_only(), py::arg("axis") = py::none(),
        "The mean over axes (an int or a sequence; None: all; axis= is the same); keepdims keeps them as size 1.");
  m.def("var", [](const gl::Tensor& a, const py::object& axes, bool keepdims, bool unbiased, const py::object& axis) {
    return gl::var(a, axes_from(axes, axis), keepdims, unbiased);
  }, py::arg("a"), py::arg("axes") = py::none(), py::arg("keepdims") = false, py::arg("unbiased") = false,
     py::kw_only(), py::arg("axis") = py::none(),
        "The variance over axes (divisor M, or M - 1 when unbiased; None: all axes).");
  m.def("sum_to", &gl::sum_to, py::arg("a"), py::arg("shape"),
        "Sums a broadcast result back to shape (the reverse of broadcasting; what backward does for broadcast inputs).");

  // ---- shape ----------------------------------------------------------------------
  m.def("reshape", &gl::reshape, py::arg("a"), py::arg("shape"),
        "The same elements under another shape (one size may be -1); shares memory.");
  m.def("flatten", &gl::flatten, py::arg("a"), py::arg("start_axis") = 1,
        "[d0, ..., dk, ...] -> [d0, ..., dk * ...] from start_axis on.");
  m.def("permute", &gl::permute, py::arg("a"), py::arg("order"),
        "The axes reordered, out.shape[i] = a.shape[order[i]] (a copy).");
  m.def("transpose", &gl::transpose, py::arg("a"), py::arg("axis0") = -2, py::arg("axis1") = -1,
        "Two axes swapped (a copy).");
  m.def("slice", &gl::slice, py::arg("a"), py::arg("axis"), py::arg("start"), py::arg("end"), py::arg("step") = 1,
        "Elements start, start + step, ... < end along axis (negative start/end count from the end).");
  m.def("concat", &gl::concat, py::arg("parts"), py::arg("axis") = 0, Release(),
        "The tensors of parts joined along axis (every other size equal).");
  m.def("expand", &gl::expand, py::arg("a"), py::arg("shape"),
        "a broadcast to shape (a copy); gradients are summed back.");
  m.def("pad2d", &gl::pad2d, py::arg("a"), py::arg("pad_h"), py::arg("pad_w"),
        "Zeros added on both sides of the last two axes: [..., H, W] -> [..., H + 2 pad_h, W + 2 pad_w].");

  // ---- linear algebra -----------------------------------------------------------------
  m.def("matmul", &gl::matmul, py::arg("a"), py::arg("b"), Release(),
        "The matrix product: [M, K] @ [K, N] -> [M, N]; batched [B, M, K] @ [B, K, N] (or a shared [K, N]) -> [B, M, N].");
  m.def("linear", [](const gl::Tensor& x, const gl::Tensor& w, const OptTensor& b) { return gl::linear(x, w, opt(b)); },
        py::arg("x"), py::arg("weight"), py::arg("bias") = py::none(), Release(),
        "x [N, in] @ weight [out, in]^T + bias [out] -> [N, out].");

  // ---- convolution ----------------------------------------------------------------------
  m.def("conv2d", [](const gl::Tensor& x, const gl::Tensor& w, const OptTensor& b, const py::object& stride,
                     const py::object& padding) {
    const auto [sh, sw] = pair_from(stride, "stride");
    const auto [ph, pw] = pair_from(padding, "padding");
    ReleaseGil release;
    return gl::conv2d(x, w, opt(b), sh, sw, ph, pw);
  }, py::arg("x"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
     "x [N,C,H,W], weight [K,C,R,S], bias [K] or None -> [N,K,Ho,Wo]; stride/padding an int or (h, w).");
  m.def("conv1d", [](const gl::Tensor& x, const gl::Tensor& w, const OptTensor& b, std::int64_t stride,
                     std::int64_t padding) { return gl::conv1d(x, w, opt(b), stride, padding); },
        py::arg("x"), py::arg("weight"), py::arg("bias") = py::none(), py::arg("stride") = 1, py::arg("padding") = 0,
        Release(), "x [N,C,L], weight [K,C,S], bias [K] or None -> [N,K,Lo].");
  m.def("im2col", &gl::im2col, py::arg("x"), py::arg("R"), py::arg("S"), py::arg("stride") = 1,
        py::arg("padding") = 0, Release(), "x [N,C,H,W] -> [N, C*R*S, Ho*Wo]");
  m.def("conv1d_matrix", &gl::conv1d_matrix, py::arg("weight"), py::arg("length"), py::arg("stride") = 1,
        py::arg("padding") = 0, Release(), "weight [K,C,S] -> A [K*Lo, C*L] with vec(y) = A vec(x) for one example.");
  m.def("conv2d_matrix", &gl::conv2d_matrix, py::arg("weight"), py::arg("H"), py::arg("W"), py::arg("stride") = 1,
        py::arg("padding") = 0, Release(), "weight [K,C,R,S] -> A [K*Ho*Wo, C*H*W].");

  // ---- normalization --------------------------------------------------------------------
  auto bn_doc = "x [N,C] or [N,C,H,W]; gamma, beta [C]; running_mean/var [C] updated in place in training "
                "(momentum as PyTorch's); eval uses them.";
  m.def("batch_norm", [](const gl::Tensor& x, const gl::Tensor& g, const gl::Tensor& b, const OptTensor& rm,
                         const OptTensor& rv, bool training, double momentum, double eps) {
    return gl::batch_norm(x, g, b, opt(rm), opt(rv), training, momentum, eps);
  }, py::arg("x"), py::arg("gamma"), py::arg("beta"), py::arg("running_mean") = py::none(),
     py::arg("running_var") = py::none(), py::arg("training") = true, py::arg("momentum") = 0.1,
     py::arg("eps") = 1e-5, Release(), bn_doc);
  m.def("batch_norm_relu", [](const gl::Tensor& x, const gl::Tensor& g, const gl::Tensor& b, const OptTensor& rm,
                              const OptTensor& rv, bool training, double momentum, double eps) {
    return gl::batch_norm_relu(x, g, b, opt(rm), opt(rv), training, momentum, eps);
  }, py::arg("x"), py::arg("gamma"), py::arg("beta"), py::arg("running_mean") = py::none(),
     py::arg("running_var") = py::none(), py::arg("training") = true, py::arg("momentum") = 0.1,
     py::arg("eps") = 1e-5, Release(), "relu(batch_norm(...)) as one op.");
  m.def("batch_norm_add_relu", [](const gl::Tensor& x, const gl::Tensor& g, const gl::Tensor& b,
                                  const gl::Tensor& residual, const OptTensor& rm, const OptTensor& rv,
                                  bool training, double momentum, double eps) {
    return gl::batch_norm_add_relu(x, g, b, residual, opt(rm), opt(rv), training, momentum, eps);
  }, py::arg("x"), py::arg("gamma"), py::arg("beta"), py::arg("residual"), py::arg("running_mean") = py::none(),
     py::arg("running_var") = py::none(), py::arg("training") = true, py::arg("momentum") = 0.1,
     py::arg("eps") = 1e-5, Release(),
     "relu(batch_norm(x, ...) + residual) as one op, the end of a ResNet basic block. x and residual "
     "[N,C] or [N,C,H,W] (the same shape); gamma, beta [C]; returns x's shape.");

  // ---- pooling, softmax, losses -------------------------------------------------------------
  m.def("max_pool2d", &gl::max_pool2d, py::arg("x"), py::arg("kernel"), py::arg("stride") = 0,
        py::arg("padding") = 0, Release(), "stride 0 means stride = kernel");
  m.def("avg_pool2d", &gl::avg_pool2d, py::arg("x"), py::arg("kernel"), py::arg("stride") = 0,
        py::arg("padding") = 0, Release(), "stride 0 means stride = kernel");
  m.def("global_avg_pool2d", &gl::global_avg_pool2d, py::arg("x"), Release(),
        "[N, C, H, W] -> [N, C], the mean over H and W.");
  m.def("softmax", &gl::softmax, py::arg("x"), Release(), "over the last axis");
  m.def("log_softmax", &gl::log_softmax, py::arg("x"), Release(), "over the last axis");
  m.def("cross_entropy", &gl::cross_entropy, py::arg("logits"), py::arg("labels"), Release(),
        "logits [N, K], labels int32 [N] -> mean cross-entropy");
  m.def("mse_loss", &gl::mse_loss, py::arg("prediction"), py::arg("target"), Release(),
        "mean((prediction - target)^2) over all elements (0-d).");
  m.def("count_correct", [](const gl::Tensor& logits, const gl::Tensor& labels, gl::Tensor counter) {
    gl::count_correct(logits, labels, counter);
  }, py::arg("logits"), py::arg("labels"), py::arg("counter"), Release(),
     "counter[0] += rows of logits whose argmax equals labels (in place).");

  // ---- the same as Tensor methods -------------------------------------------------------------
  auto cls = py::reinterpret_borrow<py::class_<gl::Tensor>>(m.attr("Tensor"));
  for (const char* name : {"exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softmax", "log_softmax", "matmul",
                           "sum", "mean", "var", "permute", "transpose", "flatten", "pow", "slice", "expand"})
    // An instancemethod binds `self` as the op's first argument: t.sum(axes=1) is gl::sum(t, {1}).
    cls.attr(name) = py::reinterpret_steal<py::object>(PyInstanceMethod_New(m.attr(name).ptr()));
  cls.def("reshape", [](const gl::Tensor& a, const py::args& shape) { return gl::reshape(a, shape_arg(shape)); },
          "t.reshape(*shape) or t.reshape(shape): the same elements under another shape (one size may be -1); "
          "shares memory.");
  cls.def("view", [](const gl::Tensor& a, const py::args& shape) { return gl::reshape(a, shape_arg(shape)); },
          "The same as reshape (every gradlab tensor is contiguous).");
  cls.def_property_readonly("T", [](const gl::Tensor& a) {
    std::vector<int> order(a.dim());
    for (int i = 0; i < a.dim(); ++i) order[i] = a.dim() - 1 - i;
    return gl::permute(a, order);
  }, "The axes reversed ([M, N] -> [N, M]), a copy.");
}

}  // namespace gradlab_py
