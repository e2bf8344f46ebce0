// Convolution as im2col + cuBLAS, per chunk of images (the chunk's cols stay
// under kColsBudget bytes):
//   forward  y[n]    = W [K, CRS] x cols[n] [CRS, L]          one strided-batched GEMM, W shared
//   dx       dcols[n] = W^T [CRS, K] x dy[n] [K, L], then col2im
//   dW       dWn[n]  = dy[n] [K, L] x cols[n]^T [L, CRS], then summed over n (reduce kernel)
//   dbias    = dy summed over n and L
// with CRS = C*R*S and L = Ho*Wo. A 1x1 convolution with stride 1 and no
// padding has cols == x, so it skips im2col / col2im.
#include <algorithm>
#include <atomic>

#include "cuda/allocator.h"
#include "cuda/plugin_info.h"
#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/gemm.h"

namespace gl::cuda {

namespace {

constexpr std::size_t kDefaultColsBudget = std::size_t{256} << 20;  // bytes of cols per chunk
std::atomic<std::size_t> cols_budget{kDefaultColsBudget};

bool cols_is_input(const ConvGeom& g) {
  return g.R == 1 && g.S == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0;
}

i64 images_per_chunk(const ConvGeom& g, std::size_t elem) {
  const std::size_t per_image = static_cast<std::size_t>(g.C * g.R * g.S * g.Ho * g.Wo) * elem;
  return std::max<i64>(1, std::min<i64>(g.N, static_cast<i64>(info::conv_cols_budget() / std::max<std::size_t>(per_image, 1))));
}

void check_geometry(const char* op, const ConvGeom& g, const Tensor& x, const Tensor& w) {
  GL_CHECK(x.numel() == g.N * g.C * g.H * g.W, "{} (cuda): x {} does not match N={} C={} H={} W={}", op,
           describe(x), g.N, g.C, g.H, g.W);
  GL_CHECK(w.numel() == g.K * g.C * g.R * g.S, "{} (cuda): w {} does not match K={} C={} R={} S={}", op,
           describe(w), g.K, g.C, g.R, g.S);
}

}  // namespace

namespace info {
void set_conv_cols_budget(std::size_t bytes) { cols_budget = bytes == 0 ? kDefaultColsBudget : bytes; }
std::size_t conv_cols_budget() { return cols_budget; }
}  // namespace info

void CudaBackend::im2col(const Tensor& x, const ConvGeom& g, Tensor& cols) {
  GL_CHECK(cols.numel() == g.N * g.C * g.R * g.S * g.Ho * g.Wo, "im2col (cuda): cols {} is not [{}, {}, {}]",
           describe(cols), g.N, g.C * g.R * g.S, g.Ho * g.Wo);
  dispatch_float(x.dtype(), "im2col", [&](auto tag) {
    using T = decltype(tag);
    launch_im2col<T>(dptr<T>(x), g, g.N, dptr<T>(cols), stream());
  });
}

void CudaBackend::col2im(const Tensor& cols, const ConvGeom& g, Tensor& dx) {
  GL_CHECK(dx.numel() == g.N * g.C * g.H * g.W, "col2im (cuda): dx {} is not [{}, {}, {}, {}]", describe(dx),
           g.N, g.C, g.H, g.W);
  dispatch_float(cols.dtype(), "col2im", [&](auto tag) {
    using T = decltype(tag);
    launch_col2im<T>(dptr<T>(cols), g, g.N, dptr<T>(dx), stream());
  });
}

void CudaBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias, const ConvGeom& g,
                                 Tensor& y) {
  check_geometry("conv2d_forward", g, x, w);
  const i64 CRS = g.C * g.R * g.S, L = g.Ho * g.Wo;
  dispatch_float(x.dtype(), "conv2d_forward", [&](auto tag) {
    using T = decltype(tag);
    const bool direct = cols_is_input(g);
    const i64 chunk = images_per_chunk(g, sizeof(T));
    Workspace cols_ws(direct ? 0 : static_cast<std::size_t>(chunk * CRS * L) * sizeof(T));
    for (i64 n0 = 0; n0 < g.N; n0 += chunk) {
      const i64 nb = std::min(chunk, g.N - n0);
      const T* x0 = dptr<T>(x) + n0 * g.C * g.H * g.W;
      const T* cols = x0;
      if (!direct) {
        launch_im2col<T>(x0, g, nb, cols_ws.as<T>(), stream());
        cols = cols_ws.as<T>();
      }
      // y[n] [K, L] = W [K, CRS] x cols[n] [CRS, L]
      gemm_strided<T>(false, false, g.K, L, CRS, T(1), dptr<T>(w), 0, cols, CRS * L, T(0),
                      dptr<T>(y) + n0 * g.K * L, g.K * L, nb);
    }
    if (bias.defined()) launch_add_channel_bias<T>(dptr<T>(y), dptr<T>(bias), g.N, g.K, L, stream());
  });
}

