// One row-major GEMM, C = alpha op(A) op(B) + beta C, shared by gemm.cpp and
// the convolution kernels (defined in gemm.cpp, where Eigen is included).
// Inside an OpenMP parallel region it runs on the calling thread only.
#pragma once
#include <cstdint>

namespace gl::cpu {

template <class T>
void gemm_one(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, T alpha,
              const T* A, const T* B, T beta, T* C);

}  // namespace gl::cpu
