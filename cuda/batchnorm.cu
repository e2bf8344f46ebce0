// Batch normalization over x viewed as [N, C, L] (M = N*L values per channel).
// Math as in engine/cpu/batchnorm.cpp. Each pass is three kernels:
//   1. partial sums: grid (C, splits); block (c, s) sums its slice of channel c
//      into workspace part[c][s] (double, block reduction);
//   2. finalize: one thread per channel adds its partials in a fixed order
//      (deterministic) and writes statistics / gradients of gamma and beta;
//   3. apply: one thread per element of y or dx.
// The forward sums x - x[0, c, 0] (a shift that keeps E[v^2] - E[v]^2 free of
// cancellation when the mean is large compared with the spread).
#include "cuda/check.h"
#include "cuda/kernel_util.cuh"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

// Workspace layout (doubles): part [C][splits][2], then chan [C][4].
i64 splits_for(i64 M) {
  const i64 s = (M + 4095) / 4096;  // ~16 elements per thread per block
  return s < 1 ? 1 : (s > 256 ? 256 : s);
}

// 32-bit index math (several times cheaper than 64-bit division) when every
// index of x and the grid-stride steps stay below 2^31.
bool use_int32(i64 total) { return total < (i64{1} << 30); }

template <class I> __device__ inline I channel_offset(I j, I c, I C, I L) {
  const I n = j / L;
  return (n * C + c) * L + (j - n * L);
}

template <class T, class I>
__global__ void bn_stats_partial(const T* x, I C, I L, I M, I chunk, double* part) {
  const I c = static_cast<I>(blockIdx.x), split = static_cast<I>(blockIdx.y);
  const double shift = static_cast<double>(x[c * L]);  // x[0, c, 0]
  const I begin = split * chunk, end = begin + chunk < M ? begin + chunk : M;
  double s = 0.0, ss = 0.0;
  for (I j = begin + static_cast<I>(threadIdx.x); j < end; j += static_cast<I>(blockDim.x)) {
    const double v = static_cast<double>(x[channel_offset(j, c, C, L)]) - shift;
    s += v;
    ss += v * v;
  }
  s = block_sum(s);
  ss = block_sum(ss);
  if (threadIdx.x == 0) {
    double* p = part + (c * gridDim.y + split) * 2;
    p[0] = s;
    p[1] = ss;
  }
}

template <class T>
__global__ void bn_stats_finalize(const T* x, const T* gamma, const T* beta, i64 C, i64 L, i64 M,
                                  i64 splits, double eps, double momentum, const double* part,
                                  T* running_mean, T* running_var, T* save_mean, T* save_invstd,
                                  double* chan) {
  GL_GRID_LOOP(c, C) {
    double s = 0.0, ss = 0.0;
    for (i64 k = 0; k < splits; ++k) {
      s += part[(c * splits + k) * 2];
      ss += part[(c * splits + k) * 2 + 1];
    }
    const double shifted_mean = s / M;
    double var = ss / M - shifted_mean * shifted_mean;
    var = var > 0.0 ? var : 0.0;
    const double mean = static_cast<double>(x[c * L]) + shifted_mean;
    const double invstd = 1.0 / sqrt(var + eps);
    if (save_mean) save_mean[c] = static_cast<T>(mean);
    if (save_invstd) save_invstd[c] = static_cast<T>(invstd);
    if (running_mean) running_mean[c] = static_cast<T>((1 - momentum) * running_mean[c] + momentum * mean);
    if (running_var) {
      running_var[c] = static_cast<T>((1 - momentum) * running_var[c] +
                                      momentum * var * static_cast<double>(M) / static_cast<double>(M - 1));
    }
    const double g = gamma ? static_cast<double>(gamma[c]) : 1.0;
    chan[c * 4 + 0] = mean;
    chan[c * 4 + 1] = g * invstd;                                 // scale
    chan[c * 4 + 2] = beta ? static_cast<double>(beta[c]) : 0.0;  // shift
  }
}

// y = (x - mean) * scale + shift with per-channel (mean, scale, shift) in chan.
// I: the index type (int when total < 2^30, see use_int32).
template <class T, class I> __global__ void bn_apply(const T* x, I total, I C, I L, const double* chan, T* y) {
  for (I i = static_cast<I>(global_thread()); i < total; i += static_cast<I>(grid_threads())) {
    const double* ch = chan + ((i / L) % C) * 4;
    y[i] = (x[i] - static_cast<T>(ch[0])) * static_cast<T>(ch[1]) + static_cast<T>(ch[2]);
  }
}

