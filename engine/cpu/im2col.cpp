// im2col / col2im (Caffe's unrolling): convolution becomes one GEMM per image.
// For each kernel tap (c, r, s) the row of cols is the input plane shifted by
// (r - pad_h, s - pad_w) and subsampled by the stride; along a row only the
// output columns ow in [ow_lo, ow_hi) read inside the image, the rest are 0.
#include <algorithm>
#include <cstring>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/im2col_kernel.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

// Output positions o in [lo, hi) with 0 <= o*stride - pad + tap < size.
struct ValidRange {
  std::int64_t lo, hi;
};
ValidRange valid_range(std::int64_t size, std::int64_t out, std::int64_t stride, std::int64_t pad,
                       std::int64_t tap) {
  const std::int64_t first = pad - tap;          // need o*stride >= first
  const std::int64_t last = size - 1 + pad - tap;  // and o*stride <= last
  const std::int64_t lo = first <= 0 ? 0 : (first + stride - 1) / stride;
  const std::int64_t hi = last < 0 ? 0 : std::min(out, last / stride + 1);
  return {std::min(lo, hi), hi};
}

}  // namespace

// Stride 1 with Wo == W ("same" width): row (c, r, s) of cols is the channel
// plane shifted by (r - pad_h) * W + (s - pad_w) elements, so the valid part
// is one contiguous copy; then the columns that wrapped around a row edge are
// zeroed. Much faster than a copy per output row for small maps (8x8, 16x16).
template <class T> bool im2col_shift(const T* x, const ConvGeom& g, T* cols, std::int64_t ld) {
  if (g.stride_h != 1 || g.stride_w != 1 || g.Wo != g.W) return false;
  const std::int64_t P = g.Ho * g.Wo, W = g.W;
  for (std::int64_t c = 0; c < g.C; ++c) {
    const T* plane = x + c * g.H * W;
    for (std::int64_t r = 0; r < g.R; ++r) {
      const ValidRange rows = valid_range(g.H, g.Ho, 1, g.pad_h, r);
      for (std::int64_t s = 0; s < g.S; ++s) {
        const ValidRange cs = valid_range(W, g.Wo, 1, g.pad_w, s);
        T* dst = cols + ((c * g.R + r) * g.S + s) * ld;
        if (rows.lo >= rows.hi || cs.lo >= cs.hi) {
          std::fill(dst, dst + P, T(0));
          continue;
        }
        const std::int64_t first = rows.lo * W + cs.lo, last = (rows.hi - 1) * W + cs.hi;
        const std::int64_t shift = (r - g.pad_h) * W + (s - g.pad_w);
        std::fill(dst, dst + first, T(0));
        std::memcpy(dst + first, plane + first + shift, static_cast<std::size_t>(last - first) * sizeof(T));
        std::fill(dst + last, dst + P, T(0));
        for (std::int64_t oh = rows.lo; oh < rows.hi; ++oh) {  // wrapped columns
          for (std::int64_t ow = 0; ow < cs.lo; ++ow) dst[oh * W + ow] = T(0);
          for (std::int64_t ow = cs.hi; ow < W; ++ow) dst[oh * W + ow] = T(0);
        }
      }
    }
  }
  return true;
}

template <class T> void im2col_one(const T* x, const ConvGeom& g, T* cols, std::int64_t ld) {
  if (im2col_shift(x, g, cols, ld)) return;
  const std::int64_t HoWo = g.Ho * g.Wo;
  for (std::int64_t c = 0; c < g.C; ++c) {
    for (std::int64_t r = 0; r < g.R; ++r) {
      const ValidRange rows = valid_range(g.H, g.Ho, g.stride_h, g.pad_h, r);
      for (std::int64_t s = 0; s < g.S; ++s) {
        const ValidRange cs = valid_range(g.W, g.Wo, g.stride_w, g.pad_w, s);
        T* dst = cols + ((c * g.R + r) * g.S + s) * ld;
        std::fill(dst, dst + rows.lo * g.Wo, T(0));
        for (std::int64_t oh = rows.lo; oh < rows.hi; ++oh) {
          T* d = dst + oh * g.Wo;
          const T* src = x + (c * g.H + oh * g.stride_h - g.pad_h + r) * g.W - g.pad_w + s;
          std::fill(d, d + cs.lo, T(0));
          for (std::int64_t ow = cs.lo; ow < cs.hi; ++ow) d[ow] = src[ow * g.stride_w];
          std::fill(d + cs.hi, d + g.Wo, T(0));
        }
        std::fill(dst + rows.hi * g.Wo, dst + HoWo, T(0));
      }
    }
  }
}

