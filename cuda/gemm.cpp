// GEMM through cuBLAS, and reduce_sum. cuBLAS is column-major; a row-major
// matrix X [r, c] is the column-major X^T, so C = op(A) op(B) (row-major) is
// computed as C^T = op(B)^T op(A)^T: swap the operands and M with N, keep the
// transposition flags, leading dimension = the row-major row length.
#include <climits>

#include "cuda/check.h"
#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/gemm.h"

namespace gl::cuda {

namespace {

cublasStatus_t gemm_call(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                         const float* alpha, const float* A, int lda, long long sa, const float* B, int ldb,
                         long long sb, const float* beta, float* C, int ldc, long long sc, int batch) {
  if (batch == 1) return cublasSgemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  return cublasSgemmStridedBatched(h, ta, tb, m, n, k, alpha, A, lda, sa, B, ldb, sb, beta, C, ldc, sc, batch);
}
cublasStatus_t gemm_call(cublasHandle_t h, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
                         const double* alpha, const double* A, int lda, long long sa, const double* B, int ldb,
                         long long sb, const double* beta, double* C, int ldc, long long sc, int batch) {
  if (batch == 1) return cublasDgemm(h, ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
  return cublasDgemmStridedBatched(h, ta, tb, m, n, k, alpha, A, lda, sa, B, ldb, sb, beta, C, ldc, sc, batch);
}

// The handle's math mode follows set_tf32 (float GEMMs only; double ignores it).
void apply_math_mode(Context& ctx) {
  if (ctx.cublas_tf32 == ctx.tf32) return;
  GL_CUBLAS_CHECK(cublasSetMathMode(ctx.cublas, ctx.tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH));
  ctx.cublas_tf32 = ctx.tf32;
}

bool fits_int(i64 v) { return v >= 0 && v <= INT_MAX; }

}  // namespace

template <class T>
void gemm_strided(bool trans_a, bool trans_b, i64 M, i64 N, i64 K, T alpha, const T* A, i64 stride_a,
                  const T* B, i64 stride_b, T beta, T* C, i64 stride_c, i64 batch) {
  if (M == 0 || N == 0 || batch == 0) return;
  if (K == 0) {  // C = beta C; beta = 0 must not read C (it may hold NaN)
    for (i64 b = 0; b < batch; ++b) {
      T* c = C + b * stride_c;
      if (beta == T(0)) {
        launch_fill<T>(c, M * N, T(0), stream());
      } else {
        launch_unary<T>(UnaryOp::mul_scalar, c, c, M * N, beta, stream());
      }
    }
    return;
  }
  const i64 lda = trans_a ? M : K, ldb = trans_b ? K : N;
  GL_CHECK(fits_int(M) && fits_int(N) && fits_int(K) && fits_int(lda) && fits_int(ldb) && fits_int(batch),
           "gemm (cuda): M={} N={} K={} batch={} exceed cuBLAS's int range; split the product", M, N, K,
           batch);
  Context& ctx = context();
  apply_math_mode(ctx);
  const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  GL_CUBLAS_CHECK(gemm_call(ctx.cublas, op_b, op_a, static_cast<int>(N), static_cast<int>(M), static_cast<int>(K),
                            &alpha, B, static_cast<int>(ldb), stride_b, A, static_cast<int>(lda), stride_a, &beta,
                            C, static_cast<int>(N), stride_c, static_cast<int>(batch)));
}

template void gemm_strided<float>(bool, bool, i64, i64, i64, float, const float*, i64, const float*, i64, float,
                                  float*, i64, i64);
template void gemm_strided<double>(bool, bool, i64, i64, i64, double, const double*, i64, const double*, i64,
                                   double, double*, i64, i64);

ReduceIndex reduce_plan(const Shape& in, const Shape& out) {
  // Drop size-1 input dims; merge neighbours that are both kept or both summed.
  const Strides in_st = contiguous_strides(in);
  Shape shape;
  Strides stride;
  std::vector<bool> kept;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == 1) continue;
    const bool keep = out[i] != 1;
    if (!shape.empty() && kept.back() == keep) {
      shape.back() *= in[i];
      stride.back() = in_st[i];
      continue;
    }
    shape.push_back(in[i]);
    stride.push_back(in_st[i]);
    kept.push_back(keep);
  }
  ReduceIndex ix;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    int& rank = kept[i] ? ix.out_rank : ix.red_rank;
    GL_CHECK(rank < kMaxDims, "reduce_sum (cuda): {} -> {} alternates kept and summed dims too often",
             shape_str(in), shape_str(out));
    if (kept[i]) {
      ix.out_shape[rank] = shape[i];
      ix.out_stride[rank] = stride[i];
      ix.n_out *= shape[i];
    } else {
      ix.red_shape[rank] = shape[i];
      ix.red_stride[rank] = stride[i];
      ix.n_red *= shape[i];
    }
    ++rank;
  }
  return ix;
}

void CudaBackend::reduce_sum(const Tensor& in, Tensor& out) {
  GL_CHECK(in.dim() == out.dim() && in.dtype() == out.dtype(),
           "reduce_sum (cuda): out {} must have the rank and dtype of in {}", describe(out), describe(in));
  for (int d = 0; d < in.dim(); ++d) {
    GL_CHECK(out.size(d) == in.size(d) || out.size(d) == 1,
             "reduce_sum (cuda): out {} must keep or sum (size 1) each dim of in {}", describe(out), describe(in));
  }
  if (out.numel() == 0) return;
  const ReduceIndex plan = reduce_plan(in.shape(), out.shape());
  dispatch_float(in.dtype(), "reduce_sum", [&](auto tag) {
    using T = decltype(tag);
    launch_reduce_sum<T>(dptr<T>(in), dptr<T>(out), plan, stream());
  });
}

void CudaBackend::gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, double alpha,
                       const Tensor& A, std::int64_t stride_a, const Tensor& B, std::int64_t stride_b, double beta,
                       Tensor& C, std::int64_t stride_c, std::int64_t batch) {
  GL_CHECK(A.dtype() == B.dtype() && A.dtype() == C.dtype(), "gemm (cuda): dtypes differ: A {}, B {}, C {}",
           describe(A), describe(B), describe(C));
  dispatch_float(C.dtype(), "gemm", [&](auto tag) {
    using T = decltype(tag);
    gemm_strided<T>(trans_a, trans_b, M, N, K, static_cast<T>(alpha), dptr<T>(A), stride_a, dptr<T>(B), stride_b,
                    static_cast<T>(beta), dptr<T>(C), stride_c, batch);
  });
}

}  // namespace gl::cuda
