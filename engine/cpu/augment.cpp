// Training-loop helpers: augmented batches and the running count of correct
// predictions, so a training step never copies data to the host.
//
// augment_batch, per output image b with plan row (i, dy, dx, flip):
//   v[c, h, w] = src[i, c, h + dy - pad, w' + dx - pad] (0 outside), w' = flip ? W-1-w : w
//   per_image: dst = (v - mean(v)) / max(std(v), 1/sqrt(C*H*W))   (population std)
//   otherwise: dst = (v - channel_mean[c]) / channel_std[c]
#include <algorithm>
#include <cmath>
#include <vector>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

// One cropped, flipped, zero-padded image [C, H, W] into v.
void crop_flip(const float* img, std::int64_t C, std::int64_t H, std::int64_t W, std::int64_t pad,
               std::int64_t dy, std::int64_t dx, bool flip, float* v) {
  for (std::int64_t c = 0; c < C; ++c) {
    for (std::int64_t h = 0; h < H; ++h) {
      const std::int64_t sh = h + dy - pad;
      float* out = v + (c * H + h) * W;
      if (sh < 0 || sh >= H) {
        std::fill(out, out + W, 0.0f);
        continue;
      }
      const float* row = img + (c * H + sh) * W;
      for (std::int64_t w = 0; w < W; ++w) {
        const std::int64_t sw = (flip ? W - 1 - w : w) + dx - pad;
        out[w] = sw >= 0 && sw < W ? row[sw] : 0.0f;
      }
    }
  }
}

}  // namespace

void CpuBackend::augment_batch(const Tensor& src, const Tensor& plan, std::int64_t pad,
                               bool per_image, const Tensor& channel_mean,
                               const Tensor& channel_std, Tensor& dst) {
  GL_CHECK(src.dtype() == DType::f32 && src.dim() == 4,
           "augment_batch (cpu): src must be float32 [M, C, H, W], got {}", describe(src));
  GL_CHECK(plan.dtype() == DType::i32 && plan.dim() == 2 && plan.size(1) == 4,
           "augment_batch (cpu): plan must be int32 [B, 4], got {}", describe(plan));
  const std::int64_t M = src.size(0), C = src.size(1), H = src.size(2), W = src.size(3);
  const std::int64_t B = plan.size(0), image = C * H * W;
  GL_CHECK(dst.numel() == B * image, "augment_batch (cpu): dst must be [{}, {}, {}, {}], got {}",
           B, C, H, W, describe(dst));
  if (!per_image) {
    GL_CHECK(channel_mean.defined() && channel_std.defined() && channel_mean.numel() == C &&
                 channel_std.numel() == C && channel_mean.dtype() == DType::f32 &&
                 channel_std.dtype() == DType::f32,
             "augment_batch (cpu): channel_mean/std must be float32 [{}]", C);
  }
  const std::int32_t* pl = ptr<std::int32_t>(plan);
  for (std::int64_t b = 0; b < B; ++b) {
    const std::int32_t* row = pl + 4 * b;
    GL_CHECK(row[0] >= 0 && row[0] < M && row[1] >= 0 && row[1] <= 2 * pad && row[2] >= 0 &&
                 row[2] <= 2 * pad && (row[3] == 0 || row[3] == 1),
             "augment_batch (cpu): plan row {} = ({}, {}, {}, {}) needs 0 <= i < {}, "
             "0 <= dy, dx <= {}, flip in {{0, 1}}",
             b, row[0], row[1], row[2], row[3], M, 2 * pad);
  }
  const float* mean_c = per_image ? nullptr : ptr<float>(channel_mean);
  const float* std_c = per_image ? nullptr : ptr<float>(channel_std);
  dispatch_float(dst.dtype(), "augment_batch", [&](auto tag) {
    using T = decltype(tag);
    T* out = ptr<T>(dst);
    const float* sp = ptr<float>(src);
    ParallelErrors errors;  // a thread's image buffer may fail to allocate
#pragma omp parallel
    {
      std::vector<float> v;
      try {
        v.resize(static_cast<std::size_t>(image));
      } catch (...) {
        errors.capture();
      }
#pragma omp for schedule(static)
      for (std::int64_t b = 0; b < B; ++b) {
        if (errors.failed() || v.size() != static_cast<std::size_t>(image)) continue;
        const std::int32_t* row = pl + 4 * b;
        crop_flip(sp + row[0] * image, C, H, W, pad, row[1], row[2], row[3] == 1, v.data());
        T* o = out + b * image;
        if (per_image) {
          double s = 0.0, s2 = 0.0;
          for (float x : v) s += x;
          const double mean = s / static_cast<double>(image);
          for (float x : v) s2 += (x - mean) * (x - mean);
          const double sd = std::max(std::sqrt(s2 / static_cast<double>(image)),
                                     1.0 / std::sqrt(static_cast<double>(image)));
          for (std::int64_t j = 0; j < image; ++j) o[j] = static_cast<T>((v[j] - mean) / sd);
        } else {
          for (std::int64_t c = 0; c < C; ++c) {
            const float m = mean_c[c], inv = 1.0f / std_c[c];
            for (std::int64_t j = c * H * W; j < (c + 1) * H * W; ++j) {
              o[j] = static_cast<T>((v[j] - m) * inv);
            }
          }
        }
      }
    }
    errors.rethrow();
  });
}

void CpuBackend::accumulate_correct(const Tensor& logits, const Tensor& labels, Tensor& correct) {
  GL_CHECK(logits.dim() == 2, "accumulate_correct (cpu): logits must be [N, K], got {}",
           describe(logits));
  const std::int64_t N = logits.size(0), K = logits.size(1);
  GL_CHECK(labels.dtype() == DType::i32 && labels.numel() == N,
           "accumulate_correct (cpu): labels must be int32 [{}], got {}", N, describe(labels));
  const std::int32_t* lab = ptr<std::int32_t>(labels);
  std::int64_t hits = 0;
  dispatch_float(logits.dtype(), "accumulate_correct", [&](auto tag) {
    using T = decltype(tag);
    const T* x = ptr<T>(logits);
    for (std::int64_t r = 0; r < N; ++r) {
      const T* row = x + r * K;
      const std::int64_t best = std::max_element(row, row + K) - row;  // first maximum
      if (best == lab[r]) ++hits;
    }
  });
  dispatch_any(correct.dtype(), [&](auto tag) {
    using T = decltype(tag);
    ptr<T>(correct)[0] += static_cast<T>(hits);
  });
}

}  // namespace gl::cpu
