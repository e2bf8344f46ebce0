// strided_copy: one thread per element of `shape`; the flat index is split
// into per-dim indices (last dim fastest) and dotted with both stride sets.
// The host side (strided.cpp) has already dropped size-1 dims and merged dims
// contiguous in both views, so rank is usually 1-3.
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

template <class T, bool Accumulate>
__global__ void strided_copy_kernel(const T* src, T* dst, StridedIndex index, i64 n) {
  GL_GRID_LOOP(i, n) {
    i64 rem = i, so = 0, dof = 0;
    for (int d = index.rank - 1; d >= 0; --d) {
      const i64 k = rem % index.shape[d];
      rem /= index.shape[d];
      so += k * index.src[d];
      dof += k * index.dst[d];
    }
    if constexpr (Accumulate) {
      dst[dof] += src[so];  // dst strides never alias (contract), so no atomics
    } else {
      dst[dof] = src[so];
    }
  }
}

}  // namespace

template <class T>
void launch_strided_copy(const T* src, T* dst, const StridedIndex& index, bool accumulate,
                         cudaStream_t stream) {
  i64 n = 1;
  for (int d = 0; d < index.rank; ++d) n *= index.shape[d];
  if (n == 0) return;
  if (accumulate) {
    strided_copy_kernel<T, true><<<grid_for(n), kBlock, 0, stream>>>(src, dst, index, n);
  } else {
    strided_copy_kernel<T, false><<<grid_for(n), kBlock, 0, stream>>>(src, dst, index, n);
  }
  GL_CUDA_CHECK_LAUNCH();
}

template void launch_strided_copy<float>(const float*, float*, const StridedIndex&, bool, cudaStream_t);
template void launch_strided_copy<double>(const double*, double*, const StridedIndex&, bool, cudaStream_t);
template void launch_strided_copy<std::int32_t>(const std::int32_t*, std::int32_t*, const StridedIndex&,
                                                bool, cudaStream_t);

}  // namespace gl::cuda
