// The device registry: one Backend per Device, looked up at run time.
#include "engine/core/backend.h"

#include <array>

#include "engine/core/error.h"
#include "engine/cpu/cpu_backend.h"

namespace gl {
namespace {
Backend*& slot(Device d) {
  static std::array<Backend*, 2> backends{nullptr, nullptr};
  return backends[static_cast<int>(d)];
}
}  // namespace

void register_backend(Device device, Backend* b) { slot(device) = b; }

bool device_available(Device device) {
  return device == Device::cpu || slot(device) != nullptr;
}

Backend& backend(Device device) {
  if (device == Device::cpu) return cpu_backend();
  Backend* b = slot(device);
  GL_CHECK(b != nullptr,
           "backend: no CUDA device is available: either this binary was built without CUDA "
           "(cmake reports 'gradlab build mode: CPU only') or no NVIDIA GPU is visible "
           "(check nvidia-smi). Use --device cpu, or build with nvcc present and run on a GPU machine");
  return *b;
}

Backend& backend_of(const char* op, std::initializer_list<const Tensor*> tensors) {
  const Tensor* first = nullptr;
  for (const Tensor* t : tensors) {
    if (!t || !t->defined()) continue;
    if (!first) {
      first = t;
      continue;
    }
    GL_CHECK(t->device() == first->device(),
             "{}: tensors are on different devices ({} and {}); move them with .to(Device) first", op,
             device_name(first->device()), device_name(t->device()));
  }
  GL_CHECK(first != nullptr, "{}: no defined tensor argument", op);
  return backend(first->device());
}

}  // namespace gl
