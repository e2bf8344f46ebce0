// Softmax / log-softmax over rows of [rows, cols], their backward, and mean
// cross-entropy. One warp per row (lanes stride the columns, shuffles reduce),
// sums in double as in engine/cpu/softmax.cpp:
//   softmax_j = e^(x_j - m) / Z,  log_softmax_j = x_j - m - log Z,  Z = sum_j e^(x_j - m).
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

constexpr int kWarpsPerBlock = kBlock / 32;

__device__ inline i64 global_warp() { return global_thread() / 32; }
__device__ inline i64 grid_warps() { return grid_threads() / 32; }
inline unsigned grid_for_rows(i64 rows) { return grid_for(rows, kWarpsPerBlock); }

// Writes softmax (or log-softmax) of one row into y (may be null) and returns
// the log-sum-exp m + log Z to every lane.
template <class T> __device__ double softmax_row(const T* x, T* y, i64 cols, bool log, int lane) {
  T m = -d_inf<T>();
  for (i64 j = lane; j < cols; j += 32) m = x[j] > m ? x[j] : m;
  m = warp_max(m);
  double z = 0.0;
  for (i64 j = lane; j < cols; j += 32) {
    const T e = d_exp(x[j] - m);
    if (y && !log) y[j] = e;
    z += static_cast<double>(e);
  }
  z = warp_sum(z);
  const double lse = static_cast<double>(m) + ::log(z);
  if (y) {
    if (log) {
      const T shift = static_cast<T>(lse);
      for (i64 j = lane; j < cols; j += 32) y[j] = x[j] - shift;
    } else {
      const T inv = static_cast<T>(1.0 / z);
      for (i64 j = lane; j < cols; j += 32) y[j] *= inv;  // this lane wrote y[j] above
    }
  }
  return lse;
}

template <class T> __global__ void softmax_forward_kernel(const T* x, T* y, i64 rows, i64 cols, bool log) {
  const int lane = threadIdx.x & 31;
  for (i64 r = global_warp(); r < rows; r += grid_warps()) {
    softmax_row(x + r * cols, y + r * cols, cols, log, lane);
  }
}

// softmax: dx = y (dy - sum dy y);  log-softmax: dx = dy - e^y sum dy.
template <class T>
__global__ void softmax_backward_kernel(const T* y, const T* dy, T* dx, i64 rows, i64 cols, bool log) {
  const int lane = threadIdx.x & 31;
  for (i64 r = global_warp(); r < rows; r += grid_warps()) {
    const T* yr = y + r * cols;
    const T* gr = dy + r * cols;
    T* o = dx + r * cols;
    double s = 0.0;
    for (i64 j = lane; j < cols; j += 32) s += log ? static_cast<double>(gr[j]) : static_cast<double>(gr[j]) * yr[j];
    const T st = static_cast<T>(warp_sum(s));
    for (i64 j = lane; j < cols; j += 32) o[j] = log ? gr[j] - d_exp(yr[j]) * st : yr[j] * (gr[j] - st);
  }
}

template <class T>
__global__ void cross_entropy_rows(const T* logits, const std::int32_t* labels, i64 N, i64 K, T* probs,
                                   double* row_loss) {
  const int lane = threadIdx.x & 31;
  for (i64 r = global_warp(); r < N; r += grid_warps()) {
    const T* xr = logits + r * K;
    const double lse = softmax_row(xr, probs ? probs + r * K : nullptr, K, false, lane);
    if (lane == 0) {
      const std::int32_t label = labels[r];
      row_loss[r] = label >= 0 && label < K ? lse - static_cast<double>(xr[label]) : d_nan<double>();
    }
  }
}

// One block adds the row losses (fixed order per thread, then a tree: deterministic).
template <class T> __global__ void mean_of_rows(const double* row_loss, i64 N, T* loss) {
  double s = 0.0;
  for (i64 r = threadIdx.x; r < N; r += blockDim.x) s += row_loss[r];
  s = block_sum(s);
  if (threadIdx.x == 0) loss[0] = static_cast<T>(N > 0 ? s / static_cast<double>(N) : 0.0);
}

// dlogits = grad_loss * (probs - onehot(label)) / N.
template <class T>
__global__ void cross_entropy_backward_kernel(const T* probs, const std::int32_t* labels, const T* grad_loss,
                                              i64 N, i64 K, T* dlogits) {
  const T scale = grad_loss[0] / static_cast<T>(N);
  GL_GRID_LOOP(i, N * K) {
    const i64 r = i / K, j = i - r * K;
    const T d = probs[i] * scale;
    dlogits[i] = j == labels[r] ? d - scale : d;
  }
}

}  // namespace

template <class T>
void launch_softmax_forward(const T* x, T* y, i64 rows, i64 cols, bool log, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return;
  softmax_forward_kernel<T><<<grid_for_rows(rows), kBlock, 0, stream>>>(x, y, rows, cols, log);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_softmax_backward(const T* y, const T* dy, T* dx, i64 rows, i64 cols, bool log, cudaStream_t stream) {
  if (rows == 0 || cols == 0) return;
  softmax_backward_kernel<T><<<grid_for_rows(rows), kBlock, 0, stream>>>(y, dy, dx, rows, cols, log);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_cross_entropy_forward(const T* logits, const std::int32_t* labels, i64 N, i64 K, T* loss, T* probs,
                                  double* row_loss, cudaStream_t stream) {
  if (N > 0 && K > 0) {
    cross_entropy_rows<T><<<grid_for_rows(N), kBlock, 0, stream>>>(logits, labels, N, K, probs, row_loss);
    GL_CUDA_CHECK_LAUNCH();
  }
  mean_of_rows<T><<<1, kBlock, 0, stream>>>(row_loss, N, loss);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_cross_entropy_backward(const T* probs, const std::int32_t* labels, const T* grad_loss, i64 N, i64 K,
                                   T* dlogits, cudaStream_t stream) {
  if (N * K == 0) return;
  cross_entropy_backward_kernel<T><<<grid_for(N * K), kBlock, 0, stream>>>(probs, labels, grad_loss, N, K, dlogits);
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                                 \
  template void launch_softmax_forward<T>(const T*, T*, i64, i64, bool, cudaStream_t);                    \
  template void launch_softmax_backward<T>(const T*, const T*, T*, i64, i64, bool, cudaStream_t);         \
  template void launch_cross_entropy_forward<T>(const T*, const std::int32_t*, i64, i64, T*, T*, double*, \
                                                cudaStream_t);                                            \
  template void launch_cross_entropy_backward<T>(const T*, const std::int32_t*, const T*, i64, i64, T*,  \
                                                 cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
#undef GL_INSTANTIATE

}  // namespace gl::cuda
