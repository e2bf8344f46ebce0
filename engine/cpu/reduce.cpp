// reduce_sum: sums `in` down to out.shape() (same rank; each dim kept or 1).
// Dims of size 1 in the input are dropped and neighbours that are all kept or
// all summed are merged, so e.g. [N,C,H,W] -> [1,C,1,1] becomes the pattern
// (summed N, kept C, summed H*W). Sums are accumulated in double for float32
// too, so a loss mean over many elements does not drift.
#include <omp.h>

#include <vector>

#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

struct ReducePlan {
  Shape shape;       // merged input dims
  Strides in, out;   // strides in the input, and in the output (0 on summed dims)
  std::vector<bool> kept;
};

ReducePlan make_plan(const Shape& in, const Shape& out) {
  Strides in_st = contiguous_strides(in), out_st = contiguous_strides(out);
  ReducePlan p;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == 1) continue;
    const bool kept = out[i] != 1;
    const std::int64_t os = kept ? out_st[i] : 0;
    if (!p.shape.empty() && p.kept.back() == kept) {  // contiguous in both: merge
      p.shape.back() *= in[i];
      p.in.back() = in_st[i];
      p.out.back() = os;
      continue;
    }
    p.shape.push_back(in[i]);
    p.in.push_back(in_st[i]);
    p.out.push_back(os);
    p.kept.push_back(kept);
  }
  return p;
}

// The whole tensor to one number: per-thread partial sums over fixed static
// chunks, combined in thread order, so the result is the same on every run.
template <class T> double sum_all(const T* x, std::int64_t n) {
  std::vector<double> partial(static_cast<std::size_t>(omp_get_max_threads()), 0.0);
#pragma omp parallel if (n >= kParallelMin)
  {
    double s = 0.0;
#pragma omp for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]);
    partial[static_cast<std::size_t>(omp_get_thread_num())] = s;
  }
  double total = 0.0;
  for (double s : partial) total += s;
  return total;
}

template <class T> void sum_pattern(const T* x, const ReducePlan& p, double* acc) {
  const int rank = static_cast<int>(p.shape.size());
  const std::int64_t inner = p.shape.back();
  const std::int64_t is = p.in.back();  // 1: the last merged dim is contiguous
  std::int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= p.shape[d];
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t rem = r, io = 0, oo = 0;
    for (int d = rank - 2; d >= 0; --d) {
      const std::int64_t i = rem % p.shape[d];
      rem /= p.shape[d];
      io += i * p.in[d];
      oo += i * p.out[d];
    }
    const T* row = x + io;
    if (p.kept.back()) {
      double* o = acc + oo;
      for (std::int64_t i = 0; i < inner; ++i) o[i] += static_cast<double>(row[i * is]);
    } else {
      double s = 0.0;
      for (std::int64_t i = 0; i < inner; ++i) s += static_cast<double>(row[i * is]);
      acc[oo] += s;
    }
  }
}

}  // namespace

void CpuBackend::reduce_sum(const Tensor& in, Tensor& out) {
  const Shape& is = in.shape();
  const Shape& os = out.shape();
  bool ok = is.size() == os.size();
  for (std::size_t i = 0; ok && i < is.size(); ++i) ok = os[i] == is[i] || os[i] == 1;
  GL_CHECK(ok, "reduce_sum (cpu): out {} must have the rank of in {} with each dim kept or 1",
           describe(out), describe(in));
  dispatch_float(in.dtype(), "reduce_sum", [&](auto tag) {
    using T = decltype(tag);
    const T* x = ptr<T>(in);
    T* o = ptr<T>(out);
    if (out.numel() == 1) {
      o[0] = static_cast<T>(sum_all(x, in.numel()));
      return;
    }
    if (out.numel() == in.numel()) {  // nothing summed: a copy
      for (std::int64_t i = 0; i < in.numel(); ++i) o[i] = x[i];
      return;
    }
    std::vector<double> acc(static_cast<std::size_t>(out.numel()), 0.0);
    if (in.numel() > 0) sum_pattern(x, make_plan(is, os), acc.data());
    for (std::int64_t i = 0; i < out.numel(); ++i) o[i] = static_cast<T>(acc[i]);
  });
}

}  // namespace gl::cpu
