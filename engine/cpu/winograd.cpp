// The Winograd convolution (winograd.h): the AVX2 build of the kernel, the
// weight transform, the tasks and the run-time choice of the AVX-512 build.
#include "engine/cpu/winograd.h"

#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

#include "engine/core/tensor.h"
#include "engine/cpu/avx2_sum.h"
#include "engine/cpu/kernel_util.h"
#include "engine/cpu/winograd_avx512.h"
#include "engine/cpu/winograd_transforms.h"

namespace gl::cpu {

namespace avx2 {
constexpr int kV = 8;
#include "engine/cpu/winograd_kernel.h"
static_assert(kMR == kWinogradPanelRows, "winograd_pack_weights packs panels of kWinogradPanelRows");
namespace {
inline float horizontal_sum(Vec v) { return sum_lanes_avx2(reinterpret_cast<__m256>(v)); }
}  // namespace
}  // namespace avx2

namespace {

using winograd::Transform;

// Columns (tiles x images) of one task: the forward's V and Mo then stay in
// L2 (alpha^2 * C * 192 floats is 440 KB at C = 16 with F(4x4)); the weight
// gradient's tasks are longer so each lane sum closes a longer run of FMAs.
constexpr std::int64_t kForwardColumns = 192;
constexpr std::int64_t kMinForwardTasks = 8;
constexpr std::int64_t kWeightGradColumns = 256;
constexpr std::int64_t kMaxWeightGradTasks = 8;
constexpr std::int64_t kMinWeightGradTasks = 4;

// The build in use: its images per vector and its two task functions.
struct Kernels {
  std::int64_t images_per_vector;
  void (*forward)(int, const float*, const float*, const ConvGeom&, std::int64_t, std::int64_t, float*);
  void (*weight_grad)(int, const float*, const float*, const ConvGeom&, std::int64_t, std::int64_t,
                      float*);
};
void avx2_forward(int m, const float* x, const float* u, const ConvGeom& g, std::int64_t u0,
                  std::int64_t u1, float* y) {
  if (m == 2) avx2::forward_units<2>(x, u, g, u0, u1, y);
  else avx2::forward_units<4>(x, u, g, u0, u1, y);
}
void avx2_weight_grad(int m, const float* x, const float* dy, const ConvGeom& g, std::int64_t u0,
                      std::int64_t u1, float* dw_hat) {
  if (m == 2) avx2::weight_grad_units<2>(x, dy, g, u0, u1, dw_hat);
  else avx2::weight_grad_units<4>(x, dy, g, u0, u1, dw_hat);
}
Kernels kernels() {
  if (winograd_avx512_usable()) {
    return {kWinogradAvx512Lanes, winograd_forward_units_avx512, winograd_weight_grad_units_avx512};
  }
  return {avx2::kV, avx2_forward, avx2_weight_grad};
}

// Units (tile positions x blocks of images) of the convolution.
std::int64_t unit_count(const ConvGeom& g, int m, std::int64_t images_per_vector) {
  const std::int64_t tiles = ((g.Ho + m - 1) / m) * ((g.Wo + m - 1) / m);
  return (g.N + images_per_vector - 1) / images_per_vector * tiles;
}

void check_tile(int m) { GL_CHECK(m == 2 || m == 4, "winograd (cpu): tile size {} (expected 2 or 4)", m); }

// The kernel transforms run over many (k, c) pairs at once, the pair index kc
// innermost so the compiler vectorizes them; kKernelChunk pairs keep the
// temporaries in L1, and the chunks go to the threads (run serially, the
// transforms of a 64-channel layer left the other core waiting).
constexpr std::int64_t kKernelChunk = 128;

// U[xi][k][c] = (G w[k, c] G^T)[xi] for w [K, C, 3, 3], in double, packed for
// the kernel: [alpha^2][ceil(K/MR)][C][MR].
template <int M> std::vector<float> pack_weights(const float* w, const ConvGeom& g) {
  using F = Transform<M>;
  constexpr int alpha = F::kAlpha, a2 = alpha * alpha;
  constexpr std::int64_t MR = kWinogradPanelRows;  // the panel height of both builds
  const std::int64_t panels = (g.K + MR - 1) / MR, KC = g.K * g.C;
  std::vector<float> packed(static_cast<std::size_t>(a2 * panels * g.C * MR), 0.0f);
  const std::int64_t chunks = (KC + kKernelChunk - 1) / kKernelChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    double wt[9][kKernelChunk], gw[alpha][3][kKernelChunk], u[kKernelChunk];
    const std::int64_t kc0 = chunk * kKernelChunk, n = std::min(kKernelChunk, KC - kc0);
    for (std::int64_t q = 0; q < n; ++q)
      for (int rs = 0; rs < 9; ++rs) wt[rs][q] = w[(kc0 + q) * 9 + rs];
    for (int i = 0; i < alpha; ++i)  // G w
      for (int s = 0; s < 3; ++s)
        for (std::int64_t q = 0; q < n; ++q)
          gw[i][s][q] = F::G[i][0] * wt[s][q] + F::G[i][1] * wt[3 + s][q] + F::G[i][2] * wt[6 + s][q];
    for (int i = 0; i < alpha; ++i)
      for (int j = 0; j < alpha; ++j) {  // (G w) G^T
        for (std::int64_t q = 0; q < n; ++q)
          u[q] = gw[i][0][q] * F::G[j][0] + gw[i][1][q] * F::G[j][1] + gw[i][2][q] * F::G[j][2];
        float* out = packed.data() + (i * alpha + j) * panels * g.C * MR;
        for (std::int64_t q = 0; q < n; ++q) {
          const std::int64_t k = (kc0 + q) / g.C, c = (kc0 + q) % g.C;
          out[((k / MR) * g.C + c) * MR + k % MR] = static_cast<float>(u[q]);
        }
      }
  }
  return packed;
}

// dw[k, c] (3x3) = G^T X G with X[i][j] = dw_hat[i*alpha + j][k][c], in double.
template <int M> void inverse_kernel_transform(const float* dw_hat, const ConvGeom& g, float* dw) {
  using F = Transform<M>;
  constexpr int alpha = F::kAlpha;
  const std::int64_t KC = g.K * g.C;
  const std::int64_t chunks = (KC + kKernelChunk - 1) / kKernelChunk;
#pragma omp parallel for schedule(static) if (chunks > 1)
  for (std::int64_t chunk = 0; chunk < chunks; ++chunk) {
    double xg[alpha][3][kKernelChunk], out[kKernelChunk];
    const std::int64_t kc0 = chunk * kKernelChunk, n = std::min(kKernelChunk, KC - kc0);
    for (int i = 0; i < alpha; ++i)  // X G
      for (int s = 0; s < 3; ++s) {
        double* row = xg[i][s];
        std::fill(row, row + n, 0.0);
        for (int j = 0; j < alpha; ++j) {
          const double c = F::G[j][s];
          if (c == 0.0) continue;
          const float* x = dw_hat + (i * alpha + j) * KC + kc0;
          for (std::int64_t q = 0; q < n; ++q) row[q] += static_cast<double>(x[q]) * c;
        }
      }
    for (int r = 0; r < 3; ++r)
      for (int s = 0; s < 3; ++s) {  // G^T (X G)
        std::fill(out, out + n, 0.0);
        for (int i = 0; i < alpha; ++i) {
          const double c = F::G[i][r];
          if (c == 0.0) continue;
          for (std::int64_t q = 0; q < n; ++q) out[q] += c * xg[i][s][q];
        }
        for (std::int64_t q = 0; q < n; ++q) dw[(kc0 + q) * 9 + r * 3 + s] = static_cast<float>(out[q]);
      }
  }
}

}  // namespace

