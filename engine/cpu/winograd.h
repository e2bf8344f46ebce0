// Winograd convolution F(m x m, 3 x 3), m = 2 or 4, for float32 3x3 stride-1
// layers: every 3x3 layer of a CIFAR ResNet but the two that downsample.
// conv.cpp uses it for the forward pass, for the input gradient (the forward
// pass of dy with the kernel flipped in space and its channel axes swapped)
// and for the weight gradient; winograd_transforms.h has the matrices.
//
// Per tile of m x m outputs, a convolution of C to K channels costs
// alpha^2 * C * K multiplications (alpha = m + 2) instead of 9 * m^2 * C * K,
// as alpha^2 GEMMs of [K, C] x [C, tiles] in the transformed domain:
//   V[xi][c][t]  = (BT d[c, t] BT^T)[xi]      input tiles, alpha x alpha
//   U[xi][k][c]  = (G w[k, c] G^T)[xi]        the kernel, once per layer
//   Mo[xi][k][t] = sum_c U[xi][k][c] V[xi][c][t]
//   y[k, t]      = AT Mo[.][k][t] AT^T         m x m outputs
// and for the weight gradient, with DY[xi][k][t] = (A dy[k, t] A^T)[xi]:
//   dw[k, c] = G^T (sum_t DY[.][k][t] V[.][c][t]) G.
// The vector lanes hold kV images (8 with AVX2, 16 with AVX-512), so every
// transform is vertical vector arithmetic; images are transposed into that
// layout on the way in and out (winograd_kernel.h).
//
// Precision: F(2x2) adds little float32 error; F(4x4)'s transforms have
// entries up to 8 and fractions down to 1/24, so its outputs carry a few
// times more rounding (tests/test_winograd.cpp measures both against the
// float64 reference and states the tolerance).
//
// Threads: tasks of consecutive tiles, handed out dynamically; the weight
// gradient sums one partial per task in task order, so results do not depend
// on the thread count or on which thread ran which task.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/core/backend.h"

namespace gl::cpu {

// 3x3 kernel, stride 1, padding at most 2 (so the input gradient is one too).
bool winograd_applies(const ConvGeom& g);

// Images a vector of the build in use holds (8 with AVX2, 16 with AVX-512): a
// batch much smaller than that leaves lanes idle.
std::int64_t winograd_images_per_vector();

// U = G w G^T for w [K, C, 3, 3] with tile size m, packed for the kernel:
// [alpha^2][ceil(K/4)][C][4] (zeros past K).
std::vector<float> winograd_pack_weights(const float* w, const ConvGeom& g, int m);

// y [N, K, Ho, Wo] of x [N, C, H, W] with the packed weights (no bias). Parallel.
void winograd_forward(const float* x, const float* packed_u, const ConvGeom& g, int m, float* y);

// dw [K, C, 3, 3] (overwritten) of x and dy [N, K, Ho, Wo]. Parallel.
void winograd_weight_grad(const float* x, const float* dy, const ConvGeom& g, int m, float* dw);

}  // namespace gl::cpu
