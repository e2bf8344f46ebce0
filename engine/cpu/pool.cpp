// 2-D max and average pooling over [N, C, H, W], one (n, c) plane per
// OpenMP iteration. Max: padding counts as -inf, argmax (int32) holds the
// flat h*W + w of the first maximum in the window (NaN wins, as in PyTorch).
// Average: padding counts as zeros and the divisor is always R*S.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

// Window rows [h0, h1) and columns [w0, w1) of output (oh, ow), clipped to the image.
struct Window {
  std::int64_t h0, h1, w0, w1;
};
Window window(const PoolGeom& g, std::int64_t oh, std::int64_t ow) {
  const std::int64_t h = oh * g.stride_h - g.pad_h, w = ow * g.stride_w - g.pad_w;
  return {std::max<std::int64_t>(h, 0), std::min(h + g.R, g.H), std::max<std::int64_t>(w, 0),
          std::min(w + g.S, g.W)};
}

}  // namespace

void CpuBackend::maxpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y, Tensor& argmax) {
  dispatch_float(x.dtype(), "maxpool2d_forward", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = ptr<T>(x);
    T* yp = ptr<T>(y);
    std::int32_t* ap = argmax.defined() ? ptr<std::int32_t>(argmax) : nullptr;
    const std::int64_t planes = g.N * g.C, in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
#pragma omp parallel for schedule(static) if (planes * out_plane * g.R * g.S >= kParallelMin)
    for (std::int64_t p = 0; p < planes; ++p) {
      const T* xs = xp + p * in_plane;
      for (std::int64_t oh = 0; oh < g.Ho; ++oh) {
        for (std::int64_t ow = 0; ow < g.Wo; ++ow) {
          const Window win = window(g, oh, ow);
          T best = -std::numeric_limits<T>::infinity();
          std::int64_t best_at = win.h0 * g.W + win.w0;
          for (std::int64_t h = win.h0; h < win.h1; ++h) {
            for (std::int64_t w = win.w0; w < win.w1; ++w) {
              const T v = xs[h * g.W + w];
              if (v > best || std::isnan(v)) {
                best = v;
                best_at = h * g.W + w;
                if (std::isnan(v)) goto done;
              }
            }
          }
        done:
          yp[p * out_plane + oh * g.Wo + ow] = best;
          if (ap != nullptr) ap[p * out_plane + oh * g.Wo + ow] = static_cast<std::int32_t>(best_at);
        }
      }
    }
  });
}

void CpuBackend::maxpool2d_backward(const Tensor& dy, const Tensor& argmax, const PoolGeom& g,
                                    Tensor& dx) {
  dispatch_float(dy.dtype(), "maxpool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* dyp = ptr<T>(dy);
    const std::int32_t* ap = ptr<std::int32_t>(argmax);
    T* dxp = ptr<T>(dx);
    const std::int64_t planes = g.N * g.C, in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
#pragma omp parallel for schedule(static) if (planes * in_plane >= kParallelMin)
    for (std::int64_t p = 0; p < planes; ++p) {
      T* d = dxp + p * in_plane;
      std::fill(d, d + in_plane, T(0));
      for (std::int64_t i = 0; i < out_plane; ++i) d[ap[p * out_plane + i]] += dyp[p * out_plane + i];
    }
  });
}

void CpuBackend::avgpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y) {
  dispatch_float(x.dtype(), "avgpool2d_forward", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = ptr<T>(x);
    T* yp = ptr<T>(y);
    const std::int64_t planes = g.N * g.C, in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
    const T inv_area = T(1) / static_cast<T>(g.R * g.S);
#pragma omp parallel for schedule(static) if (planes * out_plane * g.R * g.S >= kParallelMin)
    for (std::int64_t p = 0; p < planes; ++p) {
      const T* xs = xp + p * in_plane;
      for (std::int64_t oh = 0; oh < g.Ho; ++oh) {
        for (std::int64_t ow = 0; ow < g.Wo; ++ow) {
          const Window win = window(g, oh, ow);
          T s = T(0);
          for (std::int64_t h = win.h0; h < win.h1; ++h) {
            for (std::int64_t w = win.w0; w < win.w1; ++w) s += xs[h * g.W + w];
          }
          yp[p * out_plane + oh * g.Wo + ow] = s * inv_area;
        }
      }
    }
  });
}

void CpuBackend::avgpool2d_backward(const Tensor& dy, const PoolGeom& g, Tensor& dx) {
  dispatch_float(dy.dtype(), "avgpool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* dyp = ptr<T>(dy);
    T* dxp = ptr<T>(dx);
    const std::int64_t planes = g.N * g.C, in_plane = g.H * g.W, out_plane = g.Ho * g.Wo;
    const T inv_area = T(1) / static_cast<T>(g.R * g.S);
#pragma omp parallel for schedule(static) if (planes * out_plane * g.R * g.S >= kParallelMin)
    for (std::int64_t p = 0; p < planes; ++p) {
      T* d = dxp + p * in_plane;
      std::fill(d, d + in_plane, T(0));
      for (std::int64_t oh = 0; oh < g.Ho; ++oh) {
        for (std::int64_t ow = 0; ow < g.Wo; ++ow) {
          const Window win = window(g, oh, ow);
          const T v = dyp[p * out_plane + oh * g.Wo + ow] * inv_area;
          for (std::int64_t h = win.h0; h < win.h1; ++h) {
            for (std::int64_t w = win.w0; w < win.w1; ++w) d[h * g.W + w] += v;
          }
        }
      }
    }
  });
}

}  // namespace gl::cpu
