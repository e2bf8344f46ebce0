// Start-up registration: when a GPU is visible, the CUDA backend becomes
// gl::backend(Device::cuda). Without one nothing is registered and nothing is
// printed; gl::device_available(Device::cuda) then returns false.
// The library is linked whole (WHOLE_ARCHIVE in the top CMakeLists.txt), so
// this object file and its static registrar are always part of the program.
#include "cuda/context.h"
#include "cuda/cuda_backend.h"

namespace gl::cuda {

namespace {

// Never destroyed: tensors released during static destruction still free
// their memory through it.
CudaBackend& instance() {
  static CudaBackend* backend = new CudaBackend;
  return *backend;
}

struct Registrar {
  Registrar() {
    if (device_count() > 0) register_backend(Device::cuda, &instance());
  }
};
const Registrar registrar;

}  // namespace

}  // namespace gl::cuda
