// The direct convolution built for AVX-512 (16 floats per register), chosen
// at run time by conv_direct.cpp. engine/CMakeLists.txt compiles this file
// with -march=x86-64-v4; without it, it defines nothing usable.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "engine/core/backend.h"
#include "engine/cpu/conv_direct_avx512.h"
#include "engine/cpu/isa.h"

#if defined(__AVX512F__)
#include <immintrin.h>

namespace gl::cpu::avx512 {
constexpr int kV = 16;
#include "engine/cpu/conv_direct_kernel.h"
namespace {
inline float horizontal_sum(Vec v) { return _mm512_reduce_add_ps(reinterpret_cast<__m512>(v)); }
inline Vec load_first(const float* p, int n) {
  return reinterpret_cast<Vec>(_mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << n) - 1u), p));
}
inline void store_lanes(float* p, Vec v, int a, int b) {
  const __mmask16 mask = static_cast<__mmask16>(((1u << b) - 1u) & ~((1u << a) - 1u));
  _mm512_mask_storeu_ps(p, mask, reinterpret_cast<__m512>(v));
}
}  // namespace
}  // namespace gl::cpu::avx512

namespace gl::cpu {
bool conv_direct_avx512_usable() { return cpu_has_avx512() && avx512_allowed(); }
void conv_direct_images_avx512(const float* x, const float* packed_w, const ConvGeom& g,
                               std::int64_t n0, std::int64_t n1, float* y) {
  avx512::direct_images(x, packed_w, g, n0, n1, y);
}
void conv_direct_weight_grad_avx512(const float* x, const float* dy, const ConvGeom& g,
                                    std::int64_t n0, std::int64_t n1, float* dw) {
  avx512::direct_weight_grad(x, dy, g, n0, n1, dw);
}
}  // namespace gl::cpu
#else
namespace gl::cpu {
bool conv_direct_avx512_usable() { return false; }
void conv_direct_images_avx512(const float*, const float*, const ConvGeom&, std::int64_t,
                               std::int64_t, float*) {}
void conv_direct_weight_grad_avx512(const float*, const float*, const ConvGeom&, std::int64_t,
                                    std::int64_t, float*) {}
}  // namespace gl::cpu
#endif
