// The Winograd kernel built for AVX-512 (16 images per register), chosen at
// run time by winograd.cpp. engine/CMakeLists.txt compiles this file with
// -march=x86-64-v4; without it, it defines nothing usable.
#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/core/backend.h"
#include "engine/cpu/isa.h"
#include "engine/cpu/winograd_avx512.h"
#include "engine/cpu/winograd_transforms.h"

#if defined(__AVX512F__)
#include <immintrin.h>

namespace gl::cpu::avx512 {
constexpr int kV = kWinogradAvx512Lanes;
#include "engine/cpu/winograd_kernel.h"
static_assert(kMR == kWinogradPanelRows, "winograd_pack_weights packs panels of kWinogradPanelRows");
namespace {
inline float horizontal_sum(Vec v) { return _mm512_reduce_add_ps(reinterpret_cast<__m512>(v)); }
}  // namespace
}  // namespace gl::cpu::avx512

namespace gl::cpu {
bool winograd_avx512_usable() { return cpu_has_avx512() && avx512_allowed(); }
void winograd_forward_units_avx512(int m, const float* x, const float* packed_u, const ConvGeom& g,
                                   std::int64_t u0, std::int64_t u1, float* y) {
  if (m == 2) avx512::forward_units<2>(x, packed_u, g, u0, u1, y);
  else avx512::forward_units<4>(x, packed_u, g, u0, u1, y);
}
void winograd_weight_grad_units_avx512(int m, const float* x, const float* dy, const ConvGeom& g,
                                       std::int64_t u0, std::int64_t u1, float* dw_hat) {
  if (m == 2) avx512::weight_grad_units<2>(x, dy, g, u0, u1, dw_hat);
  else avx512::weight_grad_units<4>(x, dy, g, u0, u1, dw_hat);
}
}  // namespace gl::cpu
#else
namespace gl::cpu {
bool winograd_avx512_usable() { return false; }
void winograd_forward_units_avx512(int, const float*, const float*, const ConvGeom&, std::int64_t,
                                   std::int64_t, float*) {}
void winograd_weight_grad_units_avx512(int, const float*, const float*, const ConvGeom&,
                                       std::int64_t, std::int64_t, float*) {}
}  // namespace gl::cpu
#endif
