// conv2d as im2col + GEMM (Caffe's scheme), over chunks of B images so each
// GEMM has at least ~kMinColumns columns even when Ho*Wo is small (8x8 maps).
// Shapes per chunk of B images (CRS = C*R*S, P = Ho*Wo, the B images side by side):
//   cols  [CRS, B*P]  = im2col of each image into its column block
//   out   [K, B*P]    = w [K, CRS] * cols;   y[n] [K, P] = block n of out (+ bias[k] on row k)
// Backward:
//   dyc   [K, B*P]    = the chunk's dy[n] blocks side by side
//   dw    [K, CRS]    = sum over chunks of dyc * cols^T
//   dbias [K]         = sum over n, P of dy
//   dx    [C, H, W] per image: dcols [CRS, B*P] = w^T [CRS, K] * dyc;  dx[n] = col2im(block n of dcols)
// With B = 1 the gathers are skipped (y[n] and dy[n] are the matrices).
//
// Float32 layers take the fastest path that applies (conv_algorithm.h): 3x3
// stride-1 layers the Winograd kernel of winograd.h, other stride-1 layers the
// direct kernel of conv_direct.h, for y and dw, and for dx too: the input gradient of a
// stride-1 convolution is itself a stride-1 convolution of dy with the kernel
// flipped in space and its channel axes swapped, padded R-1-pad:
//   wflip[c, k, r, s] = w[k, c, R-1-r, S-1-s],  dx = conv2d(dy, wflip, pad R-1-pad_h, S-1-pad_w).
// float64 always runs im2col + GEMM + col2im, the reference the tests compare with.
//
// Each OpenMP thread runs single-threaded GEMMs on its own scratch buffers.
// Chunks are handed out dynamically (on a shared 2-core machine one core is
// often slower; static halves left the other waiting ~5% of a step), and dw
// is summed per chunk, then over chunks in order: the same result whichever
// thread ran which chunk, for any thread count.
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "engine/cpu/conv_algorithm.h"
#include "engine/cpu/conv_direct.h"
#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/gemm_kernel.h"
#include "engine/cpu/im2col_kernel.h"
#include "engine/cpu/kernel_util.h"
#include "engine/cpu/winograd.h"

