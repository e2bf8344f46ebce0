// The device interface below autograd. Ops (engine/ops/) check shapes, allocate
// outputs and record the graph; a Backend only computes. There is one Backend
// per Device, chosen at run time from the tensors' device, so one binary can
// run (and compare) the CPU reference and the CUDA implementation.
//
// Contract for every function:
// - All tensors are contiguous, row-major, on this backend's device and share
//   one floating dtype (f32 or f64) unless an argument says int32.
// - Outputs are allocated by the caller with the documented shape; the backend
//   overwrites every element (it never reads an output unless it says
//   "accumulates").
// - An undefined (default-constructed) output Tensor means "not needed".
// - Shape letters: N batch, C in-channels, K out-channels, H W input size,
//   Ho Wo output size, R kernel rows, S kernel columns.
//
// engine/cpu/ implements this with Eigen and OpenMP; cuda/ implements it with
// our kernels and cuBLAS and registers itself at start-up when a GPU exists.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/core/tensor.h"

namespace gl {

enum class UnaryOp { neg, exp, log, tanh, sigmoid, relu, sqrt, pow_scalar, mul_scalar, add_scalar };
enum class BinaryOp { add, sub, mul, div };
// The lab primitives (comparisons, selection, index arrays; engine/cpu/lab_*.cpp
// and cuda/lab_*.cu). CompareOp gives bool; logical_and/or read nonzero as true.
enum class CompareOp { eq, ne, lt, le, gt, ge, logical_and, logical_or };
// Same dtype in and out, every dtype but bool. floordiv and mod follow Python
// (floor of the quotient; the remainder has the divisor's sign); integer
// division by zero gives 0 (ops check for it first). maximum/minimum
// propagate NaN; pow is a^b.
enum class ArithOp { add, sub, mul, div, floordiv, mod, maximum, minimum, pow };
// out = op(a). isnan, isfinite and logical_not give bool; clamp keeps a in
// [s0, s1] (either may be an infinity); round is half to even (PyTorch's);
// sign(0) = 0. abs, sign, clamp, logical_not take integers too.
enum class MathOp { abs, sign, floor, ceil, round, sin, cos, tan, log1p, expm1, erf, isnan, isfinite,
                    logical_not, clamp };

// 2-D convolution (cross-correlation) geometry. Ho = (H + 2*pad_h - R) / stride_h + 1.
struct ConvGeom {
  std::int64_t N, C, H, W;   // input
  std::int64_t K, R, S;      // output channels, kernel rows, kernel columns
  std::int64_t stride_h, stride_w, pad_h, pad_w;
  std::int64_t Ho, Wo;       // output size
};

// 2-D pooling geometry (per channel). Padding counts as -inf for max pooling
// and as zeros for average pooling (divisor R*S, PyTorch's count_include_pad).
struct PoolGeom {
  std::int64_t N, C, H, W;
  std::int64_t R, S, stride_h, stride_w, pad_h, pad_w;
  std::int64_t Ho, Wo;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Device device() const = 0;
  virtual const char* name() const = 0;

  // ---- memory --------------------------------------------------------------
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void deallocate(void* ptr, std::size_t bytes) = 0;
  // Copies bytes between this device and the host (to_device: host -> device).
  virtual void copy_from_host(void* dst, const void* host_src, std::size_t bytes) = 0;
  virtual void copy_to_host(void* host_dst, const void* src, std::size_t bytes) = 0;
  virtual void copy(void* dst, const void* src, std::size_t bytes) = 0;  // same device
  virtual void synchronize() = 0;

  // ---- fill, convert, strided copy ----------------------------------------
  virtual void fill(Tensor& out, double value) = 0;  // any dtype
  virtual void convert(const Tensor& src, Tensor& dst) = 0;  // same numel, dtype changes
  // dst[dst_offset + sum_i idx_i * dst_strides[i]] (+)= src[src_offset + sum_i idx_i * src_strides[i]]
  // for every index idx of `shape`. Strides and offsets in elements; a stride
  // may be 0 (broadcast). Serves permute, slice, concat, expand and their
  // backward passes. accumulate = true adds into dst (dst strides must not alias).
  virtual void strided_copy(const Tensor& src, std::int64_t src_offset, const Strides& src_strides,
                            Tensor& dst, std::int64_t dst_offset, const Strides& dst_strides,
                            const Shape& shape, bool accumulate) = 0;

