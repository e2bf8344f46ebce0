// Eigen's GEMM built for AVX-512, chosen at run time (see gemm_avx512.h).
// The rest of the engine stays at x86-64-v3 so binaries run on any AVX2 CPU.
// Eigen is included under another namespace name so its templates here do
// not collide (ODR) with the AVX2 instantiations in gemm.cpp.
#include "engine/cpu/gemm_avx512.h"
#include "engine/cpu/isa.h"

#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__AVX512VL__) && defined(__AVX512BW__)
// GCC 12 flags its own AVX-512 intrinsics (_mm512_extract*) as "may be used
// uninitialized" when inlined into Eigen; the warning is about the intrinsic headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define Eigen gl_eigen_avx512
#include <Eigen/Core>

#include "engine/cpu/gemm_eigen.h"

namespace gl::cpu {

bool gemm_avx512_usable() { return cpu_has_avx512() && avx512_allowed(); }

template <class T>
void gemm_one_avx512(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                     T alpha, const T* A, std::int64_t lda, const T* B, std::int64_t ldb, T beta,
                     T* C, std::int64_t ldc) {
  gemm_eigen<T>(trans_a, trans_b, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

#else  // compiled without AVX-512: gemm_one always takes the AVX2 build

namespace gl::cpu {

bool gemm_avx512_usable() { return false; }

template <class T>
void gemm_one_avx512(bool, bool, std::int64_t, std::int64_t, std::int64_t, T, const T*, std::int64_t,
                     const T*, std::int64_t, T, T*, std::int64_t) {
  __builtin_trap();  // unreachable: guarded by gemm_avx512_usable()
}

#endif

template void gemm_one_avx512<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, float,
                                     const float*, std::int64_t, const float*, std::int64_t, float,
                                     float*, std::int64_t);
template void gemm_one_avx512<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, double,
                                      const double*, std::int64_t, const double*, std::int64_t,
                                      double, double*, std::int64_t);

}  // namespace gl::cpu
