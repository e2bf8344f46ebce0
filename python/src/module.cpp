// The `gradlab` Python module: the engine from Python. Each bind_*.cpp file
// binds one area; this file registers the enums, the error translation and
// the build facts.
#include <string>

#include "bindings.h"

namespace gradlab_py {
namespace {

// Engine errors (gl::Error) report API misuse: bad shapes, dtypes, arguments.
// They become ValueError with the whole message, except the ones about state
// (a released graph, memory, engine invariants), which become RuntimeError.
bool contains_any(const std::string& message, std::initializer_list<const char*> markers) {
  for (const char* marker : markers)
    if (message.find(marker) != std::string::npos) return true;
  return false;
}
bool is_memory_error(const std::string& message) {
  return contains_any(message, {"out of memory", "out of host memory", "out of device memory"});
}
bool is_state_error(const std::string& message) {
  return contains_any(message, {"already released", "engine bug", "CUDA", "cuda error", "modified in place",
                                "modified through a numpy view"});
}

}  // namespace
}  // namespace gradlab_py

PYBIND11_MODULE(_core, m) {
  namespace py = pybind11;
  using namespace gradlab_py;
  m.doc() = "gradlab: a teaching autograd engine (C++20), from Python. Tensors share memory with numpy.";

  py::enum_<gl::DType>(m, "DType", "A tensor's element type; also spelled as strings ('float32') or numpy dtypes.")
      .value("float32", gl::DType::f32)
      .value("float64", gl::DType::f64)
      .value("int32", gl::DType::i32)
      .def("__str__", [](gl::DType t) { return std::string(gl::dtype_name(t)); });
  m.attr("float32") = gl::DType::f32;
  m.attr("float64") = gl::DType::f64;
  m.attr("int32") = gl::DType::i32;
  py::enum_<gl::Device>(m, "Device", "Where a tensor lives: cpu, or cuda (the CUDA plugin and a GPU); also 'cpu'/'cuda'.")
      .value("cpu", gl::Device::cpu)
      .value("cuda", gl::Device::cuda)
      .def("__str__", [](gl::Device d) { return std::string(gl::device_name(d)); });

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const gl::Error& e) {
      const std::string message = e.what();
      if (is_memory_error(message))
        PyErr_SetString(PyExc_MemoryError, message.c_str());
      else if (is_state_error(message))
        PyErr_SetString(PyExc_RuntimeError, message.c_str());
      else
        PyErr_SetString(PyExc_ValueError, message.c_str());
    }
  });

  bind_tensor(m);
  bind_ops(m);
  bind_autograd(m);
  bind_nn(m);
  bind_optim(m);
  bind_models(m);
  bind_lab_ops(m);

  m.def("cuda_available", [] { return gl::device_available(gl::Device::cuda); },
        "True when the CUDA backend plugin loads and a GPU answers (the first call loads it; "
        "cuda_unavailable_reason() says why not).");
  m.def("cuda_unavailable_reason", [] { return gl::cuda::unavailable_reason(); },
        "Why CUDA cannot be used here ('' when it can): no plugin in this build, the plugin's libraries "
        "missing, or no GPU.");
  m.def("set_num_threads", &gl::set_num_threads, py::arg("n"), "CPU threads for the engine's kernels.");
  m.def("num_threads", &gl::num_threads, "The number of CPU threads the engine's kernels use.");
  m.attr("__version__") = "0.1";
}
