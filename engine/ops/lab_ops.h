// The operations lab code uses beyond the core set of ops.h: comparisons and
// selection, reductions with indices, index arrays, more pointwise functions,
// shape helpers, losses, and the hook for user-defined (custom) functions.
// Names and conventions follow PyTorch's (torch 1.13): gradients at ties and
// kinks are PyTorch's, documented at each op. Each op checks its arguments,
// computes through the Backend's lab primitives (compare, arith, select, math,
// arg_reduce, index_select, index_put) or composes other ops, and records its
// backward right under its forward (engine/ops/lab_*.cpp).
//
// dtypes: comparisons, where, maximum/minimum, clamp, index ops and the
// integer arithmetic take every dtype; everything differentiable needs
// float32/float64. Index tensors are int64 or int32.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/core/backend.h"
#include "engine/core/tensor.h"

namespace gl {

// ---- comparisons and selection (engine/ops/lab_compare.cpp) ------------------
// bool [broadcast(a, b)]; a and b share one dtype and device. Not differentiable.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor logical_and(const Tensor& a, const Tensor& b);  // nonzero is true; bool result
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
Tensor isnan(const Tensor& a);     // bool, a's shape
Tensor isfinite(const Tensor& a);  // bool, a's shape
// a op b on one dtype (not bool) with broadcasting, not differentiable: the
// integer arithmetic (+ - * // % on int32/int64; integer division by zero
// throws). Python's rules for // and % (PyTorch's floor_divide, remainder).
Tensor arith(ArithOp op, const Tensor& a, const Tensor& b);
Tensor floor_divide(const Tensor& a, const Tensor& b);
Tensor remainder(const Tensor& a, const Tensor& b);
// cond (bool) ? a : b, broadcast over all three; gradients flow to a where
// cond holds and to b elsewhere (summed back to their shapes).
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);
// Elementwise max/min with broadcasting; at ties each side gets half the
// gradient (PyTorch's rule); NaN propagates.
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
// Clamps into [lo, hi] (either bound optional, at least one given). Gradient 1
// where lo <= x <= hi (bounds included, PyTorch's clamp), else 0.
Tensor clamp(const Tensor& a, std::optional<double> lo, std::optional<double> hi);
// Tensor bounds (broadcast; either may be undefined): minimum(maximum(a, lo), hi).
Tensor clamp(const Tensor& a, const Tensor& lo, const Tensor& hi);
// The gradient 1 only strictly inside (lo, hi) (PyTorch's hardtanh).
Tensor hardtanh(const Tensor& a, double lo = -1.0, double hi = 1.0);

// ---- pointwise (engine/ops/lab_pointwise.cpp) ---------------------------------
Tensor abs(const Tensor& a);    // d = sign(x) (0 at 0); integers too (no gradient)
Tensor sign(const Tensor& a);   // gradient 0
Tensor floor(const Tensor& a);  // floor, ceil, round (half to even): gradient 0
Tensor ceil(const Tensor& a);
Tensor round(const Tensor& a);
Tensor sin(const Tensor& a);
Tensor cos(const Tensor& a);
Tensor tan(const Tensor& a);
Tensor log1p(const Tensor& a);
Tensor expm1(const Tensor& a);
Tensor exp2(const Tensor& a);
Tensor log2(const Tensor& a);
Tensor log10(const Tensor& a);
Tensor rsqrt(const Tensor& a);
// a^p; the gradient of a^0 is 0 everywhere (PyTorch's rule; gl::pow's kernel gives 0 * 0^-1 = NaN at 0).
Tensor pow_scalar(const Tensor& a, double p);
// a^b elementwise with broadcasting. d/da = b a^(b-1) (0 where b == 0);
// d/db = a^b log(a) (0 where a == 0 and b >= 0), PyTorch's rules.
Tensor pow(const Tensor& a, const Tensor& b);
// s^b for a number s (d/db = s^b log s).
Tensor rpow(double s, const Tensor& b);
Tensor leaky_relu(const Tensor& a, double negative_slope = 0.01);  // slope below and at 0
Tensor elu(const Tensor& a, double alpha = 1.0);
Tensor gelu(const Tensor& a, bool tanh_approximation = false);
Tensor silu(const Tensor& a);
Tensor softplus(const Tensor& a, double beta = 1.0, double threshold = 20.0);
// |a - b| <= atol + rtol |b| (NaN equal to NaN when equal_nan); bool, not differentiable.
Tensor isclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false);

