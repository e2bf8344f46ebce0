// reduce_sum: out[o] = sum_r in[offset(o) + offset(r)], accumulated in double
// (as the CPU reference does) and deterministic (no atomics).
// Two launch shapes:
// - many outputs or short sums: one thread per output, looping over r
//   (coalesced when the kept dims are the inner ones, e.g. [N, K] -> [1, K]);
// - few outputs with long sums: one block per output and a block reduction
//   (e.g. a full sum, or [N, C, H*W] -> [1, C, 1]).
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

__device__ inline i64 offset_of(i64 flat, int rank, const i64* shape, const i64* stride) {
  i64 off = 0;
  for (int d = rank - 1; d >= 0; --d) {
    off += (flat % shape[d]) * stride[d];
    flat /= shape[d];
  }
  return off;
}

template <class T> __global__ void reduce_thread_per_output(const T* in, T* out, ReduceIndex ix) {
  GL_GRID_LOOP(o, ix.n_out) {
    const T* base = in + offset_of(o, ix.out_rank, ix.out_shape, ix.out_stride);
    double acc = 0.0;
    if (ix.red_rank == 1) {
      const i64 stride = ix.red_stride[0];
      for (i64 r = 0; r < ix.n_red; ++r) acc += static_cast<double>(base[r * stride]);
    } else {
      for (i64 r = 0; r < ix.n_red; ++r)
        acc += static_cast<double>(base[offset_of(r, ix.red_rank, ix.red_shape, ix.red_stride)]);
    }
    out[o] = static_cast<T>(acc);
  }
}

template <class T> __global__ void reduce_block_per_output(const T* in, T* out, ReduceIndex ix) {
  for (i64 o = blockIdx.x; o < ix.n_out; o += gridDim.x) {
    const T* base = in + offset_of(o, ix.out_rank, ix.out_shape, ix.out_stride);
    double acc = 0.0;
    if (ix.red_rank == 1) {
      const i64 stride = ix.red_stride[0];
      for (i64 r = threadIdx.x; r < ix.n_red; r += blockDim.x) acc += static_cast<double>(base[r * stride]);
    } else {
      for (i64 r = threadIdx.x; r < ix.n_red; r += blockDim.x)
        acc += static_cast<double>(base[offset_of(r, ix.red_rank, ix.red_shape, ix.red_stride)]);
    }
    acc = block_sum(acc);
    if (threadIdx.x == 0) out[o] = static_cast<T>(acc);
  }
}

}  // namespace

template <class T> void launch_reduce_sum(const T* in, T* out, const ReduceIndex& index, cudaStream_t stream) {
  if (index.n_out == 0) return;
  // A block per output pays off once each sum is long and there are too few
  // outputs to fill the GPU with one thread each.
  const bool block_per_output = index.n_red >= 1024 && index.n_out < 16384;
  if (block_per_output) {
    const unsigned blocks = static_cast<unsigned>(index.n_out < 65535 ? index.n_out : 65535);
    reduce_block_per_output<T><<<blocks, kBlock, 0, stream>>>(in, out, index);
  } else {
    reduce_thread_per_output<T><<<grid_for(index.n_out), kBlock, 0, stream>>>(in, out, index);
  }
  GL_CUDA_CHECK_LAUNCH();
}

template void launch_reduce_sum<float>(const float*, float*, const ReduceIndex&, cudaStream_t);
template void launch_reduce_sum<double>(const double*, double*, const ReduceIndex&, cudaStream_t);

}  // namespace gl::cuda
