// out = a op b with NumPy broadcasting (sizes aligned on the right; a size-1
// or missing dim is repeated). Each operand gets a stride of 0 along the
// dims it is broadcast over; adjacent dims that are contiguous in all three
// views are merged, so same-shape and scalar cases become one flat loop.
#include "engine/cpu/cpu_backend.h"
#include "engine/cpu/kernel_util.h"

namespace gl::cpu {

namespace {

struct BroadcastPlan {
  Shape shape;
  Strides a, b, o;
};

BroadcastPlan simplify(const Shape& out, const Strides& a, const Strides& b) {
  BroadcastPlan p;
  std::int64_t o_stride = 1;
  Strides o(out.size());
  for (std::size_t i = out.size(); i-- > 0;) {
    o[i] = o_stride;
    o_stride *= out[i];
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 1) continue;
    if (!p.shape.empty() && p.a.back() == a[i] * out[i] && p.b.back() == b[i] * out[i]) {
      p.shape.back() *= out[i];
      p.a.back() = a[i];
      p.b.back() = b[i];
      p.o.back() = o[i];
      continue;
    }
    p.shape.push_back(out[i]);
    p.a.push_back(a[i]);
    p.b.push_back(b[i]);
    p.o.push_back(o[i]);
  }
  if (p.shape.empty()) p = {{1}, {0}, {0}, {1}};
  return p;
}

template <class T, class F> void run(const T* a, const T* b, T* out, const BroadcastPlan& p, F f) {
  const int rank = static_cast<int>(p.shape.size());
  const std::int64_t inner = p.shape.back();
  const std::int64_t as = p.a.back(), bs = p.b.back();
  std::int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= p.shape[d];
  const std::int64_t total = rows * inner;
#pragma omp parallel for schedule(static) if (total >= kParallelMin && rows > 1)
  for (std::int64_t r = 0; r < rows; ++r) {
    std::int64_t rem = r, ao = 0, bo = 0;
    for (int d = rank - 2; d >= 0; --d) {
      const std::int64_t i = rem % p.shape[d];
      rem /= p.shape[d];
      ao += i * p.a[d];
      bo += i * p.b[d];
    }
    const T* ar = a + ao;
    const T* br = b + bo;
    T* o = out + r * inner;  // out is contiguous and its dims were merged the same way
    // The common stride patterns get their own loops so the compiler vectorizes them.
    if (as == 1 && bs == 1) {
      for (std::int64_t i = 0; i < inner; ++i) o[i] = f(ar[i], br[i]);
    } else if (as == 1 && bs == 0) {
      const T bv = br[0];
      for (std::int64_t i = 0; i < inner; ++i) o[i] = f(ar[i], bv);
    } else if (as == 0 && bs == 1) {
      const T av = ar[0];
      for (std::int64_t i = 0; i < inner; ++i) o[i] = f(av, br[i]);
    } else {
      for (std::int64_t i = 0; i < inner; ++i) o[i] = f(ar[i * as], br[i * bs]);
    }
  }
}

// A flat single-row plan with a large inner loop never enters the parallel
// loop above (rows == 1); split it into chunks so it still uses every thread.
BroadcastPlan split_flat(BroadcastPlan p) {
  constexpr std::int64_t kChunk = 4096;
  if (p.shape.size() != 1 || p.shape[0] < kParallelMin || p.shape[0] % kChunk != 0) return p;
  const std::int64_t n = p.shape[0];
  return {{n / kChunk, kChunk}, {p.a[0] * kChunk, p.a[0]}, {p.b[0] * kChunk, p.b[0]},
          {kChunk, 1}};
}

}  // namespace

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  const Shape expected = broadcast_shapes(a.shape(), b.shape(), "binary");
  GL_CHECK(expected == out.shape(), "binary (cpu): out is {} but {} and {} broadcast to {}",
           describe(out), describe(a), describe(b), shape_str(expected));
  if (out.numel() == 0) return;
  const BroadcastPlan plan = split_flat(simplify(
      out.shape(), broadcast_strides(a.shape(), out.shape()), broadcast_strides(b.shape(), out.shape())));
  dispatch_float(out.dtype(), "binary", [&](auto tag) {
    using T = decltype(tag);
    const T* ap = ptr<T>(a);
    const T* bp = ptr<T>(b);
    T* o = ptr<T>(out);
    switch (op) {
      case BinaryOp::add: return run(ap, bp, o, plan, [](T x, T y) { return x + y; });
      case BinaryOp::sub: return run(ap, bp, o, plan, [](T x, T y) { return x - y; });
      case BinaryOp::mul: return run(ap, bp, o, plan, [](T x, T y) { return x * y; });
      case BinaryOp::div: return run(ap, bp, o, plan, [](T x, T y) { return x / y; });
    }
  });
}

}  // namespace gl::cpu
