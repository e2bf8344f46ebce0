// strided_copy: dst[dst_off + idx . dst_strides] (+)= src[src_off + idx . src_strides]
// over every index idx of `shape`. Serves permute, slice, concat, expand and
// their backward passes.
//
// Plan: drop size-1 dims, merge adjacent dims that are contiguous in both
// views, then loop over "rows" (all dims but the last) with the last dim as
// an inner strided loop. Rows write disjoint dst elements (dst must not alias),
// so they run in parallel.
#include <cstring>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

struct StridedPlan {
  Shape shape;
  Strides src, dst;
};

StridedPlan simplify(const Shape& shape, const Strides& src, const Strides& dst) {
  StridedPlan p;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (!p.shape.empty() && p.src.back() == src[i] * shape[i] && p.dst.back() == dst[i] * shape[i]) {
      // Dim i continues the previous one in both views: merge.
      p.shape.back() *= shape[i];
      p.src.back() = src[i];
      p.dst.back() = dst[i];
      continue;
    }
    p.shape.push_back(shape[i]);
    p.src.push_back(src[i]);
    p.dst.push_back(dst[i]);
  }
  if (p.shape.empty()) {  // a single element
    p.shape = {1};
    p.src = {0};
    p.dst = {0};
  }
  return p;
}

template <class T, bool Accumulate>
void run(const T* src, T* dst, const StridedPlan& p) {
  const int rank = static_cast<int>(p.shape.size());
  const std::int64_t inner = p.shape.back();
  const std::int64_t ss = p.src.back(), ds = p.dst.back();
  std::int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= p.shape[d];
#pragma omp parallel for schedule(static) if (rows * inner >= kParallelMin && rows > 1)
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t rem = r, so = 0, dof = 0;
    for (int d = rank - 2; d >= 0; --d) {
      const std::int64_t i = rem % p.shape[d];
      rem /= p.shape[d];
      so += i * p.src[d];
      dof += i * p.dst[d];
    }
    const T* s = src + so;
    T* o = dst + dof;
    if constexpr (Accumulate) {
      for (std::int64_t i = 0; i < inner; ++i) o[i * ds] += s[i * ss];
    } else if (ss == 1 && ds == 1) {
      std::memcpy(o, s, static_cast<std::size_t>(inner) * sizeof(T));
    } else {
      for (std::int64_t i = 0; i < inner; ++i) o[i * ds] = s[i * ss];
    }
  }
}

}  // namespace

void CpuBackend::strided_copy(const Tensor& src, std::int64_t src_offset,
                              const Strides& src_strides, Tensor& dst, std::int64_t dst_offset,
                              const Strides& dst_strides, const Shape& shape, bool accumulate) {
  GL_CHECK(src_strides.size() == shape.size() && dst_strides.size() == shape.size(),
           "strided_copy (cpu): shape {} has rank {} but got {} src and {} dst strides",
           shape_str(shape), shape.size(), src_strides.size(), dst_strides.size());
  GL_CHECK(src.dtype() == dst.dtype(), "strided_copy (cpu): src {} and dst {} differ in dtype",
           describe(src), describe(dst));
  if (numel(shape) == 0) return;
  const StridedPlan plan = simplify(shape, src_strides, dst_strides);
  dispatch_any(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* s = ptr<T>(src) + src_offset;
    T* d = ptr<T>(dst) + dst_offset;
    if (accumulate) {
      run<T, true>(s, d, plan);
    } else {
      run<T, false>(s, d, plan);
    }
  });
}

}  // namespace gl::cpu
