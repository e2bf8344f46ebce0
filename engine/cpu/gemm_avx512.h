// An AVX-512 build of the Eigen GEMM (gemm_avx512.cpp), used by gemm_one when
// the CPU has AVX-512 and the file was compiled for it: Eigen's float GEMM
// then runs ~1.7x faster than its AVX2 build (measured, one core).
#pragma once
#include <cstdint>

namespace gl::cpu {

// True when gemm_avx512.cpp was compiled with AVX-512 enabled (engine/CMakeLists.txt
// gives that file -march=x86-64-v4) and this CPU supports it.
bool gemm_avx512_usable();

// As gemm_eigen (gemm_eigen.h), with leading dimensions.
template <class T>
void gemm_one_avx512(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                     T alpha, const T* A, std::int64_t lda, const T* B, std::int64_t ldb, T beta,
                     T* C, std::int64_t ldc);

}  // namespace gl::cpu
