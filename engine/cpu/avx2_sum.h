// The sum of the 8 floats of an AVX2 register, by a shuffle tree (a lane-by-lane
// loop cost a quarter of the weight-gradient tiles), for the kernels built for AVX2.
#pragma once
#include <immintrin.h>

namespace gl::cpu {

inline float sum_lanes_avx2(__m256 x) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

}  // namespace gl::cpu