namespace gl::cpu {

namespace {

// Chunks of at least this many columns: 8x8 maps go 4 images per GEMM. Measured
// (1 thread, Eigen AVX2): 256 is as fast as 1 image per GEMM or slightly faster,
// 1024 and more are slower (the cols block falls out of L2).
constexpr std::int64_t kMinColumns = 256;

struct Chunking {
  std::int64_t images;  // B, images per chunk
  std::int64_t count;   // number of chunks
};
Chunking chunking(const ConvGeom& g) {
  const std::int64_t P = std::max<std::int64_t>(g.Ho * g.Wo, 1);
  const std::int64_t b = std::clamp<std::int64_t>((kMinColumns + P - 1) / P, 1, std::max<std::int64_t>(g.N, 1));
  return {b, (g.N + b - 1) / b};
}

// Block j of a [rows, B*P] matrix <-> a [rows, P] matrix (copies rows).
template <class T>
void copy_block(const T* src, std::int64_t src_ld, T* dst, std::int64_t dst_ld, std::int64_t rows,
                std::int64_t P) {
  for (std::int64_t r = 0; r < rows; ++r) {
    std::memcpy(dst + r * dst_ld, src + r * src_ld, static_cast<std::size_t>(P) * sizeof(T));
  }
}

// cols [CRS, B*P] for images n0 .. n0+B-1 (or x[n0] itself for a 1x1 identity with B = 1).
template <class T>
const T* chunk_cols(const T* x, const ConvGeom& g, std::int64_t n0, std::int64_t B, int slot) {
  const std::int64_t CRS = g.C * g.R * g.S, P = g.Ho * g.Wo, in_size = g.C * g.H * g.W;
  if (B == 1 && im2col_is_identity(g)) return x + n0 * in_size;
  T* cols = thread_scratch<T>(static_cast<std::size_t>(CRS * B * P), slot);
  for (std::int64_t j = 0; j < B; ++j) im2col_one(x + (n0 + j) * in_size, g, cols + j * P, B * P);
  return cols;
}

// y[n, k] += bias[k] for images n0 .. n1-1 (nothing when bias is null).
template <class T>
void add_bias(const T* bias, const ConvGeom& g, std::int64_t n0, std::int64_t n1, T* y) {
  if (bias == nullptr) return;
  const std::int64_t P = g.Ho * g.Wo;
  for (std::int64_t n = n0; n < n1; ++n)
    for (std::int64_t k = 0; k < g.K; ++k) {
      T* row = y + (n * g.K + k) * P;
      for (std::int64_t i = 0; i < P; ++i) row[i] += bias[k];
    }
}

// y for images n0 .. n0+B-1 by im2col + GEMM.
template <class T>
void forward_chunk(const T* x, const T* w, const T* bias, const ConvGeom& g, std::int64_t n0,
                   std::int64_t B, T* y) {
  const std::int64_t CRS = g.C * g.R * g.S, P = g.Ho * g.Wo, out_size = g.K * P;
  const T* cols = chunk_cols(x, g, n0, B, 0);
  T* out = B == 1 ? y + n0 * out_size : thread_scratch<T>(static_cast<std::size_t>(g.K * B * P), 1);
  gemm_one<T>(false, false, g.K, B * P, CRS, T(1), w, cols, T(0), out);
  if (B > 1) {
    for (std::int64_t j = 0; j < B; ++j) copy_block(out + j * P, B * P, y + (n0 + j) * out_size, P, g.K, P);
  }
  add_bias(bias, g, n0, n0 + B, y);
}

// The float32 path of a layer: the setting of conv_algorithm.h where it
// applies, else the automatic choice.
enum class Path { kIm2col, kDirect, kWinograd };
struct Choice {
  Path path;
  int tile;  // Winograd's m (F(m x m, 3 x 3))
};
Choice float32_choice(const ConvGeom& g) {
  const ConvAlgorithm a = conv_algorithm();
  if ((a == ConvAlgorithm::kWinograd2 || a == ConvAlgorithm::kWinograd4) && winograd_applies(g)) {
    return {Path::kWinograd, a == ConvAlgorithm::kWinograd2 ? 2 : 4};
  }
  if (a == ConvAlgorithm::kDirect && conv_direct_applies(g)) return {Path::kDirect, 0};
  if (a == ConvAlgorithm::kIm2col) return {Path::kIm2col, 0};
  // Auto. Below 8 channels on either side the transforms cost more than the
  // multiplications they save (the 3-channel stem, and its input gradient);
  // below half a vector of images, the idle lanes do.
  if (winograd_applies(g) && g.C >= 8 && g.K >= 8 && 2 * g.N >= winograd_images_per_vector()) {
    return {Path::kWinograd, 4};
  }
  if (conv_direct_applies(g)) return {Path::kDirect, 0};
  return {Path::kIm2col, 0};
}

// Images per dynamically scheduled task of the direct forward.
constexpr std::int64_t kImagesPerTask = 4;

template <class T>
void conv_forward(const T* x, const T* w, const T* bias, const ConvGeom& g, T* y) {
  if constexpr (std::is_same_v<T, float>) {
    const Choice choice = float32_choice(g);
    if (choice.path == Path::kWinograd) {
      winograd_forward(x, winograd_pack_weights(w, g, choice.tile).data(), g, choice.tile, y);
      add_bias(bias, g, 0, g.N, y);
      return;
    }
    if (choice.path == Path::kDirect) {
      const std::vector<float> packed = conv_direct_pack(w, g);
      const std::int64_t tasks = (g.N + kImagesPerTask - 1) / kImagesPerTask;
      ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
      for (std::int64_t task = 0; task < tasks; ++task) {
        errors.run([&] {
          const std::int64_t n0 = task * kImagesPerTask, n1 = std::min(g.N, n0 + kImagesPerTask);
          conv_direct_images(x, packed.data(), g, n0, n1, y);
          add_bias(bias, g, n0, n1, y);
        });
      }
      errors.rethrow();
      return;
    }
  }
  const Chunking ch = chunking(g);
  ParallelErrors errors;  // the chunks' scratch buffers may fail to allocate
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t c = 0; c < ch.count; ++c) {
    errors.run([&] {
      const std::int64_t n0 = c * ch.images;
      forward_chunk(x, w, bias, g, n0, std::min(ch.images, g.N - n0), y);
    });
  }
  errors.rethrow();
}

// dx of a stride-1 convolution as the convolution of dy by the flipped kernel
// (see the top of the file): whether it applies, its geometry, the kernel.
ConvGeom dx_geometry(const ConvGeom& g) {
  return {g.N, g.K, g.Ho, g.Wo, g.C, g.R, g.S, 1, 1, g.R - 1 - g.pad_h, g.S - 1 - g.pad_w, g.H, g.W};
}
bool dx_as_convolution(const ConvGeom& g) {
  return g.stride_h == 1 && g.stride_w == 1 && g.pad_h <= g.R - 1 && g.pad_w <= g.S - 1;
}
// wflip [C, K, R, S] from w [K, C, R, S].
std::vector<float> flip_kernel(const float* w, const ConvGeom& g) {
  std::vector<float> f(static_cast<std::size_t>(g.K * g.C * g.R * g.S));
  for (std::int64_t k = 0; k < g.K; ++k)
    for (std::int64_t c = 0; c < g.C; ++c)
      for (std::int64_t r = 0; r < g.R; ++r)
        for (std::int64_t s = 0; s < g.S; ++s)
          f[static_cast<std::size_t>(((c * g.K + k) * g.R + r) * g.S + s)] =
              w[((k * g.C + c) * g.R + (g.R - 1 - r)) * g.S + (g.S - 1 - s)];
  return f;
}

// dyc [K, B*P]: the chunk's dy blocks side by side (dy[n0] itself when B = 1).
template <class T> const T* chunk_dy(const T* dy, const ConvGeom& g, std::int64_t n0, std::int64_t B) {
  const std::int64_t P = g.Ho * g.Wo, out_size = g.K * P;
  if (B == 1) return dy + n0 * out_size;
  T* buf = thread_scratch<T>(static_cast<std::size_t>(g.K * B * P), 1);
  for (std::int64_t j = 0; j < B; ++j) copy_block(dy + (n0 + j) * out_size, P, buf + j * P, B * P, g.K, P);
  return buf;
}

// dx and dw of the chunk starting at image n0 (either may be null).
// flip_packed: the flipped kernel packed for conv_direct when dx is computed
// that way, else null; direct_dw: dw by conv_direct_weight_grad (float32).
template <class T>
void conv_backward_chunk(const T* x, const T* w, const float* flip_packed, bool direct_dw,
                         const T* dy, const ConvGeom& g, std::int64_t n0, std::int64_t B, T* dx,
                         T* my_dw) {
  const std::int64_t CRS = g.C * g.R * g.S, P = g.Ho * g.Wo, in_size = g.C * g.H * g.W;
  const std::int64_t out_size = g.K * P;
  if (my_dw != nullptr) {
    if constexpr (std::is_same_v<T, float>) {
      if (direct_dw) conv_direct_weight_grad(x, dy, g, n0, n0 + B, my_dw);
    }
    if (!direct_dw) {
      const T* dyc = chunk_dy(dy, g, n0, B);
      const T* cols = chunk_cols(x, g, n0, B, 0);
      gemm_one<T>(false, true, g.K, CRS, B * P, T(1), dyc, cols, T(1), my_dw);
    }
  }
  if (dx == nullptr) return;
  if constexpr (std::is_same_v<T, float>) {
    if (flip_packed != nullptr) {
      conv_direct_images(dy, flip_packed, dx_geometry(g), n0, n0 + B, dx);
      return;
    }
  }
  if (B == 1 && im2col_is_identity(g)) {
    gemm_one<T>(true, false, CRS, P, g.K, T(1), w, dy + n0 * out_size, T(0), dx + n0 * in_size);
    return;
  }
  const T* dyc = chunk_dy(dy, g, n0, B);
  T* dcols = thread_scratch<T>(static_cast<std::size_t>(CRS * B * P), 2);
  gemm_one<T>(true, false, CRS, B * P, g.K, T(1), w, dyc, T(0), dcols);
  for (std::int64_t j = 0; j < B; ++j) col2im_one(dcols + j * P, g, dx + (n0 + j) * in_size, B * P);
}

template <class T>
void conv_backward(const T* x, const T* w, const T* dy, const ConvGeom& g, T* dx, T* dw,
                   T* dbias) {
  const std::int64_t P = g.Ho * g.Wo, out_size = g.K * P, w_size = g.K * g.C * g.R * g.S;
  std::vector<float> flip_packed;
  bool direct_dw = false;
  Chunking ch = chunking(g);
  if constexpr (std::is_same_v<T, float>) {
    if (dx != nullptr && dx_as_convolution(g)) {
      const ConvGeom dg = dx_geometry(g);
      const Choice dx_choice = float32_choice(dg);
      if (dx_choice.path == Path::kWinograd) {
        const std::vector<float> flipped = flip_kernel(w, g);
        winograd_forward(dy, winograd_pack_weights(flipped.data(), dg, dx_choice.tile).data(), dg,
                         dx_choice.tile, dx);
        dx = nullptr;  // done
      } else if (dx_choice.path == Path::kDirect) {
        flip_packed = conv_direct_pack(flip_kernel(w, g).data(), dg);
      }
    }
    const Choice dw_choice = float32_choice(g);
    if (dw != nullptr && dw_choice.path == Path::kWinograd) {
      winograd_weight_grad(x, dy, g, dw_choice.tile, dw);
      dw = nullptr;  // done
    }
    direct_dw = dw != nullptr && dw_choice.path == Path::kDirect;
    if (direct_dw) {
      const std::int64_t images = conv_direct_weight_grad_images(g);
      ch = {images, (g.N + images - 1) / images};
    }
  }
  // dw partial sums, one [K, CRS] block per chunk (zeroed by the task that fills it).
  // (A Tensor, so the memory comes from the host block cache: a fresh ~1 MB
  // malloc per layer would page-fault every step.)
  const Tensor partial_sums =
      Tensor::empty({dw != nullptr ? ch.count * w_size : 0}, dtype_of<T>());
  T* dw_partial = ptr<T>(partial_sums);
  if (dx != nullptr || dw != nullptr) {
    ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
    for (std::int64_t c = 0; c < ch.count; ++c) {
      errors.run([&] {
        const std::int64_t n0 = c * ch.images;
        T* chunk_dw = nullptr;
        if (dw != nullptr) {
          chunk_dw = dw_partial + c * w_size;
          std::fill(chunk_dw, chunk_dw + w_size, T(0));
        }
        conv_backward_chunk(x, w, flip_packed.empty() ? nullptr : flip_packed.data(), direct_dw, dy, g,
                            n0, std::min(ch.images, g.N - n0), dx, chunk_dw);
      });
    }
    errors.rethrow();
  }
  if (dw != nullptr) {
    sum_partials_in_order(dw_partial, ch.count, w_size, dw);
  }
  if (dbias != nullptr) {
#pragma omp parallel for schedule(static) if (g.K >= 16 && g.N * out_size >= kParallelMin)
    for (std::int64_t k = 0; k < g.K; ++k) {
      double s = 0.0;
      for (std::int64_t n = 0; n < g.N; ++n) {
        const T* row = dy + n * out_size + k * P;
        T part = T(0);
        for (std::int64_t i = 0; i < P; ++i) part += row[i];
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
    conv_backward<T>(ptr_or_null<T>(x), ptr_or_null<T>(w), ptr<T>(dy), g, ptr_or_null<T>(dx),
                     ptr_or_null<T>(dw), ptr_or_null<T>(dbias));
  });
}

}  // namespace gl::cpu
