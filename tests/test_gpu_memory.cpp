// The CUDA backend's own services (engine/core/cuda_info.h, forwarded to the
// plugin): the caching allocator's byte counts and reuse, the device name, and
// TF32 GEMMs (a looser tolerance: TF32 keeps 10 mantissa bits). Only on a
// real GPU; skipped, saying why, elsewhere.
#include "engine/core/cuda_info.h"
#include "tests/test_gpu_util.h"

namespace gl {
namespace {

using namespace gl::test;

#define GL_SKIP_WITHOUT_REAL_GPU() \
  if (!::gl::device_available(::gl::Device::cuda)) GTEST_SKIP() << ::gl::cuda::unavailable_reason()

TEST(GpuMemory, CachingAllocatorCountsAndReusesBlocks) {
  GL_SKIP_WITHOUT_REAL_GPU();
  EXPECT_NE(cuda::device_name(), "none");
  cuda::synchronize();
  const std::size_t before = cuda::current_memory_bytes();
  cuda::reset_peak_memory();
  const std::size_t bytes = std::size_t{4} << 20;  // 1 Mi floats
  {
    const Tensor a = Tensor::zeros({1 << 20}, DType::f32, Device::cuda);
    EXPECT_GE(cuda::current_memory_bytes(), before + bytes);
  }
  EXPECT_EQ(cuda::current_memory_bytes(), before);          // freed
  EXPECT_GE(cuda::peak_memory_bytes(), before + bytes);     // but seen at the peak
  const std::size_t cached = cuda::cached_memory_bytes();
  EXPECT_GE(cached, bytes);                                 // kept for reuse
  {
    const Tensor b = Tensor::zeros({1 << 20}, DType::f32, Device::cuda);  // same bucket
    EXPECT_EQ(cuda::cached_memory_bytes(), cached - (cuda::current_memory_bytes() - before));
    EXPECT_EQ(b.at({(1 << 20) - 1}), 0.0);
  }
  cuda::release_cached_memory();
  EXPECT_EQ(cuda::cached_memory_bytes(), 0u);
}

// Restores a CUDA backend setting when the test ends, even when it throws.
template <class T>
struct Restore {
  T (*get)();
  void (*set)(T);
  T saved = get();
  ~Restore() { set(saved); }
};

TEST(GpuMemory, Tf32GemmStaysClose) {
  GL_SKIP_WITHOUT_REAL_GPU();
  const Restore<bool> restore_tf32{cuda::tf32_enabled, cuda::set_tf32};
  cuda::set_tf32(true);
  EXPECT_TRUE(cuda::tf32_enabled());
  const Tensor a = random_cpu({256, 512}, DType::f32, 1), b = random_cpu({512, 128}, DType::f32, 2);
  const Tensor ref = matmul(a, b);
  const Tensor dev = matmul(a.to(Device::cuda), b.to(Device::cuda));
  // Entries are sums of 512 products of U(-1, 1) values (|c| ~ 7); TF32 rounds
  // inputs to ~1e-3 relative.
  EXPECT_TRUE(all_close(dev.to(Device::cpu), ref, 1e-2, 5e-2));
}

// The chunked convolution path (more images than one chunk of columns holds:
// the first chunk writes dw, later ones are summed aside and added with axpy)
// against the CPU, with the budget lowered to two images' columns so that
// N = 5 runs as chunks of 2, 2 and 1.
TEST(GpuMemory, ChunkedConvolutionMatchesCpu) {
  GL_SKIP_WITHOUT_REAL_GPU();
  const Restore<std::size_t> restore_budget{cuda::conv_cols_budget, cuda::set_conv_cols_budget};
  auto geom = [](std::int64_t C, std::int64_t K, std::int64_t R, std::int64_t stride, std::int64_t pad) {
    ConvGeom g{5, C, 8, 8, K, R, R, stride, stride, pad, pad, 0, 0};
    g.Ho = (g.H + 2 * pad - R) / stride + 1;
    g.Wo = (g.W + 2 * pad - R) / stride + 1;
    return g;
  };
  // 3x3 pad 1 (im2col), 1x1 stride 1 (columns are the input), 1x1 stride 2.
  for (const ConvGeom& g : {geom(16, 8, 3, 1, 1), geom(16, 8, 1, 1, 0), geom(6, 4, 1, 2, 0)}) {
    for (DType dt : float_dtypes()) {
      const std::size_t per_image = static_cast<std::size_t>(g.C * g.R * g.S * g.Ho * g.Wo) * dtype_size(dt);
      cuda::set_conv_cols_budget(2 * per_image);
      const std::string what = label(dt, "chunked conv C=" + std::to_string(g.C) + " R=" + std::to_string(g.R) +
                                             " stride=" + std::to_string(g.stride_h));
      Pair x = random_pair({g.N, g.C, g.H, g.W}, dt, 91), w = random_pair({g.K, g.C, g.R, g.S}, dt, 92);
      Pair b = random_pair({g.K}, dt, 93), y = poisoned_pair({g.N, g.K, g.Ho, g.Wo}, dt);
      ref_backend().conv2d_forward(x.ref, w.ref, b.ref, g, y.ref);
      dut_backend().conv2d_forward(x.dev, w.dev, b.dev, g, y.dev);
      EXPECT_TRUE(close(y, kGemm)) << what << " forward";
      Pair dy = random_pair({g.N, g.K, g.Ho, g.Wo}, dt, 94);
      Pair dx = poisoned_pair({g.N, g.C, g.H, g.W}, dt), dw = poisoned_pair({g.K, g.C, g.R, g.S}, dt);
      Pair db = poisoned_pair({g.K}, dt);
      ref_backend().conv2d_backward(x.ref, w.ref, dy.ref, g, dx.ref, dw.ref, db.ref);
      dut_backend().conv2d_backward(x.dev, w.dev, dy.dev, g, dx.dev, dw.dev, db.dev);
      EXPECT_TRUE(close(dx, kGemm)) << what << " dx";
      EXPECT_TRUE(close(dw, kGemm)) << what << " dw";
      EXPECT_TRUE(close(db, kReduce)) << what << " dbias";
    }
  }
}

}  // namespace
}  // namespace gl
