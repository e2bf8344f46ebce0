// The CUDA backend's own services (cuda/cuda_info.h): the caching allocator's
// byte counts and reuse, the device name, and TF32 GEMMs (a looser tolerance:
// TF32 keeps 10 mantissa bits). Only in CUDA builds, only on a real GPU.
#include "tests/test_gpu_util.h"

#ifdef GRADLAB_BUILT_WITH_CUDA
#include "cuda/cuda_info.h"

namespace gl {
namespace {

using namespace gl::test;

#define GL_SKIP_WITHOUT_REAL_GPU() \
  if (!::gl::device_available(::gl::Device::cuda)) GTEST_SKIP() << "no CUDA device: GPU parity test skipped"

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

TEST(GpuMemory, Tf32GemmStaysClose) {
  GL_SKIP_WITHOUT_REAL_GPU();
  const bool was = cuda::tf32_enabled();
  cuda::set_tf32(true);
  EXPECT_TRUE(cuda::tf32_enabled());
  const Tensor a = random_cpu({256, 512}, DType::f32, 1), b = random_cpu({512, 128}, DType::f32, 2);
  const Tensor ref = matmul(a, b);
  const Tensor dev = matmul(a.to(Device::cuda), b.to(Device::cuda));
  // Entries are sums of 512 products of U(-1, 1) values (|c| ~ 7); TF32 rounds
  // inputs to ~1e-3 relative.
  EXPECT_TRUE(all_close(dev.to(Device::cpu), ref, 1e-2, 5e-2));
  cuda::set_tf32(was);
}

}  // namespace
}  // namespace gl
#endif  // GRADLAB_BUILT_WITH_CUDA