// ---- reductions with indices (engine/ops/lab_reduce.cpp) ----------------------
struct ValuesIndices {
  Tensor values;   // a's dtype
  Tensor indices;  // int64: the position along dim of the first maximum/minimum
};
// Over one axis; the gradient goes to the selected entry (the first one at ties,
// PyTorch's max(dim)).
ValuesIndices max(const Tensor& a, int dim, bool keepdim = false);
ValuesIndices min(const Tensor& a, int dim, bool keepdim = false);
// Over all elements (0-d); at ties the gradient is shared evenly (PyTorch's max()).
Tensor max(const Tensor& a);
Tensor min(const Tensor& a);
// Over several axes (empty = all); ties share the gradient evenly (PyTorch's amax).
Tensor amax(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false);
Tensor amin(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false);
// int64 positions of the first maximum/minimum along dim, or of the flat
// array (0-d) without a dim.
Tensor argmax(const Tensor& a, std::optional<int> dim = std::nullopt, bool keepdim = false);
Tensor argmin(const Tensor& a, std::optional<int> dim = std::nullopt, bool keepdim = false);
// log(sum(exp(a))) over axes, computed as m + log(sum(exp(a - m))) with m the
// max (stable for large inputs; all -inf gives -inf). Gradient softmax(a) * g.
Tensor logsumexp(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false);
// Product over one axis (or all, as 0-d); exact gradients also with zeros.
Tensor prod(const Tensor& a, std::optional<int> dim = std::nullopt, bool keepdim = false);
// bool: any/all nonzero over axes (empty = all).
Tensor any(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false);
Tensor all(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false);
// Standard deviation, sqrt(var) (correction 1 by default, PyTorch's).
Tensor stddev(const Tensor& a, std::vector<int> axes = {}, bool keepdims = false, bool unbiased = true);
// p-norm over axes: p = 2 (gradient 0 at the zero vector), 1, inf, or any p > 0.
Tensor norm(const Tensor& a, double p = 2.0, std::vector<int> axes = {}, bool keepdims = false);
// Running sum along dim.
Tensor cumsum(const Tensor& a, int dim);

// ---- index arrays (engine/ops/lab_index.cpp) --------------------------------------
// a with axis `dim` replaced by idx's shape: out[..., j..., ...] = a[..., idx[j...], ...].
// idx int64/int32, every entry in [-n, n) (negative counts from the end).
// Gradient: scatter-add back (repeated indices add up).
Tensor take(const Tensor& a, int dim, const Tensor& idx);
// PyTorch's index_select: idx 1-D, entries in [0, n).
Tensor index_select(const Tensor& a, int dim, const Tensor& idx);
// In place, not differentiable: a[..., idx[j], ...] = values (broadcast to the
// selection's shape [a.shape[:dim], idx.shape, a.shape[dim+1:]]), or += with
// accumulate. Refuses a tensor that requires grad. Marks a modified.
void index_put_(Tensor& a, int dim, const Tensor& idx, const Tensor& values, bool accumulate = false);
// PyTorch's gather / scatter_add: index has a's rank; out[i][j] = a[index[i][j]][j] (dim 0).
Tensor gather(const Tensor& a, int dim, const Tensor& index);
Tensor scatter_add(const Tensor& a, int dim, const Tensor& index, const Tensor& src);
// int64 [..., num_classes] (num_classes = -1: max + 1).
Tensor one_hot(const Tensor& idx, std::int64_t num_classes = -1);
// int64 [count, rank]: the positions of the nonzero entries, row-major order (a host read).
Tensor nonzero(const Tensor& a);

// ---- shape (engine/ops/lab_shape.cpp) ------------------------------------------------
Tensor stack(const std::vector<Tensor>& parts, int dim = 0);
std::vector<Tensor> split(const Tensor& a, const std::vector<std::int64_t>& sizes, int dim = 0);
std::vector<Tensor> split(const Tensor& a, std::int64_t size, int dim = 0);
std::vector<Tensor> chunk(const Tensor& a, std::int64_t chunks, int dim = 0);
Tensor squeeze(const Tensor& a, std::optional<int> dim = std::nullopt);
Tensor unsqueeze(const Tensor& a, int dim);
Tensor flip(const Tensor& a, const std::vector<int>& dims);
// PyTorch's repeat: reps has at least a's rank (leading new dims); tile pads reps on the left instead.
Tensor repeat(const Tensor& a, const std::vector<std::int64_t>& reps);
Tensor tile(const Tensor& a, std::vector<std::int64_t> reps);
// PyTorch's F.pad: pads (lo, hi) pairs from the last dim backwards; negative widths crop.
Tensor pad(const Tensor& a, const std::vector<std::int64_t>& pads, double value = 0.0);
// numpy's matmul: 1-D operands (a vector is promoted, then its dim removed) and
// broadcast batch dims.
Tensor matmul_nd(const Tensor& a, const Tensor& b);
// Contractions such as "ij,jk->ik", "bij,bjk->bik", "i,i->", "ij->ji" (no repeated index within one operand).
Tensor einsum(const std::string& equation, const std::vector<Tensor>& operands);

