// fill (any dtype) and convert (dtype change, same element count).
#include <algorithm>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

void CpuBackend::fill(Tensor& out, double value) {
  dispatch_any(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* o = ptr<T>(out);
    const std::int64_t n = out.numel();
    const T v = static_cast<T>(value);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
    for (std::int64_t i = 0; i < n; ++i) o[i] = v;
  });
}

void CpuBackend::convert(const Tensor& src, Tensor& dst) {
  check_same_numel("convert", src, dst);
  const std::int64_t n = src.numel();
  dispatch_any(src.dtype(), [&](auto src_tag) {
    using S = decltype(src_tag);
    dispatch_any(dst.dtype(), [&](auto dst_tag) {
      using D = decltype(dst_tag);
      const S* s = ptr<S>(src);
      D* d = ptr<D>(dst);
#pragma omp parallel for schedule(static) if (n >= kParallelMin)
      for (std::int64_t i = 0; i < n; ++i) d[i] = static_cast<D>(s[i]);
    });
  });
}

}  // namespace gl::cpu
