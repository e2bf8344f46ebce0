// Max and average pooling: checks on the host, kernels in pool.cu.
#include "cuda/context.h"
#include "cuda/cuda_backend.h"
#include "cuda/dispatch.h"
#include "cuda/launchers.h"

namespace gl::cuda {

namespace {

void check_pool(const char* op, const PoolGeom& g, const Tensor& in, const Tensor& out) {
  GL_CHECK(in.numel() == g.N * g.C * g.H * g.W, "{} (cuda): input {} is not [{}, {}, {}, {}]", op, describe(in),
           g.N, g.C, g.H, g.W);
  GL_CHECK(out.numel() == g.N * g.C * g.Ho * g.Wo, "{} (cuda): output {} is not [{}, {}, {}, {}]", op,
           describe(out), g.N, g.C, g.Ho, g.Wo);
}

}  // namespace

void CudaBackend::maxpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y, Tensor& argmax) {
  check_pool("maxpool2d_forward", g, x, y);
  GL_CHECK(!argmax.defined() || (argmax.dtype() == DType::i32 && argmax.numel() == y.numel()),
           "maxpool2d_forward (cuda): argmax must be int32 shaped like y {}, got {}", describe(y),
           describe(argmax));
  dispatch_float(x.dtype(), "maxpool2d_forward", [&](auto tag) {
    using T = decltype(tag);
    launch_maxpool_forward<T>(dptr<T>(x), g, dptr<T>(y), dptr<std::int32_t>(argmax), stream());
  });
}

void CudaBackend::maxpool2d_backward(const Tensor& dy, const Tensor& argmax, const PoolGeom& g, Tensor& dx) {
  check_pool("maxpool2d_backward", g, dx, dy);
  GL_CHECK(argmax.defined() && argmax.dtype() == DType::i32 && argmax.numel() == dy.numel(),
           "maxpool2d_backward (cuda): argmax must be int32 shaped like dy {}", describe(dy));
  dispatch_float(dy.dtype(), "maxpool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_maxpool_backward<T>(dptr<T>(dy), dptr<std::int32_t>(argmax), g, dptr<T>(dx), stream());
  });
}

void CudaBackend::avgpool2d_forward(const Tensor& x, const PoolGeom& g, Tensor& y) {
  check_pool("avgpool2d_forward", g, x, y);
  dispatch_float(x.dtype(), "avgpool2d_forward", [&](auto tag) {
    using T = decltype(tag);
    launch_avgpool_forward<T>(dptr<T>(x), g, dptr<T>(y), stream());
  });
}

void CudaBackend::avgpool2d_backward(const Tensor& dy, const PoolGeom& g, Tensor& dx) {
  check_pool("avgpool2d_backward", g, dx, dy);
  dispatch_float(dy.dtype(), "avgpool2d_backward", [&](auto tag) {
    using T = decltype(tag);
    launch_avgpool_backward<T>(dptr<T>(dy), g, dptr<T>(dx), stream());
  });
}

}  // namespace gl::cuda
