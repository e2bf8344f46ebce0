// The int64 and bool cases of launchers written before those dtypes existed
// (strided_copy.cu, training.cu instantiate float, double and int32 only):
// explicit specializations declared in launchers.h, with kernels of the same shape.
#include <type_traits>

#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

template <class T>
__global__ void lab_strided_copy_kernel(const T* src, T* dst, StridedIndex index, i64 n, bool accumulate) {
  GL_GRID_LOOP(i, n) {
    i64 rem = i, so = 0, dof = 0;
    for (int d = index.rank - 1; d >= 0; --d) {
      const i64 k = rem % index.shape[d];
      rem /= index.shape[d];
      so += k * index.src[d];
      dof += k * index.dst[d];
    }
    if (accumulate) dst[dof] = static_cast<T>(dst[dof] + src[so]);  // bool: logical or
    else dst[dof] = src[so];
  }
}

template <class T>
void lab_strided_copy(const T* src, T* dst, const StridedIndex& index, bool accumulate, cudaStream_t stream) {
  i64 n = 1;
  for (int d = 0; d < index.rank; ++d) n *= index.shape[d];
  if (n == 0) return;
  lab_strided_copy_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(src, dst, index, n, accumulate);
  GL_CUDA_CHECK_LAUNCH();
}

// One thread per row; the counter is added to atomically (bool: set when any row hits).
template <class T, class C>
__global__ void lab_correct_kernel(const T* logits, const std::int32_t* labels, i64 N, i64 K, C* correct) {
  GL_GRID_LOOP(r, N) {
    const T* row = logits + r * K;
    i64 best = 0;
    for (i64 k = 1; k < K; ++k)
      if (row[k] > row[best]) best = k;
    if (best == labels[r]) {
      if constexpr (std::is_same_v<C, bool>) *correct = true;
      else atomicAdd(reinterpret_cast<unsigned long long*>(correct), 1ULL);
    }
  }
}

template <class T, class C>
void lab_correct(const T* logits, const std::int32_t* labels, i64 N, i64 K, C* correct, cudaStream_t stream) {
  if (N == 0 || K == 0) return;
  lab_correct_kernel<T, C><<<grid_for(N), kBlock, 0, stream>>>(logits, labels, N, K, correct);
  GL_CUDA_CHECK_LAUNCH();
}

}  // namespace

template <>
void launch_strided_copy<bool>(const bool* src, bool* dst, const StridedIndex& index, bool accumulate,
                               cudaStream_t stream) {
  lab_strided_copy(src, dst, index, accumulate, stream);
}
template <>
void launch_strided_copy<std::int64_t>(const std::int64_t* src, std::int64_t* dst, const StridedIndex& index,
                                       bool accumulate, cudaStream_t stream) {
  lab_strided_copy(src, dst, index, accumulate, stream);
}
template <>
void launch_accumulate_correct<float, std::int64_t>(const float* logits, const std::int32_t* labels, i64 N, i64 K,
                                                    std::int64_t* correct, cudaStream_t stream) {
  lab_correct(logits, labels, N, K, correct, stream);
}
template <>
void launch_accumulate_correct<double, std::int64_t>(const double* logits, const std::int32_t* labels, i64 N, i64 K,
                                                     std::int64_t* correct, cudaStream_t stream) {
  lab_correct(logits, labels, N, K, correct, stream);
}
template <>
void launch_accumulate_correct<float, bool>(const float* logits, const std::int32_t* labels, i64 N, i64 K,
                                            bool* correct, cudaStream_t stream) {
  lab_correct(logits, labels, N, K, correct, stream);
}
template <>
void launch_accumulate_correct<double, bool>(const double* logits, const std::int32_t* labels, i64 N, i64 K,
                                             bool* correct, cudaStream_t stream) {
  lab_correct(logits, labels, N, K, correct, stream);
}

}  // namespace gl::cuda
