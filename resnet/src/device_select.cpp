#include "device_select.h"

#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "exit_codes.h"
#ifdef GRADLAB_RESNET_WITH_CUDA
#include "cuda/cuda_info.h"
#endif

namespace resnet {

void check_thread_count(int threads) {
  if (threads >= 0 && threads <= kMaxThreads) return;
  throw UsageError(fmt::format("--threads must be 0 (all) to {}, got {}", kMaxThreads, threads));
}

bool built_with_cuda() {
#ifdef GRADLAB_RESNET_WITH_CUDA
  return true;
#else
  return false;
#endif
}

gl::Device select_device(const std::string& name) {
  if (name == "cpu") return gl::Device::cpu;
  if (name != "cuda") throw UsageError(fmt::format("--device must be cpu or cuda, got '{}'", name));
  if (!built_with_cuda()) {
    throw gl::Error(
        "--device cuda: no CUDA device found; this binary was built without CUDA (configure with "
        "-DGRADLAB_CUDA=ON on a machine with nvcc, then run on a machine with an NVIDIA GPU), "
        "or use --device cpu");
  }
  GL_CHECK(gl::device_available(gl::Device::cuda),
           "--device cuda: no CUDA device found; this binary was built with CUDA but no GPU is "
           "visible (check nvidia-smi and CUDA_VISIBLE_DEVICES), or use --device cpu");
  return gl::Device::cuda;
}

std::size_t peak_device_memory_bytes() {
#ifdef GRADLAB_RESNET_WITH_CUDA
  return gl::cuda::peak_memory_bytes();
#else
  return 0;
#endif
}

std::string device_description(gl::Device device) {
#ifdef GRADLAB_RESNET_WITH_CUDA
  if (device == gl::Device::cuda) {
    return fmt::format("cuda ({}, TF32 {})", gl::cuda::device_name(),
                       gl::cuda::tf32_enabled() ? "on" : "off");
  }
#endif
  return fmt::format("{}, {} threads", gl::device_name(device), gl::num_threads());
}

}  // namespace resnet
