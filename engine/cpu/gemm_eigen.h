// The body of one row-major GEMM through Eigen, C = alpha op(A) op(B) + beta C.
// Included (after <Eigen/Core>) by gemm.cpp, built for the default target
// (AVX2), and by gemm_avx512.cpp, built for AVX-512 under a renamed Eigen
// namespace; internal linkage keeps the two builds apart.
#pragma once
#include <cstdint>

namespace gl::cpu {
namespace {

template <class T>
void gemm_eigen(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                T alpha, const T* A, const T* B, T beta, T* C) {
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using ConstMap = Eigen::Map<const Mat>;
  Eigen::Map<Mat> c(C, M, N);
  if (K == 0) {  // empty product: only the beta term remains
    if (beta == T(0)) c.setZero(); else c *= beta;
    return;
  }
  auto run = [&](const auto& a, const auto& b) {
    if (beta == T(0)) {
      c.noalias() = alpha * (a * b);  // never reads C (it may hold garbage)
    } else {
      if (beta != T(1)) c *= beta;
      c.noalias() += alpha * (a * b);
    }
  };
  // op(X) = X^T is the transpose of the row-major matrix as stored.
  if (!trans_a && !trans_b) run(ConstMap(A, M, K), ConstMap(B, K, N));
  else if (!trans_a && trans_b) run(ConstMap(A, M, K), ConstMap(B, N, K).transpose());
  else if (trans_a && !trans_b) run(ConstMap(A, K, M).transpose(), ConstMap(B, K, N));
  else run(ConstMap(A, K, M).transpose(), ConstMap(B, N, K).transpose());
}

}  // namespace
}  // namespace gl::cpu
