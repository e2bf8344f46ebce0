// Batched GEMM through Eigen: C[b] = alpha op(A[b]) op(B[b]) + beta C[b],
// row-major, strided batches (stride 0 reuses one matrix).
// One matrix: Eigen splits the product over the threads itself. Several:
// OpenMP over the batch, each thread running Eigen single-threaded (Eigen
// does not nest inside a parallel region). On AVX-512 CPUs the GEMM itself
// runs an AVX-512 build of Eigen (gemm_avx512.cpp).
#include <Eigen/Core>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/gemm_avx512.h"
#include "engine/cpu/gemm_eigen.h"
#include "engine/cpu/gemm_kernel.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

template <class T>
void gemm_one(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, T alpha,
              const T* A, const T* B, T beta, T* C) {
  if (gemm_avx512_usable()) {
    gemm_one_avx512<T>(trans_a, trans_b, M, N, K, alpha, A, B, beta, C);
  } else {
    gemm_eigen<T>(trans_a, trans_b, M, N, K, alpha, A, B, beta, C);
  }
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
      gemm_one<T>(trans_a, trans_b, M, N, K, al, a, b, be, c);
      return;
    }
#pragma omp parallel for schedule(static) if (batch * M * N * K >= kParallelMin)
    for (std::int64_t i = 0; i < batch; ++i) {
      gemm_one<T>(trans_a, trans_b, M, N, K, al, a + i * stride_a, b + i * stride_b, be,
                  c + i * stride_c);
    }
  });
}

}  // namespace gl::cpu
