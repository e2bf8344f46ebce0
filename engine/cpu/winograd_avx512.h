// The AVX-512 build of the Winograd kernel (winograd_avx512.cpp), for
// winograd.cpp to call when winograd_avx512_usable().
#pragma once
#include <cstdint>

#include "engine/core/backend.h"

namespace gl::cpu {

inline constexpr int kWinogradAvx512Lanes = 16;  // images per vector in this build
inline constexpr int kWinogradPanelRows = 4;     // the GEMM tile's output channels (both builds)

bool winograd_avx512_usable();  // built with AVX-512, the CPU has it, and it is allowed
void winograd_forward_units_avx512(int m, const float* x, const float* packed_u, const ConvGeom& g,
                                   std::int64_t u0, std::int64_t u1, float* y);
void winograd_weight_grad_units_avx512(int m, const float* x, const float* dy, const ConvGeom& g,
                                       std::int64_t u0, std::int64_t u1, float* dw_hat);

}  // namespace gl::cpu
