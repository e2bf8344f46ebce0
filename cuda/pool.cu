// Max and average pooling over [N, C, H, W] planes; semantics as in
// engine/cpu/pool.cpp (max: padding is -inf, first maximum wins, NaN wins;
// average: padding counts as zero, divisor R*S). Forward: one thread per
// output. Backward: one thread per input element gathers from the outputs
// whose windows contain it, in the same order as the CPU's scatter, so the
// sums match bit for bit and no atomics are needed.
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

__device__ inline i64 max64(i64 a, i64 b) { return a > b ? a : b; }
__device__ inline i64 min64(i64 a, i64 b) { return a < b ? a : b; }

// Outputs o in [lo, hi] along one axis whose window (o*stride - pad, size k) covers position p.
struct Range {
  i64 lo, hi;
};
__device__ inline Range covering(i64 p, i64 pad, i64 k, i64 stride, i64 out) {
  const i64 t = p + pad - k + 1;  // smallest o*stride allowed
  const i64 lo = t <= 0 ? 0 : (t + stride - 1) / stride;
  const i64 hi = min64(out - 1, (p + pad) / stride);
  return {lo, hi};
}

template <class T>
__global__ void maxpool_forward_kernel(const T* x, PoolGeom g, i64 total, T* y, std::int32_t* argmax) {
  GL_GRID_LOOP(i, total) {
    const i64 ow = i % g.Wo, oh = (i / g.Wo) % g.Ho, plane = i / (g.Wo * g.Ho);
    const T* xs = x + plane * g.H * g.W;
    const i64 hs = oh * g.stride_h - g.pad_h, ws = ow * g.stride_w - g.pad_w;
    const i64 h0 = max64(hs, 0), h1 = min64(hs + g.R, g.H), w0 = max64(ws, 0), w1 = min64(ws + g.S, g.W);
    T best = -d_inf<T>();
    i64 best_at = h0 * g.W + w0;
    bool found_nan = false;
    for (i64 h = h0; h < h1 && !found_nan; ++h) {
      for (i64 w = w0; w < w1; ++w) {
        const T v = xs[h * g.W + w];
        if (v > best || isnan(v)) {
          best = v;
          best_at = h * g.W + w;
          if (isnan(v)) {
            found_nan = true;
            break;
          }
        }
      }
    }
    y[i] = best;
    if (argmax) argmax[i] = static_cast<std::int32_t>(best_at);
  }
}

template <class T>
__global__ void maxpool_backward_kernel(const T* dy, const std::int32_t* argmax, PoolGeom g, i64 total, T* dx) {
  GL_GRID_LOOP(i, total) {
    const i64 w = i % g.W, h = (i / g.W) % g.H, plane = i / (g.W * g.H);
    const Range rh = covering(h, g.pad_h, g.R, g.stride_h, g.Ho);
    const Range rw = covering(w, g.pad_w, g.S, g.stride_w, g.Wo);
    const i64 base = plane * g.Ho * g.Wo;
    const std::int32_t me = static_cast<std::int32_t>(h * g.W + w);
    T acc = T(0);
    for (i64 oh = rh.lo; oh <= rh.hi; ++oh) {
      for (i64 ow = rw.lo; ow <= rw.hi; ++ow) {
        const i64 o = base + oh * g.Wo + ow;
        if (argmax[o] == me) acc += dy[o];
      }
    }
    dx[i] = acc;
  }
}

template <class T> __global__ void avgpool_forward_kernel(const T* x, PoolGeom g, i64 total, T* y) {
  const T inv_area = T(1) / static_cast<T>(g.R * g.S);
  GL_GRID_LOOP(i, total) {
    const i64 ow = i % g.Wo, oh = (i / g.Wo) % g.Ho, plane = i / (g.Wo * g.Ho);
    const T* xs = x + plane * g.H * g.W;
    const i64 hs = oh * g.stride_h - g.pad_h, ws = ow * g.stride_w - g.pad_w;
    const i64 h0 = max64(hs, 0), h1 = min64(hs + g.R, g.H), w0 = max64(ws, 0), w1 = min64(ws + g.S, g.W);
    T s = T(0);
    for (i64 h = h0; h < h1; ++h) {
      for (i64 w = w0; w < w1; ++w) s += xs[h * g.W + w];
    }
    y[i] = s * inv_area;
  }
}

template <class T> __global__ void avgpool_backward_kernel(const T* dy, PoolGeom g, i64 total, T* dx) {
  const T inv_area = T(1) / static_cast<T>(g.R * g.S);
  GL_GRID_LOOP(i, total) {
    const i64 w = i % g.W, h = (i / g.W) % g.H, plane = i / (g.W * g.H);
    const Range rh = covering(h, g.pad_h, g.R, g.stride_h, g.Ho);
    const Range rw = covering(w, g.pad_w, g.S, g.stride_w, g.Wo);
    const i64 base = plane * g.Ho * g.Wo;
    T acc = T(0);
    for (i64 oh = rh.lo; oh <= rh.hi; ++oh) {
      for (i64 ow = rw.lo; ow <= rw.hi; ++ow) acc += dy[base + oh * g.Wo + ow] * inv_area;
    }
    dx[i] = acc;
  }
}

}  // namespace

template <class T>
void launch_maxpool_forward(const T* x, const PoolGeom& g, T* y, std::int32_t* argmax, cudaStream_t stream) {
  const i64 total = g.N * g.C * g.Ho * g.Wo;
  if (total == 0) return;
  maxpool_forward_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(x, g, total, y, argmax);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_maxpool_backward(const T* dy, const std::int32_t* argmax, const PoolGeom& g, T* dx, cudaStream_t stream) {
  const i64 total = g.N * g.C * g.H * g.W;
  if (total == 0) return;
  maxpool_backward_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(dy, argmax, g, total, dx);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T> void launch_avgpool_forward(const T* x, const PoolGeom& g, T* y, cudaStream_t stream) {
  const i64 total = g.N * g.C * g.Ho * g.Wo;
  if (total == 0) return;
  avgpool_forward_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(x, g, total, y);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T> void launch_avgpool_backward(const T* dy, const PoolGeom& g, T* dx, cudaStream_t stream) {
  const i64 total = g.N * g.C * g.H * g.W;
  if (total == 0) return;
  avgpool_backward_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(dy, g, total, dx);
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                               \
  template void launch_maxpool_forward<T>(const T*, const PoolGeom&, T*, std::int32_t*, cudaStream_t);  \
  template void launch_maxpool_backward<T>(const T*, const std::int32_t*, const PoolGeom&, T*,          \
                                           cudaStream_t);                                               \
  template void launch_avgpool_forward<T>(const T*, const PoolGeom&, T*, cudaStream_t);                 \
  template void launch_avgpool_backward<T>(const T*, const PoolGeom&, T*, cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
#undef GL_INSTANTIATE

}  // namespace gl::cuda
