// conv2d as im2col + GEMM, one image per OpenMP iteration (Caffe's scheme).
// Shapes per image n:
//   cols  [CRS, HoWo] = im2col(x[n])                  CRS = C*R*S, HoWo = Ho*Wo
//   y[n]  [K, HoWo]   = w [K, CRS] * cols  (+ bias[k] on row k)
// Backward:
//   dw    [K, CRS]   += dy[n] [K, HoWo] * cols^T       (per-thread sums, reduced in thread order)
//   dcols [CRS, HoWo] = w^T [CRS, K] * dy[n];  dx[n] = col2im(dcols)
//   dbias [K]         = sum over n, HoWo of dy
// Each thread runs single-threaded GEMMs on its own scratch buffers; with
// schedule(static) a given thread count always gives the same sums.
#include <omp.h>

#include <vector>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/gemm_kernel.h"
#include "engine/cpu/im2col_kernel.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

template <class T>
void conv_forward(const T* x, const T* w, const T* bias, const ConvGeom& g, T* y) {
  const std::int64_t CRS = g.C * g.R * g.S, HoWo = g.Ho * g.Wo, in_size = g.C * g.H * g.W;
  const bool identity = im2col_is_identity(g);
#pragma omp parallel for schedule(static)
  for (std::int64_t n = 0; n < g.N; ++n) {
    const T* cols = x + n * in_size;
    if (!identity) {
      T* buf = thread_scratch<T>(static_cast<std::size_t>(CRS * HoWo), 0);
      im2col_one(x + n * in_size, g, buf);
      cols = buf;
    }
    T* yn = y + n * g.K * HoWo;
    gemm_one<T>(false, false, g.K, HoWo, CRS, T(1), w, cols, T(0), yn);
    if (bias != nullptr) {
      for (std::int64_t k = 0; k < g.K; ++k) {
        T* row = yn + k * HoWo;
        for (std::int64_t i = 0; i < HoWo; ++i) row[i] += bias[k];
      }
    }
  }
}

template <class T>
void conv_backward(const T* x, const T* w, const T* dy, const ConvGeom& g, T* dx, T* dw,
                   T* dbias) {
  const std::int64_t CRS = g.C * g.R * g.S, HoWo = g.Ho * g.Wo, in_size = g.C * g.H * g.W;
  const std::int64_t out_size = g.K * HoWo, w_size = g.K * CRS;
  const bool identity = im2col_is_identity(g);
  const int threads = omp_get_max_threads();
  // dw partial sums, one [K, CRS] block per thread.
  std::vector<T> dw_partial(dw != nullptr ? static_cast<std::size_t>(threads * w_size) : 0, T(0));
  if (dx != nullptr || dw != nullptr) {
#pragma omp parallel
    {
      T* my_dw = dw != nullptr ? dw_partial.data() + omp_get_thread_num() * w_size : nullptr;
#pragma omp for schedule(static)
      for (std::int64_t n = 0; n < g.N; ++n) {
        const T* dyn = dy + n * out_size;
        if (dw != nullptr) {
          const T* cols = x + n * in_size;
          if (!identity) {
            T* buf = thread_scratch<T>(static_cast<std::size_t>(CRS * HoWo), 0);
            im2col_one(x + n * in_size, g, buf);
            cols = buf;
          }
          gemm_one<T>(false, true, g.K, CRS, HoWo, T(1), dyn, cols, T(1), my_dw);
        }
        if (dx != nullptr) {
          if (identity) {
            gemm_one<T>(true, false, CRS, HoWo, g.K, T(1), w, dyn, T(0), dx + n * in_size);
          } else {
            T* dcols = thread_scratch<T>(static_cast<std::size_t>(CRS * HoWo), 1);
            gemm_one<T>(true, false, CRS, HoWo, g.K, T(1), w, dyn, T(0), dcols);
            col2im_one(dcols, g, dx + n * in_size);
          }
        }
      }
    }
  }
  if (dw != nullptr) {
#pragma omp parallel for schedule(static) if (w_size >= 4096)
    for (std::int64_t i = 0; i < w_size; ++i) {
      T s = T(0);
      for (int t = 0; t < threads; ++t) s += dw_partial[static_cast<std::size_t>(t * w_size + i)];
      dw[i] = s;
    }
  }
  if (dbias != nullptr) {
#pragma omp parallel for schedule(static) if (g.K >= 16 && g.N * out_size >= kParallelMin)
    for (std::int64_t k = 0; k < g.K; ++k) {
      double s = 0.0;
      for (std::int64_t n = 0; n < g.N; ++n) {
        const T* row = dy + n * out_size + k * HoWo;
        T part = T(0);
        for (std::int64_t i = 0; i < HoWo; ++i) part += row[i];
        s += static_cast<double>(part);
      }
      dbias[k] = static_cast<T>(s);
    }
  }
}

template <class T> T* ptr_or_null(const Tensor& t) { return t.defined() ? ptr<T>(t) : nullptr; }

}  // namespace

void CpuBackend::conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias,
                                const ConvGeom& g, Tensor& y) {
  dispatch_float(x.dtype(), "conv2d_forward", [&](auto tag) {
    using T = decltype(tag);
    conv_forward<T>(ptr<T>(x), ptr<T>(w), ptr_or_null<T>(bias), g, ptr<T>(y));
  });
}

void CpuBackend::conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy,
                                 const ConvGeom& g, Tensor& dx, Tensor& dw, Tensor& dbias) {
  dispatch_float(dy.dtype(), "conv2d_backward", [&](auto tag) {
    using T = decltype(tag);
    GL_CHECK(!dw.defined() || x.defined(), "conv2d_backward (cpu): dw needs the input x");
    GL_CHECK(!dx.defined() || w.defined(), "conv2d_backward (cpu): dx needs the weight w");
    conv_backward<T>(ptr_or_null<T>(x), ptr_or_null<T>(w), ptr<T>(dy), g, ptr_or_null<T>(dx), ptr_or_null<T>(dw),
                     ptr_or_null<T>(dbias));
  });
}

}  // namespace gl::cpu