template <class T>
__global__ void bn_eval_kernel(const T* x, const T* gamma, const T* beta, const T* rm, const T* rv,
                               i64 total, i64 C, i64 L, double eps, T* y) {
  GL_GRID_LOOP(i, total) {
    const i64 c = (i / L) % C;
    const double g = gamma ? static_cast<double>(gamma[c]) : 1.0;
    const T scale = static_cast<T>(g / sqrt(static_cast<double>(rv[c]) + eps));
    const T shift = beta ? beta[c] : T(0);
    y[i] = (x[i] - rm[c]) * scale + shift;
  }
}

template <class T, class I>
__global__ void bn_grad_partial(const T* x, const T* dy, const T* save_mean, I C, I L, I M, I chunk,
                                double* part) {
  const I c = static_cast<I>(blockIdx.x), split = static_cast<I>(blockIdx.y);
  const T mean = save_mean[c];
  const I begin = split * chunk, end = begin + chunk < M ? begin + chunk : M;
  double s = 0.0, sx = 0.0;
  for (I j = begin + static_cast<I>(threadIdx.x); j < end; j += static_cast<I>(blockDim.x)) {
    const I off = channel_offset(j, c, C, L);
    const T g = dy[off];
    s += static_cast<double>(g);
    sx += static_cast<double>(g * (x[off] - mean));
  }
  s = block_sum(s);
  sx = block_sum(sx);
  if (threadIdx.x == 0) {
    double* p = part + (c * gridDim.y + split) * 2;
    p[0] = s;
    p[1] = sx;
  }
}

// dbeta = sum dy, dgamma = invstd * sum dy (x - mean); chan gets the dx
// coefficients: dx = k (dy - mean_dy - (x - mean) proj).
template <class T>
__global__ void bn_grad_finalize(const T* gamma, const T* save_mean, const T* save_invstd, i64 C, i64 M,
                                 i64 splits, const double* part, T* dgamma, T* dbeta, double* chan) {
  GL_GRID_LOOP(c, C) {
    double s = 0.0, sx = 0.0;
    for (i64 k = 0; k < splits; ++k) {
      s += part[(c * splits + k) * 2];
      sx += part[(c * splits + k) * 2 + 1];
    }
    const double invstd = static_cast<double>(save_invstd[c]);
    if (dbeta) dbeta[c] = static_cast<T>(s);
    if (dgamma) dgamma[c] = static_cast<T>(sx * invstd);
    const double g = gamma ? static_cast<double>(gamma[c]) : 1.0;
    chan[c * 4 + 0] = g * invstd;
    chan[c * 4 + 1] = s / M;
    chan[c * 4 + 2] = invstd * invstd * sx / M;
    chan[c * 4 + 3] = static_cast<double>(save_mean[c]);
  }
}

template <class T, class I>
__global__ void bn_grad_apply(const T* x, const T* dy, I total, I C, I L, const double* chan, T* dx) {
  for (I i = static_cast<I>(global_thread()); i < total; i += static_cast<I>(grid_threads())) {
    const double* ch = chan + ((i / L) % C) * 4;
    const T k = static_cast<T>(ch[0]), mean_dy = static_cast<T>(ch[1]), proj = static_cast<T>(ch[2]);
    const T mean = static_cast<T>(ch[3]);
    dx[i] = k * (dy[i] - mean_dy - (x[i] - mean) * proj);
  }
}

}  // namespace

i64 bn_workspace_doubles(i64 N, i64 C, i64 L) { return C * (2 * splits_for(N * L) + 4); }

