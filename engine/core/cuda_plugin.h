// The contract between the engine and its CUDA backend, which is built as a
// separate shared library (cuda/, libgradlab_cuda.so) and loaded at run time:
// a machine without the CUDA toolkit or a GPU driver runs everything on the
// CPU and never loads it. The plugin exports one C function,
// gradlab_cuda_plugin(), returning this table. No CUDA type appears here.
#pragma once
#include <cstddef>

namespace gl {

class Backend;

struct CudaPluginApi {
  int abi_version;       // kCudaPluginAbi of the engine the plugin was built with
  Backend* backend;      // null when no GPU answered
  const char* status;    // why there is no backend ("" when there is one)
  const char* (*device_name)();
  std::size_t (*current_memory_bytes)();
  std::size_t (*peak_memory_bytes)();
  std::size_t (*cached_memory_bytes)();
  void (*reset_peak_memory)();
  void (*release_cached_memory)();
  void (*set_tf32)(bool);
  bool (*tf32_enabled)();
  void (*synchronize)();
  void (*set_conv_cols_budget)(std::size_t);
  std::size_t (*conv_cols_budget)();
};

inline constexpr int kCudaPluginAbi = 1;
inline constexpr const char* kCudaPluginEntry = "gradlab_cuda_plugin";
inline constexpr const char* kCudaPluginFile = "libgradlab_cuda.so";

// Loads the plugin once (thread-safe) and returns its table, or null when it
// is absent or could not be loaded; *reason then says why.
const CudaPluginApi* cuda_plugin(const char** reason = nullptr);

}  // namespace gl

// The entry point the plugin defines.
extern "C" const gl::CudaPluginApi* gradlab_cuda_plugin();
