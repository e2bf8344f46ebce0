// The body of one row-major GEMM through Eigen, C = alpha op(A) op(B) + beta C.
// Included (after <Eigen/Core>) by gemm.cpp, built for the default target
// (AVX2), and by gemm_avx512.cpp, built for AVX-512 under a renamed Eigen
// namespace; internal linkage keeps the two builds apart.
#pragma once
#include <cstdint>

namespace gl::cpu {
namespace {

// lda/ldb/ldc: distance between rows of A, B, C as stored (so a block of
// rows or columns of a larger matrix can be passed). Runs on the calling
// thread: gemm.cpp splits large products over OpenMP itself, because Eigen's
// own threads spin-wait on each other and collapse on a loaded machine.
template <class T>
void gemm_eigen(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                T alpha, const T* A, std::int64_t lda, const T* B, std::int64_t ldb, T beta, T* C,
                std::int64_t ldc) {
  static const bool single_threaded = (Eigen::setNbThreads(1), true);
  (void)single_threaded;
  using Mat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using Stride = Eigen::OuterStride<>;
  using ConstMap = Eigen::Map<const Mat, 0, Stride>;
  Eigen::Map<Mat, 0, Stride> c(C, M, N, Stride(ldc));
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
  const ConstMap a_plain(A, trans_a ? K : M, trans_a ? M : K, Stride(lda));
  const ConstMap b_plain(B, trans_b ? N : K, trans_b ? K : N, Stride(ldb));
  if (!trans_a && !trans_b) run(a_plain, b_plain);
  else if (!trans_a && trans_b) run(a_plain, b_plain.transpose());
  else if (trans_a && !trans_b) run(a_plain.transpose(), b_plain);
  else run(a_plain.transpose(), b_plain.transpose());
}

}  // namespace
}  // namespace gl::cpu
