// The hook behind user-defined functions (gradlab.autograd.Function): one
// graph node whose backward is the user's, with every gradient it returns
// checked against its input before the engine accumulates it.
#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

Tensor custom_function(const std::string& name, const std::vector<Tensor>& inputs, const Tensor& output,
                       CustomBackwardFn backward_fn) {
  GL_CHECK(output.defined(), "{}: forward returned no tensor", name);
  GL_CHECK(backward_fn != nullptr, "{}: no backward function given", name);
  std::vector<Tensor> recorded;
  std::vector<Shape> shapes;
  std::vector<DType> dtypes;
  std::vector<Device> devices;
  std::vector<bool> wanted;
  for (const Tensor& t : inputs) {
    recorded.push_back(t.defined() ? t : Tensor());
    shapes.push_back(t.defined() ? t.shape() : Shape{});
    dtypes.push_back(t.defined() ? t.dtype() : DType::f32);
    devices.push_back(t.defined() ? t.device() : Device::cpu);
    wanted.push_back(needs_grad(t));
  }
  // The output is a fresh handle: the caller's tensor stays a leaf.
  Tensor out = output.detach();
  bool any = false;
  for (bool w : wanted) any = any || w;
  if (!any) return out;
  GL_CHECK(is_floating(out.dtype()), "{}: the output is {}; only float32/float64 outputs can carry gradients", name,
           describe(out));
  return record(out, name, recorded,
                [name, backward_fn, shapes, dtypes, devices, wanted](const Tensor& g) {
                  std::vector<Tensor> grads = backward_fn(g);
                  GL_CHECK(grads.size() == shapes.size(),
                           "{}.backward returned {} gradients, but forward took {} inputs; return one per input "
                           "(None where an input needs none)",
                           name, grads.size(), shapes.size());
                  for (std::size_t i = 0; i < grads.size(); ++i) {
                    if (!wanted[i]) {
                      grads[i] = Tensor();
                      continue;
                    }
                    GL_CHECK(grads[i].defined(),
                             "{}.backward returned None for input {}, which requires grad; return its gradient "
                             "(of shape {})",
                             name, i, shape_str(shapes[i]));
                    GL_CHECK(grads[i].shape() == shapes[i],
                             "{}.backward returned a gradient of shape {} for input {} of shape {}; the gradient "
                             "must have its input's shape",
                             name, shape_str(grads[i].shape()), i, shape_str(shapes[i]));
                    GL_CHECK(grads[i].device() == devices[i], "{}.backward returned a {} gradient for input {} on {}",
                             name, device_name(grads[i].device()), i, device_name(devices[i]));
                    if (grads[i].dtype() != dtypes[i]) {
                      GL_CHECK(is_floating(grads[i].dtype()),
                               "{}.backward returned a {} gradient for input {}; gradients are float32/float64", name,
                               dtype_name(grads[i].dtype()), i);
                      grads[i] = grads[i].to(dtypes[i]);
                    }
                  }
                  return grads;
                },
                name);
}

}  // namespace gl
