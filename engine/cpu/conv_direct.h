// Direct (implicit-GEMM) float32 convolution for stride 1, the shape of every
// 3x3 layer of a CIFAR ResNet. Used by conv.cpp for the forward pass, the
// input gradient (through the flipped kernel) and the weight gradient; every
// other case stays im2col + GEMM (engine/cpu/conv.cpp).
//
// The idea: copy one image into a zero-bordered buffer xp [C, Hp, Wp]. For
// stride 1, output (oh, ow) reads xp[c, oh + r, ow + s], so on the "padded
// grid" q = oh*Wp + ow the value for tap (c, r, s) is xp_flat[q + off(c,r,s)]
// with off = c*Hp*Wp + r*Wp + s: a plain shifted vector. Then
//   yg[k, q] = sum over taps t of w[k, t] * xp_flat[q + off(t)]
// is a GEMM whose right operand is read straight from xp (no im2col matrix,
// no packing): a register tile of 8 output channels x 16 or 32 grid columns
// accumulates over all C*R*S taps. Grid columns ow in [Wo, Wp) are computed
// and dropped (6% extra work at 32x32, 12% at 16x16, 25% at 8x8), and y is
// copied out of yg. The weight gradient is the same sum read the other way:
// dw[k, t] = sum_q dyg[k, q] xp[q + off(t)], accumulated over q in registers.
//
// Built twice (conv_direct.cpp for AVX2, conv_direct_avx512.cpp for AVX-512)
// and chosen at run time, like the GEMM.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/core/backend.h"

namespace gl::cpu {

// Stride 1 and not a 1x1 kernel without padding (that one is a plain GEMM).
bool conv_direct_applies(const ConvGeom& g);

// The weights w [K, C*R*S] rearranged for the kernel: panels of 8 output
// channels, [ceil(K/8)][C*R*S][8] (zeros past K).
std::vector<float> conv_direct_pack(const float* w, const ConvGeom& g);

// y[n] [K, Ho, Wo] for images n in [n0, n1) of x [N, C, H, W], with packed
// weights from conv_direct_pack. Runs on the calling thread.
void conv_direct_images(const float* x, const float* packed_w, const ConvGeom& g,
                        std::int64_t n0, std::int64_t n1, float* y);

// dw [K, C*R*S] += the weight gradient of images [n0, n1):
//   dw[k, t] += sum over n and grid columns q of dyg[n][k, q] * xp[n][off(t) + q]
// (dyg: dy on the padded grid, zeros where no output is). Runs on the calling
// thread; give it conv_direct_weight_grad_images(g) images per call so each
// lane-sum closes a long run of FMAs.
void conv_direct_weight_grad(const float* x, const float* dy, const ConvGeom& g, std::int64_t n0,
                             std::int64_t n1, float* dw);
std::int64_t conv_direct_weight_grad_images(const ConvGeom& g);

}  // namespace gl::cpu
