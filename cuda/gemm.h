// Host helpers shared by several CudaBackend files (internal to cuda/).
#pragma once
#include <cstdint>

#include "cuda/launchers.h"
#include "engine/core/shape.h"

namespace gl::cuda {

// Row-major strided-batched GEMM on the stream through cuBLAS (see gemm.cpp):
// C[b] = alpha op(A[b]) op(B[b]) + beta C[b]; TF32 for float when enabled.
template <class T>
void gemm_strided(bool trans_a, bool trans_b, i64 M, i64 N, i64 K, T alpha, const T* A, i64 stride_a,
                  const T* B, i64 stride_b, T beta, T* C, i64 stride_c, i64 batch);

// The plan for summing a contiguous tensor of shape `in` down to `out` (same
// rank, each dim kept or 1).
ReduceIndex reduce_plan(const Shape& in, const Shape& out);

}  // namespace gl::cuda
