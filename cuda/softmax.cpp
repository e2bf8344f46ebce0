// Softmax, log-softmax and cross-entropy: checks on the host, kernels in softmax.cu.
#include "cuda/allocator.h"
#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

struct RowsCols {
  i64 rows, cols;
};
RowsCols rows_cols(const Tensor& t) {
  const i64 cols = t.dim() == 0 ? 1 : t.size(-1);
  return {cols == 0 ? 0 : t.numel() / cols, cols};
}

void check_labels(const char* op, const Tensor& labels, i64 rows) {
  GL_CHECK(labels.dtype() == DType::i32 && labels.numel() == rows, "{} (cuda): labels must be int32 [{}], got {}",
           op, rows, describe(labels));
}

}  // namespace

void CudaBackend::softmax_forward(const Tensor& x, Tensor& y, bool log) {
  check_same_numel("softmax_forward", x, y);
  const RowsCols rc = rows_cols(x);
  dispatch_float(x.dtype(), "softmax_forward", [&](auto tag) {
    using T = decltype(tag);
    launch_softmax_forward<T>(dptr<T>(x), dptr<T>(y), rc.rows, rc.cols, log, stream());
  });
}

void CudaBackend::softmax_backward(const Tensor& y, const Tensor& dy, Tensor& dx, bool log) {
  check_same_numel("softmax_backward", y, dy);
  check_same_numel("softmax_backward", y, dx);
  const RowsCols rc = rows_cols(y);
  dispatch_float(y.dtype(), "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_softmax_backward<T>(dptr<T>(y), dptr<T>(dy), dptr<T>(dx), rc.rows, rc.cols, log, stream());
  });
}

// Labels live on the GPU, so they are not range-checked here (that would
// wait for the GPU); an out-of-range label makes the loss NaN instead.
void CudaBackend::cross_entropy_forward(const Tensor& logits, const Tensor& labels, Tensor& loss, Tensor& probs) {
  GL_CHECK(logits.dim() == 2, "cross_entropy_forward (cuda): logits must be [N, K], got {}", describe(logits));
  const i64 N = logits.size(0), K = logits.size(1);
  // With K = 0 no row kernel would run and the mean would read row_loss unset.
  GL_CHECK(K > 0 || N == 0, "cross_entropy_forward (cuda): logits {} have no classes (K = 0)", describe(logits));
  check_labels("cross_entropy_forward", labels, N);
  GL_CHECK(loss.numel() == 1, "cross_entropy_forward (cuda): loss must have one element, got {}", describe(loss));
  Workspace row_loss(static_cast<std::size_t>(N) * sizeof(double));
  dispatch_float(logits.dtype(), "cross_entropy_forward", [&](auto tag) {
    using T = decltype(tag);
    launch_cross_entropy_forward<T>(dptr<T>(logits), dptr<std::int32_t>(labels), N, K, dptr<T>(loss),
                                    dptr<T>(probs), row_loss.as<double>(), stream());
  });
}

void CudaBackend::cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& grad_loss,
                                         Tensor& dlogits) {
  GL_CHECK(probs.dim() == 2, "cross_entropy_backward (cuda): probs must be [N, K], got {}", describe(probs));
  const i64 N = probs.size(0), K = probs.size(1);
  check_labels("cross_entropy_backward", labels, N);
  check_same_numel("cross_entropy_backward", probs, dlogits);
  dispatch_float(probs.dtype(), "cross_entropy_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_cross_entropy_backward<T>(dptr<T>(probs), dptr<std::int32_t>(labels), dptr<T>(grad_loss), N, K,
                                     dptr<T>(dlogits), stream());
  });
}

}  // namespace gl::cuda