template <class T>
void launch_bn_forward_train(const T* x, const T* gamma, const T* beta, const BnTrainArgs& a,
                             T* running_mean, T* running_var, T* y, T* save_mean, T* save_invstd,
                             double* workspace, cudaStream_t stream) {
  const i64 M = a.N * a.L, total = M * a.C;
  if (total == 0) return;
  const i64 splits = splits_for(M), chunk = (M + splits - 1) / splits;
  double* part = workspace;
  double* chan = workspace + a.C * splits * 2;
  const dim3 grid(static_cast<unsigned>(a.C), static_cast<unsigned>(splits));
  if (use_int32(total)) {
    bn_stats_partial<T, int><<<grid, kBlock, 0, stream>>>(x, static_cast<int>(a.C), static_cast<int>(a.L),
                                                          static_cast<int>(M), static_cast<int>(chunk), part);
  } else {
    bn_stats_partial<T, i64><<<grid, kBlock, 0, stream>>>(x, a.C, a.L, M, chunk, part);
  }
  GL_CUDA_CHECK_LAUNCH();
  bn_stats_finalize<T><<<grid_for(a.C), kBlock, 0, stream>>>(x, gamma, beta, a.C, a.L, M, splits, a.eps,
                                                             a.momentum, part, running_mean, running_var,
                                                             save_mean, save_invstd, chan);
  GL_CUDA_CHECK_LAUNCH();
  if (y == nullptr) return;
  if (use_int32(total)) {
    bn_apply<T, int><<<grid_for(total), kBlock, 0, stream>>>(x, static_cast<int>(total), static_cast<int>(a.C),
                                                             static_cast<int>(a.L), chan, y);
  } else {
    bn_apply<T, i64><<<grid_for(total), kBlock, 0, stream>>>(x, total, a.C, a.L, chan, y);
  }
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_bn_forward_eval(const T* x, const T* gamma, const T* beta, const T* running_mean,
                            const T* running_var, i64 N, i64 C, i64 L, double eps, T* y,
                            cudaStream_t stream) {
  const i64 total = N * C * L;
  if (total == 0) return;
  bn_eval_kernel<T><<<grid_for(total), kBlock, 0, stream>>>(x, gamma, beta, running_mean, running_var,
                                                            total, C, L, eps, y);
  GL_CUDA_CHECK_LAUNCH();
}

template <class T>
void launch_bn_backward(const T* x, const T* gamma, const T* save_mean, const T* save_invstd, const T* dy,
                        i64 N, i64 C, i64 L, T* dx, T* dgamma, T* dbeta, double* workspace,
                        cudaStream_t stream) {
  const i64 M = N * L, total = M * C;
  if (total == 0) return;
  const i64 splits = splits_for(M), chunk = (M + splits - 1) / splits;
  double* part = workspace;
  double* chan = workspace + C * splits * 2;
  const dim3 grid(static_cast<unsigned>(C), static_cast<unsigned>(splits));
  if (use_int32(total)) {
    bn_grad_partial<T, int><<<grid, kBlock, 0, stream>>>(x, dy, save_mean, static_cast<int>(C), static_cast<int>(L),
                                                         static_cast<int>(M), static_cast<int>(chunk), part);
  } else {
    bn_grad_partial<T, i64><<<grid, kBlock, 0, stream>>>(x, dy, save_mean, C, L, M, chunk, part);
  }
  GL_CUDA_CHECK_LAUNCH();
  bn_grad_finalize<T><<<grid_for(C), kBlock, 0, stream>>>(gamma, save_mean, save_invstd, C, M, splits, part,
                                                          dgamma, dbeta, chan);
  GL_CUDA_CHECK_LAUNCH();
  if (dx == nullptr) return;
  if (use_int32(total)) {
    bn_grad_apply<T, int><<<grid_for(total), kBlock, 0, stream>>>(x, dy, static_cast<int>(total), static_cast<int>(C),
                                                                  static_cast<int>(L), chan, dx);
  } else {
    bn_grad_apply<T, i64><<<grid_for(total), kBlock, 0, stream>>>(x, dy, total, C, L, chan, dx);
  }
  GL_CUDA_CHECK_LAUNCH();
}

#define GL_INSTANTIATE(T)                                                                            \
  template void launch_bn_forward_train<T>(const T*, const T*, const T*, const BnTrainArgs&, T*, T*, \
                                           T*, T*, T*, double*, cudaStream_t);                      \
  template void launch_bn_forward_eval<T>(const T*, const T*, const T*, const T*, const T*, i64,     \
                                          i64, i64, double, T*, cudaStream_t);                       \
  template void launch_bn_backward<T>(const T*, const T*, const T*, const T*, const T*, i64, i64,    \
                                      i64, T*, T*, T*, double*, cudaStream_t);
GL_INSTANTIATE(float)
GL_INSTANTIATE(double)
#undef GL_INSTANTIATE

}  // namespace gl::cuda
