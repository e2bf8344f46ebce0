// numpy <-> gradlab: dtype and device names, copies in, zero-copy views out.
#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>

#include "bindings.h"

namespace gradlab_py {
namespace {

py::module_ numpy() { return py::module_::import("numpy"); }

py::dtype numpy_dtype(gl::DType t) {
  switch (t) {
    case gl::DType::f32: return py::dtype::of<float>();
    case gl::DType::f64: return py::dtype::of<double>();
    case gl::DType::i32: return py::dtype::of<std::int32_t>();
    case gl::DType::i64: return py::dtype::of<std::int64_t>();
    case gl::DType::b8: return py::dtype::of<bool>();
  }
  throw gl::Error("gradlab: unknown dtype");
}

gl::DType dtype_from_name(const std::string& name, const char* what) {
  if (name == "float32" || name == "f32" || name == "float") return gl::DType::f32;
  if (name == "float64" || name == "f64" || name == "double") return gl::DType::f64;
  if (name == "int32" || name == "i32" || name == "int") return gl::DType::i32;
  if (name == "int64" || name == "i64" || name == "long") return gl::DType::i64;
  if (name == "bool" || name == "b8") return gl::DType::b8;
  throw py::value_error(std::string("gradlab: dtype ") + what + " is not supported; gradlab has "
                        "float32, float64 and int32 (and int64 and bool)");
}

// The dtype a numpy array becomes when no dtype is given.
gl::DType inferred_dtype(const py::array& a, bool from_list) {
  const char kind = a.dtype().kind();
  if (kind == 'f') {
    if (from_list) return gl::DType::f32;  // Python floats: float32, as PyTorch does
    return a.dtype().itemsize() == 8 ? gl::DType::f64 : gl::DType::f32;
  }
  // Python ints become int64 (PyTorch's); numpy int64 stays int64, smaller integers become int32.
  if (kind == 'i' || kind == 'u') {
    if (from_list) return gl::DType::i64;
    return a.dtype().itemsize() == 8 ? gl::DType::i64 : gl::DType::i32;
  }
  if (kind == 'b') return gl::DType::b8;
  throw py::value_error("gradlab.tensor: numpy dtype '" + std::string(py::str(a.dtype())) +
                        "' cannot become a tensor; give numbers (float32, float64 or int32)");
}

}  // namespace

gl::DType parse_dtype(const py::handle& spec) {
  if (py::isinstance<gl::DType>(spec)) return spec.cast<gl::DType>();
  if (py::isinstance<py::str>(spec)) return dtype_from_name(spec.cast<std::string>(), spec.cast<std::string>().c_str());
  if (spec.ptr() == reinterpret_cast<PyObject*>(&PyBool_Type)) return gl::DType::b8;      // dtype=bool
  if (spec.ptr() == reinterpret_cast<PyObject*>(&PyLong_Type)) return gl::DType::i64;     // dtype=int
  if (spec.ptr() == reinterpret_cast<PyObject*>(&PyFloat_Type)) return gl::DType::f32;    // dtype=float
  try {
    const std::string name = py::str(numpy().attr("dtype")(spec).attr("name"));
    return dtype_from_name(name, name.c_str());
  } catch (py::error_already_set&) {
    throw py::value_error("gradlab: cannot read a dtype from " + std::string(py::repr(spec)) +
                          "; use 'float32', 'float64' or 'int32'");
  }
}

gl::Device parse_device(const py::handle& spec) {
  if (py::isinstance<gl::Device>(spec)) return spec.cast<gl::Device>();
  if (py::isinstance<py::str>(spec)) {
    const std::string name = spec.cast<std::string>();
    if (name == "cpu") return gl::Device::cpu;
    if (name == "cuda" || name == "cuda:0" || name == "gpu") {
      if (!gl::device_available(gl::Device::cuda))
        throw py::value_error("gradlab: device 'cuda' is not available: " + gl::cuda::unavailable_reason() +
                              "; use 'cpu'");
      return gl::Device::cuda;
    }
  }
  throw py::value_error("gradlab: unknown device " + std::string(py::repr(spec)) + "; use 'cpu' or 'cuda'");
}

gl::Tensor tensor_from_python(const py::handle& data, const py::object& dtype, bool requires_grad,
                              const py::object& device) {
  const gl::Device dev = device.is_none() ? gl::Device::cpu : parse_device(device);
  if (py::isinstance<gl::Tensor>(data)) {
    const gl::Tensor& src = data.cast<const gl::Tensor&>();
    gl::Tensor t = dtype.is_none() ? src.clone() : src.to(parse_dtype(dtype));
    if (t.impl() == src.impl()) t = t.clone();
    if (t.device() != dev) t = t.to(dev);
    if (requires_grad) t.set_requires_grad(true);
    return t;
  }
  // numpy arrays and numpy scalars (np.float64(1.0)) keep their dtype; Python data is inferred.
  const bool is_array = py::isinstance<py::array>(data) || py::isinstance(data, numpy().attr("generic"));
  py::array a;
  try {
    a = numpy().attr("asarray")(data);
  } catch (py::error_already_set& e) {
    throw py::value_error("gradlab.tensor: cannot read the data as an array: " + std::string(e.what()));
  }
  const gl::DType target = dtype.is_none() ? inferred_dtype(a, !is_array) : parse_dtype(dtype);
  if (a.dtype().kind() == 'O' || a.dtype().kind() == 'U' || a.dtype().kind() == 'S' ||
      a.dtype().kind() == 'c' || a.dtype().kind() == 'V' || a.dtype().kind() == 'M' ||
      a.dtype().kind() == 'm')
    inferred_dtype(a, false);  // throws naming the dtype
  if (target == gl::DType::i32) check_integral_values(a, "gradlab.tensor");
  if (target == gl::DType::i64 && a.dtype().kind() == 'f') check_int64_values(a, "gradlab.tensor");
  if (target == gl::DType::i64 && a.dtype().kind() == 'u' && a.size() > 0 &&
      numpy().attr("max")(a).cast<long double>() > static_cast<long double>(INT64_MAX))
    throw py::value_error("gradlab.tensor: values up to " + std::string(py::str(numpy().attr("max")(a))) +
                          " do not fit int64");
  if (target == gl::DType::i32 && (a.dtype().kind() == 'i' || a.dtype().kind() == 'u') && a.size() > 0) {
    // numpy's cast would wrap silently; an int32 label out of range is an error.
    const auto lo = numpy().attr("min")(a).cast<long double>(), hi = numpy().attr("max")(a).cast<long double>();
    if (lo < INT32_MIN || hi > INT32_MAX)
      throw py::value_error("gradlab.tensor: values in [" + std::string(py::str(numpy().attr("min")(a))) + ", " +
                            std::string(py::str(numpy().attr("max")(a))) + "] do not fit int32");
  }
  // asarray(order="C") keeps 0-d arrays 0-d (ascontiguousarray would make them 1-d).
  py::array c = numpy().attr("asarray")(a, numpy_dtype(target), py::arg("order") = "C");
  gl::Shape shape(c.shape(), c.shape() + c.ndim());
  gl::Tensor t = gl::Tensor::empty(shape, target);
  if (t.numel() > 0) std::memcpy(t.raw_data(), c.data(), static_cast<std::size_t>(c.nbytes()));
  if (dev != gl::Device::cpu) t = t.to(dev);
  if (requires_grad) t.set_requires_grad(true);
  return t;
}

gl::Tensor as_tensor(const py::handle& value, const gl::Tensor& like) {
  if (value.is_none()) return gl::Tensor();
  if (py::isinstance<gl::Tensor>(value)) return value.cast<gl::Tensor>();
  return tensor_from_python(value, py::cast(like.dtype()), false, py::cast(like.device()));
}

py::array tensor_to_numpy(const gl::Tensor& t, bool writable) {
  const gl::Tensor host = t.device() == gl::Device::cpu ? t : t.to(gl::Device::cpu);
  const py::dtype dt = numpy_dtype(host.dtype());
  std::vector<py::ssize_t> shape(host.shape().begin(), host.shape().end());
  std::vector<py::ssize_t> strides;
  for (std::int64_t s : gl::contiguous_strides(host.shape())) strides.push_back(s * dt.itemsize());
  if (host.numel() == 0) return py::array(dt, shape, strides);
  // The capsule holds a reference to the storage: the array outlives the tensor safely.
  auto* keep = new std::shared_ptr<gl::Storage>(host.impl()->storage);
  py::capsule owner(keep, [](void* p) { delete static_cast<std::shared_ptr<gl::Storage>*>(p); });
  py::array view(dt, shape, strides, host.raw_data(), owner);
  if (!writable) {
    view.attr("flags").attr("writeable") = false;
  } else if (host.impl() == t.impl() || host.impl()->storage == t.impl()->storage) {
    gl::mark_exposed(host);
  }
  return view;
}

namespace {
std::atomic<int> g_running{0};
}  // namespace

ReleaseGil::ReleaseGil() {
  g_running.fetch_add(1);
  release_ = std::make_unique<py::gil_scoped_release>();
}
ReleaseGil::~ReleaseGil() {
  release_.reset();  // the GIL is held again
  g_running.fetch_sub(1);
}
int ReleaseGil::running() { return g_running.load(); }

void require_no_concurrent_work(const char* what) {
  if (ReleaseGil::running() > 0)
    throw py::value_error(std::string(what) + ": another thread is running gradlab operations (a forward, "
                          "backward or optimizer step) that may be reading this memory; call it when no other "
                          "thread is computing, for example before starting the threads or after joining them");
}

void check_integral_values(const py::array& a, const char* what) {
  if (a.size() == 0 || a.dtype().kind() != 'f') return;
  py::module_ np = numpy();
  const py::array finite = np.attr("isfinite")(a);
  if (!np.attr("all")(finite).cast<bool>())
    throw py::value_error(std::string(what) + ": NaN or infinite values cannot become int32 (for example " +
                          std::string(py::str(a.attr("flat")[np.attr("argmin")(finite)])) + ")");
  const double lo = np.attr("min")(a).cast<double>(), hi = np.attr("max")(a).cast<double>();
  if (lo < -2147483648.0 || hi > 2147483647.0)
    throw py::value_error(std::string(what) + ": values in [" + std::string(py::str(py::float_(lo))) + ", " +
                          std::string(py::str(py::float_(hi))) + "] do not fit int32");
  const py::array fractional = np.attr("not_equal")(a, np.attr("trunc")(a));
  if (np.attr("any")(fractional).cast<bool>())
    throw py::value_error(std::string(what) + ": " + std::string(py::str(a.attr("flat")[np.attr("argmax")(fractional)])) +
                          " is not a whole number, so it cannot become int32 (labels and indices are integers); "
                          "round it yourself first if that is what you mean");
}

void check_int64_values(const py::array& a, const char* what) {
  if (a.size() == 0 || a.dtype().kind() != 'f') return;
  py::module_ np = numpy();
  if (!np.attr("all")(np.attr("isfinite")(a)).cast<bool>())
    throw py::value_error(std::string(what) + ": NaN or infinite values cannot become int64");
  const double lo = np.attr("min")(a).cast<double>(), hi = np.attr("max")(a).cast<double>();
  if (lo < -9223372036854775808.0 || hi >= 9223372036854775808.0)
    throw py::value_error(std::string(what) + ": values in [" + std::string(py::str(py::float_(lo))) + ", " +
                          std::string(py::str(py::float_(hi))) + "] do not fit int64");
  if (np.attr("any")(np.attr("not_equal")(a, np.attr("trunc")(a))).cast<bool>())
    throw py::value_error(std::string(what) + ": a value is not a whole number, so it cannot become int64; round it "
                          "yourself first if that is what you mean");
}

py::object tensor_or_none(const gl::Tensor& t) {
  if (!t.defined()) return py::none();
  return py::cast(t);
}

}  // namespace gradlab_py
