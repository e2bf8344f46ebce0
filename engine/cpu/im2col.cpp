// im2col / col2im (Caffe's unrolling): convolution becomes one GEMM per image.
// Each channel plane is first copied into a zero-bordered plane [Hp, Wp]
// (Hp = H + 2 pad_h, Wp = W + 2 pad_w), so the row of cols for kernel tap
// (c, r, s) reads, for each output row oh, Wo values starting at
// padded[(oh*stride_h + r) * Wp + s] with step stride_w: no bounds tests and,
// for stride 1, one short contiguous copy per output row. This is what makes
// the small maps (8x8, 16x16) fast: the earlier version paid several memset /
// memcpy calls per row of cols. col2im is the adjoint: accumulate into a
// zeroed padded plane, then copy its interior out.
#include <algorithm>
#include <cstring>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/im2col_kernel.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

struct Padded {
  std::int64_t Hp, Wp;
};
Padded padded_dims(const ConvGeom& g) { return {g.H + 2 * g.pad_h, g.W + 2 * g.pad_w}; }

// padded [Hp, Wp] = plane [H, W] with pad_h / pad_w zeros around.
template <class T> void pad_plane(const T* plane, const ConvGeom& g, T* padded) {
  const auto [Hp, Wp] = padded_dims(g);
  std::fill(padded, padded + g.pad_h * Wp, T(0));
  for (std::int64_t h = 0; h < g.H; ++h) {
    T* row = padded + (h + g.pad_h) * Wp;
    std::fill(row, row + g.pad_w, T(0));
    std::copy(plane + h * g.W, plane + (h + 1) * g.W, row + g.pad_w);
    std::fill(row + g.pad_w + g.W, row + Wp, T(0));
  }
  std::fill(padded + (g.pad_h + g.H) * Wp, padded + Hp * Wp, T(0));
}

}  // namespace

template <class T> void im2col_one(const T* x, const ConvGeom& g, T* cols, std::int64_t ld) {
  const auto [Hp, Wp] = padded_dims(g);
  const bool needs_pad = g.pad_h != 0 || g.pad_w != 0;
  T* padded = needs_pad ? thread_scratch<T>(static_cast<std::size_t>(Hp * Wp), 3) : nullptr;
  for (std::int64_t c = 0; c < g.C; ++c) {
    const T* plane = x + c * g.H * g.W;
    if (needs_pad) {
      pad_plane(plane, g, padded);
      plane = padded;
    }
    for (std::int64_t r = 0; r < g.R; ++r) {
      for (std::int64_t s = 0; s < g.S; ++s) {
        T* dst = cols + ((c * g.R + r) * g.S + s) * ld;
        for (std::int64_t oh = 0; oh < g.Ho; ++oh) {
          const T* src = plane + (oh * g.stride_h + r) * Wp + s;
          T* d = dst + oh * g.Wo;
          if (g.stride_w == 1) {
            for (std::int64_t ow = 0; ow < g.Wo; ++ow) d[ow] = src[ow];
          } else {
            for (std::int64_t ow = 0; ow < g.Wo; ++ow) d[ow] = src[ow * g.stride_w];
          }
        }
      }
    }
  }
}

template <class T> void col2im_one(const T* cols, const ConvGeom& g, T* dx, std::int64_t ld) {
  const auto [Hp, Wp] = padded_dims(g);
  T* acc = thread_scratch<T>(static_cast<std::size_t>(Hp * Wp), 3);
  for (std::int64_t c = 0; c < g.C; ++c) {
    std::fill(acc, acc + Hp * Wp, T(0));
    for (std::int64_t r = 0; r < g.R; ++r) {
      for (std::int64_t s = 0; s < g.S; ++s) {
        const T* src = cols + ((c * g.R + r) * g.S + s) * ld;
        for (std::int64_t oh = 0; oh < g.Ho; ++oh) {
          T* d = acc + (oh * g.stride_h + r) * Wp + s;
          const T* sr = src + oh * g.Wo;
          if (g.stride_w == 1) {
            for (std::int64_t ow = 0; ow < g.Wo; ++ow) d[ow] += sr[ow];
          } else {
            for (std::int64_t ow = 0; ow < g.Wo; ++ow) d[ow * g.stride_w] += sr[ow];
          }
        }
      }
    }
    T* plane = dx + c * g.H * g.W;
    for (std::int64_t h = 0; h < g.H; ++h) {
      const T* row = acc + (h + g.pad_h) * Wp + g.pad_w;
      std::copy(row, row + g.W, plane + h * g.W);
    }
  }
}

template void im2col_one<float>(const float*, const ConvGeom&, float*, std::int64_t);
template void im2col_one<double>(const double*, const ConvGeom&, double*, std::int64_t);
template void col2im_one<float>(const float*, const ConvGeom&, float*, std::int64_t);
template void col2im_one<double>(const double*, const ConvGeom&, double*, std::int64_t);

void CpuBackend::im2col(const Tensor& x, const ConvGeom& g, Tensor& cols) {
  dispatch_float(x.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = ptr<T>(x);
    T* cp = ptr<T>(cols);
    const std::int64_t in_size = g.C * g.H * g.W, col_size = g.C * g.R * g.S * g.Ho * g.Wo;
    ParallelErrors errors;  // im2col_one's padded plane is a scratch allocation
#pragma omp parallel for schedule(static) if (g.N > 1 && g.N * col_size >= kParallelMin)
    for (std::int64_t n = 0; n < g.N; ++n) {
      if (errors.failed()) continue;
      try {
        im2col_one(xp + n * in_size, g, cp + n * col_size, g.Ho * g.Wo);
      } catch (...) {
        errors.capture();
      }
    }
    errors.rethrow();
  });
}

void CpuBackend::col2im(const Tensor& cols, const ConvGeom& g, Tensor& dx) {
  dispatch_float(cols.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    const T* cp = ptr<T>(cols);
    T* dp = ptr<T>(dx);
    const std::int64_t in_size = g.C * g.H * g.W, col_size = g.C * g.R * g.S * g.Ho * g.Wo;
    ParallelErrors errors;
#pragma omp parallel for schedule(static) if (g.N > 1 && g.N * col_size >= kParallelMin)
    for (std::int64_t n = 0; n < g.N; ++n) {
      if (errors.failed()) continue;
      try {
        col2im_one(cp + n * col_size, g, dp + n * in_size, g.Ho * g.Wo);
      } catch (...) {
        errors.capture();
      }
    }
    errors.rethrow();
  });
}

}  // namespace gl::cpu
