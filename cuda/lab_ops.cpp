// The lab primitives on the GPU (engine/core/backend.h): argument checks and
// index plans on the host, kernels in lab_elementwise.cu and lab_index.cu.
#include <type_traits>

#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/launchers.h"
#include "engine/cpu/lab_scalar.h"

namespace gl::cuda {

namespace {

// Broadcast strides of up to three operands inside `out`, size-1 dims dropped.
LabIndex lab_plan(const char* op, const Shape& out, std::initializer_list<const Tensor*> ins) {
  Strides s[3];
  int k = 0;
  for (const Tensor* t : ins) s[k++] = broadcast_strides(t->shape(), out);
  for (; k < 3; ++k) s[k] = Strides(out.size(), 0);
  LabIndex p;
  for (std::size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    GL_CHECK(p.rank < kMaxDims, "{} (cuda): output {} has more than {} dims of size > 1; reshape to fewer dims", op,
             shape_str(out), kMaxDims);
    p.shape[p.rank] = out[d];
    for (int j = 0; j < 3; ++j) p.s[j][p.rank] = s[j][d];
    ++p.rank;
  }
  return p;
}

void check_out(const char* op, const Shape& expected, const Tensor& out) {
  GL_CHECK(out.shape() == expected, "{} (cuda): out is {} but the operands broadcast to {}", op, describe(out),
           shape_str(expected));
}

}  // namespace

void CudaBackend::compare(CompareOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  check_on_cuda("compare", {&a, &b, &out});
  check_out("compare", broadcast_shapes(a.shape(), b.shape(), "compare"), out);
  GL_CHECK(a.dtype() == b.dtype() && out.dtype() == DType::b8, "compare (cuda): got {}, {} -> {}", describe(a),
           describe(b), describe(out));
  const LabIndex plan = lab_plan("compare", out.shape(), {&a, &b});
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_lab_compare<T>(op, dptr<T>(a), dptr<T>(b), dptr<bool>(out), out.numel(), plan, stream());
  });
}

void CudaBackend::arith(ArithOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  check_on_cuda("arith", {&a, &b, &out});
  check_out("arith", broadcast_shapes(a.shape(), b.shape(), "arith"), out);
  GL_CHECK(a.dtype() == b.dtype() && out.dtype() == a.dtype() && a.dtype() != DType::b8,
           "arith (cuda): got {}, {} -> {} (one dtype, not bool)", describe(a), describe(b), describe(out));
  const LabIndex plan = lab_plan("arith", out.shape(), {&a, &b});
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>)
      launch_lab_arith<T>(op, dptr<T>(a), dptr<T>(b), dptr<T>(out), out.numel(), plan, stream());
  });
}

void CudaBackend::select(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) {
  check_on_cuda("select", {&cond, &a, &b, &out});
  check_out("select", broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape(), "select"), "select"),
            out);
  GL_CHECK(cond.dtype() == DType::b8 && a.dtype() == b.dtype() && out.dtype() == a.dtype(),
           "select (cuda): got cond {}, {}, {} -> {}", describe(cond), describe(a), describe(b), describe(out));
  const LabIndex plan = lab_plan("select", out.shape(), {&cond, &a, &b});
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_lab_select<T>(dptr<bool>(cond), dptr<T>(a), dptr<T>(b), dptr<T>(out), out.numel(), plan, stream());
  });
}

void CudaBackend::math(MathOp op, const Tensor& a, Tensor& out, double s0, double s1) {
  check_on_cuda("math", {&a, &out});
  check_same_numel("math", a, out);
  const bool to_bool = lab::math_gives_bool(op);
  GL_CHECK(to_bool ? out.dtype() == DType::b8 : out.dtype() == a.dtype(), "math (cuda): got {} -> {}", describe(a),
           describe(out));
  GL_CHECK(to_bool || a.dtype() != DType::b8, "math (cuda): this op does not take bool ({})", describe(a));
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_lab_math<T>(op, dptr<T>(a), to_bool ? nullptr : dptr<T>(out), to_bool ? dptr<bool>(out) : nullptr,
                       a.numel(), s0, s1, stream());
  });
}

void CudaBackend::arg_reduce(const Tensor& in, std::int64_t outer, std::int64_t n, std::int64_t inner, bool is_min,
                             Tensor& values, Tensor& indices) {
  check_on_cuda("arg_reduce", {&in, &values, &indices});
  GL_CHECK(n >= 1 && in.numel() == outer * n * inner && indices.dtype() == DType::i64 &&
               indices.numel() == outer * inner && (!values.defined() || values.numel() == outer * inner),
           "arg_reduce (cuda): {} as [{}, {}, {}] -> {}, {}", describe(in), outer, n, inner, describe(values),
           describe(indices));
  dispatch_any(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_arg_reduce<T>(dptr<T>(in), outer, n, inner, is_min, dptr<T>(values), dptr<std::int64_t>(indices),
                         stream());
  });
}

void CudaBackend::index_select(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner,
                               const Tensor& idx, Tensor& out) {
  check_on_cuda("index_select", {&src, &idx, &out});
  const std::int64_t m = idx.numel();
  GL_CHECK(src.numel() == outer * n * inner && idx.dtype() == DType::i64 && out.numel() == outer * m * inner &&
               out.dtype() == src.dtype(),
           "index_select (cuda): {} as [{}, {}, {}], indices {} -> {}", describe(src), outer, n, inner, describe(idx),
           describe(out));
  dispatch_any(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_index_select<T>(dptr<T>(src), outer, n, inner, dptr<std::int64_t>(idx), m, dptr<T>(out), stream());
  });
}

void CudaBackend::index_put(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner,
                            const Tensor& idx, Tensor& out, bool accumulate) {
  check_on_cuda("index_put", {&src, &idx, &out});
  const std::int64_t m = idx.numel();
  GL_CHECK(out.numel() == outer * n * inner && idx.dtype() == DType::i64 && src.numel() == outer * m * inner &&
               out.dtype() == src.dtype() && !(accumulate && src.dtype() == DType::b8),
           "index_put (cuda): {} into {} as [{}, {}, {}] at indices {}", describe(src), describe(out), outer, n, inner,
           describe(idx));
  dispatch_any(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_index_put<T>(dptr<T>(src), outer, n, inner, dptr<std::int64_t>(idx), m, dptr<T>(out), accumulate,
                        stream());
  });
}

}  // namespace gl::cuda
