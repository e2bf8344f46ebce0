// The plain C++ interface between the CudaBackend (.cpp, engine types, fmt)
// and the kernels (.cu, no fmt / Eigen). Pointers are device pointers to the
// first element; sizes are element counts (int64: tensors may exceed 2^31
// elements). Every launcher queues work on `stream` and returns at once; a bad
// launch throws gl::Error through GL_CUDA_CHECK_LAUNCH.
//
// Templates are instantiated for float and double in the .cu files (and int32,
// int64, bool where noted).
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>

#include "engine/core/backend.h"  // ConvGeom, PoolGeom, UnaryOp, BinaryOp (no fmt)

namespace gl::cuda {

using i64 = std::int64_t;
inline constexpr int kMaxDims = 8;

// ---- fill_convert.cu (T, S, D also int32) ---------------------------------------
template <class T> void launch_fill(T* out, i64 n, T value, cudaStream_t stream);
template <class S, class D> void launch_convert(const S* src, D* dst, i64 n, cudaStream_t stream);

// ---- strided_copy.cu (T also int32) ----------------------------------------------
// dst[idx . dst] (+)= src[idx . src] over every idx of shape[0..rank).
struct StridedIndex {
  int rank = 0;
  i64 shape[kMaxDims] = {}, src[kMaxDims] = {}, dst[kMaxDims] = {};
};
template <class T>
void launch_strided_copy(const T* src, T* dst, const StridedIndex& index, bool accumulate,
                         cudaStream_t stream);

// ---- elementwise.cu ---------------------------------------------------------------
template <class T>
void launch_unary(UnaryOp op, const T* a, T* out, i64 n, T scalar, cudaStream_t stream);
template <class T>
void launch_unary_backward(UnaryOp op, const T* x, const T* y, const T* grad_out, T* grad_in,
                           i64 n, T scalar, cudaStream_t stream);
// out[i] = a[i . a] op b[i . b] with i an index of out's shape; strides 0 broadcast.
struct BroadcastIndex {
  int rank = 0;
  i64 shape[kMaxDims] = {}, a[kMaxDims] = {}, b[kMaxDims] = {};
};
// index == nullptr: a, b and out all have n elements (no broadcasting).
template <class T>
void launch_binary(BinaryOp op, const T* a, const T* b, T* out, i64 n, const BroadcastIndex* index,
                   cudaStream_t stream);
template <class T> void launch_axpy(T alpha, const T* a, T* out, i64 n, cudaStream_t stream);

// ---- reduce.cu --------------------------------------------------------------------
// out[o] = sum over r of in[o . out_stride + r . red_stride], o over the kept
// dims (row-major, giving out's flat index), r over the summed dims.
struct ReduceIndex {
  int out_rank = 0, red_rank = 0;
  i64 out_shape[kMaxDims] = {}, out_stride[kMaxDims] = {};
  i64 red_shape[kMaxDims] = {}, red_stride[kMaxDims] = {};
  i64 n_out = 1, n_red = 1;
};
template <class T> void launch_reduce_sum(const T* in, T* out, const ReduceIndex& index, cudaStream_t stream);

// ---- conv.cu ------------------------------------------------------------------------
// im2col / col2im for `images` images starting at x / dx (cols holds
// [images, C*R*S, Ho*Wo]); g.N is ignored.
template <class T> void launch_im2col(const T* x, const ConvGeom& g, i64 images, T* cols, cudaStream_t stream);
template <class T> void launch_col2im(const T* cols, const ConvGeom& g, i64 images, T* dx, cudaStream_t stream);
// y [N, K, L] += bias[k].
template <class T> void launch_add_channel_bias(T* y, const T* bias, i64 N, i64 K, i64 L, cudaStream_t stream);

// ---- batchnorm.cu -------------------------------------------------------------------
// x viewed as [N, C, L]. The workspace holds per-block partial sums and the
// per-channel statistics: bn_workspace_doubles(...) doubles.
i64 bn_workspace_doubles(i64 N, i64 C, i64 L);
struct BnTrainArgs {
  i64 N = 0, C = 0, L = 0;
  double eps = 0, momentum = 0;
};
// gamma/beta may be null (1 and 0); running stats, save_mean, save_invstd may be null.
template <class T>
void launch_bn_forward_train(const T* x, const T* gamma, const T* beta, const BnTrainArgs& a,
                             T* running_mean, T* running_var, T* y, T* save_mean, T* save_invstd,
                             double* workspace, cudaStream_t stream);
template <class T>
void launch_bn_forward_eval(const T* x, const T* gamma, const T* beta, const T* running_mean,
                            const T* running_var, i64 N, i64 C, i64 L, double eps, T* y,
                            cudaStream_t stream);
// dx, dgamma, dbeta may be null (not needed).
template <class T>
void launch_bn_backward(const T* x, const T* gamma, const T* save_mean, const T* save_invstd,
                        const T* dy, i64 N, i64 C, i64 L, T* dx, T* dgamma, T* dbeta,
                        double* workspace, cudaStream_t stream);

// ---- pool.cu ------------------------------------------------------------------------
// argmax may be null in the forward (not needed).
template <class T>
void launch_maxpool_forward(const T* x, const PoolGeom& g, T* y, std::int32_t* argmax, cudaStream_t stream);
template <class T>
void launch_maxpool_backward(const T* dy, const std::int32_t* argmax, const PoolGeom& g, T* dx, cudaStream_t stream);
template <class T> void launch_avgpool_forward(const T* x, const PoolGeom& g, T* y, cudaStream_t stream);
template <class T> void launch_avgpool_backward(const T* dy, const PoolGeom& g, T* dx, cudaStream_t stream);

// ---- softmax.cu ---------------------------------------------------------------------
template <class T>
void launch_softmax_forward(const T* x, T* y, i64 rows, i64 cols, bool log, cudaStream_t stream);
template <class T>
void launch_softmax_backward(const T* y, const T* dy, T* dx, i64 rows, i64 cols, bool log, cudaStream_t stream);
// loss[0] = mean over rows of -log softmax(logits)[label]; probs (may be null)
// gets the softmax. row_loss: scratch of N doubles. A label outside [0, K)
// makes the loss NaN (the kernel cannot throw).
template <class T>
void launch_cross_entropy_forward(const T* logits, const std::int32_t* labels, i64 N, i64 K, T* loss,
                                  T* probs, double* row_loss, cudaStream_t stream);
template <class T>
void launch_cross_entropy_backward(const T* probs, const std::int32_t* labels, const T* grad_loss,
                                   i64 N, i64 K, T* dlogits, cudaStream_t stream);

// ---- training.cu --------------------------------------------------------------------
// velocity may be null when momentum == 0; lr points to one double on the device.
template <class T>
void launch_sgd_update(T* param, const T* grad, T* velocity, i64 n, const double* lr, T momentum,
                       T weight_decay, bool nesterov, cudaStream_t stream);
// src [M, C, H, W] float; plan int32 [B, 4]; dst [B, C, H, W]. An image index
// outside [0, M) fills that image with NaN (the kernel cannot throw).
template <class T>
void launch_augment_batch(const float* src, i64 M, const std::int32_t* plan, i64 B, i64 C, i64 H,
                          i64 W, i64 pad, bool per_image, const float* channel_mean,
                          const float* channel_std, T* dst, cudaStream_t stream);
// correct[0] += number of rows whose first maximum is at labels[row]. C: float, double or int32.
template <class T, class C>
void launch_accumulate_correct(const T* logits, const std::int32_t* labels, i64 N, i64 K, C* correct,
                               cudaStream_t stream);


// ---- lab_elementwise.cu (every dtype; arith: not bool) -------------------------------
// Up to three operands read at broadcast strides (0 along broadcast dims) inside
// an output of shape[0..rank); size-1 dims already dropped.
struct LabIndex {
  int rank = 0;
  i64 shape[kMaxDims] = {}, s[3][kMaxDims] = {};
};
template <class T>
void launch_lab_compare(CompareOp op, const T* a, const T* b, bool* out, i64 n, const LabIndex& index,
                        cudaStream_t stream);
template <class T>
void launch_lab_arith(ArithOp op, const T* a, const T* b, T* out, i64 n, const LabIndex& index, cudaStream_t stream);
template <class T>
void launch_lab_select(const bool* cond, const T* a, const T* b, T* out, i64 n, const LabIndex& index,
                       cudaStream_t stream);
// Exactly one of out (same dtype) and out_bool (isnan, isfinite, logical_not) is set.
template <class T>
void launch_lab_math(MathOp op, const T* a, T* out, bool* out_bool, i64 n, double s0, double s1, cudaStream_t stream);

// ---- lab_index.cu (every dtype; index_put with accumulate: not bool) ------------------
template <class T>
void launch_arg_reduce(const T* in, i64 outer, i64 n, i64 inner, bool is_min, T* values, std::int64_t* indices,
                       cudaStream_t stream);
template <class T>
void launch_index_select(const T* src, i64 outer, i64 n, i64 inner, const std::int64_t* idx, i64 m, T* out,
                         cudaStream_t stream);
template <class T>
void launch_index_put(const T* src, i64 outer, i64 n, i64 inner, const std::int64_t* idx, i64 m, T* out,
                      bool accumulate, cudaStream_t stream);

// ---- lab_dtypes.cu: the int64 and bool cases of the older launchers ------------------
template <>
void launch_strided_copy<bool>(const bool* src, bool* dst, const StridedIndex& index, bool accumulate,
                               cudaStream_t stream);
template <>
void launch_strided_copy<std::int64_t>(const std::int64_t* src, std::int64_t* dst, const StridedIndex& index,
                                       bool accumulate, cudaStream_t stream);
template <>
void launch_accumulate_correct<float, std::int64_t>(const float*, const std::int32_t*, i64, i64, std::int64_t*,
                                                    cudaStream_t);
template <>
void launch_accumulate_correct<double, std::int64_t>(const double*, const std::int32_t*, i64, i64, std::int64_t*,
                                                     cudaStream_t);
template <>
void launch_accumulate_correct<float, bool>(const float*, const std::int32_t*, i64, i64, bool*, cudaStream_t);
template <>
void launch_accumulate_correct<double, bool>(const double*, const std::int32_t*, i64, i64, bool*, cudaStream_t);

}  // namespace gl::cuda
