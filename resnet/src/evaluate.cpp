#include "evaluate.h"

#include "engine/core/autograd.h"
#include "engine/core/backend.h"
#include "engine/ops/ops.h"

namespace resnet {

EvalResult evaluate(ResNet& model, const BatchBuilder& batches, std::int64_t count,
                    std::int64_t batch_size, bool with_confusion) {
  const bool was_training = model.is_training();
  model.eval();
  gl::NoGradGuard no_grad;
  const int K = model.config().num_classes;
  EvalResult result;
  result.count = count;
  if (with_confusion) result.confusion.assign(K * K, 0);
  gl::Tensor loss_sum, correct, x, y;
  for (std::int64_t begin = 0; begin < count; begin += batch_size) {
    const std::int64_t end = std::min(count, begin + batch_size);
    batches.build_plain(begin, end, x, y);
    gl::Tensor logits = model(x);                               // [b, K]
    gl::Tensor loss = gl::cross_entropy(logits, y);             // mean over the batch
    if (!loss_sum.defined()) {
      loss_sum = gl::Tensor::zeros(loss.shape(), loss.dtype(), loss.device());
      correct = gl::Tensor::zeros({1}, gl::DType::f32, loss.device());
    }
    gl::backend(loss.device()).axpy(static_cast<double>(end - begin), loss, loss_sum);
    gl::count_correct(logits, y, correct);
    if (with_confusion) {
      const std::vector<double> values = logits.to_vector();
      const std::vector<std::int32_t> labels = y.to_labels();
      for (std::int64_t r = 0; r < end - begin; ++r) {
        int best = 0;
        for (int k = 1; k < K; ++k) {
          if (values[r * K + k] > values[r * K + best]) best = k;
        }
        ++result.confusion[labels[r] * K + best];
      }
    }
  }
  if (count > 0) {
    result.loss = loss_sum.item() / count;
    result.accuracy = correct.item() / count;
  }
  model.train(was_training);
  return result;
}

std::vector<double> per_class_accuracy(const std::vector<std::int64_t>& confusion, int classes) {
  std::vector<double> acc(classes, 0.0);
  for (int t = 0; t < classes; ++t) {
    std::int64_t total = 0;
    for (int p = 0; p < classes; ++p) total += confusion[t * classes + p];
    acc[t] = total ? double(confusion[t * classes + t]) / total : 0.0;
  }
  return acc;
}

}  // namespace resnet
