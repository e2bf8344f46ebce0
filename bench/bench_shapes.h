// The shapes timed by bench_ops and by torch_cpu_reference.py (keep the two
// in step; compare_cpu.sh joins them by name).
//   conv: ResNet-20's three stages, batch 128, 3x3 kernels, stride 1, pad 1, C = K.
//   matmul: [M, K] x [K, N].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/tensor.h"

namespace gl::bench {

struct ConvShape {
  std::int64_t N, C, H;  // input [N, C, H, H], weight [C, C, 3, 3]
  std::string name() const { return "c" + std::to_string(C) + "_" + std::to_string(H) + "x" + std::to_string(H); }
};
inline const std::vector<ConvShape> kConvShapes = {{128, 16, 32}, {128, 32, 16}, {128, 64, 8}};

struct MatmulShape {
  std::int64_t M, K, N;
  std::string name() const {
    return std::to_string(M) + "x" + std::to_string(K) + "x" + std::to_string(N);
  }
};
inline const std::vector<MatmulShape> kMatmulShapes = {
    {512, 512, 512}, {128, 64, 10}, {128, 576, 16}, {1024, 256, 256}};

void register_conv_benchmarks();
void register_matmul_benchmarks();

}  // namespace gl::bench