void CudaBackend::conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy, const ConvGeom& g,
                                  Tensor& dx, Tensor& dw, Tensor& dbias) {
  check_geometry("conv2d_backward", g, x, w);
  const i64 CRS = g.C * g.R * g.S, L = g.Ho * g.Wo;
  dispatch_float(x.dtype(), "conv2d_backward", [&](auto tag) {
    using T = decltype(tag);
    if (dbias.defined()) {
      launch_reduce_sum<T>(dptr<T>(dy), dptr<T>(dbias), reduce_plan({g.N, g.K, L}, {1, g.K, 1}), stream());
    }
    if (!dx.defined() && !dw.defined()) return;
    if (g.N == 0 && dw.defined()) launch_fill<T>(dptr<T>(dw), dw.numel(), T(0), stream());  // an empty sum
    const bool direct = cols_is_input(g);
    const i64 chunk = images_per_chunk(g, sizeof(T));
    const std::size_t cols_bytes = static_cast<std::size_t>(chunk * CRS * L) * sizeof(T);
    Workspace cols_ws(direct || !dw.defined() ? 0 : cols_bytes);
    Workspace dcols_ws(direct || !dx.defined() ? 0 : cols_bytes);
    // Per-image weight gradients of one chunk, summed over the chunk afterwards.
    Workspace dw_images(dw.defined() ? static_cast<std::size_t>(chunk * g.K * CRS) * sizeof(T) : 0);
    Workspace dw_chunk(dw.defined() && chunk < g.N ? static_cast<std::size_t>(g.K * CRS) * sizeof(T) : 0);
    for (i64 n0 = 0; n0 < g.N; n0 += chunk) {
      const i64 nb = std::min(chunk, g.N - n0);
      const T* x0 = dptr<T>(x) + n0 * g.C * g.H * g.W;
      const T* dy0 = dptr<T>(dy) + n0 * g.K * L;
      if (dw.defined()) {
        const T* cols = x0;
        if (!direct) {
          launch_im2col<T>(x0, g, nb, cols_ws.as<T>(), stream());
          cols = cols_ws.as<T>();
        }
        // dWn[n] [K, CRS] = dy[n] [K, L] x cols[n]^T [L, CRS]
        gemm_strided<T>(false, true, g.K, CRS, L, T(1), dy0, g.K * L, cols, CRS * L, T(0), dw_images.as<T>(),
                        g.K * CRS, nb);
        // The first chunk writes dw; later ones are summed aside and added.
        T* target = n0 == 0 ? dptr<T>(dw) : dw_chunk.as<T>();
        launch_reduce_sum<T>(dw_images.as<T>(), target, reduce_plan({nb, g.K * CRS}, {1, g.K * CRS}), stream());
        if (n0 != 0) launch_axpy<T>(T(1), dw_chunk.as<T>(), dptr<T>(dw), g.K * CRS, stream());
      }
      if (dx.defined()) {
        T* dx0 = dptr<T>(dx) + n0 * g.C * g.H * g.W;
        T* dcols = direct ? dx0 : dcols_ws.as<T>();
        // dcols[n] [CRS, L] = W^T [CRS, K] x dy[n] [K, L]
        gemm_strided<T>(true, false, CRS, L, g.K, T(1), dptr<T>(w), 0, dy0, g.K * L, T(0), dcols, CRS * L, nb);
        if (!direct) launch_col2im<T>(dcols, g, nb, dx0, stream());
      }
    }
  });
}

}  // namespace gl::cuda