template <class T> void col2im_one(const T* cols, const ConvGeom& g, T* dx, std::int64_t ld) {
  std::fill(dx, dx + g.C * g.H * g.W, T(0));
  for (std::int64_t c = 0; c < g.C; ++c) {
    for (std::int64_t r = 0; r < g.R; ++r) {
      const ValidRange rows = valid_range(g.H, g.Ho, g.stride_h, g.pad_h, r);
      for (std::int64_t s = 0; s < g.S; ++s) {
        const ValidRange cs = valid_range(g.W, g.Wo, g.stride_w, g.pad_w, s);
        const T* src = cols + ((c * g.R + r) * g.S + s) * ld;
        for (std::int64_t oh = rows.lo; oh < rows.hi; ++oh) {
          const T* sr = src + oh * g.Wo;
          T* d = dx + (c * g.H + oh * g.stride_h - g.pad_h + r) * g.W - g.pad_w + s;
          if (g.stride_w == 1) {  // unit stride: the compiler vectorizes this
            for (std::int64_t ow = cs.lo; ow < cs.hi; ++ow) d[ow] += sr[ow];
          } else {
            for (std::int64_t ow = cs.lo; ow < cs.hi; ++ow) d[ow * g.stride_w] += sr[ow];
          }
        }
      }
    }
  }
}

template <class T> void col2im_one_scratch(T* cols, const ConvGeom& g, T* dx, std::int64_t ld) {
  if (g.stride_h != 1 || g.stride_w != 1 || g.Wo != g.W) {
    col2im_one(static_cast<const T*>(cols), g, dx, ld);
    return;
  }
  // The adjoint of im2col_shift: zero the wrapped columns of each row of cols
  // (they hold no image position), then add the row's valid span into the
  // shifted plane with one contiguous loop.
  const std::int64_t W = g.W;
  std::fill(dx, dx + g.C * g.H * W, T(0));
  for (std::int64_t c = 0; c < g.C; ++c) {
    T* plane = dx + c * g.H * W;
    for (std::int64_t r = 0; r < g.R; ++r) {
      const ValidRange rows = valid_range(g.H, g.Ho, 1, g.pad_h, r);
      for (std::int64_t s = 0; s < g.S; ++s) {
        const ValidRange cs = valid_range(W, g.Wo, 1, g.pad_w, s);
        if (rows.lo >= rows.hi || cs.lo >= cs.hi) continue;
        T* src = cols + ((c * g.R + r) * g.S + s) * ld;
        for (std::int64_t oh = rows.lo; oh < rows.hi; ++oh) {
          for (std::int64_t ow = 0; ow < cs.lo; ++ow) src[oh * W + ow] = T(0);
          for (std::int64_t ow = cs.hi; ow < W; ++ow) src[oh * W + ow] = T(0);
        }
        const std::int64_t first = rows.lo * W + cs.lo, last = (rows.hi - 1) * W + cs.hi;
        T* d = plane + (r - g.pad_h) * W + (s - g.pad_w);
        for (std::int64_t i = first; i < last; ++i) d[i] += src[i];
      }
    }
  }
}

template void im2col_one<float>(const float*, const ConvGeom&, float*, std::int64_t);
template void im2col_one<double>(const double*, const ConvGeom&, double*, std::int64_t);
template void col2im_one<float>(const float*, const ConvGeom&, float*, std::int64_t);
template void col2im_one<double>(const double*, const ConvGeom&, double*, std::int64_t);
template void col2im_one_scratch<float>(float*, const ConvGeom&, float*, std::int64_t);
template void col2im_one_scratch<double>(double*, const ConvGeom&, double*, std::int64_t);

void CpuBackend::im2col(const Tensor& x, const ConvGeom& g, Tensor& cols) {
  dispatch_float(x.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = ptr<T>(x);
    T* cp = ptr<T>(cols);
    const std::int64_t in_size = g.C * g.H * g.W, col_size = g.C * g.R * g.S * g.Ho * g.Wo;
#pragma omp parallel for schedule(static) if (g.N > 1 && g.N * col_size >= kParallelMin)
    for (std::int64_t n = 0; n < g.N; ++n) im2col_one(xp + n * in_size, g, cp + n * col_size, g.Ho * g.Wo);
  });
}

void CpuBackend::col2im(const Tensor& cols, const ConvGeom& g, Tensor& dx) {
  dispatch_float(cols.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    const T* cp = ptr<T>(cols);
    T* dp = ptr<T>(dx);
    const std::int64_t in_size = g.C * g.H * g.W, col_size = g.C * g.R * g.S * g.Ho * g.Wo;
#pragma omp parallel for schedule(static) if (g.N > 1 && g.N * col_size >= kParallelMin)
    for (std::int64_t n = 0; n < g.N; ++n) col2im_one(cp + n * col_size, g, dp + n * in_size, g.Ho * g.Wo);
  });
}

}  // namespace gl::cpu
