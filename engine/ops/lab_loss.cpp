// The losses with PyTorch's options (reduction, label_smoothing, ignore_index,
// probability targets), composed from log_softmax, gather and where; their
// gradients come from the composition, except BCE-with-logits (below).
#include "engine/ops/lab_util.h"

namespace gl {
using namespace detail;

namespace {
Tensor reduce_loss(const Tensor& per_item, Reduction reduction, const Tensor& count) {
  switch (reduction) {
    case Reduction::none: return per_item;
    case Reduction::sum: return sum(per_item);
    case Reduction::mean: return count.defined() ? div(sum(per_item), count) : mean(per_item);
  }
  return per_item;
}

// [N, C, d...] -> [N*d..., C] (class dim last); the per-item shape [N, d...] in `items`.
Tensor classes_last(const char* op, const Tensor& x, Shape& items) {
  GL_CHECK(x.dim() >= 2, "{}: input must be [N, C] or [N, C, d...], got {}", op, describe(x));
  items = x.shape();
  const std::int64_t C = items[1];
  items.erase(items.begin() + 1);
  if (x.dim() == 2) return x;
  std::vector<int> order{0};
  for (int i = 2; i < x.dim(); ++i) order.push_back(i);
  order.push_back(1);
  return reshape(permute(x, order), {-1, C});
}

// -log_probs[i, target[i]] per row, 0 for ignored rows; also the count of rows kept.
Tensor nll_rows(const char* op, const Tensor& log_probs, const Tensor& target, std::int64_t ignore_index,
                Tensor& kept) {
  Tensor t = index_int64(op, target, log_probs.device());
  t = reshape(t, {t.numel()});
  GL_CHECK(t.numel() == log_probs.shape()[0], "{}: {} targets for {} rows of scores; give one class index per row", op,
           t.numel(), log_probs.shape()[0]);
  const Tensor valid = ne(t, Tensor::scalar(static_cast<double>(ignore_index), DType::i64, t.device()));
  const Tensor safe = where(valid, t, Tensor::scalar(0.0, DType::i64, t.device()));
  const Tensor picked = reshape(gather(log_probs, 1, reshape(safe, {safe.numel(), 1})), {safe.numel()});
  const Tensor w = valid.to(log_probs.dtype());
  kept = sum(w);
  return neg(mul(picked, w));
}
}  // namespace

Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction, std::int64_t ignore_index) {
  require_float("nll_loss", log_probs);
  Shape items;
  const Tensor lp = classes_last("nll_loss", log_probs, items);
  Tensor kept;
  const Tensor rows = nll_rows("nll_loss", lp, target, ignore_index, kept);
  return reduce_loss(reshape(rows, items), reduction, kept);
}

Tensor cross_entropy_ex(const Tensor& logits, const Tensor& target, Reduction reduction, double label_smoothing,
                        std::int64_t ignore_index) {
  require_float("cross_entropy", logits);
  GL_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0, "cross_entropy: label_smoothing must be in [0, 1], got {}",
           label_smoothing);
  GL_CHECK(target.defined(), "cross_entropy: target is undefined");
  if (logits.dim() == 1) {  // one sample of C scores (PyTorch's unbatched input)
    const bool probs = is_floating(target.dtype());
    const Tensor r = cross_entropy_ex(reshape(logits, {1, logits.shape()[0]}),
                                      reshape(target, probs ? Shape{1, target.numel()} : Shape{1}), reduction,
                                      label_smoothing, ignore_index);
    return reshape(r, {});
  }
  Shape items;
  const Tensor z = classes_last("cross_entropy", logits, items);
  const std::int64_t C = z.shape()[1];
  const Tensor logp = log_softmax(z);
  if (is_floating(target.dtype())) {  // probabilities over the classes
    GL_CHECK(target.shape() == logits.shape(),
             "cross_entropy: probability targets {} must have the logits' shape {}", shape_str(target.shape()),
             shape_str(logits.shape()));
    Shape unused;
    Tensor p = classes_last("cross_entropy", as_dtype(target, logits.dtype()), unused);
    if (label_smoothing > 0) p = add_scalar(mul_scalar(p, 1.0 - label_smoothing), label_smoothing / C);
    const Tensor rows = neg(sum(mul(p, logp), {1}));
    return reduce_loss(reshape(rows, items), reduction, Tensor());
  }
  Tensor kept;
  Tensor rows = nll_rows("cross_entropy", logp, target, ignore_index, kept);
  if (label_smoothing > 0) {
    Tensor t = reshape(index_int64("cross_entropy", target, logits.device()), {rows.numel()});
    const Tensor w = ne(t, Tensor::scalar(static_cast<double>(ignore_index), DType::i64, t.device())).to(logp.dtype());
    const Tensor smooth = mul(neg(mean(logp, {1})), w);
    rows = add(mul_scalar(rows, 1.0 - label_smoothing), mul_scalar(smooth, label_smoothing));
  }
  return reduce_loss(reshape(rows, items), reduction, kept);
}

// -(t log p + (1 - t) log(1 - p)), each log clamped at -100 (PyTorch's).
Tensor binary_cross_entropy(const Tensor& p, const Tensor& target, Reduction reduction) {
  require_compatible("binary_cross_entropy", {&p, &target});
  GL_CHECK(p.shape() == target.shape(), "binary_cross_entropy: input {} and target {} must have the same shape",
           shape_str(p.shape()), shape_str(target.shape()));
  const Tensor log_p = clamp(log(p), -100.0, std::nullopt);
  const Tensor log_q = clamp(log(add_scalar(neg(p), 1.0)), -100.0, std::nullopt);
  const Tensor rows = neg(add(mul(target, log_p), mul(add_scalar(neg(target), 1.0), log_q)));
  return reduce_loss(rows, reduction, Tensor());
}

// max(x, 0) - x t + log(1 + e^-|x|);  d/dx = sigmoid(x) - t,  d/dt = -x.
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target, Reduction reduction) {
  require_compatible("binary_cross_entropy_with_logits", {&logits, &target});
  GL_CHECK(logits.shape() == target.shape(),
           "binary_cross_entropy_with_logits: input {} and target {} must have the same shape",
           shape_str(logits.shape()), shape_str(target.shape()));
  Tensor rows;
  {
    NoGradGuard no_grad;
    rows = add(sub(relu(logits), mul(logits, target)), log1p(exp(neg(abs(logits)))));
  }
  if (needs_grad(logits) || needs_grad(target)) {
    const SavedTensor sx(logits, "binary_cross_entropy_with_logits"), st(target, "binary_cross_entropy_with_logits");
    const bool gx = needs_grad(logits), gt_ = needs_grad(target);
    rows = record(rows, "binary_cross_entropy_with_logits", {logits, target}, [sx, st, gx, gt_](const Tensor& g) {
      const Tensor& x = sx.get();
      return std::vector<Tensor>{gx ? mul(g, sub(sigmoid(x), st.get())) : Tensor(), gt_ ? neg(mul(g, x)) : Tensor()};
    });
  }
  return reduce_loss(rows, reduction, Tensor());
}

}  // namespace gl
