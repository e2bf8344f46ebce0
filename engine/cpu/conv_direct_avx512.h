// The AVX-512 build of the direct convolution (conv_direct_avx512.cpp), for
// conv_direct.cpp to call when conv_direct_avx512_usable().
#pragma once
#include <cstdint>

#include "engine/core/backend.h"

namespace gl::cpu {

bool conv_direct_avx512_usable();  // built with AVX-512, the CPU has it, and it is allowed
void conv_direct_images_avx512(const float* x, const float* packed_w, const ConvGeom& g,
                               std::int64_t n0, std::int64_t n1, float* y);
void conv_direct_weight_grad_avx512(const float* x, const float* dy, const ConvGeom& g,
                                    std::int64_t n0, std::int64_t n1, float* dw);

}  // namespace gl::cpu