std::int64_t winograd_images_per_vector() { return kernels().images_per_vector; }

bool winograd_applies(const ConvGeom& g) {
  return g.R == 3 && g.S == 3 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h <= 2 &&
         g.pad_w <= 2 && g.Ho > 0 && g.Wo > 0 && g.N > 0 && g.C > 0 && g.K > 0;
}

std::vector<float> winograd_pack_weights(const float* w, const ConvGeom& g, int m) {
  check_tile(m);
  return m == 2 ? pack_weights<2>(w, g) : pack_weights<4>(w, g);
}

void winograd_forward(const float* x, const float* packed_u, const ConvGeom& g, int m, float* y) {
  check_tile(m);
  const Kernels k = kernels();
  const std::int64_t units = unit_count(g, m, k.images_per_vector);
  // Whole rows of tiles a task, so each block's outputs leave in whole rows;
  // at most kForwardColumns columns, and at least kMinForwardTasks tasks where
  // there are enough rows (a 64-channel 8x8 layer made 3 tasks for 2 threads).
  const std::int64_t tiles_w = (g.Wo + m - 1) / m, rows = (units + tiles_w - 1) / tiles_w;
  const std::int64_t rows_per_task = std::clamp<std::int64_t>((rows + kMinForwardTasks - 1) / kMinForwardTasks, 1,
                                                              std::max<std::int64_t>(1, kForwardColumns / k.images_per_vector / tiles_w));
  const std::int64_t per_task = rows_per_task * tiles_w;
  const std::int64_t tasks = (units + per_task - 1) / per_task;
  ParallelErrors errors;  // the threads' scratch buffers may fail to allocate
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t task = 0; task < tasks; ++task) {
    errors.run([&] {
      const std::int64_t u0 = task * per_task;
      k.forward(m, x, packed_u, g, u0, std::min(units, u0 + per_task), y);
    });
  }
  errors.rethrow();
}

