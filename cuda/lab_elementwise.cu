// The lab primitives that work element by element: compare, arith, select
// (up to three broadcast operands) and math. One thread per output element;
// the scalar rules are engine/cpu/lab_scalar.h, shared with the CPU kernels.
#include <type_traits>

#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"
#include "engine/cpu/lab_scalar.h"

namespace gl::cuda {

namespace {

// The offsets of output element i in operands 0..2.
__device__ inline void lab_offsets(const LabIndex& index, i64 i, i64 off[3]) {
  off[0] = off[1] = off[2] = 0;
  for (int d = index.rank - 1; d >= 0; --d) {
    const i64 k = i % index.shape[d];
    i /= index.shape[d];
    off[0] += k * index.s[0][d];
    off[1] += k * index.s[1][d];
    off[2] += k * index.s[2][d];
  }
}

template <class T>
__global__ void lab_compare_kernel(CompareOp op, const T* a, const T* b, bool* out, i64 n, LabIndex index) {
  GL_GRID_LOOP(i, n) {
    i64 off[3];
    lab_offsets(index, i, off);
    out[i] = lab::compare(op, a[off[0]], b[off[1]]);
  }
}

template <class T>
__global__ void lab_arith_kernel(ArithOp op, const T* a, const T* b, T* out, i64 n, LabIndex index) {
  GL_GRID_LOOP(i, n) {
    i64 off[3];
    lab_offsets(index, i, off);
    out[i] = lab::arith(op, a[off[0]], b[off[1]]);
  }
}

template <class T>
__global__ void lab_select_kernel(const bool* cond, const T* a, const T* b, T* out, i64 n, LabIndex index) {
  GL_GRID_LOOP(i, n) {
    i64 off[3];
    lab_offsets(index, i, off);
    out[i] = cond[off[0]] ? a[off[1]] : b[off[2]];
  }
}

template <class T>
__global__ void lab_math_kernel(MathOp op, const T* a, T* out, bool* out_bool, i64 n, double s0, double s1) {
  GL_GRID_LOOP(i, n) {
    if (out_bool) {
      out_bool[i] = lab::math_bool(op, a[i]);
    } else if constexpr (!std::is_same_v<T, bool>) {
      out[i] = lab::math(op, a[i], s0, s1);
    }
  }
}

}  // namespace

template <class T>
void launch_lab_compare(CompareOp op, const T* a, const T* b, bool* out, i64 n, const LabIndex& index,
                        cudaStream_t stream) {
  if (n == 0) return;
  lab_compare_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(op, a, b, out, n, index);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_lab_arith(ArithOp op, const T* a, const T* b, T* out, i64 n, const LabIndex& index, cudaStream_t stream) {
  if (n == 0) return;
  lab_arith_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(op, a, b, out, n, index);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_lab_select(const bool* cond, const T* a, const T* b, T* out, i64 n, const LabIndex& index,
                       cudaStream_t stream) {
  if (n == 0) return;
  lab_select_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(cond, a, b, out, n, index);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_lab_math(MathOp op, const T* a, T* out, bool* out_bool, i64 n, double s0, double s1, cudaStream_t stream) {
  if (n == 0) return;
  lab_math_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(op, a, out, out_bool, n, s0, s1);
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                                 \
  template void launch_lab_compare<T>(CompareOp, const T*, const T*, bool*, i64, const LabIndex&,         \
                                      cudaStream_t);                                                      \
  template void launch_lab_select<T>(const bool*, const T*, const T*, T*, i64, const LabIndex&, cudaStream_t); \
  template void launch_lab_math<T>(MathOp, const T*, T*, bool*, i64, double, double, cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
GL_INSTANTIATE(std::int32_t)
GL_INSTANTIATE(std::int64_t)
GL_INSTANTIATE(bool)
#undef GL_INSTANTIATE
template void launch_lab_arith<float>(ArithOp, const float*, const float*, float*, i64, const LabIndex&, cudaStream_t);
template void launch_lab_arith<double>(ArithOp, const double*, const double*, double*, i64, const LabIndex&,
                                       cudaStream_t);
template void launch_lab_arith<std::int32_t>(ArithOp, const std::int32_t*, const std::int32_t*, std::int32_t*, i64,
                                             const LabIndex&, cudaStream_t);
template void launch_lab_arith<std::int64_t>(ArithOp, const std::int64_t*, const std::int64_t*, std::int64_t*, i64,
                                             const LabIndex&, cudaStream_t);

}  // namespace gl::cuda
