// fill, convert, strided_copy, unary ops, broadcasting binary ops and axpy:
// argument checks and index plans on the host, kernels in fill_convert.cu,
// strided_copy.cu and elementwise.cu.
#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

// Drops size-1 dims and merges neighbours that are contiguous in both views
// (as engine/cpu/strided_copy.cpp does), then checks the kernel's rank limit.
StridedIndex strided_plan(const Shape& shape, const Strides& src, const Strides& dst) {
  StridedIndex p;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 1) continue;
    if (p.rank > 0 && p.src[p.rank - 1] == src[i] * shape[i] && p.dst[p.rank - 1] == dst[i] * shape[i]) {
      p.shape[p.rank - 1] *= shape[i];
      p.src[p.rank - 1] = src[i];
      p.dst[p.rank - 1] = dst[i];
      continue;
    }
    GL_CHECK(p.rank < kMaxDims,
             "strided_copy (cuda): shape {} needs more than {} dims after merging; reshape to fewer dims",
             shape_str(shape), kMaxDims);
    p.shape[p.rank] = shape[i];
    p.src[p.rank] = src[i];
    p.dst[p.rank] = dst[i];
    ++p.rank;
  }
  if (p.rank == 0) {  // a single element
    p.rank = 1;
    p.shape[0] = 1;
  }
  return p;
}

BroadcastIndex broadcast_plan(const Shape& out, const Strides& a, const Strides& b) {
  BroadcastIndex p;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 1) continue;
    if (p.rank > 0 && p.a[p.rank - 1] == a[i] * out[i] && p.b[p.rank - 1] == b[i] * out[i]) {
      p.shape[p.rank - 1] *= out[i];
      p.a[p.rank - 1] = a[i];
      p.b[p.rank - 1] = b[i];
      continue;
    }
    GL_CHECK(p.rank < kMaxDims, "binary (cuda): output {} needs more than {} dims after merging",
             shape_str(out), kMaxDims);
    p.shape[p.rank] = out[i];
    p.a[p.rank] = a[i];
    p.b[p.rank] = b[i];
    ++p.rank;
  }
  if (p.rank == 0) {
    p.rank = 1;
    p.shape[0] = 1;
  }
  return p;
}

}  // namespace

void CudaBackend::fill(Tensor& out, double value) {
  dispatch_any(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_fill<T>(dptr<T>(out), out.numel(), static_cast<T>(value), stream());
  });
}

void CudaBackend::convert(const Tensor& src, Tensor& dst) {
  check_same_numel("convert", src, dst);
  dispatch_any(src.dtype(), [&](auto src_tag) {
    using S = decltype(src_tag);
    dispatch_any(dst.dtype(), [&](auto dst_tag) {
      using D = decltype(dst_tag);
      launch_convert<S, D>(dptr<S>(src), dptr<D>(dst), src.numel(), stream());
    });
  });
}

void CudaBackend::strided_copy(const Tensor& src, std::int64_t src_offset, const Strides& src_strides,
                               Tensor& dst, std::int64_t dst_offset, const Strides& dst_strides,
                               const Shape& shape, bool accumulate) {
  GL_CHECK(src_strides.size() == shape.size() && dst_strides.size() == shape.size(),
           "strided_copy (cuda): shape {} has rank {} but got {} src and {} dst strides", shape_str(shape),
           shape.size(), src_strides.size(), dst_strides.size());
  GL_CHECK(src.dtype() == dst.dtype(), "strided_copy (cuda): src {} and dst {} differ in dtype", describe(src),
           describe(dst));
  if (numel(shape) == 0) return;
  const StridedIndex plan = strided_plan(shape, src_strides, dst_strides);
  dispatch_any(src.dtype(), [&](auto tag) {
    using T = decltype(tag);
    launch_strided_copy<T>(dptr<T>(src) + src_offset, dptr<T>(dst) + dst_offset, plan, accumulate, stream());
  });
}

void CudaBackend::unary(UnaryOp op, const Tensor& a, Tensor& out, double scalar) {
  check_same_numel("unary", a, out);
  dispatch_float(a.dtype(), "unary", [&](auto tag) {
    using T = decltype(tag);
    launch_unary<T>(op, dptr<T>(a), dptr<T>(out), a.numel(), static_cast<T>(scalar), stream());
  });
}

void CudaBackend::unary_backward(UnaryOp op, const Tensor& x, const Tensor& y, const Tensor& grad_out,
                                 Tensor& grad_in, double scalar) {
  check_same_numel("unary_backward", grad_out, grad_in);
  const bool needs_x = op == UnaryOp::relu || op == UnaryOp::log || op == UnaryOp::sqrt ||
                       op == UnaryOp::pow_scalar;
  const bool needs_y = op == UnaryOp::exp || op == UnaryOp::tanh || op == UnaryOp::sigmoid;
  GL_CHECK(!needs_x || x.defined(), "unary_backward (cuda): this op's gradient needs the forward input x");
  GL_CHECK(!needs_y || y.defined(), "unary_backward (cuda): this op's gradient needs the forward output y");
  dispatch_float(grad_out.dtype(), "unary_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_unary_backward<T>(op, dptr<T>(x), dptr<T>(y), dptr<T>(grad_out), dptr<T>(grad_in), grad_out.numel(),
                             static_cast<T>(scalar), stream());
  });
}

void CudaBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, Tensor& out) {
  GL_CHECK(a.dtype() == b.dtype() && a.dtype() == out.dtype(), "binary (cuda): dtypes differ: {}, {}, {}",
           describe(a), describe(b), describe(out));
  const bool flat = a.shape() == out.shape() && b.shape() == out.shape();
  BroadcastIndex plan;
  if (!flat) {
    plan = broadcast_plan(out.shape(), broadcast_strides(a.shape(), out.shape()),
                          broadcast_strides(b.shape(), out.shape()));
  }
  dispatch_float(out.dtype(), "binary", [&](auto tag) {
    using T = decltype(tag);
    launch_binary<T>(op, dptr<T>(a), dptr<T>(b), dptr<T>(out), out.numel(), flat ? nullptr : &plan, stream());
  });
}

void CudaBackend::axpy(double alpha, const Tensor& a, Tensor& out) {
  check_same_numel("axpy", a, out);
  dispatch_float(out.dtype(), "axpy", [&](auto tag) {
    using T = decltype(tag);
    launch_axpy<T>(static_cast<T>(alpha), dptr<T>(a), dptr<T>(out), out.numel(), stream());
  });
}

}  // namespace gl::cuda
