// The lab primitives that follow indices: arg_reduce (one thread per output
// position scans its n entries), index_select (one thread per output element)
// and index_put (one thread per source element; atomics when accumulating,
// since repeated indices add into the same element).
#include <type_traits>

#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"
#include "engine/cpu/lab_scalar.h"

namespace gl::cuda {

namespace {

template <class T>
__global__ void arg_reduce_kernel(const T* in, i64 outer, i64 n, i64 inner, bool is_min, T* values, i64* indices) {
  GL_GRID_LOOP(oi, outer * inner) {
    const i64 o = oi / inner, i = oi % inner;
    const T* p = in + o * n * inner + i;
    i64 best = 0;
    T b = p[0];
    if (!lab::is_nan(b)) {
      for (i64 k = 1; k < n; ++k) {
        const T v = p[k * inner];
        if (lab::is_nan(v)) {
          best = k;
          b = v;
          break;
        }
        if (is_min ? v < b : v > b) {
          best = k;
          b = v;
        }
      }
    }
    indices[oi] = best;
    if (values) values[oi] = b;
  }
}

template <class T>
__global__ void index_select_kernel(const T* src, i64 n, i64 inner, const i64* idx, i64 m, T* out, i64 total) {
  GL_GRID_LOOP(e, total) {
    const i64 i = e % inner, r = e / inner, j = r % m, o = r / m;
    out[e] = src[(o * n + idx[j]) * inner + i];
  }
}

__device__ inline void atomic_add(float* p, float v) { atomicAdd(p, v); }
__device__ inline void atomic_add(double* p, double v) { atomicAdd(p, v); }
__device__ inline void atomic_add(std::int32_t* p, std::int32_t v) { atomicAdd(p, v); }
__device__ inline void atomic_add(std::int64_t* p, std::int64_t v) {
  atomicAdd(reinterpret_cast<unsigned long long*>(p), static_cast<unsigned long long>(v));  // two's complement
}

template <class T>
__global__ void index_put_kernel(const T* src, i64 n, i64 inner, const i64* idx, i64 m, T* out, bool accumulate,
                                 i64 total) {
  GL_GRID_LOOP(e, total) {
    const i64 i = e % inner, r = e / inner, j = r % m, o = r / m;
    T* to = out + (o * n + idx[j]) * inner + i;
    if constexpr (std::is_same_v<T, bool>) {
      *to = src[e];
    } else {
      if (accumulate) atomic_add(to, src[e]);
      else *to = src[e];
    }
  }
}

}  // namespace

template <class T>
void launch_arg_reduce(const T* in, i64 outer, i64 n, i64 inner, bool is_min, T* values, std::int64_t* indices,
                       cudaStream_t stream) {
  const i64 total = outer * inner;
  if (total == 0) return;
  arg_reduce_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(in, outer, n, inner, is_min, values, indices);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_index_select(const T* src, i64 outer, i64 n, i64 inner, const std::int64_t* idx, i64 m, T* out,
                         cudaStream_t stream) {
  const i64 total = outer * m * inner;
  if (total == 0) return;
  index_select_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(src, n, inner, idx, m, out, total);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_index_put(const T* src, i64 outer, i64 n, i64 inner, const std::int64_t* idx, i64 m, T* out,
                      bool accumulate, cudaStream_t stream) {
  const i64 total = outer * m * inner;
  if (total == 0) return;
  index_put_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(src, n, inner, idx, m, out, accumulate, total);
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                                    \
  template void launch_arg_reduce<T>(const T*, i64, i64, i64, bool, T*, std::int64_t*, cudaStream_t);        \
  template void launch_index_select<T>(const T*, i64, i64, i64, const std::int64_t*, i64, T*, cudaStream_t); \
  template void launch_index_put<T>(const T*, i64, i64, i64, const std::int64_t*, i64, T*, bool, cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
GL_INSTANTIATE(std::int32_t)
GL_INSTANTIATE(std::int64_t)
GL_INSTANTIATE(bool)
#undef GL_INSTANTIATE

}  // namespace gl::cuda
