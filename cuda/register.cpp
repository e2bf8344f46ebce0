// The plugin's entry point (engine/core/cuda_plugin.h): the engine opens
// libgradlab_cuda.so the first time the CUDA device is asked for and calls
// gradlab_cuda_plugin() once. With a GPU, the table carries the backend;
// without one, it says why (the CUDA runtime's own words).
#include <cuda_runtime.h>

#include <string>

#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/plugin_info.h"
#include "engine/core/cuda_plugin.h"

namespace gl::cuda {
namespace {

// Never destroyed: tensors released during static destruction still free
// their memory through it.
CudaBackend& instance() {
  static CudaBackend* backend = new CudaBackend;
  return *backend;
}

std::string no_device_reason() {
  int count = 0;
  const cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the sticky error
    return std::string("no CUDA device: the CUDA runtime says '") + cudaGetErrorString(err) +
           "' (check nvidia-smi and the driver)";
  }
  return "no CUDA device: the CUDA runtime found no GPU (check nvidia-smi)";
}

const char* name_of_device() {
  static std::string name;
  name = info::device_name();
  return name.c_str();
}

}  // namespace
}  // namespace gl::cuda

extern "C" __attribute__((visibility("default"))) const gl::CudaPluginApi* gradlab_cuda_plugin() {
  using namespace gl::cuda;
  static std::string status;
  static gl::CudaPluginApi api = [] {
    gl::CudaPluginApi a{};
    a.abi_version = gl::kCudaPluginAbi;
    const bool gpu = device_count() > 0;
    if (!gpu) status = no_device_reason();
    a.backend = gpu ? &instance() : nullptr;
    a.status = status.c_str();
    a.device_name = &name_of_device;
    a.current_memory_bytes = &info::current_memory_bytes;
    a.peak_memory_bytes = &info::peak_memory_bytes;
    a.cached_memory_bytes = &info::cached_memory_bytes;
    a.reset_peak_memory = &info::reset_peak_memory;
    a.release_cached_memory = &info::release_cached_memory;
    a.set_tf32 = &info::set_tf32;
    a.tf32_enabled = &info::tf32_enabled;
    a.synchronize = &info::synchronize;
    a.set_conv_cols_budget = &info::set_conv_cols_budget;
    a.conv_cols_budget = &info::conv_cols_budget;
    return a;
  }();
  return &api;
}
