// Softmax, log-softmax (over the last axis) and the losses.
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {
Tensor softmax_impl(const char* op, const Tensor& x, bool log) {
  Backend& be = require_compatible(op, {&x});
  GL_CHECK(x.dim() >= 1 && x.size(-1) > 0, "{}: needs a non-empty last axis, got {}", op, shape_str(x.shape()));
  Tensor y = empty_like_shape(x, x.shape());
  be.softmax_forward(x, y, log);
  // softmax: dx = y * (dy - sum(dy * y)); log-softmax: dx = dy - softmax * sum(dy)
  if (!needs_grad(x)) return y;
  const SavedTensor sy(y, op);
  return record(y, op, {x}, [log, sy](const Tensor& dy) {
    const Tensor& y = sy.get();
    Tensor dx = empty_like_shape(y, y.shape());
    backend(y.device()).softmax_backward(y, dy, dx, log);
    return std::vector<Tensor>{dx};
  });
}
}  // namespace

Tensor softmax(const Tensor& x) { return softmax_impl("softmax", x, false); }
Tensor log_softmax(const Tensor& x) { return softmax_impl("log_softmax", x, true); }

// loss = -(1/N) sum_n log softmax(z_n)[y_n];  dz = (softmax(z) - onehot(y)) / N.
Tensor cross_entropy(const Tensor& logits, const Tensor& labels) {
  Backend& be = require_compatible("cross_entropy", {&logits});
  GL_CHECK(logits.dim() == 2, "cross_entropy: logits must be [N, K], got {}", shape_str(logits.shape()));
  GL_CHECK(logits.size(1) > 0 || logits.size(0) == 0,
           "cross_entropy: logits {} have no classes (K = 0); every row needs at least one class score",
           shape_str(logits.shape()));
  GL_CHECK(labels.defined() && labels.dtype() == DType::i32 && labels.shape() == Shape{logits.size(0)},
           "cross_entropy: labels must be int32 [{}] (one class index per row of logits {}), got {}", logits.size(0),
           shape_str(logits.shape()), describe(labels));
  GL_CHECK(labels.device() == logits.device(), "cross_entropy: labels are on {} but logits on {}",
           device_name(labels.device()), device_name(logits.device()));
  if (labels.device() == Device::cpu) {  // on a GPU this check would stall the stream
    const std::int32_t* l = labels.data<std::int32_t>();
    for (std::int64_t i = 0; i < labels.numel(); ++i)
      GL_CHECK(l[i] >= 0 && l[i] < logits.size(1), "cross_entropy: label {} at row {} is outside [0, {})", l[i], i,
               logits.size(1));
  }
  Tensor loss = empty_like_shape(logits, {});
  Tensor probs = empty_like_shape(logits, logits.shape());
  be.cross_entropy_forward(logits, labels, loss, probs);
  if (!needs_grad(logits)) return loss;
  const SavedTensor slabels(labels, "cross_entropy");
  return record(loss, "cross_entropy", {logits}, [probs, slabels](const Tensor& g) {
    Tensor dlogits = empty_like_shape(probs, probs.shape());
    backend(probs.device()).cross_entropy_backward(probs, slabels.get(), g, dlogits);
    return std::vector<Tensor>{dlogits};
  });
}

Tensor mse_loss(const Tensor& prediction, const Tensor& target) {
  require_compatible("mse_loss", {&prediction, &target});
  GL_CHECK(prediction.shape() == target.shape(), "mse_loss: prediction {} and target {} must have the same shape",
           shape_str(prediction.shape()), shape_str(target.shape()));
  Tensor d = prediction - target;
  return mean(d * d);
}

void count_correct(const Tensor& logits, const Tensor& labels, Tensor& counter) {
  Backend& be = require_compatible("count_correct", {&logits, &counter});
  GL_CHECK(logits.dim() == 2 && labels.defined() && labels.dtype() == DType::i32 && labels.shape() == Shape{logits.size(0)},
           "count_correct: needs logits [N, K] and int32 labels [N]; got {} and {}", describe(logits), describe(labels));
  GL_CHECK(counter.numel() == 1, "count_correct: counter must hold one element, got {}", shape_str(counter.shape()));
  be.accumulate_correct(logits, labels, counter);
}

}  // namespace gl