  // ---- elementwise -----------------------------------------------------------
  // out = op(a) elementwise; `scalar` is the exponent / factor / addend.
  virtual void unary(UnaryOp op, const Tensor& a, Tensor& out, double scalar) = 0;
  // grad_in = grad_out * d op(x)/dx, where y = op(x) was the forward output
  // (tanh, sigmoid and exp use y; relu, log, sqrt, pow use x; neg/mul/add use neither).
  virtual void unary_backward(UnaryOp op, const Tensor& x, const Tensor& y,
                              const Tensor& grad_out, Tensor& grad_in, double scalar) = 0;
  // out = a op b with NumPy broadcasting; out has the broadcast shape.
  virtual void binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  // out += alpha * a  (same shape). Gradient accumulation and optimizers.
  virtual void axpy(double alpha, const Tensor& a, Tensor& out) = 0;

  // ---- reductions ------------------------------------------------------------
  // Sums `in` down to out.shape(): out has in's rank and each dim is either
  // in's size (kept) or 1 (summed). Serves sum/mean over axes and the reverse
  // of broadcasting.
  virtual void reduce_sum(const Tensor& in, Tensor& out) = 0;

  // ---- linear algebra --------------------------------------------------------
  // C[b] = alpha * op(A[b]) * op(B[b]) + beta * C[b] for b < batch, row-major,
  // op(X) = X or X^T. A: [batch, M, K] (or [batch, K, M] when trans_a), B:
  // [batch, K, N] (or [batch, N, K]), C: [batch, M, N]. stride_a/stride_b = 0
  // reuse one matrix for every b. beta = 0 ignores C's old contents.
  virtual void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K,
                    double alpha, const Tensor& A, std::int64_t stride_a, const Tensor& B,
                    std::int64_t stride_b, double beta, Tensor& C, std::int64_t stride_c,
                    std::int64_t batch) = 0;