void winograd_weight_grad(const float* x, const float* dy, const ConvGeom& g, int m, float* dw) {
  check_tile(m);
  const Kernels k = kernels();
  const int alpha = m + 2;
  const std::int64_t units = unit_count(g, m, k.images_per_vector), hat_size = alpha * alpha * g.K * g.C;
  // Ranges of units of at most kWeightGradColumns columns; a task runs a few
  // consecutive ranges into one transformed-domain partial [alpha^2][K][C].
  // At most kMaxWeightGradTasks partials (the memory is tasks x alpha^2 K C),
  // summed in task order below: the same bits for any thread count.
  const std::int64_t per_range = std::clamp<std::int64_t>(
      (units + kMinWeightGradTasks - 1) / kMinWeightGradTasks, 1, kWeightGradColumns / k.images_per_vector);
  const std::int64_t ranges = (units + per_range - 1) / per_range;
  const std::int64_t ranges_per_task = (ranges + kMaxWeightGradTasks - 1) / kMaxWeightGradTasks;
  const std::int64_t tasks = (ranges + ranges_per_task - 1) / ranges_per_task;
  // (A Tensor: the memory comes from the host block cache.)
  const Tensor partial_sums = Tensor::empty({tasks * hat_size}, DType::f32);
  float* partial = static_cast<float*>(partial_sums.raw_data());
  ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t task = 0; task < tasks; ++task) {
    errors.run([&] {
      float* mine = partial + task * hat_size;
      std::fill(mine, mine + hat_size, 0.0f);
      const std::int64_t r1 = std::min(ranges, (task + 1) * ranges_per_task);
      for (std::int64_t r = task * ranges_per_task; r < r1; ++r) {
        const std::int64_t u0 = r * per_range;
        k.weight_grad(m, x, dy, g, u0, std::min(units, u0 + per_range), mine);
      }
    });
  }
  errors.rethrow();
  const Tensor total = Tensor::empty({hat_size}, DType::f32);
  float* dw_hat = static_cast<float*>(total.raw_data());
  sum_partials_in_order(partial, tasks, hat_size, dw_hat);
  // G^T . G is linear: once, on the sum.
  if (m == 2) inverse_kernel_transform<2>(dw_hat, g, dw);
  else inverse_kernel_transform<4>(dw_hat, g, dw);
}

}  // namespace gl::cpu
