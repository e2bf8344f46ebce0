// Every differentiable op of the engine. Each op checks its arguments (throwing
// gl::Error with the op name and the shapes), computes through the device's
// Backend and records its backward (see engine/ops/*.cpp: the backward sits
// right under the forward). All inputs must share one device and one dtype.
#pragma once
#include <cstdint>
#include <vector>

#include "engine/core/tensor.h"

namespace gl {

// ---- elementwise, NumPy broadcasting (engine/ops/elementwise.cpp) -----------
Tensor add(const Tensor& a, const Tensor& b);
Tensor sub(const Tensor& a, const Tensor& b);
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add_scalar(const Tensor& a, double s);
Tensor mul_scalar(const Tensor& a, double s);
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor pow(const Tensor& a, double exponent);
Tensor tanh(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor relu(const Tensor& a);

Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator+(const Tensor& a, double s);
Tensor operator+(double s, const Tensor& a);
Tensor operator-(const Tensor& a, double s);
Tensor operator-(double s, const Tensor& a);
Tensor operator*(const Tensor& a, double s);
Tensor operator*(double s, const Tensor& a);
Tensor operator/(const Tensor& a, double s);

// ---- reductions (engine/ops/reduce.cpp) ---------------------------------------
// Empty `axes` means all axes. keepdims keeps reduced axes as size 1.
Tensor sum(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false);
Tensor mean(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false);
// Biased (divide by M) or unbiased (M - 1) variance over axes.
Tensor var(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false, bool unbiased = false);
// Sums a broadcast result back to `shape` (the reverse of broadcasting).
Tensor sum_to(const Tensor& a, const Shape& shape);

// ---- shape (engine/ops/shape_ops.cpp) -------------------------------------------
Tensor reshape(const Tensor& a, const Shape& shape);  // one dim may be -1; shares storage
Tensor flatten(const Tensor& a, int start_axis = 1);  // [N, ...] -> [N, prod(...)]
Tensor permute(const Tensor& a, const std::vector<int>& order);
Tensor transpose(const Tensor& a, int axis0 = -2, int axis1 = -1);
// Elements start, start+step, ... < end along axis (negative start/end count from the end).
Tensor slice(const Tensor& a, int axis, std::int64_t start, std::int64_t end, std::int64_t step = 1);
Tensor concat(const std::vector<Tensor>& parts, int axis);
Tensor expand(const Tensor& a, const Shape& shape);  // broadcast to shape (copies)
Tensor pad2d(const Tensor& a, std::int64_t pad_h, std::int64_t pad_w);  // zero-pads [.., H, W]

// ---- linear algebra (engine/ops/linalg.cpp) ---------------------------------------
// [M,K] x [K,N] -> [M,N]; [B,M,K] x [B,K,N] -> [B,M,N]; [B,M,K] x [K,N] -> [B,M,N].
Tensor matmul(const Tensor& a, const Tensor& b);
// x [N, in], weight [out, in], bias [out] (may be undefined) -> [N, out] = x W^T + b.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor());

// ---- convolution (engine/ops/conv.cpp) -------------------------------------------
// x [N,C,H,W], weight [K,C,R,S], bias [K] or undefined -> [N,K,Ho,Wo].
// Cross-correlation computed as im2col + GEMM; input gradient through col2im.
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              std::int64_t stride = 1, std::int64_t padding = 0);
Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride_h,
              std::int64_t stride_w, std::int64_t pad_h, std::int64_t pad_w);
// x [N,C,L], weight [K,C,S], bias [K] or undefined -> [N,K,Lo]; a conv2d with H = 1.
Tensor conv1d(const Tensor& x, const Tensor& weight, const Tensor& bias = Tensor(),
              std::int64_t stride = 1, std::int64_t padding = 0);
// The unrolled input: x [N,C,H,W] -> [N, C*R*S, Ho*Wo] (differentiable; backward is col2im).
Tensor im2col(const Tensor& x, std::int64_t R, std::int64_t S, std::int64_t stride = 1,
              std::int64_t padding = 0);

// ---- explicit convolution matrices (engine/ops/conv_matrix.cpp) -------------------
// The Toeplitz / unrolled matrix A of a convolution with fixed weights, so that
// vec(y) = A vec(x) for ONE example: x [C, L] flattened row-major (channel by
// channel), y [K, Lo] likewise. weight [K, C, S] -> A [K*Lo, C*L].
// Differentiable in weight (A's entries are copies of weights).
Tensor conv1d_matrix(const Tensor& weight, std::int64_t length, std::int64_t stride = 1,
                     std::int64_t padding = 0);
// weight [K, C, R, S], input C x H x W -> A [K*Ho*Wo, C*H*W].
Tensor conv2d_matrix(const Tensor& weight, std::int64_t H, std::int64_t W, std::int64_t stride = 1,
                     std::int64_t padding = 0);

// ---- normalization (engine/ops/batchnorm.cpp) -------------------------------------
// x [N, C] or [N, C, H, W]; gamma, beta [C]; running_mean, running_var [C]
// (updated in place in training mode; may be undefined in training mode).
// momentum follows PyTorch: running = (1 - momentum) * running + momentum * batch.
Tensor batch_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor running_mean,
                  Tensor running_var, bool training, double momentum = 0.1, double eps = 1e-5);
// relu(batch_norm(...)) as one op (one graph node, "batch_norm_relu"): the same
// values and gradients, one pass over memory in training instead of three.
Tensor batch_norm_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta, Tensor running_mean,
                       Tensor running_var, bool training, double momentum = 0.1, double eps = 1e-5);
// relu(batch_norm(x) + residual) as one op ("batch_norm_add_relu"), the end of
// a ResNet basic block: residual is [N, C, ...] like x; one pass in training.
Tensor batch_norm_add_relu(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& residual,
                           Tensor running_mean, Tensor running_var, bool training, double momentum = 0.1,
                           double eps = 1e-5);

// ---- pooling (engine/ops/pool.cpp) -------------------------------------------------
Tensor max_pool2d(const Tensor& x, std::int64_t kernel, std::int64_t stride = 0,
                  std::int64_t padding = 0);  // stride 0 means stride = kernel
Tensor avg_pool2d(const Tensor& x, std::int64_t kernel, std::int64_t stride = 0,
                  std::int64_t padding = 0);
Tensor global_avg_pool2d(const Tensor& x);  // [N,C,H,W] -> [N,C]

// ---- softmax and losses (engine/ops/loss.cpp) ---------------------------------------
Tensor softmax(const Tensor& x);      // over the last axis
Tensor log_softmax(const Tensor& x);  // over the last axis
// logits [N, K], labels int32 [N] -> mean cross-entropy (one element).
Tensor cross_entropy(const Tensor& logits, const Tensor& labels);
// mean((a - b)^2) over all elements (one element).
Tensor mse_loss(const Tensor& prediction, const Tensor& target);

// ---- not differentiable ---------------------------------------------------------------
// counter[0] += number of rows of logits [N, K] whose argmax equals labels (int32 [N]).
// Stays on the device: read counter once per epoch.
void count_correct(const Tensor& logits, const Tensor& labels, Tensor& counter);

}  // namespace gl

// The lab operations (comparisons, max/argmax, index arrays, losses, custom functions).
#include "engine/ops/lab_ops.h"  // IWYU pragma: export
