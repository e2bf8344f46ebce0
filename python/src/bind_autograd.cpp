// Autograd from Python: no_grad(), jacobian(f, x) and gradcheck(f, inputs)
// over Python callables (the engine's one-hot backward passes and its float64
// central-difference checker), and the graph as Graphviz DOT that draws
// itself in a notebook (when the graphviz package and its `dot` are present).
#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bindings.h"

namespace gradlab_py {
namespace {

// `with gradlab.no_grad():` / `enable_grad()` / `set_grad_enabled(mode)`:
// the mode inside; the previous mode comes back on exit. One object may be
// entered again while inside (nested `with ng:`), so each entry keeps its own
// previous mode on a stack.
struct GradMode {
  bool enabled = false;
  std::vector<bool> previous;
  // set_grad_enabled(mode) switches when called; its first __enter__ then
  // restores, on exit, the mode from before that call (PyTorch's rule).
  std::optional<bool> mode_before_call;
  void enter() {
    previous.push_back(mode_before_call ? *mode_before_call : gl::grad_enabled());
    mode_before_call.reset();
    gl::set_grad_enabled(enabled);
  }
  void exit() {
    if (previous.empty()) throw py::value_error("gradlab: __exit__ without a matching __enter__");
    gl::set_grad_enabled(previous.back());
    previous.pop_back();
  }
};

// Binds one grad-mode context manager class, usable as a decorator too.
// One C++ type per Python class (pybind11 binds each type once).
struct NoGradMode : GradMode {};
struct EnableGradMode : GradMode {};
struct SetGradEnabledMode : GradMode {};

template <class Mode, class... Init>
void bind_grad_mode(py::module_& m, const char* name, const char* doc, Init... init) {
  py::class_<Mode>(m, name, doc)
      .def(std::move(init)...)
      .def("__enter__", [](Mode& g) { g.enter(); })
      .def("__exit__", [](Mode& g, const py::args&) { g.exit(); return false; })
      .def("__call__", [](const Mode& g, const py::function& f) {
        const bool enabled = g.enabled;
        return py::cpp_function([enabled, f](const py::args& args, const py::kwargs& kwargs) {
          GradMode scope{enabled, {}, {}};
          scope.enter();
          try {
            py::object r = f(*args, **kwargs);
            scope.exit();
            return r;
          } catch (...) {
            scope.exit();
            throw;
          }
        });
      }, py::arg("function"), "As a decorator: the function runs in this mode.");
}

struct Graph {
  std::string source;  // DOT
};

// The graph drawn by Graphviz's `dot` in `format`, or None without the
// graphviz package or program (the notebook then shows the DOT text).
py::object graph_render(const Graph& g, const char* format) {
  try {
    py::object source = py::module_::import("graphviz").attr("Source")(g.source);
    return source.attr("pipe")(py::arg("format") = format);
  } catch (py::error_already_set&) {
    return py::none();
  }
}

// The SVG element alone: no XML declaration or DOCTYPE, which HTML
// converters (nbconvert) refuse inside a page.
py::object graph_svg(const Graph& g) {
  py::object raw = graph_render(g, "svg");
  if (raw.is_none()) return raw;
  std::string svg = raw.attr("decode")("utf-8").cast<std::string>();
  const auto start = svg.find("<svg");
  if (start != std::string::npos) svg.erase(0, start);
  return py::str(svg);
}

// Everything a notebook front end may pick, in one output: the SVG, a PNG
// (nbconvert's HTML sanitizer strips an inline SVG's drawing), and HTML that
// shows the SVG as an image (what nbconvert's HTML and Jupyter display).
py::dict graph_mimebundle(const Graph& g) {
  py::dict bundle;
  bundle["text/plain"] = py::str(g.source);
  py::object svg = graph_svg(g);
  if (svg.is_none()) return bundle;
  py::module_ base64 = py::module_::import("base64");
  bundle["image/svg+xml"] = svg;
  const std::string svg64 = base64.attr("b64encode")(svg.attr("encode")("utf-8")).attr("decode")("ascii").cast<std::string>();
  bundle["text/html"] = py::str("<img alt=\"computation graph\" src=\"data:image/svg+xml;base64," + svg64 + "\">");
  py::object png = graph_render(g, "png");
  if (!png.is_none()) bundle["image/png"] = base64.attr("b64encode")(png).attr("decode")("ascii");
  return bundle;
}

std::vector<gl::Tensor> tensors_from(const py::object& inputs) {
  if (py::isinstance<gl::Tensor>(inputs)) return {inputs.cast<gl::Tensor>()};
  try {
    return inputs.cast<std::vector<gl::Tensor>>();
  } catch (py::cast_error&) {
    throw py::type_error("gradlab: expected a Tensor or a sequence of Tensors, got " + std::string(py::repr(inputs)));
  }
}

gl::Tensor call_tensor(const py::object& f, const std::vector<gl::Tensor>& xs, const char* who) {
  py::tuple args(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i) args[i] = py::cast(xs[i]);
  py::object y = f(*args);
  if (!py::isinstance<gl::Tensor>(y))
    throw py::type_error(std::string(who) + ": f must return a gradlab.Tensor, got " +
                         std::string(py::str(py::type::of(y).attr("__name__"))));
  return y.cast<gl::Tensor>();
}

// d vec(f(x)) / d vec(x) for each x; f is a callable or an already computed output.
py::object jacobian(const py::object& f, const py::object& x) {
  const bool many = !py::isinstance<gl::Tensor>(x);
  std::vector<gl::Tensor> xs = tensors_from(x);
  gl::Tensor y;
  if (py::isinstance<gl::Tensor>(f)) {
    y = f.cast<gl::Tensor>();  // y computed from x already (x has requires_grad)
  } else {
    if (!PyCallable_Check(f.ptr())) throw py::type_error("jacobian: f must be a callable or a Tensor");
    for (auto& xi : xs) {
      xi = xi.detach();  // a fresh leaf sharing x's data
      xi.set_requires_grad(true);
    }
    y = call_tensor(f, xs, "jacobian");
  }
  std::vector<gl::Tensor> out;
  for (const auto& xi : xs) out.push_back(gl::jacobian(y, xi));
  if (!many) return py::cast(out[0]);
  return py::cast(out);
}

gl::GradCheckResult gradcheck(const py::object& f, const py::object& inputs, double h, double atol, double rtol,
                              double kink_tol, std::uint64_t seed, bool raise_exception) {
  if (!PyCallable_Check(f.ptr())) throw py::type_error("gradcheck: f must be a callable");
  std::vector<gl::Tensor> xs = tensors_from(inputs);
  for (auto& x : xs) {
    if (x.dtype() != gl::DType::f64 || x.device() != gl::Device::cpu)
      throw py::value_error("gradcheck: inputs must be float64 cpu tensors (finite differences need the "
                            "precision), got " + gl::describe(x) + "; use gradlab.tensor(..., dtype='float64')");
    if (!x.requires_grad()) x.set_requires_grad(true);
  }
  // A vector-valued f is checked through a fixed random projection sum(f(x) * r),
  // so every output element takes part with its own weight.
  gl::Tensor projection;
  std::function<gl::Tensor()> scalar_f = [&]() -> gl::Tensor {
    gl::Tensor y = call_tensor(f, xs, "gradcheck");
    if (y.numel() == 1) return gl::reshape(y, {});
    if (!projection.defined()) {
      gl::Rng rng(seed);
      projection = gl::Tensor::randn(y.shape(), rng, 0.0, 1.0, y.dtype(), y.device());
    }
    return gl::sum(gl::mul(y, projection));
  };
  gl::GradCheckOptions options;
  options.h = h;
  options.atol = atol;
  options.rtol = rtol;
  options.kink_tol = kink_tol;
  gl::GradCheckResult r = gl::check_gradients(scalar_f, xs, options);
  if (raise_exception && !r.ok) throw std::runtime_error("gradcheck failed: " + r.message);
  return r;
}

}  // namespace

void bind_autograd(py::module_& m) {
  bind_grad_mode<NoGradMode>(m, "no_grad",
                             "with gradlab.no_grad(): ops inside record no graph (evaluation, manual updates).",
                             py::init([] { NoGradMode g; g.enabled = false; return g; }));
  bind_grad_mode<EnableGradMode>(m, "enable_grad",
                                 "with gradlab.enable_grad(): ops inside record the graph, even within no_grad().",
                                 py::init([] { EnableGradMode g; g.enabled = true; return g; }));
  bind_grad_mode<SetGradEnabledMode>(m, "set_grad_enabled",
                 "set_grad_enabled(mode): switches recording on or off now (for this thread); as a context manager "
                 "(with gradlab.set_grad_enabled(False): ...) the previous mode comes back on exit.",
                 py::init([](bool mode) {
                   SetGradEnabledMode g;
                   g.enabled = mode;
                   g.mode_before_call = gl::grad_enabled();
                   gl::set_grad_enabled(mode);  // the call itself switches, as in PyTorch
                   return g;
                 }), py::arg("mode"));
  m.def("is_grad_enabled", &gl::grad_enabled, "True when ops record the graph (the default; off inside no_grad()).");

  py::class_<Graph>(m, "Graph", "A computation graph as Graphviz DOT (.source); draws itself in Jupyter.")
      .def_readonly("source", &Graph::source, "the graph as Graphviz DOT text")
      .def("_repr_svg_", &graph_svg)
      .def("_repr_mimebundle_", [](const Graph& g, const py::object&, const py::object&) { return graph_mimebundle(g); },
           py::arg("include") = py::none(), py::arg("exclude") = py::none())
      .def("__str__", [](const Graph& g) { return g.source; })
      .def("__repr__", [](const Graph& g) {
        return "<gradlab.Graph: " + std::to_string(std::count(g.source.begin(), g.source.end(), '\n')) +
               " lines of DOT>";
      });
  m.def("to_dot", [](const gl::Tensor& root) { return Graph{gl::to_dot(root)}; }, py::arg("t"),
        "The graph backward() would walk from t: one box per op, one ellipse per leaf.");

  m.def("jacobian", &jacobian, py::arg("f"), py::arg("x"),
        "d vec(f(x)) / d vec(x) as [f.numel(), x.numel()], by one backward pass per output element. "
        "f is a callable of the tensor(s) x, or an output already computed from x. A list x gives a list.");
  m.def("numerical_jacobian", [](const py::object& f, gl::Tensor x, double h) {
    if (x.dtype() != gl::DType::f64) throw py::value_error("numerical_jacobian: x must be float64, got " + gl::describe(x));
    return gl::numerical_jacobian([&] { return call_tensor(f, {x}, "numerical_jacobian"); }, x, h);
  }, py::arg("f"), py::arg("x"), py::arg("h") = 1e-6, "Central differences in float64 (the engine's checker).");

  py::class_<gl::GradCheckResult>(m, "GradCheckResult",
      "What gradcheck found: truthy when every checked element agrees (a NaN or an infinity never does).")
      .def_readonly("ok", &gl::GradCheckResult::ok, "True when autograd and finite differences agree everywhere")
      .def_readonly("checked", &gl::GradCheckResult::checked, "elements compared")
      .def_readonly("skipped_kinks", &gl::GradCheckResult::skipped_kinks,
                    "elements within h of a kink (relu at 0, a max tie), not compared")
      .def_readonly("max_abs_error", &gl::GradCheckResult::max_abs_error, "largest |autograd - finite differences|")
      .def_readonly("message", &gl::GradCheckResult::message,
                    "on failure: the input, the flat index and the index, expected and actual values")
      .def("__bool__", [](const gl::GradCheckResult& r) { return r.ok; })
      .def("__repr__", [](const gl::GradCheckResult& r) {
        return std::string("GradCheckResult(ok=") + (r.ok ? "True" : "False") + ", checked=" +
               std::to_string(r.checked) + ", skipped_kinks=" + std::to_string(r.skipped_kinks) +
               ", max_abs_error=" + py::str(py::float_(r.max_abs_error)).cast<std::string>() +
               (r.message.empty() ? "" : ", message=" + py::repr(py::str(r.message)).cast<std::string>()) + ")";
      });
  m.def("gradcheck", &gradcheck, py::arg("f"), py::arg("inputs"), py::arg("h") = 1e-6, py::arg("atol") = 1e-7,
        py::arg("rtol") = 1e-5, py::arg("kink_tol") = 1e-3, py::arg("seed") = 0, py::arg("raise_exception") = false,
        "Autograd against float64 central differences for f(*inputs); a vector output is checked through a "
        "fixed random projection. Returns a GradCheckResult (truthy when it holds).");
}

}  // namespace gradlab_py
