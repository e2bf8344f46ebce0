// matmul and linear through the backend's (strided, batched) GEMM.
#include "engine/ops/op_util.h"
#include "engine/ops/ops.h"

namespace gl {
using namespace detail;

namespace {
// C = op(A) op(B) for A [batch?, ...], B [batch?, ...]; stride 0 reuses one matrix.
Tensor gemm_out(const Tensor& A, std::int64_t sa, bool ta, const Tensor& B, std::int64_t sb, bool tb,
                std::int64_t M, std::int64_t N, std::int64_t K, std::int64_t batch, const Shape& out_shape) {
  Tensor C = empty_like_shape(A, out_shape);
  backend(A.device()).gemm(ta, tb, M, N, K, 1.0, A, sa, B, sb, 0.0, C, M * N, batch);
  return C;
}
}  // namespace

// a [M,K] x b [K,N]; a [B,M,K] x b [B,K,N]; a [B,M,K] x b [K,N].
// Backward: da = g b^T, db = a^T g (summed over the batch when b is shared).
Tensor matmul(const Tensor& a, const Tensor& b) {
  require_compatible("matmul", {&a, &b});
  GL_CHECK((a.dim() == 2 && b.dim() == 2) || (a.dim() == 3 && (b.dim() == 3 || b.dim() == 2)),
           "matmul: supports [M,K]x[K,N], [B,M,K]x[B,K,N] and [B,M,K]x[K,N]; got {} x {}",
           shape_str(a.shape()), shape_str(b.shape()));
  const std::int64_t K = a.size(-1), M = a.size(-2), N = b.size(-1);
  GL_CHECK(b.size(-2) == K, "matmul: inner dimensions differ: a is {}, b is {} (need a.shape[-1] == b.shape[-2])",
           shape_str(a.shape()), shape_str(b.shape()));
  if (a.dim() == 3 && b.dim() == 3)
    GL_CHECK(a.size(0) == b.size(0), "matmul: batch sizes differ: a is {}, b is {}", shape_str(a.shape()),
             shape_str(b.shape()));
  const std::int64_t batch = a.dim() == 3 ? a.size(0) : 1;
  const bool shared_b = b.dim() == 2;
  Shape out_shape = a.dim() == 3 ? Shape{batch, M, N} : Shape{M, N};
  // With a shared b, [B,M,K] x [K,N] is one [B*M,K] x [K,N] GEMM.
  Tensor out = shared_b ? gemm_out(a, 0, false, b, 0, false, batch * M, N, K, 1, out_shape)
                        : gemm_out(a, M * K, false, b, K * N, false, M, N, K, batch, out_shape);
  const bool ga = needs_grad(a), gb = needs_grad(b);
  if (!ga && !gb) return out;
  // da reads b and db reads a.
  const SavedTensor sa = gb ? SavedTensor(a, "matmul") : SavedTensor(), sb = ga ? SavedTensor(b, "matmul") : SavedTensor();
  return record(out, "matmul", {a, b}, [=, as = a.shape(), bs = b.shape()](const Tensor& g) {
    Tensor da, db;
    const Tensor& a = sa.get();
    const Tensor& b = sb.get();
    if (ga)  // [.., M, N] x [.., K, N]^T
      da = shared_b ? gemm_out(g, 0, false, b, 0, true, batch * M, K, N, 1, as)
                    : gemm_out(g, M * N, false, b, K * N, true, M, K, N, batch, as);
    if (gb)  // [.., M, K]^T x [.., M, N]
      db = shared_b ? gemm_out(a, 0, true, g, 0, false, K, N, batch * M, 1, bs)
                    : gemm_out(a, M * K, true, g, M * N, false, K, N, M, batch, bs);
    return std::vector<Tensor>{da, db};
  });
}

// y [N,out] = x [N,in] W^T [in,out] + b.  dx = g W, dW = g^T x, db = sum_rows g.
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  require_compatible("linear", {&x, &weight, &bias});
  GL_CHECK(x.dim() == 2 && weight.dim() == 2 && x.size(1) == weight.size(1),
           "linear: x must be [N, in] and weight [out, in]; got x {} and weight {}", shape_str(x.shape()),
           shape_str(weight.shape()));
  const std::int64_t N = x.size(0), in = x.size(1), out = weight.size(0);
  if (bias.defined())
    GL_CHECK(bias.shape() == Shape{out}, "linear: bias must be [{}], got {}", out, shape_str(bias.shape()));
  Tensor y = gemm_out(x, 0, false, weight, 0, true, N, out, in, 1, {N, out});
  if (bias.defined()) backend(y.device()).binary(BinaryOp::add, y, bias, y);
  const bool gx = needs_grad(x), gw = needs_grad(weight), gbias = needs_grad(bias);
  if (!gx && !gw && !gbias) return y;
  // dx reads the weight and dW reads x.
  const SavedTensor sx = gw ? SavedTensor(x, "linear") : SavedTensor(), sw = gx ? SavedTensor(weight, "linear") : SavedTensor();
  return record(y, "linear", {x, weight, bias}, [=, xs = x.shape(), ws = weight.shape()](const Tensor& g) {
    return std::vector<Tensor>{gx ? gemm_out(g, 0, false, sw.get(), 0, false, N, in, out, 1, xs) : Tensor(),
                               gw ? gemm_out(g, 0, true, sx.get(), 0, false, out, in, N, 1, ws) : Tensor(),
                               gbias ? sum_to(g, {out}) : Tensor()};
  });
}

}  // namespace gl
