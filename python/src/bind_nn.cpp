// gradlab.nn: the engine's Module tree with named parameters and buffers, its
// layers, and Module subclasses written in Python (a trampoline forwards
// forward() to Python; assigning a Module attribute registers it as a child,
// as in PyTorch). state_dict() / load_state_dict() go through numpy.
#include <optional>
#include <string>

#include "bindings.h"

namespace gradlab_py {
namespace {

using gl::nn::Module;
using ModulePtr = std::shared_ptr<Module>;

// The Python class gradlab.nn.Module (set once it is bound).
py::handle& module_class() {
  static py::handle cls;
  return cls;
}

// The forward() a Python subclass defines, or None when it defines none (only
// the C++ base's). Looked up on the type, not through pybind11's override
// lookup, which refuses to find a method that is already running for this
// object, so a module that calls itself (recursion with a base case) works.
py::object python_forward(const py::handle& self) {
  py::object f = py::getattr(py::type::of(self), "forward", py::none());
  if (f.is_none() || f.is(module_class().attr("forward"))) return py::none();
  return f;
}

// A Module defined in Python: forward (and optionally type_name) come from Python.
class PyModule : public Module {
 public:
  gl::Tensor forward(const gl::Tensor& x) override {
    py::gil_scoped_acquire gil;
    py::object self = py::cast(static_cast<Module*>(this), py::return_value_policy::reference);
    py::object f = python_forward(self);
    if (f.is_none())
      throw py::type_error(type_name() + " has no forward(): a gradlab.nn.Module subclass must define "
                           "forward(self, x)");
    py::object y = f(self, x);
    if (!py::isinstance<gl::Tensor>(y))
      throw py::type_error(type_name() + ".forward must return a gradlab.Tensor here (it is called by a "
                           "container such as Sequential), got " + std::string(py::str(py::type::of(y).attr("__name__"))));
    return y.cast<gl::Tensor>();
  }
  std::string type_name() const override {
    py::gil_scoped_acquire gil;
    if (py::function f = py::get_override(static_cast<const Module*>(this), "type_name")) return f().cast<std::string>();
    return py::str(py::type::of(py::cast(this)).attr("__name__"));
  }
  using Module::register_buffer;
  using Module::register_module;
  using Module::register_parameter;
};

gl::Rng& rng_for(std::optional<std::uint64_t> seed, gl::Rng& scratch) {
  if (!seed) return module_rng();
  scratch = gl::Rng(*seed);
  return scratch;
}

py::list named(const std::vector<gl::nn::NamedTensor>& items) {
  py::list out;
  for (const auto& nt : items) out.append(py::make_tuple(nt.name, nt.tensor));
  return out;
}

py::dict state_dict(const Module& m) {
  py::dict out;
  for (const auto& group : {m.named_parameters(), m.named_buffers()})
    for (const auto& nt : group) out[py::str(nt.name)] = py::array(tensor_to_numpy(nt.tensor).attr("copy")());
  return out;
}

// All or nothing: every entry is converted and checked (keys, shapes, values)
// before the first parameter is written, so a failure leaves the module as it was.
void load_state_dict(Module& m, const py::object& state_obj, bool strict) {
  if (!py::isinstance<py::dict>(state_obj))
    throw py::type_error("load_state_dict: state must be a dict of name -> array or tensor (as state_dict() "
                         "gives), got " + std::string(py::str(py::type::of(state_obj).attr("__name__"))));
  const py::dict state = state_obj.cast<py::dict>();
  std::vector<gl::nn::NamedTensor> targets = m.named_parameters();
  for (auto& nt : m.named_buffers()) targets.push_back(nt);
  std::vector<std::string> missing;
  std::vector<std::pair<gl::Tensor, gl::Tensor>> writes;  // (destination, converted source)
  for (auto& nt : targets) {
    if (!state.contains(nt.name)) {
      missing.push_back(nt.name);
      continue;
    }
    gl::Tensor src;
    try {
      src = tensor_from_python(state[py::str(nt.name)], py::cast(nt.tensor.dtype()), false, py::none());
    } catch (py::error_already_set& e) {
      throw py::value_error("load_state_dict: '" + nt.name + "' cannot be read as " +
                            gl::dtype_name(nt.tensor.dtype()) + " data: " + e.what() + " (nothing was loaded)");
    } catch (std::exception& e) {
      throw py::value_error("load_state_dict: '" + nt.name + "' cannot be read as " +
                            gl::dtype_name(nt.tensor.dtype()) + " data: " + e.what() + " (nothing was loaded)");
    }
    if (src.shape() != nt.tensor.shape())
      throw py::value_error("load_state_dict: '" + nt.name + "' has shape " + gl::shape_str(src.shape()) +
                            " in the state but " + gl::shape_str(nt.tensor.shape()) +
                            " in the module (nothing was loaded)");
    writes.emplace_back(nt.tensor, src);
  }
  if (strict) {
    std::string problems;
    for (const auto& n : missing) problems += " missing '" + n + "';";
    for (auto item : state) {
      const std::string key = py::str(item.first);
      bool known = false;
      for (const auto& nt : targets) known = known || nt.name == key;
      if (!known) problems += " unexpected '" + key + "';";
    }
    if (!problems.empty())
      throw py::value_error("load_state_dict:" + problems +
                            " (nothing was loaded; pass strict=False to load what matches)");
  }
  require_no_concurrent_work("load_state_dict");
  gl::NoGradGuard no_grad;
  for (auto& [dst, src] : writes) dst.copy_from(src);
}

std::string summary(const Module& m, const std::string& indent) {
  std::string s = m.type_name() + "(" + std::to_string(m.parameter_count()) + " parameters)";
  for (const auto& [name, child] : m.children()) s += "\n" + indent + "  (" + name + "): " + summary(*child, indent + "  ");
  return s;
}

py::object child(const Module& m, const std::string& name) {
  for (const auto& [n, c] : m.children())
    if (n == name) return py::cast(c);
  throw py::attribute_error("'" + m.type_name() + "' has no attribute or child module '" + name + "'");
}

}  // namespace

void bind_nn(py::module_& m) {
  py::module_ nn = m.def_submodule("nn", "Modules: layers with named parameters and buffers.");
  py::module_::import("sys").attr("modules")["gradlab.nn"] = nn;

  py::class_<Module, PyModule, ModulePtr>(nn, "Module", py::dynamic_attr(),
      "Subclass it in Python: define forward(x), assign child Modules as attributes, and "
      "self.register_parameter(name, tensor) for parameters.")
      .def(py::init<>(), "Module(): call it first, super().__init__(), in a subclass's __init__.")
      .def("forward", [](Module& self, const gl::Tensor& x) { ReleaseGil r; return self.forward(x); },
           py::arg("x"), "forward(x) -> Tensor: the layer's computation (a subclass defines it); call the module "
           "itself, module(x), as in PyTorch.")
      .def("__call__", [](const py::object& self, const py::args& args, const py::kwargs& kwargs) -> py::object {
        // A Python subclass: its forward runs directly, with any arguments
        // (recursion included; Python's recursion limit stops a runaway one).
        if (py::object f = python_forward(self); !f.is_none()) return f(self, *args, **kwargs);
        if (args.size() != 1 || !kwargs.empty())
          throw py::type_error(self.cast<Module&>().type_name() + "(x): takes one tensor, got " +
                               std::to_string(args.size()) + " positional and " + std::to_string(kwargs.size()) +
                               " keyword arguments");
        const gl::Tensor x = as_tensor(args[0], gl::Tensor::empty({}, gl::DType::f32));
        Module& m = self.cast<Module&>();
        gl::Tensor y;
        {
          ReleaseGil r;  // the Python result is made after the GIL is back (never without it)
          y = m.forward(x);
        }
        return py::cast(std::move(y));
      }, "module(*args, **kwargs): runs forward (a Python subclass's forward gets any arguments).")
      .def("type_name", &Module::type_name, "The layer's name in summaries ('Conv2d', or the Python class name).")
      .def("named_parameters", [](const Module& self) { return named(self.named_parameters()); },
           "[(dotted name, Tensor)] of every trained parameter, children included, in registration order.")
      .def("named_buffers", [](const Module& self) { return named(self.named_buffers()); },
           "[(dotted name, Tensor)] of the state that is saved but not trained (batch-norm running statistics).")
      .def("parameters", &Module::parameters, "Every trained parameter (the tensors themselves), for an optimizer.")
      .def("parameter_count", &Module::parameter_count, "parameter_count() -> int: trained elements, children included.")
      .def("children", [](const Module& self) {
        py::list out;
        for (const auto& [name, c] : self.children()) out.append(py::make_tuple(name, c));
        return out;
      }, "[(name, Module)] of the direct children, in registration order.")
      .def("train", [](Module& self, bool on) { self.train(on); return &self; }, py::arg("mode") = true,
           py::return_value_policy::reference,
           "Training mode (batch statistics in BatchNorm) for this module and its children; returns the module.")
      .def("eval", [](Module& self) { self.eval(); return &self; }, py::return_value_policy::reference,
           "Evaluation mode (running statistics in BatchNorm), recursively; returns the module.")
      .def_property_readonly("training", &Module::is_training, "True in training mode.")
      .def("to", [](Module& self, const py::object& target) {
        require_no_concurrent_work("Module.to");
        if (py::isinstance<gl::Device>(target) ||
            (py::isinstance<py::str>(target) && (target.cast<std::string>() == "cpu" ||
                                                 target.cast<std::string>().rfind("cuda", 0) == 0)))
          self.to(parse_device(target));
        else
          self.to(parse_dtype(target));
        return &self;
      }, py::arg("device_or_dtype"), py::return_value_policy::reference, "In place; returns the module.")
      .def("zero_grad", [](Module& self, bool keep_buffers) { self.zero_grad(keep_buffers); },
           py::arg("keep_buffers") = false, "drops the gradients (keep_buffers: zeroes them in place)")
      .def("state_dict", &state_dict, "name -> numpy copy, parameters then buffers")
      .def("load_state_dict", &load_state_dict, py::arg("state"), py::arg("strict") = true,
           "Copies numpy arrays (or tensors) into the parameters and buffers of the same names.")
      .def("register_parameter", [](PyModule& self, std::string name, gl::Tensor t, bool decay) {
        return self.register_parameter(std::move(name), t, decay);
      }, py::arg("name"), py::arg("tensor"), py::arg("decay") = false,
         "Registers tensor as a trained parameter (requires_grad is set) and returns it; decay=True puts it in the "
         "weight-decay group of optim.decay_groups.")
      .def("register_buffer", [](PyModule& self, std::string name, gl::Tensor t) {
        return self.register_buffer(std::move(name), t);
      }, py::arg("name"), py::arg("tensor"), "Registers tensor as saved, untrained state and returns it.")
      .def("register_module", [](PyModule& self, std::string name, ModulePtr child) {
        return self.register_module(std::move(name), child);
      }, py::arg("name"), py::arg("module"), py::keep_alive<1, 3>(),
         "Adds a child module under name (what assigning a Module attribute does).")
      .def("__setattr__", [](py::object self, const py::str& name, const py::object& value) {
        if (py::isinstance<Module>(value)) {
          // Before Module.__init__ there is no C++ module to register the child with.
          auto* inst = reinterpret_cast<py::detail::instance*>(self.ptr());
          if (!inst->get_value_and_holder().holder_constructed())
            throw py::attribute_error("cannot assign module '" + std::string(name) + "' before Module.__init__() "
                                      "call: call super().__init__() first in " +
                                      std::string(py::str(py::type::of(self).attr("__name__"))) + ".__init__");
          self.cast<Module&>().set_child(name, value.cast<ModulePtr>());
        }
        py::module_::import("builtins").attr("object").attr("__setattr__")(self, name, value);
      })
      .def("__getattr__", [](const Module& self, const std::string& name) { return child(self, name); },
           "A child module by name.")
      .def("__repr__", [](const Module& self) { return summary(self, ""); }, "The module tree with parameter counts.");
  module_class() = py::object(nn.attr("Module")).release();  // kept for the life of the process

  using gl::nn::BatchNorm, gl::nn::Conv1d, gl::nn::Conv2d, gl::nn::Linear, gl::nn::Sequential;
  py::class_<Linear, Module, std::shared_ptr<Linear>>(nn, "Linear",
      "Linear(in_features, out_features, bias=True, seed=None): y = x W^T + b for x [N, in_features] -> "
      "[N, out_features]; weight [out, in] and bias [out] drawn from U(-1/sqrt(in), 1/sqrt(in)) (PyTorch's "
      "default); seed=None uses gradlab's generator (manual_seed).")
      .def(py::init([](std::int64_t in, std::int64_t out, bool bias, std::optional<std::uint64_t> seed) {
        gl::Rng scratch;
        return std::make_shared<Linear>(in, out, bias, rng_for(seed, scratch));
      }), py::arg("in_features"), py::arg("out_features"), py::arg("bias") = true, py::arg("seed") = py::none())
      .def_property_readonly("weight", [](const Linear& l) { return l.weight; }, "[out_features, in_features]")
      .def_property_readonly("bias", [](const Linear& l) { return tensor_or_none(l.bias); }, "[out_features], or None");
  py::class_<Conv2d, Module, std::shared_ptr<Conv2d>>(nn, "Conv2d",
      "Conv2d(in_channels, out_channels, kernel, stride=1, padding=0, bias=True, seed=None): "
      "x [N, C, H, W] -> [N, K, Ho, Wo], Ho = (H + 2 padding - kernel) // stride + 1; weight [K, C, kernel, kernel] "
      "(Kaiming normal, fan out), bias [K].")
      .def(py::init([](std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                       std::int64_t padding, bool bias, std::optional<std::uint64_t> seed) {
        gl::Rng scratch;
        return std::make_shared<Conv2d>(in, out, kernel, stride, padding, bias, rng_for(seed, scratch));
      }), py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel"), py::arg("stride") = 1,
         py::arg("padding") = 0, py::arg("bias") = true, py::arg("seed") = py::none())
      .def_property_readonly("weight", [](const Conv2d& l) { return l.weight; }, "[K, C, kernel, kernel]")
      .def_property_readonly("bias", [](const Conv2d& l) { return tensor_or_none(l.bias); }, "[K], or None")
      .def_readonly("stride", &Conv2d::stride, "the stride (both axes)")
      .def_readonly("padding", &Conv2d::padding, "zeros added on each side (both axes)");
  py::class_<Conv1d, Module, std::shared_ptr<Conv1d>>(nn, "Conv1d",
      "Conv1d(in_channels, out_channels, kernel, stride=1, padding=0, bias=True, seed=None): "
      "x [N, C, L] -> [N, K, Lo], Lo = (L + 2 padding - kernel) // stride + 1; weight [K, C, kernel], bias [K].")
      .def(py::init([](std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                       std::int64_t padding, bool bias, std::optional<std::uint64_t> seed) {
        gl::Rng scratch;
        return std::make_shared<Conv1d>(in, out, kernel, stride, padding, bias, rng_for(seed, scratch));
      }), py::arg("in_channels"), py::arg("out_channels"), py::arg("kernel"), py::arg("stride") = 1,
         py::arg("padding") = 0, py::arg("bias") = true, py::arg("seed") = py::none())
      .def_property_readonly("weight", [](const Conv1d& l) { return l.weight; }, "[K, C, kernel]")
      .def_property_readonly("bias", [](const Conv1d& l) { return tensor_or_none(l.bias); }, "[K], or None")
      .def_readonly("stride", &Conv1d::stride, "the stride")
      .def_readonly("padding", &Conv1d::padding, "zeros added on each side");
  py::class_<BatchNorm, Module, std::shared_ptr<BatchNorm>>(nn, "BatchNorm",
      "BatchNorm(channels, momentum=0.1, eps=1e-5) (also BatchNorm1d, BatchNorm2d): x [N, C] or [N, C, H, W]; "
      "per channel y = (x - mean) / sqrt(var + eps) * gamma + beta, with the batch's statistics in training (the "
      "running ones updated: running = (1 - momentum) running + momentum batch, variance unbiased) and the running "
      "ones in evaluation. gamma, beta, running_mean, running_var: [C].")
      .def(py::init<std::int64_t, double, double>(), py::arg("channels"), py::arg("momentum") = 0.1,
           py::arg("eps") = 1e-5)
      .def("forward_relu", [](BatchNorm& b, const gl::Tensor& x) { ReleaseGil r; return b.forward_relu(x); },
           py::arg("x"), "relu(self(x)) as one fused op (one pass over memory in training).")
      .def("forward_add_relu",
           [](BatchNorm& b, const gl::Tensor& x, const gl::Tensor& residual) {
             ReleaseGil r;
             return b.forward_add_relu(x, residual);
           },
           py::arg("x"), py::arg("residual"),
           "relu(self(x) + residual) as one fused op; residual has x's shape [N, C, ...].")
      .def_property_readonly("gamma", [](const BatchNorm& b) { return b.gamma; }, "[C] scale (trained)")
      .def_property_readonly("beta", [](const BatchNorm& b) { return b.beta; }, "[C] shift (trained)")
      .def_property_readonly("running_mean", [](const BatchNorm& b) { return b.running_mean; }, "[C] buffer")
      .def_property_readonly("running_var", [](const BatchNorm& b) { return b.running_var; }, "[C] buffer")
      .def_readonly("momentum", &BatchNorm::momentum, "the running statistics' update weight")
      .def_readonly("eps", &BatchNorm::eps, "added to the variance");
  nn.attr("BatchNorm1d") = nn.attr("BatchNorm");
  nn.attr("BatchNorm2d") = nn.attr("BatchNorm");
  py::class_<gl::nn::ReLU, Module, std::shared_ptr<gl::nn::ReLU>>(nn, "ReLU", "ReLU(): max(x, 0), any shape.")
      .def(py::init<>());
  py::class_<gl::nn::Flatten, Module, std::shared_ptr<gl::nn::Flatten>>(nn, "Flatten",
      "Flatten(): [N, d1, d2, ...] -> [N, d1 * d2 * ...].").def(py::init<>());
  py::class_<gl::nn::GlobalAvgPool, Module, std::shared_ptr<gl::nn::GlobalAvgPool>>(nn, "GlobalAvgPool",
      "GlobalAvgPool(): [N, C, H, W] -> [N, C], the mean over H and W.")
      .def(py::init<>());
  py::class_<Sequential, Module, std::shared_ptr<Sequential>>(nn, "Sequential",
      "Sequential(*modules): each module's output is the next one's input; children named '0', '1', ...")
      .def(py::init([](const py::args& layers) {
        auto s = std::make_shared<Sequential>();
        for (auto l : layers) {
          if (!py::isinstance<Module>(l))
            throw py::type_error("Sequential: every argument must be a gradlab.nn.Module, got " +
                                 std::string(py::repr(l)));
          s->add(l.cast<ModulePtr>());
        }
        return s;
      }), py::keep_alive<1, 2>())
      .def("add", [](Sequential& s, ModulePtr layer, std::string name) { return s.add(layer, std::move(name)); },
           py::arg("module"), py::arg("name") = "", py::keep_alive<1, 2>(),
           "Appends a module (named by its position unless name is given); returns it.")
      .def("__len__", &Sequential::size, "The number of modules.")
      .def("__getitem__", [](const Sequential& s, long i) {
        const long n = static_cast<long>(s.size());
        if (i < -n || i >= n) throw py::index_error("Sequential: index " + std::to_string(i) + " out of range");
        return s.children()[i < 0 ? i + n : i].second;
      }, py::arg("index"), "The module at index (negative counts from the end).");

  nn.def("kaiming_normal_fan_out", [](gl::Tensor& w, std::optional<std::uint64_t> seed) {
    gl::Rng scratch;
    gl::nn::kaiming_normal_fan_out(w, rng_for(seed, scratch));
  }, py::arg("weight"), py::arg("seed") = py::none(), "In place: std = sqrt(2 / (K * R * S)).");
}

}  // namespace gradlab_py