  // ---- convolution -------------------------------------------------------------
  // x [N,C,H,W] -> cols [N, C*R*S, Ho*Wo]; row (c*R + r)*S + s, column oh*Wo + ow
  // holds x[n, c, oh*stride_h - pad_h + r, ow*stride_w - pad_w + s] (0 outside).
  virtual void im2col(const Tensor& x, const ConvGeom& g, Tensor& cols) = 0;
  // The adjoint of im2col: dx [N,C,H,W] = sum of cols entries over the positions they came from.
  virtual void col2im(const Tensor& cols, const ConvGeom& g, Tensor& dx) = 0;
  // y [N,K,Ho,Wo] = conv(x [N,C,H,W], w [K,C,R,S]) + bias [K] (bias may be undefined).
  virtual void conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& bias,
                              const ConvGeom& g, Tensor& y) = 0;
  // Any of dx [N,C,H,W], dw [K,C,R,S], dbias [K] may be undefined (not needed).
  virtual void conv2d_backward(const Tensor& x, const Tensor& w, const Tensor& dy,
                               const ConvGeom& g, Tensor& dx, Tensor& dw, Tensor& dbias) = 0;

  // ---- batch normalization -------------------------------------------------------
  // x viewed as [N, C, L] (L = H*W, or 1 for [N, C]). Training: per-channel batch
  // mean and biased variance; y = (x - mean) * invstd * gamma + beta with
  // invstd = 1/sqrt(var + eps); saves mean [C] and invstd [C]; updates
  // running_mean = (1-momentum)*running_mean + momentum*mean and
  // running_var = (1-momentum)*running_var + momentum*var*M/(M-1), M = N*L
  // (PyTorch's convention). Running stats may be undefined (not tracked).
  virtual void batchnorm_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                       double eps, double momentum, Tensor& running_mean,
                                       Tensor& running_var, Tensor& y, Tensor& save_mean,
                                       Tensor& save_invstd) = 0;
  virtual void batchnorm_forward_eval(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                      const Tensor& running_mean, const Tensor& running_var,
                                      double eps, Tensor& y) = 0;
  // Gradients of the training-mode forward (batch statistics).
  virtual void batchnorm_backward(const Tensor& x, const Tensor& gamma, const Tensor& save_mean,
                                  const Tensor& save_invstd, const Tensor& dy, Tensor& dx,
                                  Tensor& dgamma, Tensor& dbeta) = 0;
  // Batch norm followed by relu, y = max(0, bn(x)), in training mode (the
  // pair every ResNet layer runs). The defaults compose the calls above; a
  // backend overrides them to make one pass over memory instead of three.
  virtual void batchnorm_relu_forward_train(const Tensor& x, const Tensor& gamma,
                                            const Tensor& beta, double eps, double momentum,
                                            Tensor& running_mean, Tensor& running_var, Tensor& y,
                                            Tensor& save_mean, Tensor& save_invstd);
  // Its gradients, given the forward output y: bn's backward of dy * (y > 0)
  // (y > 0 exactly where bn(x) > 0).
  virtual void batchnorm_relu_backward(const Tensor& x, const Tensor& gamma,
                                       const Tensor& save_mean, const Tensor& save_invstd,
                                       const Tensor& y, const Tensor& dy, Tensor& dx,
                                       Tensor& dgamma, Tensor& dbeta);
  // Batch norm, a residual added, then relu: y = max(0, bn(x) + residual), in
  // training mode (the end of a ResNet basic block). Backward: dz = dy * (y > 0)
  // is the residual's gradient (dresidual, when defined) and bn's output gradient.
  // The defaults compose the calls above.
  virtual void batchnorm_add_relu_forward_train(const Tensor& x, const Tensor& gamma,
                                                const Tensor& beta, const Tensor& residual,
                                                double eps, double momentum, Tensor& running_mean,
                                                Tensor& running_var, Tensor& y, Tensor& save_mean,
                                                Tensor& save_invstd);
  virtual void batchnorm_add_relu_backward(const Tensor& x, const Tensor& gamma,
                                           const Tensor& save_mean, const Tensor& save_invstd,
                                           const Tensor& y, const Tensor& dy, Tensor& dx,
                                           Tensor& dgamma, Tensor& dbeta, Tensor& dresidual);

  // ---- pooling -------------------------------------------------------------------
  // y [N,C,Ho,Wo]; argmax int32 [N,C,Ho,Wo] holds the flat h*W + w of each max.
  virtual void maxpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y, Tensor& argmax) = 0;
  virtual void maxpool2d_backward(const Tensor& dy, const Tensor& argmax, const PoolGeom& g,
                                  Tensor& dx) = 0;
  virtual void avgpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y) = 0;
  virtual void avgpool2d_backward(const Tensor& dy, const PoolGeom& g, Tensor& dx) = 0;

  // ---- softmax and loss ------------------------------------------------------------
  // Over the last axis of x viewed as [rows, cols]. log = true gives log-softmax.
  virtual void softmax_forward(const Tensor& x, Tensor& y, bool log) = 0;
  // dx from the forward output y and dy (log selects the log-softmax rule).
  virtual void softmax_backward(const Tensor& y, const Tensor& dy, Tensor& dx, bool log) = 0;
  // Mean cross-entropy of logits [N, K] against int32 labels [N] (each in [0, K)).
  // loss: one element; probs [N, K]: the softmax, saved for backward.
  virtual void cross_entropy_forward(const Tensor& logits, const Tensor& labels, Tensor& loss,
                                     Tensor& probs) = 0;
  // dlogits = grad_loss * (probs - onehot(labels)) / N; grad_loss has one element.
  virtual void cross_entropy_backward(const Tensor& probs, const Tensor& labels,
                                      const Tensor& grad_loss, Tensor& dlogits) = 0;

  // ---- optimizer ---------------------------------------------------------------------
  // PyTorch's SGD: g = grad + weight_decay * param; v = momentum * v + g;
  // step = nesterov ? g + momentum * v : v; param -= lr * step. With momentum 0,
  // velocity may be undefined. lr is a float64 one-element tensor on param's
  // device, read by the update itself: a captured CUDA graph replays the same
  // update while the schedule rewrites that one value between steps.
  virtual void sgd_update(Tensor& param, const Tensor& grad, Tensor& velocity, const Tensor& lr,
                          double momentum, double weight_decay, bool nesterov) = 0;

  // ---- training-loop helpers (so a step never waits on the host) --------------------
  // Builds an augmented, standardized batch on the device:
  //   dst[b] = standardize(flip_b(crop(zero_pad(src[i_b], pad), dy_b, dx_b)))
  // src [M, C, H, W] raw pixel values (0..255) as f32; plan int32 [B, 4] rows
  // (i_b, dy_b, dx_b, flip_b) with 0 <= dy, dx <= 2*pad (dy = dx = pad: no shift),
  // flip_b in {0, 1} (1: mirror left-right); dst [B, C, H, W].
  // per_image: (v - mean_img) / max(std_img, 1/sqrt(C*H*W)) (TensorFlow's
  // per_image_standardization, population std); otherwise
  // (v - channel_mean[c]) / channel_std[c] with channel_mean/std f32 [C].
  virtual void augment_batch(const Tensor& src, const Tensor& plan, std::int64_t pad,
                             bool per_image, const Tensor& channel_mean,
                             const Tensor& channel_std, Tensor& dst) = 0;
  // correct[0] += #rows r of logits [N, K] with argmax_k logits[r, k] == labels[r]
  // (first maximum wins); labels int32 [N]; correct has one element (accumulates).
  virtual void accumulate_correct(const Tensor& logits, const Tensor& labels, Tensor& correct) = 0;

  // ---- lab primitives (comparisons, selection, index arrays) ------------------------
  // out (bool, the broadcast shape) = a op b; a and b share any one dtype.
  virtual void compare(CompareOp op, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  // out = a op b with broadcasting; a, b, out share one dtype (not bool).
  virtual void arith(ArithOp op, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  // out = cond ? a : b with broadcasting of all three; cond bool, a/b/out one dtype.
  virtual void select(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) = 0;
  // out = op(a) elementwise (same numel); s0, s1: clamp's bounds.
  virtual void math(MathOp op, const Tensor& a, Tensor& out, double s0, double s1) = 0;
  // in viewed as [outer, n, inner] (n >= 1): for each (o, i) the position k of the
  // largest (is_min: smallest) in[o, k, i], the first one on ties, a NaN counting
  // as larger and smaller than everything (the first NaN wins, as PyTorch's).
  // indices int64 [outer * inner]; values [outer * inner] (in's dtype) may be undefined.
  virtual void arg_reduce(const Tensor& in, std::int64_t outer, std::int64_t n, std::int64_t inner,
                          bool is_min, Tensor& values, Tensor& indices) = 0;
  // out[o, j, i] = src[o, idx[j], i]; src viewed as [outer, n, inner], idx int64 [m]
  // with every entry in [0, n) (the ops check), out [outer, m, inner]. Any dtype.
  virtual void index_select(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner,
                            const Tensor& idx, Tensor& out) = 0;
  // The adjoint: out[o, idx[j], i] (+)= src[o, j, i]; out viewed as [outer, n, inner],
  // src [outer, m, inner]. accumulate adds repeated indices up (scatter-add);
  // otherwise one of the writes to a repeated index wins. Any dtype (accumulate: not bool).
  virtual void index_put(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner,
                         const Tensor& idx, Tensor& out, bool accumulate) = 0;
};

// The backend for a device. Throws a clear error for cuda when the binary was
// built without CUDA or no GPU is present.
Backend& backend(Device device);
// Backend of the tensors' common device; throws naming `op` when they differ.
Backend& backend_of(const char* op, std::initializer_list<const Tensor*> tensors);
// Used by cuda/ at start-up.
void register_backend(Device device, Backend* backend);
// Backend::sgd_update's learning rate: float64, one element, on param's device.
void check_lr_tensor(const char* op, const Tensor& lr, const Tensor& param);
bool device_available(Device device);

// Threads used by the CPU backend (Eigen and OpenMP); 0 = OMP_NUM_THREADS or all cores.
void set_num_threads(int n);
int num_threads();

}  // namespace gl
