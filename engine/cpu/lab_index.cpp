// The lab primitives that follow indices: arg_reduce (max/min with their
// positions), index_select (gather along one axis) and index_put (its adjoint:
// scatter, or scatter-add).
#include <type_traits>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"
#include "engine/cpu/lab_scalar.h"

namespace gl::cpu {

void CpuBackend::arg_reduce(const Tensor& in, std::int64_t outer, std::int64_t n, std::int64_t inner, bool is_min,
                            Tensor& values, Tensor& indices) {
  GL_CHECK(n >= 1 && in.numel() == outer * n * inner && indices.dtype() == DType::i64 &&
               indices.numel() == outer * inner && (!values.defined() || values.numel() == outer * inner),
           "arg_reduce (cpu): {} as [{}, {}, {}] -> {}, {}", describe(in), outer, n, inner, describe(values),
           describe(indices));
  dispatch_any(in.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* x = ptr<T>(in);
    std::int64_t* idx = ptr<std::int64_t>(indices);
    T* val = values.defined() ? ptr<T>(values) : nullptr;
    const std::int64_t total = outer * inner;
#pragma omp parallel for schedule(static) if (total * n >= kParallelMin && total > 1)
    for (std::int64_t oi = 0; oi < total; ++oi) {
      const std::int64_t o = oi / inner, i = oi % inner;
      const T* p = x + o * n * inner + i;
      std::int64_t best = 0;
      T b = p[0];
      if (!lab::is_nan(b)) {
        for (std::int64_t k = 1; k < n; ++k) {
          const T v = p[k * inner];
          if (lab::is_nan(v)) {
            best = k;
            b = v;
            break;
          }
          if (is_min ? v < b : v > b) {
            best = k;
            b = v;
          }
        }
      }
      idx[oi] = best;
      if (val) val[oi] = b;
    }
  });
}

void CpuBackend::index_select(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner,
                              const Tensor& idx, Tensor& out) {
  const std::int64_t m = idx.numel();
  GL_CHECK(src.numel() == outer * n * inner && idx.dtype() == DType::i64 && out.numel() == outer * m * inner &&
               out.dtype() == src.dtype(),
           "index_select (cpu): {} as [{}, {}, {}], indices {} -> {}", describe(src), outer, n, inner, describe(idx),
           describe(out));
  if (out.numel() == 0) return;
  const std::int64_t* ix = ptr<std::int64_t>(idx);
  dispatch_any(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = ptr<T>(src);
    T* o = ptr<T>(out);
    const std::int64_t rows = outer * m;
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelMin && rows > 1)
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t oo = r / m, j = r % m;
      const T* from = s + (oo * n + ix[j]) * inner;
      T* to = o + r * inner;
      for (std::int64_t i = 0; i < inner; ++i) to[i] = from[i];
    }
  });
}

void CpuBackend::index_put(const Tensor& src, std::int64_t outer, std::int64_t n, std::int64_t inner,
                           const Tensor& idx, Tensor& out, bool accumulate) {
  const std::int64_t m = idx.numel();
  GL_CHECK(out.numel() == outer * n * inner && idx.dtype() == DType::i64 && src.numel() == outer * m * inner &&
               out.dtype() == src.dtype() && !(accumulate && src.dtype() == DType::b8),
           "index_put (cpu): {} into {} as [{}, {}, {}] at indices {}", describe(src), describe(out), outer, n, inner,
           describe(idx));
  if (src.numel() == 0) return;
  const std::int64_t* ix = ptr<std::int64_t>(idx);
  dispatch_any(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = ptr<T>(src);
    T* o = ptr<T>(out);
    // Parallel over the outer blocks only: within one, repeated indices write the same rows.
#pragma omp parallel for schedule(static) if (outer * m * inner >= kParallelMin && outer > 1)
    for (std::int64_t oo = 0; oo < outer; ++oo) {
      for (std::int64_t j = 0; j < m; ++j) {
        const T* from = s + (oo * m + j) * inner;
        T* to = o + (oo * n + ix[j]) * inner;
        if constexpr (std::is_same_v<T, bool>) {
          for (std::int64_t i = 0; i < inner; ++i) to[i] = from[i];
        } else if (accumulate) {
          for (std::int64_t i = 0; i < inner; ++i) to[i] += from[i];
        } else {
          for (std::int64_t i = 0; i < inner; ++i) to[i] = from[i];
        }
      }
    }
  });
}

}  // namespace gl::cpu
