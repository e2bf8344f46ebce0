// The plugin's side of engine/core/cuda_info.h: the queries the engine
// forwards through the plugin's table (register.cpp). They live in their own
// namespace so that they never bind to the engine's forwarding functions of
// the same names. All are safe to call when no GPU is present.
#pragma once
#include <cstddef>
#include <string>

namespace gl::cuda::info {

bool available();                    // a GPU was found and the backend registered
std::string device_name();           // "NVIDIA H200" or "none"
std::size_t current_memory_bytes();  // bytes held by live tensors (rounded to buckets)
std::size_t peak_memory_bytes();     // the maximum of current_memory_bytes since the last reset
std::size_t cached_memory_bytes();   // bytes kept in the allocator's free lists for reuse
void reset_peak_memory();
void release_cached_memory();        // returns the free lists to the driver (synchronizes)
// TF32 tensor cores for float32 GEMMs (convolutions included). Off by default;
// the environment variable GRADLAB_TF32=1 turns it on at start-up.
void set_tf32(bool on);
bool tf32_enabled();
void synchronize();  // waits for all queued GPU work
// Bytes of im2col columns one chunk of a convolution may hold (default
// 256 MiB: ~455 images of 16x32x32 at 3x3). Larger batches are done in chunks,
// later chunks' weight gradients summed in with axpy. Tests lower the budget to
// run that path on small batches; 0 restores the default.
void set_conv_cols_budget(std::size_t bytes);
std::size_t conv_cols_budget();

}  // namespace gl::cuda::info
