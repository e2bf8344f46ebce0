// Loading the CUDA backend plugin (see cuda_plugin.h), and the cuda_info.h
// queries, which forward to it. The plugin is looked for beside the engine's
// own library (or at $GRADLAB_CUDA_PLUGIN), opened once, on first use.
#include "engine/core/cuda_plugin.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "engine/core/backend.h"
#include "engine/core/cuda_info.h"
#include "engine/core/error.h"

namespace gl {
namespace {

struct Loaded {
  const CudaPluginApi* api = nullptr;
  std::string reason;  // why api is null, or the plugin's own status
};

// Folders to look in: the engine library's own, and ../lib from it (a
// program in bin/ linked with a static engine).
std::vector<std::filesystem::path> plugin_candidates() {
  if (const char* env = std::getenv("GRADLAB_CUDA_PLUGIN"); env != nullptr && *env != '\0') return {env};
  std::vector<std::filesystem::path> out;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&plugin_candidates), &info) != 0 && info.dli_fname != nullptr) {
    const std::filesystem::path self = std::filesystem::absolute(info.dli_fname).parent_path();
    out.push_back(self / kCudaPluginFile);
    out.push_back(self.parent_path() / "lib" / kCudaPluginFile);
  }
  return out;
}

Loaded load() {
  Loaded r;
  const auto candidates = plugin_candidates();
  std::error_code ec;
  for (const auto& path : candidates) {
    if (!std::filesystem::exists(path, ec)) continue;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* err = dlerror();
      r.reason = fmt::format(
          "the CUDA backend {} could not be loaded: {} (it needs the CUDA 13 runtime libraries, cuBLAS among "
          "them, and an NVIDIA driver: add their folder to LD_LIBRARY_PATH)",
          path.string(), err ? err : "unknown error");
      return r;
    }
    using Entry = const CudaPluginApi* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, kCudaPluginEntry));
    if (entry == nullptr) {
      r.reason = fmt::format("{} is not a gradlab CUDA plugin (no {} function)", path.string(), kCudaPluginEntry);
      return r;
    }
    const CudaPluginApi* api = entry();
    if (api == nullptr || api->abi_version != kCudaPluginAbi) {
      r.reason = fmt::format("{} was built for another version of gradlab (plugin ABI {}, engine {}); rebuild it",
                             path.string(), api ? api->abi_version : -1, kCudaPluginAbi);
      return r;
    }
    r.api = api;
    r.reason = api->backend ? "" : api->status;
    return r;  // the handle stays open for the life of the process
  }
  std::string where;
  for (const auto& p : candidates) where += (where.empty() ? "" : ", ") + p.string();
  r.reason = fmt::format(
      "this gradlab has no CUDA backend ({} not found{}{}): it was built without nvcc ('gradlab build mode: "
      "CPU only'); build it with the CUDA toolkit present to get one",
      kCudaPluginFile, where.empty() ? "" : " at ", where);
  return r;
}

const Loaded& loaded() {
  static Loaded state;
  static std::once_flag once;
  std::call_once(once, [] {
    state = load();
    if (state.api && state.api->backend) register_backend(Device::cuda, state.api->backend);
  });
  return state;
}

// The table when a GPU is usable, else null.
const CudaPluginApi* usable() {
  const Loaded& l = loaded();
  return l.api && l.api->backend ? l.api : nullptr;
}

}  // namespace

const CudaPluginApi* cuda_plugin(const char** reason) {
  const Loaded& l = loaded();
  if (reason) *reason = l.reason.c_str();
  return l.api;
}

namespace cuda {

bool available() { return usable() != nullptr; }
std::string unavailable_reason() { return loaded().reason; }
std::string device_name() { return usable() ? usable()->device_name() : "none"; }
std::size_t current_memory_bytes() { return usable() ? usable()->current_memory_bytes() : 0; }
std::size_t peak_memory_bytes() { return usable() ? usable()->peak_memory_bytes() : 0; }
std::size_t cached_memory_bytes() { return usable() ? usable()->cached_memory_bytes() : 0; }
void reset_peak_memory() {
  if (usable()) usable()->reset_peak_memory();
}
void release_cached_memory() {
  if (usable()) usable()->release_cached_memory();
}
void set_tf32(bool on) {
  if (usable()) usable()->set_tf32(on);
}
bool tf32_enabled() { return usable() && usable()->tf32_enabled(); }
void synchronize() {
  if (usable()) usable()->synchronize();
}
void set_conv_cols_budget(std::size_t bytes) {
  if (usable()) usable()->set_conv_cols_budget(bytes);
}
std::size_t conv_cols_budget() { return usable() ? usable()->conv_cols_budget() : 0; }

}  // namespace cuda
}  // namespace gl
