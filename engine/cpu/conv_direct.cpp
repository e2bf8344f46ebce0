// The direct convolution (conv_direct.h): the AVX2 build of the kernel, the
// weight packing, and the run-time choice of the AVX-512 build.
#include "engine/cpu/conv_direct.h"
#include "engine/cpu/avx2_sum.h"
#include "engine/cpu/conv_direct_avx512.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

namespace gl::cpu {

namespace avx2 {
constexpr int kV = 8;
#include "engine/cpu/conv_direct_kernel.h"
namespace {
inline float horizontal_sum(Vec v) { return sum_lanes_avx2(reinterpret_cast<__m256>(v)); }
inline Vec load_first(const float* p, int n) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return reinterpret_cast<Vec>(_mm256_maskload_ps(p, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane)));
}
inline void store_lanes(float* p, Vec v, int a, int b) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i mask = _mm256_and_si256(_mm256_cmpgt_epi32(lane, _mm256_set1_epi32(a - 1)),
                                        _mm256_cmpgt_epi32(_mm256_set1_epi32(b), lane));
  _mm256_maskstore_ps(p, mask, reinterpret_cast<__m256>(v));
}
}  // namespace
}  // namespace avx2

bool conv_direct_applies(const ConvGeom& g) {
  const bool plain_gemm = g.R == 1 && g.S == 1 && g.pad_h == 0 && g.pad_w == 0;
  return g.stride_h == 1 && g.stride_w == 1 && !plain_gemm;
}

std::vector<float> conv_direct_pack(const float* w, const ConvGeom& g) {
  constexpr std::int64_t MR = avx2::kMR;  // the kernel's panel height (the same in both builds)
  const std::int64_t taps = g.C * g.R * g.S, panels = (g.K + MR - 1) / MR;
  std::vector<float> packed(static_cast<std::size_t>(panels * taps * MR), 0.0f);
  for (std::int64_t k = 0; k < g.K; ++k)
    for (std::int64_t t = 0; t < taps; ++t)
      packed[static_cast<std::size_t>(((k / MR) * taps + t) * MR + k % MR)] = w[k * taps + t];
  return packed;
}

void conv_direct_images(const float* x, const float* packed_w, const ConvGeom& g,
                        std::int64_t n0, std::int64_t n1, float* y) {
  if (conv_direct_avx512_usable()) {
    conv_direct_images_avx512(x, packed_w, g, n0, n1, y);
  } else {
    avx2::direct_images(x, packed_w, g, n0, n1, y);
  }
}

void conv_direct_weight_grad(const float* x, const float* dy, const ConvGeom& g, std::int64_t n0,
                             std::int64_t n1, float* dw) {
  if (conv_direct_avx512_usable()) {
    conv_direct_weight_grad_avx512(x, dy, g, n0, n1, dw);
  } else {
    avx2::direct_weight_grad(x, dy, g, n0, n1, dw);
  }
}

std::int64_t conv_direct_weight_grad_images(const ConvGeom& g) {
  return avx2::weight_grad_images(g);  // the same for both builds (groups don't depend on kV)
}

}  // namespace gl::cpu
