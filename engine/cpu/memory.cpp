// Host memory: 64-byte aligned blocks (one cache line, any AVX-512 load), and
// copies that are plain memcpy because host and "device" are the same memory.
#include <cstdlib>
#include <cstring>
#include <new>

#include "engine/core/error.h"
#include "engine/cpu/cpu_backend.h"

namespace gl::cpu {

namespace {
constexpr std::size_t kAlignment = 64;
}

void* CpuBackend::allocate(std::size_t bytes) {
  // aligned_alloc needs a size that is a multiple of the alignment (and > 0).
  const std::size_t rounded = ((bytes + kAlignment - 1) / kAlignment) * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (p == nullptr) {
    throw Error(fmt::format("allocate (cpu): out of host memory asking for {} bytes; "
                            "use a smaller batch or model",
                            bytes));
  }
  return p;
}

void CpuBackend::deallocate(void* ptr, std::size_t /*bytes*/) { std::free(ptr); }

void CpuBackend::copy_from_host(void* dst, const void* host_src, std::size_t bytes) {
  if (bytes != 0) std::memcpy(dst, host_src, bytes);
}

void CpuBackend::copy_to_host(void* host_dst, const void* src, std::size_t bytes) {
  if (bytes != 0) std::memcpy(host_dst, src, bytes);
}

void CpuBackend::copy(void* dst, const void* src, std::size_t bytes) {
  if (bytes != 0 && dst != src) std::memmove(dst, src, bytes);
}

}  // namespace gl::cpu
