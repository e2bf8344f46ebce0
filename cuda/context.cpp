// The stream and cuBLAS handle, and the public queries of cuda_info.h.
#include "cuda/context.h"

#include <cstdlib>
#include <cstring>
#include <mutex>

#include "cuda/allocator.h"
#include "cuda/check.h"
#include "cuda/plugin_info.h"

namespace gl::cuda {

int device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device / no driver" error
    return 0;
  }
  return count;
}

Context& context() {
  static Context* ctx = nullptr;
  static std::once_flag once;
  std::call_once(once, [] {
    auto* c = new Context;
    GL_CUDA_CHECK(cudaSetDevice(0));
    cudaDeviceProp prop{};
    GL_CUDA_CHECK(cudaGetDeviceProperties(&prop, 0));
    c->device_name = prop.name;
    // Non-blocking: no implicit ordering with the legacy default stream,
    // which we never use.
    GL_CUDA_CHECK(cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking));
    GL_CUBLAS_CHECK(cublasCreate(&c->cublas));
    GL_CUBLAS_CHECK(cublasSetStream(c->cublas, c->stream));
    GL_CUBLAS_CHECK(cublasSetMathMode(c->cublas, CUBLAS_DEFAULT_MATH));
    const char* env = std::getenv("GRADLAB_TF32");
    c->tf32 = env != nullptr && std::strcmp(env, "1") == 0;
    ctx = c;
  });
  return *ctx;
}

namespace info {

bool available() {
  static const bool found = device_count() > 0;
  return found;
}

std::string device_name() { return available() ? context().device_name : "none"; }

std::size_t current_memory_bytes() { return available() ? allocator().current_bytes() : 0; }
std::size_t peak_memory_bytes() { return available() ? allocator().peak_bytes() : 0; }
std::size_t cached_memory_bytes() { return available() ? allocator().cached_bytes() : 0; }
void reset_peak_memory() {
  if (available()) allocator().reset_peak();
}
void release_cached_memory() {
  if (available()) allocator().release_cached();
}

void set_tf32(bool on) {
  if (available()) context().tf32 = on;
}
bool tf32_enabled() { return available() && context().tf32; }

void synchronize() {
  if (available()) GL_CUDA_CHECK(cudaStreamSynchronize(context().stream));
}

}  // namespace info

}  // namespace gl::cuda
