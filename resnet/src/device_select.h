// --device: "cpu" or "cuda", checked before any work starts.
#pragma once
#include <cstddef>
#include <string>

#include "engine/core/dtype.h"

namespace resnet {

// Throws a clear error for an unknown name or a CUDA device this binary cannot use.
gl::Device select_device(const std::string& name);

// One rule for --threads in every command: 0 (OMP_NUM_THREADS or all cores)
// to kMaxThreads. Throws UsageError naming the flag.
constexpr int kMaxThreads = 1024;
void check_thread_count(int threads);

// "cpu, 2 threads" or "cuda (NVIDIA H200, TF32 off)".
std::string device_description(gl::Device device);

// Peak device memory in bytes since start-up (0 without the CUDA backend).
std::size_t peak_device_memory_bytes();

}  // namespace resnet
