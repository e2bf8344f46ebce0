// gradlab.Tensor: construction, numpy in and out, metadata, autograd fields,
// Python operators with broadcasting, indexing by ints/slices/.../None, and a
// numpy-style repr.
#include <string>

#include "bindings.h"

namespace gradlab_py {
namespace {

gl::Rng& global_rng() {
  static gl::Rng rng(0);
  return rng;
}

// (2, 3), [2, 3] or 2, 3 (varargs) -> Shape.
gl::Shape shape_from(const py::tuple& args) {
  py::object spec = args;
  if (args.size() == 1 && !py::isinstance<py::int_>(args[0])) spec = args[0];
  gl::Shape s;
  try {
    for (auto d : spec) s.push_back(d.cast<std::int64_t>());
  } catch (py::cast_error&) {
    throw py::type_error("gradlab: a shape is a tuple of ints, got " + std::string(py::repr(spec)));
  }
  return s;
}

bool is_python_number(const py::handle& v) {
  return (PyFloat_Check(v.ptr()) || PyLong_Check(v.ptr())) && !PyBool_Check(v.ptr());
}

// One binary operator: tensor (op) other, other a Tensor, number or array.
template <class TensorOp, class ScalarOp>
py::object binary(const gl::Tensor& a, const py::object& other, TensorOp on_tensors, ScalarOp on_scalar) {
  if (is_python_number(other)) return py::cast(on_scalar(a, other.cast<double>()));
  if (!py::isinstance<gl::Tensor>(other) && !py::isinstance<py::array>(other) &&
      !py::isinstance<py::list>(other) && !py::isinstance<py::tuple>(other))
    return py::reinterpret_borrow<py::object>(Py_NotImplemented);
  return py::cast(on_tensors(a, as_tensor(other, a)));
}

// t[key]: ints drop an axis, slices keep it (positive steps), ... fills the
// middle, None adds an axis of size 1. Built from gl::slice and gl::reshape,
// so the result is differentiable.
gl::Tensor index(const gl::Tensor& t, const py::handle& key) {
  std::vector<py::handle> items;
  if (py::isinstance<py::tuple>(key)) {
    for (auto k : key.cast<py::tuple>()) items.push_back(k);
  } else {
    items.push_back(key);
  }
  int used = 0, ellipses = 0;
  for (auto k : items) {
    if (k.ptr() == Py_Ellipsis) ++ellipses;
    else if (!k.is_none()) ++used;
  }
  if (ellipses > 1) throw py::index_error("gradlab: an index can only have a single ellipsis ('...')");
  if (used > t.dim())
    throw py::index_error("gradlab: too many indices for a tensor of shape " + gl::shape_str(t.shape()) +
                          ": " + std::to_string(used) + " given");
  gl::Tensor r = t;
  int axis = 0;
  for (auto k : items) {
    if (k.ptr() == Py_Ellipsis) {
      axis += t.dim() - used;
    } else if (k.is_none()) {
      gl::Shape s = r.shape();
      s.insert(s.begin() + axis, 1);
      r = gl::reshape(r, s);
      ++axis;
    } else if (PySlice_Check(k.ptr())) {
      Py_ssize_t start, stop, step;
      if (PySlice_Unpack(k.ptr(), &start, &stop, &step) < 0) throw py::error_already_set();
      const Py_ssize_t n = r.shape()[axis];
      PySlice_AdjustIndices(n, &start, &stop, step);
      if (step <= 0) throw py::index_error("gradlab: slices need a positive step, got " + std::to_string(step));
      if (stop < start) stop = start;
      if (!(start == 0 && stop == n && step == 1)) r = gl::slice(r, axis, start, stop, step);
      ++axis;
    } else if ((PyLong_Check(k.ptr()) && !PyBool_Check(k.ptr())) ||
               py::isinstance(k, py::module_::import("numpy").attr("integer"))) {
      std::int64_t i = py::reinterpret_borrow<py::object>(k).cast<std::int64_t>();
      const std::int64_t n = r.shape()[axis];
      if (i < -n || i >= n)
        throw py::index_error("gradlab: index " + std::to_string(i) + " is out of range for axis " +
                              std::to_string(axis) + " of size " + std::to_string(n) + " (shape " +
                              gl::shape_str(t.shape()) + ")");
      if (i < 0) i += n;
      gl::Shape s = r.shape();
      s.erase(s.begin() + axis);
      r = gl::reshape(gl::slice(r, axis, i, i + 1), s);
    } else {
      throw py::index_error("gradlab: index " + std::string(py::repr(k)) +
                            " is not supported; use ints, slices with positive steps, ... and None");
    }
  }
  return r;
}

std::string tensor_repr(const gl::Tensor& t) {
  if (!t.defined()) return "tensor(undefined)";
  py::module_ np = py::module_::import("numpy");
  const std::string body = py::str(np.attr("array2string")(tensor_to_numpy(t, false), py::arg("separator") = ", ",
                                                           py::arg("prefix") = "tensor("));
  std::string extra;
  if (t.dtype() != gl::DType::f32) extra += std::string(", dtype=") + gl::dtype_name(t.dtype());
  if (t.device() != gl::Device::cpu) extra += ", device='cuda'";
  if (t.grad_fn()) extra += ", grad_fn=<" + t.grad_fn()->op + ">";
  else if (t.requires_grad()) extra += ", requires_grad=True";
  return "tensor(" + body + extra + ")";
}

py::tuple shape_tuple(const gl::Shape& s) {
  py::tuple out(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) out[i] = s[i];
  return out;
}

gl::Tensor convert_to(const gl::Tensor& t, const py::object& target) {
  if (py::isinstance<gl::Device>(target)) return t.to(target.cast<gl::Device>());
  if (py::isinstance<py::str>(target)) {
    const std::string s = target.cast<std::string>();
    if (s == "cpu" || s.rfind("cuda", 0) == 0 || s == "gpu") return t.to(parse_device(target));
  }
  return t.to(parse_dtype(target));
}

}  // namespace

void bind_tensor(py::module_& m) {
  py::class_<gl::Tensor> cls(m, "Tensor", "An n-dimensional array with autograd (contiguous, row-major).");
  cls.def(py::init([](const py::object& data, const py::object& dtype, bool requires_grad, const py::object& device) {
            return tensor_from_python(data, dtype, requires_grad, device);
          }),
          py::arg("data"), py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
          py::arg("device") = py::none());
  // numpy reads CPU tensors in place through __array__ (np.asarray(t)): the
  // array it gets owns a reference to the storage, so it stays valid when the
  // tensor later moves (Module.to) or is freed. There is deliberately no
  // buffer protocol: a buffer's owner is the Python object, not the storage.
  // numpy's binary operators defer to ours.
  cls.attr("__array_ufunc__") = py::none();

  cls.def_property_readonly("shape", [](const gl::Tensor& t) { return shape_tuple(t.shape()); },
        "The sizes of the axes, a tuple (() for a 0-d tensor).")
      .def_property_readonly("ndim", &gl::Tensor::dim,
        "The number of axes.")
      .def_property_readonly("dtype", &gl::Tensor::dtype,
        "The element type (gradlab.float32, float64, int32, int64 or bool).")
      .def_property_readonly("device", &gl::Tensor::device,
        "Where the data lives: Device.cpu or Device.cuda.")
      .def("numel", &gl::Tensor::numel,
        "The number of elements (the product of the shape).")
      .def("size", [](const gl::Tensor& t, py::object axis) -> py::object {
            if (axis.is_none()) return shape_tuple(t.shape());
            return py::cast(t.size(axis.cast<int>()));
          }, py::arg("axis") = py::none(),
        "t.size() is the shape; t.size(axis) the size of one axis (negative counts from the end).")
      .def_property("name", &gl::Tensor::name, [](gl::Tensor& t, std::string n) { t.set_name(std::move(n)); },
        "An optional name, shown in graphs (to_dot) and errors; parameters of modules carry theirs.")
      .def("__len__", [](const gl::Tensor& t) {
        if (t.dim() == 0) throw py::type_error("len() of a 0-d tensor");
        return t.shape()[0];
      },
        "The size of the first axis (a 0-d tensor has no len).");

  cls.def("numpy", [](const gl::Tensor& t) { return tensor_to_numpy(t); },
          "The data as a numpy array: a view of the storage for CPU tensors (writes show in the tensor; "
          "the array keeps the storage alive), a copy otherwise.")
      .def("__array__", [](const gl::Tensor& t, py::object dtype, py::object copy) {
            if (!copy.is_none() && !copy.cast<bool>() && t.device() != gl::Device::cpu)
              throw py::value_error("gradlab: a cuda tensor cannot be viewed by numpy without a copy");
            const bool want_copy = !copy.is_none() && copy.cast<bool>();
            py::array a = tensor_to_numpy(t, !want_copy);
            if (want_copy) a = py::array(a.attr("copy")());
            if (dtype.is_none()) return a;
            return py::array(a.attr("astype")(dtype));
          }, py::arg("dtype") = py::none(), py::arg("copy") = py::none())
      .def("item", &gl::Tensor::item,
        "The value of a one-element tensor as a Python float.")
      .def("tolist", [](const gl::Tensor& t) { return tensor_to_numpy(t, false).attr("tolist")(); },
        "The data as nested Python lists (numbers).")
      .def("__float__", &gl::Tensor::item,
        "float(t) for a one-element tensor.")
      .def("__int__", [](const gl::Tensor& t) -> py::object {
        // Python's own int(float): NaN raises ValueError, an infinity OverflowError,
        // and 1e30 becomes the exact integer (never a wrapped INT64_MIN).
        if (t.dtype() == gl::DType::i32) return py::int_(static_cast<long long>(t.item()));
        PyObject* r = PyNumber_Long(py::float_(t.item()).ptr());
        if (r == nullptr) throw py::error_already_set();
        return py::reinterpret_steal<py::object>(r);
      },
        "int(t) for a one-element tensor: Python's int(float(t)) (NaN and infinities raise).")
      .def("__repr__", &tensor_repr,
        "A numpy-style text with dtype, device and grad_fn when they are not the defaults.")
      .def("__str__", &tensor_repr,
        "The same as repr.")
      .def("to", &convert_to, py::arg("device_or_dtype"), "A copy on another device or in another dtype.")
      .def("cpu", [](const gl::Tensor& t) { return t.to(gl::Device::cpu); },
        "A copy on the CPU (the tensor itself when it is there already, sharing data, without graph).")
      .def("cuda", [](const gl::Tensor& t) { return t.to(parse_device(py::str("cuda"))); },
        "A copy on the GPU (needs the CUDA plugin and a GPU; the error says why not).")
      .def("clone", &gl::Tensor::clone,
        "A deep copy of the data, without graph (a new leaf).")
      .def("detach", &gl::Tensor::detach,
        "The same data without graph (a new leaf sharing memory; requires_grad False).");

  cls.def_property("requires_grad", &gl::Tensor::requires_grad,
                   [](gl::Tensor& t, bool on) { t.set_requires_grad(on); },
        "Whether operations on this tensor are recorded for backward (settable on leaves; never on integer or bool tensors).")
      .def("requires_grad_", [](gl::Tensor& t, bool on) { return t.set_requires_grad(on); },
           py::arg("requires_grad") = true,
        "Sets requires_grad in place and returns the tensor.")
      .def_property("grad", [](const gl::Tensor& t) { return tensor_or_none(t.grad()); },
                    [](gl::Tensor& t, const py::object& g) {
                      if (!g.is_none()) throw py::value_error("gradlab: .grad can only be set to None");
                      t.zero_grad();
                    },
        "The gradient accumulated by backward (same shape), None until a backward pass reaches it; t.grad = None drops it.")
      .def_property_readonly("is_leaf", &gl::Tensor::is_leaf,
        "True for tensors not made by a recorded op (inputs, parameters).")
      .def_property_readonly("grad_fn", [](const gl::Tensor& t) -> py::object {
        if (!t.grad_fn()) return py::none();
        return py::str(t.grad_fn()->op);
      }, "The op that made this tensor ('conv2d', 'add', ...), None for leaves.")
      .def("retain_grad", [](gl::Tensor& t) { t.retain_grad(); },
        "Keeps .grad on this non-leaf tensor in the next backward passes.")
      .def("zero_grad", [](gl::Tensor& t, bool keep_buffer) { t.zero_grad(keep_buffer); },
           py::arg("keep_buffer") = false,
        "Drops the gradient (keep_buffer=True zeroes it in place instead).")
      .def("backward", [](const gl::Tensor& t, const py::object& gradient, bool retain_graph) {
            const gl::Tensor seed = as_tensor(gradient, t);
            ReleaseGil release;
            if (seed.defined()) t.backward(seed, retain_graph);
            else t.backward(retain_graph);
          }, py::arg("gradient") = py::none(), py::arg("retain_graph") = false,
          "Reverse mode from this tensor; gradients accumulate into .grad of the leaves.");

  // Operators: NumPy broadcasting; numbers go through the scalar ops.
  cls.def("__add__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::add(x, y); },
                      [](auto& x, double s) { return gl::add_scalar(x, s); });
      },
        "t + other (a tensor, number or array), NumPy broadcasting.")
      .def("__radd__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::add(y, x); },
                      [](auto& x, double s) { return gl::add_scalar(x, s); });
      },
        "other + t.")
      .def("__sub__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::sub(x, y); },
                      [](auto& x, double s) { return gl::add_scalar(x, -s); });
      },
        "t - other, NumPy broadcasting.")
      .def("__rsub__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::sub(y, x); },
                      [](auto& x, double s) { return gl::add_scalar(gl::neg(x), s); });
      },
        "other - t.")
      .def("__mul__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::mul(x, y); },
                      [](auto& x, double s) { return gl::mul_scalar(x, s); });
      },
        "t * other, NumPy broadcasting.")
      .def("__rmul__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::mul(y, x); },
                      [](auto& x, double s) { return gl::mul_scalar(x, s); });
      },
        "other * t.")
      .def("__truediv__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::div(x, y); },
                      [](auto& x, double s) { return gl::mul_scalar(x, 1.0 / s); });
      },
        "t / other, NumPy broadcasting.")
      .def("__rtruediv__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { return gl::div(y, x); },
                      [](auto& x, double s) { return gl::mul_scalar(gl::pow(x, -1.0), s); });
      },
        "other / t.")
      .def("__matmul__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { ReleaseGil r; return gl::matmul(x, y); },
                      [](auto&, double) -> gl::Tensor { throw py::value_error("matmul: a number is not a matrix"); });
      },
        "t @ other (matmul).")
      .def("__rmatmul__", [](const gl::Tensor& a, const py::object& b) {
        return binary(a, b, [](auto& x, auto y) { ReleaseGil r; return gl::matmul(y, x); },
                      [](auto&, double) -> gl::Tensor { throw py::value_error("matmul: a number is not a matrix"); });
      },
        "other @ t.")
      .def("__pow__", [](const gl::Tensor& a, double e) { return gl::pow(a, e); },
        "t ** exponent.")
      .def("__neg__", [](const gl::Tensor& a) { return gl::neg(a); },
        "-t.")
      .def("__pos__", [](const gl::Tensor& a) { return a; },
        "+t (t itself).")
      .def("__getitem__", &index,
        "t[key]: ints, slices, ... and None (integer arrays, masks and negative steps go through gradlab's Python indexing); differentiable.");

  m.def("tensor", &tensor_from_python, py::arg("data"), py::arg("dtype") = py::none(),
        py::arg("requires_grad") = false, py::arg("device") = py::none(),
        "A tensor from a numpy array, nested list or number (copied). Without dtype, as in PyTorch: float64 and "
        "float32 arrays keep theirs, integer arrays keep int32 or int64, bool arrays become bool, Python floats "
        "float32 and Python ints int64.");
  auto factory = [&m](const char* name, auto make, const char* doc) {
    m.def(name, [make](const py::args& shape, const py::object& dtype, bool requires_grad, const py::object& device) {
          gl::Tensor t = make(shape_from(shape), dtype.is_none() ? gl::DType::f32 : parse_dtype(dtype),
                              device.is_none() ? gl::Device::cpu : parse_device(device));
          if (requires_grad) t.set_requires_grad(true);
          return t;
        }, py::kw_only(), py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
        py::arg("device") = py::none(), doc);
  };
  factory("zeros", [](const gl::Shape& s, gl::DType d, gl::Device v) { return gl::Tensor::zeros(s, d, v); },
          "A tensor of zeros: zeros(2, 3) or zeros((2, 3)); float32 unless dtype is given.");
  factory("ones", [](const gl::Shape& s, gl::DType d, gl::Device v) { return gl::Tensor::ones(s, d, v); },
          "A tensor of ones: ones(2, 3) or ones((2, 3)); float32 unless dtype is given.");
  factory("randn", [](const gl::Shape& s, gl::DType d, gl::Device v) {
    return gl::Tensor::randn(s, global_rng(), 0.0, 1.0, d, v);
  }, "Standard normal values of the given shape, from gradlab's generator (see manual_seed).");
  m.def("full", [](const py::object& shape, double value, const py::object& dtype, bool requires_grad) {
        gl::Tensor t = gl::Tensor::full(shape_from(py::make_tuple(shape)), value,
                                        dtype.is_none() ? gl::DType::f32 : parse_dtype(dtype));
        if (requires_grad) t.set_requires_grad(true);
        return t;
      }, py::arg("shape"), py::arg("value"), py::arg("dtype") = py::none(), py::arg("requires_grad") = false,
        "A tensor of shape filled with value; float32 unless dtype is given.");
  m.def("arange", [](std::int64_t n, const py::object& dtype) {
        return gl::Tensor::arange(n, dtype.is_none() ? gl::DType::f32 : parse_dtype(dtype));
      }, py::arg("n"), py::arg("dtype") = py::none(),
        "The values 0, 1, ..., n - 1 as a 1-d tensor [n]; float32 unless dtype is given.");
  m.def("manual_seed", [](std::uint64_t seed) { global_rng() = gl::Rng(seed); }, py::arg("seed"),
        "Seeds the generator behind randn and the layers' initialisation.");
}

gl::Rng& module_rng() { return global_rng(); }

}  // namespace gradlab_py
