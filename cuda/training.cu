// Training-loop kernels: the SGD step, augmented batches and the running
// count of correct predictions. Semantics as in engine/cpu/sgd.cpp and
// engine/cpu/augment.cpp.
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

// g = grad + wd p;  v = mu v + g;  p -= lr (nesterov ? g + mu v : v)   (v skipped when null)
// lr is read from device memory (one value, cached by every thread).
template <class T>
__global__ void sgd_kernel(T* p, const T* grad, T* v, i64 n, const double* lr_value, T mu, T wd, bool nesterov) {
  const T lr = static_cast<T>(*lr_value);
  GL_GRID_LOOP(i, n) {
    const T g = grad[i] + wd * p[i];
    T step = g;
    if (v) {
      const T vi = mu * v[i] + g;
      v[i] = vi;
      step = nesterov ? g + mu * vi : vi;
    }
    p[i] -= lr * step;
  }
}

// The augmented pixel (c, h, w) of source image `img`: crop of the zero-padded
// image at (dy, dx), mirrored left-right when flip.
__device__ inline float augmented(const float* img, i64 j, i64 H, i64 W, i64 pad, i64 dy, i64 dx, bool flip) {
  const i64 w = j % W, h = (j / W) % H, c = j / (W * H);
  const i64 sh = h + dy - pad, sw = (flip ? W - 1 - w : w) + dx - pad;
  return sh >= 0 && sh < H && sw >= 0 && sw < W ? img[(c * H + sh) * W + sw] : 0.0f;
}

// One block per output image (grid-stride over images).
template <class T>
__global__ void augment_kernel(const float* src, i64 M, const std::int32_t* plan, i64 B, i64 C, i64 H, i64 W,
                               i64 pad, bool per_image, const float* mean_c, const float* std_c, T* dst) {
  const i64 image = C * H * W;
  for (i64 b = blockIdx.x; b < B; b += gridDim.x) {
    const std::int32_t* row = plan + 4 * b;
    T* o = dst + b * image;
    const i64 i = row[0], dy = row[1], dx = row[2];
    const bool flip = row[3] == 1;
    if (i < 0 || i >= M || dy < 0 || dy > 2 * pad || dx < 0 || dx > 2 * pad || (row[3] != 0 && row[3] != 1)) {
      for (i64 j = threadIdx.x; j < image; j += blockDim.x) o[j] = d_nan<T>();
      continue;  // uniform across the block: no block_sum is skipped by only some threads
    }
    const float* img = src + i * image;
    if (per_image) {
      // (v - mean) / max(std, 1/sqrt(image)), population std, two passes in double.
      double s = 0.0;
      for (i64 j = threadIdx.x; j < image; j += blockDim.x) s += augmented(img, j, H, W, pad, dy, dx, flip);
      const double mean = block_sum(s) / static_cast<double>(image);
      double s2 = 0.0;
      for (i64 j = threadIdx.x; j < image; j += blockDim.x) {
        const double d = augmented(img, j, H, W, pad, dy, dx, flip) - mean;
        s2 += d * d;
      }
      const double var = block_sum(s2) / static_cast<double>(image);
      const double floor_sd = 1.0 / sqrt(static_cast<double>(image));
      const double sd = sqrt(var) > floor_sd ? sqrt(var) : floor_sd;
      for (i64 j = threadIdx.x; j < image; j += blockDim.x) {
        o[j] = static_cast<T>((augmented(img, j, H, W, pad, dy, dx, flip) - mean) / sd);
      }
    } else {
      for (i64 j = threadIdx.x; j < image; j += blockDim.x) {
        const i64 c = j / (H * W);
        const float inv = 1.0f / std_c[c];
        o[j] = static_cast<T>((augmented(img, j, H, W, pad, dy, dx, flip) - mean_c[c]) * inv);
      }
    }
  }
}

// One block: each thread takes rows r = tid, tid + blockDim, ...; first maximum wins.
template <class T, class C>
__global__ void accumulate_correct_kernel(const T* logits, const std::int32_t* labels, i64 N, i64 K, C* correct) {
  long long hits = 0;
  for (i64 r = threadIdx.x; r < N; r += blockDim.x) {
    const T* row = logits + r * K;
    T best = row[0];
    i64 best_at = 0;
    for (i64 j = 1; j < K; ++j) {
      if (row[j] > best) {
        best = row[j];
        best_at = j;
      }
    }
    if (best_at == labels[r]) ++hits;
  }
  hits = block_sum(hits);
  if (threadIdx.x == 0) correct[0] += static_cast<C>(hits);
}

}  // namespace

template <class T>
void launch_sgd_update(T* param, const T* grad, T* velocity, i64 n, const double* lr, T momentum,
                       T weight_decay, bool nesterov, cudaStream_t stream) {
  if (n == 0) return;
  sgd_kernel<T><<<grid_for(n), kBlock, 0, stream>>>(param, grad, velocity, n, lr, momentum, weight_decay, nesterov);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_augment_batch(const float* src, i64 M, const std::int32_t* plan, i64 B, i64 C, i64 H, i64 W,
                          i64 pad, bool per_image, const float* channel_mean, const float* channel_std, T* dst,
                          cudaStream_t stream) {
  if (B == 0 || C * H * W == 0) return;
  const unsigned blocks = static_cast<unsigned>(B < 65535 ? B : 65535);
  augment_kernel<T><<<blocks, kBlock, 0, stream>>>(src, M, plan, B, C, H, W, pad, per_image, channel_mean,
                                                   channel_std, dst);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T, class C>
void launch_accumulate_correct(const T* logits, const std::int32_t* labels, i64 N, i64 K, C* correct,
                               cudaStream_t stream) {
  if (N == 0 || K == 0) return;
  accumulate_correct_kernel<T, C><<<1, kBlock, 0, stream>>>(logits, labels, N, K, correct);
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                                  \
  template void launch_sgd_update<T>(T*, const T*, T*, i64, const double*, T, T, bool, cudaStream_t);     \
  template void launch_augment_batch<T>(const float*, i64, const std::int32_t*, i64, i64, i64, i64, i64,   \
                                        bool, const float*, const float*, T*, cudaStream_t);               \
  template void launch_accumulate_correct<T, float>(const T*, const std::int32_t*, i64, i64, float*,       \
                                                    cudaStream_t);                                         \
  template void launch_accumulate_correct<T, double>(const T*, const std::int32_t*, i64, i64, double*,     \
                                                     cudaStream_t);                                        \
  template void launch_accumulate_correct<T, std::int32_t>(const T*, const std::int32_t*, i64, i64,        \
                                                           std::int32_t*, cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
#undef GL_INSTANTIATE

}  // namespace gl::cuda
