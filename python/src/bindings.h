// Shared pieces of the `gradlab` Python module: one bind_* function per file
// (they compile in parallel), the dtype/device parsing and the numpy
// conversions every file uses.
#pragma once
#include <memory>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "engine/core/cuda_info.h"
#include "engine/core/error.h"
#include "engine/core/gradcheck.h"
#include "engine/gradlab.h"

namespace gradlab_py {
namespace py = pybind11;

void bind_tensor(py::module_& m);
void bind_ops(py::module_& m);
void bind_autograd(py::module_& m);
void bind_nn(py::module_& m);
void bind_optim(py::module_& m);
void bind_models(py::module_& m);
void bind_lab_ops(py::module_& m);  // the lab operations (bind_lab_ops.cpp)

// "float32" / "f32" / numpy.float32 / numpy.dtype('float32') / gradlab.float32 -> DType.
gl::DType parse_dtype(const py::handle& spec);
// "cpu" / "cuda" / gradlab.Device -> Device.
gl::Device parse_device(const py::handle& spec);

// A tensor from a numpy array, a nested list or a Python number (copied; any
// layout, converted to `dtype`, or inferred: float64 stays float64, float32
// stays float32, int64 arrays and Python ints become int64, smaller integer
// arrays int32, bools bool, lists of floats float32).
gl::Tensor tensor_from_python(const py::handle& data, const py::object& dtype, bool requires_grad,
                              const py::object& device);
// A tensor argument: a gradlab.Tensor as is; a number or array converted to
// `like`'s dtype and device (so `t + np.ones(3)` works); None -> undefined.
gl::Tensor as_tensor(const py::handle& value, const gl::Tensor& like);

// numpy view of a CPU tensor's storage (zero copy; the array keeps the
// storage alive, whatever the tensor does next); a host copy for other
// devices. A writable view marks the storage exposed (gl::mark_exposed), so
// writes through it between forward and backward are caught; internal
// readers (repr, tolist, state_dict copies) ask for a read-only view.
py::array tensor_to_numpy(const gl::Tensor& t, bool writable = true);

// Work done without the GIL, counted. Operations that swap a tensor's
// storage in place (Module.to) run with the GIL held and refuse while any
// such work is running in another thread, since it may be reading the
// storage they would free. Use as a scope object or py::call_guard<ReleaseGil>.
class ReleaseGil {
 public:
  ReleaseGil();
  ~ReleaseGil();
  ReleaseGil(const ReleaseGil&) = delete;
  ReleaseGil& operator=(const ReleaseGil&) = delete;
  static int running();  // how many threads are inside such work now

 private:
  std::unique_ptr<py::gil_scoped_release> release_;
};
// Throws naming `what` when another thread is running engine work (see ReleaseGil).
void require_no_concurrent_work(const char* what);

// An int32 tensor from Python data refuses NaN, infinities, values outside
// int32 and fractions (labels [0.9, 2.5] must not silently become [0, 2]).
void check_integral_values(const py::array& a, const char* what);
// The same for int64 (NaN, infinities, fractions and values outside int64 refused).
void check_int64_values(const py::array& a, const char* what);

// Undefined tensors travel as None.
py::object tensor_or_none(const gl::Tensor& t);

}  // namespace gradlab_py

namespace gradlab_py {
// The module's generator (gradlab.manual_seed): randn and layer initialisation.
gl::Rng& module_rng();
}  // namespace gradlab_py
