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
// I is the index type: int when every index fits (32-bit division is several
// times cheaper than 64-bit on the GPU), else int64.
template <class T, class I> __global__ void im2col_kernel(const T* x, ConvGeom geom, I total, T* cols) {
  const I C = static_cast<I>(geom.C), H = static_cast<I>(geom.H), W = static_cast<I>(geom.W);
  const I R = static_cast<I>(geom.R), S = static_cast<I>(geom.S), Wo = static_cast<I>(geom.Wo);
  const I sh = static_cast<I>(geom.stride_h), sw = static_cast<I>(geom.stride_w);
  const I ph = static_cast<I>(geom.pad_h), pw = static_cast<I>(geom.pad_w);
  const I L = static_cast<I>(geom.Ho) * Wo, rows = C * R * S;
  for (I i = static_cast<I>(global_thread()); i < total; i += static_cast<I>(grid_threads())) {
    const I p = i % L;
    const I row = (i / L) % rows;
    const I n = i / (L * rows);
    const I ow = p % Wo, oh = p / Wo;
    const I s = row % S, r = (row / S) % R, c = row / (R * S);
    const I h = oh * sh - ph + r;
    const I w = ow * sw - pw + s;
    const bool inside = h >= 0 && h < H && w >= 0 && w < W;
    cols[i] = inside ? x[((n * C + c) * H + h) * W + w] : T(0);
  }
}

// One thread per dx element gathers every cols entry that copied it: kernel
// offset (r, s) came from output position oh = (h + pad_h - r) / stride_h when
// that division is exact and in range. No atomics, deterministic.
template <class T, class I> __global__ void col2im_kernel(const T* cols, ConvGeom geom, I total, T* dx) {
  const I C = static_cast<I>(geom.C), H = static_cast<I>(geom.H), W = static_cast<I>(geom.W);
  const I R = static_cast<I>(geom.R), S = static_cast<I>(geom.S);
  const I Ho = static_cast<I>(geom.Ho), Wo = static_cast<I>(geom.Wo);
  const I sh = static_cast<I>(geom.stride_h), sw = static_cast<I>(geom.stride_w);
  const I ph = static_cast<I>(geom.pad_h), pw = static_cast<I>(geom.pad_w);
  const I L = Ho * Wo, rows = C * R * S;
  for (I i = static_cast<I>(global_thread()); i < total; i += static_cast<I>(grid_threads())) {
    const I w = i % W;
    const I h = (i / W) % H;
    const I c = (i / (W * H)) % C;
    const I n = i / (W * H * C);
    const T* image_cols = cols + static_cast<i64>(n) * rows * L;  // may pass 2^31 for the whole batch
    T acc = T(0);
    for (I r = 0; r < R; ++r) {
      const I hh = h + ph - r;
      if (hh < 0 || hh % sh != 0) continue;
      const I oh = hh / sh;
      if (oh >= Ho) continue;
      for (I s = 0; s < S; ++s) {
        const I ww = w + pw - s;
        if (ww < 0 || ww % sw != 0) continue;
        const I ow = ww / sw;
        if (ow >= Wo) continue;
        acc += image_cols[((c * R + r) * S + s) * L + oh * Wo + ow];
      }
    }
    dx[i] = acc;
  }
}

template <class T> __global__ void add_channel_bias_kernel(T* y, const T* bias, i64 total, i64 K, i64 L) {
  GL_GRID_LOOP(i, total) y[i] += bias[(i / L) % K];
}

// Whether every index of both x and cols (for `images` images) fits in int,
// with room for the grid-stride step (grid_for caps a grid at 2^28 threads).
bool fits_int32(const ConvGeom& g, i64 images) {
  const i64 limit = i64{1} << 30;  // + at most 2^28 grid threads stays below 2^31
  return images * g.C * g.R * g.S * g.Ho * g.Wo < limit && images * g.C * g.H * g.W < limit;
}

}  // namespace

template <class T> void launch_im2col(const T* x, const ConvGeom& g, i64 images, T* cols, cudaStream_t stream) {
  const i64 total = images * g.C * g.R * g.S * g.Ho * g.Wo;
  if (total == 0) return;
  if (fits_int32(g, images)) {
    im2col_kernel<T, int><<<grid_for(total), kBlock, 0, stream>>>(x, g, static_cast<int>(total), cols);
  } else {
    im2col_kernel<T, i64><<<grid_for(total), kBlock, 0, stream>>>(x, g, total, cols);
  }
  GL_CUDA_CHECK_LAUNCH();
}

template <class T> void launch_col2im(const T* cols, const ConvGeom& g, i64 images, T* dx, cudaStream_t stream) {
  const i64 total = images * g.C * g.H * g.W;
  if (total == 0) return;
  if (fits_int32(g, images)) {
    col2im_kernel<T, int><<<grid_for(total), kBlock, 0, stream>>>(cols, g, static_cast<int>(total), dx);
  } else {
    col2im_kernel<T, i64><<<grid_for(total), kBlock, 0, stream>>>(cols, g, total, dx);
  }
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
