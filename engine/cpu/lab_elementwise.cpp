// The lab primitives that work element by element: compare, arith, select
// (NumPy broadcasting of up to three operands) and math. The scalar rules live
// in lab_scalar.h, shared with the CUDA kernels.
#include <type_traits>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"
#include "engine/cpu/lab_scalar.h"

namespace gl::cpu {

namespace {

// Up to three operands read at broadcast strides inside out's shape; the last
// dim runs as the inner loop, the outer dims are walked row by row.
struct LabBroadcast {
  Shape shape;
  Strides s[3];
  std::int64_t rows = 1, inner = 1;

  LabBroadcast(const Shape& out, std::initializer_list<const Tensor*> ins) : shape(out) {
    int k = 0;
    for (const Tensor* t : ins) s[k++] = broadcast_strides(t->shape(), out);
    for (; k < 3; ++k) s[k] = Strides(out.size(), 0);
    if (!out.empty()) inner = out.back();
    for (std::size_t d = 0; d + 1 < out.size(); ++d) rows *= out[d];
  }
  // The offsets of row r (all dims but the last) in each operand.
  void row_offsets(std::int64_t r, std::int64_t off[3]) const {
    off[0] = off[1] = off[2] = 0;
    for (int d = static_cast<int>(shape.size()) - 2; d >= 0; --d) {
      const std::int64_t i = r % shape[d];
      r /= shape[d];
      for (int k = 0; k < 3; ++k) off[k] += i * s[k][d];
    }
  }
  std::int64_t inner_stride(int k) const { return shape.empty() ? 0 : s[k].back(); }
};

// out[idx] = f(a[idx . sa], b[idx . sb], c[idx . sc]) over out's shape.
template <class O, class F> void lab_broadcast_run(const LabBroadcast& p, O* out, const F& f) {
  const std::int64_t total = p.rows * p.inner;
  const std::int64_t s0 = p.inner_stride(0), s1 = p.inner_stride(1), s2 = p.inner_stride(2);
#pragma omp parallel for schedule(static) if (total >= kParallelMin && p.rows > 1)
  for (std::int64_t r = 0; r < p.rows; ++r) {
    std::int64_t off[3];
    p.row_offsets(r, off);
    O* o = out + r * p.inner;
    for (std::int64_t i = 0; i < p.inner; ++i) o[i] = f(off[0] + i * s0, off[1] + i * s1, off[2] + i * s2);
  }
}

void check_out_shape(const char* op, const Shape& expected, const Tensor& out) {
  GL_CHECK(out.shape() == expected, "{} (cpu): out is {} but the operands broadcast to {}", op, describe(out),
           shape_str(expected));
}

}  // namespace

void CpuBackend::compare(CompareOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  check_out_shape("compare", broadcast_shapes(a.shape(), b.shape(), "compare"), out);
  GL_CHECK(a.dtype() == b.dtype() && out.dtype() == DType::b8, "compare (cpu): got {}, {} -> {}", describe(a),
           describe(b), describe(out));
  if (out.numel() == 0) return;
  const LabBroadcast plan(out.shape(), {&a, &b});
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = ptr<T>(a);
    const T* y = ptr<T>(b);
    lab_broadcast_run(plan, ptr<bool>(out), [=](std::int64_t i, std::int64_t j, std::int64_t) {
      return lab::compare(op, x[i], y[j]);
    });
  });
}

void CpuBackend::arith(ArithOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  check_out_shape("arith", broadcast_shapes(a.shape(), b.shape(), "arith"), out);
  GL_CHECK(a.dtype() == b.dtype() && out.dtype() == a.dtype() && a.dtype() != DType::b8,
           "arith (cpu): got {}, {} -> {} (one dtype, not bool)", describe(a), describe(b), describe(out));
  if (out.numel() == 0) return;
  const LabBroadcast plan(out.shape(), {&a, &b});
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_same_v<T, bool>) {
      const T* x = ptr<T>(a);
      const T* y = ptr<T>(b);
      lab_broadcast_run(plan, ptr<T>(out), [=](std::int64_t i, std::int64_t j, std::int64_t) {
        return lab::arith(op, x[i], y[j]);
      });
    }
  });
}

void CpuBackend::select(const Tensor& cond, const Tensor& a, const Tensor& b, Tensor& out) {
  const Shape shape = broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape(), "select"), "select");
  check_out_shape("select", shape, out);
  GL_CHECK(cond.dtype() == DType::b8 && a.dtype() == b.dtype() && out.dtype() == a.dtype(),
           "select (cpu): got cond {}, {}, {} -> {}", describe(cond), describe(a), describe(b), describe(out));
  if (out.numel() == 0) return;
  const LabBroadcast plan(out.shape(), {&cond, &a, &b});
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const bool* c = ptr<bool>(cond);
    const T* x = ptr<T>(a);
    const T* y = ptr<T>(b);
    lab_broadcast_run(plan, ptr<T>(out), [=](std::int64_t i, std::int64_t j, std::int64_t k) {
      return c[i] ? x[j] : y[k];
    });
  });
}

void CpuBackend::math(MathOp op, const Tensor& a, Tensor& out, double s0, double s1) {
  check_same_numel("math", a, out);
  const bool to_bool = lab::math_gives_bool(op);
  GL_CHECK(to_bool ? out.dtype() == DType::b8 : out.dtype() == a.dtype(), "math (cpu): got {} -> {}", describe(a),
           describe(out));
  GL_CHECK(to_bool || a.dtype() != DType::b8, "math (cpu): this op does not take bool ({})", describe(a));
  const std::int64_t n = a.numel();
  dispatch_any(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = ptr<T>(a);
    if (to_bool) {
      bool* o = ptr<bool>(out);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (std::int64_t i = 0; i < n; ++i) o[i] = lab::math_bool(op, x[i]);
    } else if constexpr (!std::is_same_v<T, bool>) {
      T* o = ptr<T>(out);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (std::int64_t i = 0; i < n; ++i) o[i] = lab::math(op, x[i], s0, s1);
    }
  });
}

}  // namespace gl::cpu
