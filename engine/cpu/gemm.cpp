// Batched GEMM through Eigen: C[b] = alpha op(A[b]) op(B[b]) + beta C[b],
// row-major, strided batches (stride 0 reuses one matrix).
// One large matrix: split into row (or column) blocks over OpenMP threads.
// Several: OpenMP over the batch. Eigen itself always runs single-threaded. On AVX-512 CPUs the GEMM itself
// runs an AVX-512 build of Eigen (gemm_avx512.cpp).
#include <omp.h>

#include <Eigen/Core>
#include <algorithm>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/gemm_avx512.h"
#include "engine/cpu/gemm_eigen.h"
#include "engine/cpu/gemm_kernel.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

template <class T>
void gemm_block(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                T alpha, const T* A, std::int64_t lda, const T* B, std::int64_t ldb, T beta, T* C,
                std::int64_t ldc) {
  if (gemm_avx512_usable()) {
    gemm_one_avx512<T>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  } else {
    gemm_eigen<T>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  }
}

// Products below this many multiply-adds run on one thread (~0.1 ms).
constexpr std::int64_t kSplitMin = std::int64_t{1} << 22;

// One large product split over the OpenMP threads: each thread computes a
// block of rows of C (or of columns when C has few rows), so every element
// is computed by one thread in a fixed order (deterministic).
template <class T>
void gemm_split(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, T alpha,
                const T* A, const T* B, T beta, T* C) {
  const std::int64_t lda = trans_a ? M : K, ldb = trans_b ? K : N;
  const int threads = omp_get_max_threads();
  const bool by_rows = M >= N;
  const std::int64_t extent = by_rows ? M : N;
  ParallelErrors errors;  // Eigen's blocking buffers are heap allocations
#pragma omp parallel for schedule(static)
  for (int t = 0; t < threads; ++t) errors.run([&] {
    // Block edges rounded to 16 (a whole AVX-512 register of floats).
    const std::int64_t lo = std::min(extent, (extent * t / threads) & ~std::int64_t{15});
    const std::int64_t hi = t == threads - 1 ? extent : std::min(extent, (extent * (t + 1) / threads) & ~std::int64_t{15});
    if (lo >= hi) return;
    if (by_rows) {  // rows lo..hi of C = rows lo..hi of op(A) times op(B)
      const T* a = trans_a ? A + lo : A + lo * K;
      gemm_block<T>(trans_a, trans_b, hi - lo, N, K, alpha, a, lda, B, ldb, beta, C + lo * N, N);
    } else {  // columns lo..hi of C = op(A) times columns lo..hi of op(B)
      const T* b = trans_b ? B + lo * K : B + lo;
      gemm_block<T>(trans_a, trans_b, M, hi - lo, K, alpha, A, lda, b, ldb, beta, C + lo, N);
    }
  });
  errors.rethrow();
}

}  // namespace

template <class T>
void gemm_one(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, T alpha,
              const T* A, const T* B, T beta, T* C) {
  gemm_block<T>(trans_a, trans_b, M, N, K, alpha, A, trans_a ? M : K, B, trans_b ? K : N, beta, C, N);
}

template void gemm_one<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float,
                              const float*, const float*, float, float*);
template void gemm_one<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double,
                               const double*, const double*, double, double*);

void CpuBackend::gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                      double alpha, const Tensor& A, std::int64_t stride_a, const Tensor& B,
                      std::int64_t stride_b, double beta, Tensor& C, std::int64_t stride_c,
                      std::int64_t batch) {
  GL_CHECK(M >= 0 && N >= 0 && K >= 0 && batch >= 0,
           "gemm (cpu): negative size M={} N={} K={} batch={}", M, N, K, batch);
  dispatch_float(C.dtype(), "gemm", [&](auto tag) {
    using T = decltype(tag);
    const T* a = ptr<T>(A);
    const T* b = ptr<T>(B);
    T* c = ptr<T>(C);
    const T al = static_cast<T>(alpha), be = static_cast<T>(beta);
    if (batch == 1) {
      if (M * N * K >= kSplitMin && omp_get_max_threads() > 1) {
        gemm_split<T>(trans_a, trans_b, M, N, K, al, a, b, be, c);
      } else {
        gemm_one<T>(trans_a, trans_b, M, N, K, al, a, b, be, c);
      }
      return;
    }
    ParallelErrors errors;
#pragma omp parallel for schedule(static) if (batch * M * N * K >= kParallelMin)
    for (std::int64_t i = 0; i < batch; ++i) {
      if (errors.failed()) continue;
      try {
        gemm_one<T>(trans_a, trans_b, M, N, K, al, a + i * stride_a, b + i * stride_b, be, c + i * stride_c);
      } catch (...) {
        errors.capture();
      }
    }
    errors.rethrow();
  });
}

}  // namespace gl::cpu
