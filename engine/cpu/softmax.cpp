// Softmax and log-softmax over the last axis of x viewed as [rows, cols],
// and mean cross-entropy of logits [N, K] against int32 labels [N].
// Stable form: subtract the row max m first, so exp never overflows:
//   softmax_j = e^(x_j - m) / Z,   log_softmax_j = x_j - m - log Z,   Z = sum_j e^(x_j - m).
// Backward with y the forward output:
//   softmax:     dx = y * (dy - sum_j dy_j y_j)
//   log-softmax: dx = dy - e^y * sum_j dy_j
// Cross-entropy: loss = mean_r (log Z_r + m_r - x[r, label_r]);
//   dlogits = grad_loss * (softmax - onehot(label)) / N.
#include <cmath>
#include <vector>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

struct RowsCols {
  std::int64_t rows, cols;
};
RowsCols rows_cols(const Tensor& t) {
  const std::int64_t cols = t.dim() == 0 ? 1 : t.size(-1);
  return {cols == 0 ? 0 : t.numel() / cols, cols};
}

// y = softmax (or log-softmax) of one row; returns log Z + m (the log-sum-exp).
template <class T> double softmax_row(const T* x, T* y, std::int64_t cols, bool log) {
  T m = x[0];
  for (std::int64_t j = 1; j < cols; ++j) m = x[j] > m ? x[j] : m;
  double z = 0.0;
  for (std::int64_t j = 0; j < cols; ++j) {
    const T e = std::exp(x[j] - m);
    if (!log) y[j] = e;
    z += static_cast<double>(e);
  }
  const double log_z = std::log(z);
  if (log) {
    const T shift = static_cast<T>(static_cast<double>(m) + log_z);
    for (std::int64_t j = 0; j < cols; ++j) y[j] = x[j] - shift;
  } else {
    const T inv = static_cast<T>(1.0 / z);
    for (std::int64_t j = 0; j < cols; ++j) y[j] *= inv;
  }
  return static_cast<double>(m) + log_z;
}

void check_labels(const char* op, const Tensor& labels, std::int64_t rows) {
  GL_CHECK(labels.dtype() == DType::i32 && labels.numel() == rows,
           "{} (cpu): labels must be int32 [{}], got {}", op, rows, describe(labels));
}

}  // namespace

void CpuBackend::softmax_forward(const Tensor& x, Tensor& y, bool log) {
  const RowsCols rc = rows_cols(x);
  dispatch_float(x.dtype(), "softmax_forward", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = ptr<T>(x);
    T* yp = ptr<T>(y);
#pragma omp parallel for schedule(static) if (x.numel() >= kParallelMin)
    for (std::int64_t r = 0; r < rc.rows; ++r) softmax_row(xp + r * rc.cols, yp + r * rc.cols, rc.cols, log);
  });
}

void CpuBackend::softmax_backward(const Tensor& y, const Tensor& dy, Tensor& dx, bool log) {
  const RowsCols rc = rows_cols(y);
  dispatch_float(y.dtype(), "softmax_backward", [&](auto tag) {
    using T = decltype(tag);
    const T *yp = ptr<T>(y), *dyp = ptr<T>(dy);
    T* dxp = ptr<T>(dx);
#pragma omp parallel for schedule(static) if (y.numel() >= kParallelMin)
    for (std::int64_t r = 0; r < rc.rows; ++r) {
      const T* yr = yp + r * rc.cols;
      const T* gr = dyp + r * rc.cols;
      T* o = dxp + r * rc.cols;
      double s = 0.0;
      if (log) {
        for (std::int64_t j = 0; j < rc.cols; ++j) s += static_cast<double>(gr[j]);
        const T st = static_cast<T>(s);
        for (std::int64_t j = 0; j < rc.cols; ++j) o[j] = gr[j] - std::exp(yr[j]) * st;
      } else {
        for (std::int64_t j = 0; j < rc.cols; ++j) s += static_cast<double>(gr[j]) * yr[j];
        const T st = static_cast<T>(s);
        for (std::int64_t j = 0; j < rc.cols; ++j) o[j] = yr[j] * (gr[j] - st);
      }
    }
  });
}

void CpuBackend::cross_entropy_forward(const Tensor& logits, const Tensor& labels, Tensor& loss,
                                       Tensor& probs) {
  GL_CHECK(logits.dim() == 2, "cross_entropy_forward (cpu): logits must be [N, K], got {}",
           describe(logits));
  const std::int64_t N = logits.size(0), K = logits.size(1);
  GL_CHECK(K > 0 || N == 0, "cross_entropy_forward (cpu): logits {} have no classes (K = 0)", describe(logits));
  check_labels("cross_entropy_forward", labels, N);
  const std::int32_t* lab = ptr<std::int32_t>(labels);
  for (std::int64_t r = 0; r < N; ++r) {
    GL_CHECK(lab[r] >= 0 && lab[r] < K,
             "cross_entropy_forward (cpu): label {} of row {} is outside [0, {}); check the labels",
             lab[r], r, K);
  }
  dispatch_float(logits.dtype(), "cross_entropy_forward", [&](auto tag) {
    using T = decltype(tag);
    const T* xp = ptr<T>(logits);
    std::vector<T> scratch;
    T* pp = nullptr;
    if (probs.defined()) {
      pp = ptr<T>(probs);
    } else {
      scratch.resize(static_cast<std::size_t>(N * K));
      pp = scratch.data();
    }
    // Rows in order on one thread: N*K is small (a batch of logits) and the
    // sum then does not depend on the thread count.
    double total = 0.0;
    for (std::int64_t r = 0; r < N; ++r) {
      const double lse = softmax_row(xp + r * K, pp + r * K, K, false);
      total += lse - static_cast<double>(xp[r * K + lab[r]]);
    }
    ptr<T>(loss)[0] = static_cast<T>(N > 0 ? total / N : 0.0);
  });
}

void CpuBackend::cross_entropy_backward(const Tensor& probs, const Tensor& labels,
                                        const Tensor& grad_loss, Tensor& dlogits) {
  const std::int64_t N = probs.size(0), K = probs.size(1);
  check_labels("cross_entropy_backward", labels, N);
  const std::int32_t* lab = ptr<std::int32_t>(labels);
  dispatch_float(probs.dtype(), "cross_entropy_backward", [&](auto tag) {
    using T = decltype(tag);
    const T* pp = ptr<T>(probs);
    T* d = ptr<T>(dlogits);
    const T scale = ptr<T>(grad_loss)[0] / static_cast<T>(N);
#pragma omp parallel for schedule(static) if (N * K >= kParallelMin)
    for (std::int64_t r = 0; r < N; ++r) {
      for (std::int64_t j = 0; j < K; ++j) d[r * K + j] = pp[r * K + j] * scale;
      d[r * K + lab[r]] -= scale;
    }
  });
}

}  // namespace gl::cpu
