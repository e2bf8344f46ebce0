// What programs may ask of the CUDA backend (memory, device, TF32) without
// including any CUDA header. The backend is a plugin (libgradlab_cuda.so)
// that the engine loads the first time the CUDA device is asked for
// (engine/core/cuda_plugin.h). Every function is safe to call where there is
// no plugin or no GPU: it returns 0 / "none" / false and does nothing.
#pragma once
#include <cstddef>
#include <string>

namespace gl::cuda {

bool available();                    // the plugin loaded and found a GPU
// Why CUDA cannot be used, in words ("" when available()): the library is
// absent from this build, it could not be loaded (and why), or no GPU answered.
std::string unavailable_reason();
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

}  // namespace gl::cuda
