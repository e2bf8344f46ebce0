// Shared pieces of the `gradlab` Python module: one bind_* function per file
// (they compile in parallel), the dtype/device parsing and the numpy
// conversions every file uses.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

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

// "float32" / "f32" / numpy.float32 / numpy.dtype('float32') / gradlab.float32 -> DType.
gl::DType parse_dtype(const py::handle& spec);
// "cpu" / "cuda" / gradlab.Device -> Device.
gl::Device parse_device(const py::handle& spec);

// A tensor from a numpy array, a nested list or a Python number (copied; any
// layout, converted to `dtype`, or inferred: float64 stays float64, float32
// stays float32, integers become int32, lists of floats become float32).
gl::Tensor tensor_from_python(const py::handle& data, const py::object& dtype, bool requires_grad,
                              const py::object& device);
// A tensor argument: a gradlab.Tensor as is; a number or array converted to
// `like`'s dtype and device (so `t + np.ones(3)` works); None -> undefined.
gl::Tensor as_tensor(const py::handle& value, const gl::Tensor& like);

// numpy view of a CPU tensor's storage (zero copy; the array keeps the
// storage alive); a host copy for other devices.
py::array tensor_to_numpy(const gl::Tensor& t);

// Undefined tensors travel as None.
py::object tensor_or_none(const gl::Tensor& t);

}  // namespace gradlab_py

namespace gradlab_py {
// The module's generator (gradlab.manual_seed): randn and layer initialisation.
gl::Rng& module_rng();
}  // namespace gradlab_py
