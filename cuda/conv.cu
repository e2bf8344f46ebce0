// im2col / col2im and the per-channel bias add of a convolution.
// Legend: N images, C in-channels, K out-channels, H W input, R S kernel,
// Ho Wo output; cols is [images, C*R*S, Ho*Wo], row (c*R + r)*S + s,
// column oh*Wo + ow.
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

// One thread per cols element; consecutive threads walk ow, so the reads of x
// are (strided) coalesced and the writes of cols are contiguous.
template <class T> __global__ void im2col_kernel(const T* x, ConvGeom g, i64 total, T* cols) {
  const i64 L = g.Ho * g.Wo, rows = g.C * g.R * g.S;
  GL_GRID_LOOP(i, total) {
    const i64 p = i % L;
    const i64 row = (i / L) % rows;
    const i64 n = i / (L * rows);
    const i64 ow = p % g.Wo, oh = p / g.Wo;
    const i64 s = row % g.S, r = (row / g.S) % g.R, c = row / (g.R * g.S);
    const i64 h = oh * g.stride_h - g.pad_h + r;
    const i64 w = ow * g.stride_w - g.pad_w + s;
    const bool inside = h >= 0 && h < g.H && w >= 0 && w < g.W;
    cols[i] = inside ? x[((n * g.C + c) * g.H + h) * g.W + w] : T(0);
  }
}

// One thread per dx element gathers every cols entry that copied it: kernel
// offset (r, s) came from output position oh = (h + pad_h - r) / stride_h when
// that division is exact and in range. No atomics, deterministic.
template <class T> __global__ void col2im_kernel(const T* cols, ConvGeom g, i64 total, T* dx) {
  const i64 L = g.Ho * g.Wo, rows = g.C * g.R * g.S;
  GL_GRID_LOOP(i, total) {
    const i64 w = i % g.W;
    const i64 h = (i / g.W) % g.H;
    const i64 c = (i / (g.W * g.H)) % g.C;
    const i64 n = i / (g.W * g.H * g.C);
    const T* image_cols = cols + n * rows * L;
    T acc = T(0);
    for (i64 r = 0; r < g.R; ++r) {
      const i64 hh = h + g.pad_h - r;
      if (hh < 0 || hh % g.stride_h != 0) continue;
      const i64 oh = hh / g.stride_h;
      if (oh >= g.Ho) continue;
      for (i64 s = 0; s < g.S; ++s) {
        const i64 ww = w + g.pad_w - s;
        if (ww < 0 || ww % g.stride_w != 0) continue;
        const i64 ow = ww / g.stride_w;
        if (ow >= g.Wo) continue;
        acc += image_cols[((c * g.R + r) * g.S + s) * L + oh * g.Wo + ow];
      }
    }
    dx[i] = acc;
  }
}

template <class T> __global__ void add_channel_bias_kernel(T* y, const T* bias, i64 total, i64 K, i64 L) {
  GL_GRID_LOOP(i, total) y[i] += bias[(i / L) % K];
}

}  // namespace

template <class T> void launch_im2col(const T* x, const ConvGeom& g, i64 images, T* cols, cudaStream_t stream) {
  const i64 total = images * g.C * g.R * g.S * g.Ho * g.Wo;
  if (total == 0) return;
  im2col_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(x, g, total, cols);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T> void launch_col2im(const T* cols, const ConvGeom& g, i64 images, T* dx, cudaStream_t stream) {
  const i64 total = images * g.C * g.H * g.W;
  if (total == 0) return;
  col2im_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(cols, g, total, dx);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T> void launch_add_channel_bias(T* y, const T* bias, i64 N, i64 K, i64 L, cudaStream_t stream) {
  const i64 total = N * K * L;
  if (total == 0) return;
  add_channel_bias_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(y, bias, total, K, L);
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                     \
  template void launch_im2col<T>(const T*, const ConvGeom&, i64, T*, cudaStream_t);           \
  template void launch_col2im<T>(const T*, const ConvGeom&, i64, T*, cudaStream_t);           \
  template void launch_add_channel_bias<T>(T*, const T*, i64, i64, i64, cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
#undef GL_INSTANTIATE

}  // namespace gl::cuda