// ---- convolution and pooling options (engine/ops/lab_conv.cpp) ---------------------------
// conv2d with groups, dilation and padding (h, w) or (left, right, top, bottom),
// negative widths crop. x [N, C, H, W], weight [K, C/groups, R, S], bias [K] or undefined.
Tensor conv2d_ex(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride_h,
                 std::int64_t stride_w, const std::vector<std::int64_t>& padding, std::int64_t dilation_h = 1,
                 std::int64_t dilation_w = 1, std::int64_t groups = 1);
// The transposed convolution (the adjoint of conv2d, PyTorch's conv_transpose2d):
// x [N, C, H, W], weight [C, K/groups, R, S] -> [N, K, Ho, Wo] with
// Ho = (H-1)*stride - 2*pad + dilation*(R-1) + output_padding + 1.
Tensor conv_transpose2d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride_h = 1,
                        std::int64_t stride_w = 1, std::int64_t pad_h = 0, std::int64_t pad_w = 0,
                        std::int64_t out_pad_h = 0, std::int64_t out_pad_w = 0, std::int64_t groups = 1,
                        std::int64_t dilation_h = 1, std::int64_t dilation_w = 1);
// x [N, C, L], weight [C, K/groups, S] -> [N, K, Lo].
Tensor conv_transpose1d(const Tensor& x, const Tensor& weight, const Tensor& bias, std::int64_t stride = 1,
                        std::int64_t padding = 0, std::int64_t output_padding = 0, std::int64_t groups = 1,
                        std::int64_t dilation = 1);
// Average pooling with an R x S window, (stride_h, stride_w) and zero padding counted
// in the divisor R*S (PyTorch's count_include_pad).
Tensor avg_pool2d_ex(const Tensor& x, std::int64_t R, std::int64_t S, std::int64_t stride_h, std::int64_t stride_w,
                     std::int64_t pad_h, std::int64_t pad_w);
// Max pooling with an R x S window, (stride_h, stride_w), padding (-inf) and ceil_mode.
Tensor max_pool2d_ex(const Tensor& x, std::int64_t R, std::int64_t S, std::int64_t stride_h, std::int64_t stride_w,
                     std::int64_t pad_h, std::int64_t pad_w, bool ceil_mode = false);

// ---- losses (engine/ops/lab_loss.cpp) ------------------------------------------------
enum class Reduction { none, mean, sum };
// logits [N, C] (or [N, C, d...]); target int [N] class indices, or float [N, C]
// probabilities. ignore_index drops rows (mean divides by the rows kept);
// label_smoothing mixes the target with the uniform distribution.
Tensor cross_entropy_ex(const Tensor& logits, const Tensor& target, Reduction reduction = Reduction::mean,
                        double label_smoothing = 0.0, std::int64_t ignore_index = -100);
// log-probabilities [N, C], int targets [N].
Tensor nll_loss(const Tensor& log_probs, const Tensor& target, Reduction reduction = Reduction::mean,
                std::int64_t ignore_index = -100);
// probabilities p in [0, 1]; log terms clamped at -100 (PyTorch's).
Tensor binary_cross_entropy(const Tensor& p, const Tensor& target, Reduction reduction = Reduction::mean);
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target,
                                        Reduction reduction = Reduction::mean);

// ---- user-defined functions (engine/ops/lab_function.cpp) ------------------------------
// The hook behind gradlab.autograd.Function: `output` was computed from `inputs`
// outside the graph (with grad mode off); records one node named `name` whose
// backward calls `backward(grad_output)`, which must return one gradient per
// input (undefined where none). Each returned gradient is checked against its
// input's shape, dtype and device, the error naming the function and the input.
using CustomBackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;
Tensor custom_function(const std::string& name, const std::vector<Tensor>& inputs, const Tensor& output,
                       CustomBackwardFn backward);

}  // namespace gl
