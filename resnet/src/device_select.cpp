#include "device_select.h"

#include "engine/core/backend.h"
#include "engine/core/cuda_info.h"
#include "engine/core/error.h"
#include "exit_codes.h"

namespace resnet {

void check_thread_count(int threads) {
  if (threads >= 0 && threads <= kMaxThreads) return;
  throw UsageError(fmt::format("--threads must be 0 (all) to {}, got {}", kMaxThreads, threads));
}

gl::Device select_device(const std::string& name) {
  if (name == "cpu") return gl::Device::cpu;
  if (name != "cuda") throw UsageError(fmt::format("--device must be cpu or cuda, got '{}'", name));
  // The CUDA backend is a plugin loaded here, on first use; its reason names
  // what is missing (the library in this build, its libraries, or a GPU).
  GL_CHECK(gl::device_available(gl::Device::cuda), "--device cuda: {}; or use --device cpu",
           gl::cuda::unavailable_reason());
  return gl::Device::cuda;
}

std::size_t peak_device_memory_bytes() { return gl::cuda::peak_memory_bytes(); }

std::string device_description(gl::Device device) {
  if (device == gl::Device::cuda) {
    return fmt::format("cuda ({}, TF32 {})", gl::cuda::device_name(), gl::cuda::tf32_enabled() ? "on" : "off");
  }
  return fmt::format("{}, {} threads", gl::device_name(device), gl::num_threads());
}

}  // namespace resnet
