// The SGD step, augmented batches and the correct-prediction counter:
// checks on the host, kernels in training.cu. Nothing here waits for the GPU.
#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/launchers.h"

namespace gl::cuda {

void CudaBackend::sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, const Tensor& lr,
                             double momentum, double weight_decay, bool nesterov) {
  check_same_numel("sgd_update", param, grad);
  check_lr_tensor("sgd_update (cuda)", lr, param);
  const bool use_v = momentum != 0.0;
  GL_CHECK(!use_v || velocity.defined(), "sgd_update (cuda): momentum {} needs a velocity buffer for {}", momentum,
           describe(param));
  if (use_v) check_same_numel("sgd_update", param, velocity);
  dispatch_float(param.dtype(), "sgd_update", [&](auto tag) {
    using T = decltype(tag);
    launch_sgd_update<T>(dptr<T>(param), dptr<T>(grad), use_v ? dptr<T>(velocity) : nullptr, param.numel(),
                         dptr<double>(lr), static_cast<T>(momentum), static_cast<T>(weight_decay), nesterov,
                         stream());
  });
}

// The plan is on the GPU, so its rows are not checked here (that would wait
// for the GPU); a row outside the documented ranges fills its image with NaN.
void CudaBackend::augment_batch(const Tensor& src, const Tensor& plan, std::int64_t pad, bool per_image,
                                const Tensor& channel_mean, const Tensor& channel_std, Tensor& dst) {
  GL_CHECK(src.dtype() == DType::f32 && src.dim() == 4,
           "augment_batch (cuda): src must be float32 [M, C, H, W], got {}", describe(src));
  GL_CHECK(plan.dtype() == DType::i32 && plan.dim() == 2 && plan.size(1) == 4,
           "augment_batch (cuda): plan must be int32 [B, 4], got {}", describe(plan));
  const i64 M = src.size(0), C = src.size(1), H = src.size(2), W = src.size(3), B = plan.size(0);
  GL_CHECK(dst.numel() == B * C * H * W, "augment_batch (cuda): dst must be [{}, {}, {}, {}], got {}", B, C, H, W,
           describe(dst));
  if (!per_image) {
    GL_CHECK(channel_mean.defined() && channel_std.defined() && channel_mean.numel() == C &&
                 channel_std.numel() == C && channel_mean.dtype() == DType::f32 &&
                 channel_std.dtype() == DType::f32,
             "augment_batch (cuda): channel_mean/std must be float32 [{}]", C);
  }
  dispatch_float(dst.dtype(), "augment_batch", [&](auto tag) {
    using T = decltype(tag);
    launch_augment_batch<T>(dptr<float>(src), M, dptr<std::int32_t>(plan), B, C, H, W, pad, per_image,
                            per_image ? nullptr : dptr<float>(channel_mean),
                            per_image ? nullptr : dptr<float>(channel_std), dptr<T>(dst), stream());
  });
}

void CudaBackend::accumulate_correct(const Tensor& logits, const Tensor& labels, Tensor& correct) {
  GL_CHECK(logits.dim() == 2, "accumulate_correct (cuda): logits must be [N, K], got {}", describe(logits));
  const i64 N = logits.size(0), K = logits.size(1);
  GL_CHECK(labels.dtype() == DType::i32 && labels.numel() == N,
           "accumulate_correct (cuda): labels must be int32 [{}], got {}", N, describe(labels));
  GL_CHECK(correct.numel() == 1, "accumulate_correct (cuda): correct must have one element, got {}",
           describe(correct));
  dispatch_float(logits.dtype(), "accumulate_correct", [&](auto tag) {
    using T = decltype(tag);
    dispatch_any(correct.dtype(), [&](auto counter_tag) {
      using Counter = decltype(counter_tag);
      launch_accumulate_correct<T, Counter>(dptr<T>(logits), dptr<std::int32_t>(labels), N, K,
                                            dptr<Counter>(correct), stream());
    });
  });
}

}  // namespace gl::cuda
