// Device-side helpers shared by the .cu files: launch sizes, grid-stride
// loops, math overloads for float/double, warp and block reductions.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace gl::cuda {

inline constexpr int kBlock = 256;  // threads per block everywhere (a multiple of 32)

// Blocks for n elements; grid-stride loops cover what a capped grid leaves.
inline unsigned grid_for(std::int64_t n, int block = kBlock) {
  constexpr std::int64_t kMaxBlocks = 1 << 20;
  std::int64_t blocks = (n + block - 1) / block;
  if (blocks < 1) blocks = 1;
  return static_cast<unsigned>(blocks < kMaxBlocks ? blocks : kMaxBlocks);
}

__device__ inline std::int64_t global_thread() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ inline std::int64_t grid_threads() {
  return static_cast<std::int64_t>(blockDim.x) * gridDim.x;
}

// for (i = this thread; i < n; i += all threads)
#define GL_GRID_LOOP(i, n) \
  for (std::int64_t i = global_thread(); i < (n); i += grid_threads())

// ---- math overloads ---------------------------------------------------------
__device__ inline float d_exp(float x) { return expf(x); }
__device__ inline double d_exp(double x) { return exp(x); }
__device__ inline float d_log(float x) { return logf(x); }
__device__ inline double d_log(double x) { return log(x); }
__device__ inline float d_tanh(float x) { return tanhf(x); }
__device__ inline double d_tanh(double x) { return tanh(x); }
__device__ inline float d_sqrt(float x) { return sqrtf(x); }
__device__ inline double d_sqrt(double x) { return sqrt(x); }
__device__ inline float d_pow(float x, float s) { return powf(x, s); }
__device__ inline double d_pow(double x, double s) { return pow(x, s); }
template <class T> __device__ inline T d_inf() { return static_cast<T>(INFINITY); }
template <class T> __device__ inline T d_nan() { return static_cast<T>(NAN); }

// ---- reductions (every thread of the warp / block must call) ----------------
template <class A> __device__ inline A warp_sum(A v) {
  for (int offset = 16; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}
template <class A> __device__ inline A warp_max(A v) {
  for (int offset = 16; offset > 0; offset >>= 1) {
    const A o = __shfl_xor_sync(0xffffffffu, v, offset);
    v = o > v ? o : v;
  }
  return v;
}
// The block's total, returned to every thread. blockDim.x must be a multiple
// of 32. Safe to call repeatedly (syncs before reusing its shared slots).
template <class A> __device__ inline A block_sum(A v) {
  __shared__ A partial[32];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  v = warp_sum(v);
  __syncthreads();
  if (lane == 0) partial[warp] = v;
  __syncthreads();
  const int warps = static_cast<int>(blockDim.x >> 5);
  return warp_sum(lane < warps ? partial[lane] : A(0));
}

}  // namespace gl::cuda
