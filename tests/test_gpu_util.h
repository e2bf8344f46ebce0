// Helpers for the GPU-vs-CPU parity tests (tests/test_gpu_*.cpp).
//
// Every GPU test starts with GL_SKIP_WITHOUT_GPU(): without a CUDA device it
// skips with "GPU parity test skipped: " and why (no plugin, no GPU, ...). The CPU backend is the
// reference; the device under test is Device::cuda. Setting the environment
// variable GRADLAB_PARITY_DEVICE=cpu runs the same tests with the CPU as the
// "device" (a check of the harness itself on machines without a GPU: every
// comparison must then pass exactly).
//
// Outputs given to backend methods are poisoned first (NaN, or -7 for int32)
// so an element a kernel forgets to write fails the comparison.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "engine/core/cuda_info.h"
#include "tests/test_util.h"

namespace gl::test {

inline bool parity_self_check() {
  const char* env = std::getenv("GRADLAB_PARITY_DEVICE");
  return env != nullptr && std::strcmp(env, "cpu") == 0;
}

// The device under test.
inline Device dut() { return parity_self_check() ? Device::cpu : Device::cuda; }
inline Backend& dut_backend() { return backend(dut()); }
inline Backend& ref_backend() { return backend(Device::cpu); }

#define GL_SKIP_WITHOUT_GPU()                                                      \
  if (!::gl::device_available(::gl::Device::cuda) && !::gl::test::parity_self_check()) \
  GTEST_SKIP() << "GPU parity test skipped: " << ::gl::cuda::unavailable_reason()

// Per-op tolerance: |gpu - cpu| <= atol + rtol |cpu|, chosen by dtype.
struct Tol {
  double f32_rtol, f32_atol, f64_rtol, f64_atol;
};
inline constexpr Tol kExact{0, 0, 0, 0};                       // copies, max, argmax, counts
inline constexpr Tol kElementwise{2e-6, 1e-6, 1e-14, 1e-14};   // one op per element (libm vs CUDA math)
inline constexpr Tol kReduce{1e-5, 1e-5, 1e-12, 1e-12};        // sums in a different order
inline constexpr Tol kGemm{1e-4, 1e-4, 1e-11, 1e-11};          // cuBLAS vs Eigen, fp32 accumulation
inline constexpr Tol kChain{2e-4, 2e-4, 1e-10, 1e-10};         // several ops (batch norm, losses)

inline std::vector<DType> float_dtypes() { return {DType::f32, DType::f64}; }

// Random values in [low, high) as a cpu tensor of `dtype` (seeded).
inline Tensor random_cpu(const Shape& shape, DType dtype, std::uint64_t seed, double low = -1.0,
                         double high = 1.0) {
  Rng rng(seed);
  std::vector<double> v(static_cast<std::size_t>(numel(shape)));
  for (double& x : v) x = rng.uniform(low, high);
  return Tensor::from_vector(v, shape, dtype);
}

// A tensor every element of which a kernel must overwrite.
inline Tensor poisoned(const Shape& shape, DType dtype, Device device) {
  const double poison = dtype == DType::i32 ? -7.0 : std::numeric_limits<double>::quiet_NaN();
  return Tensor::full(shape, poison, dtype, device);
}

// A reference / device pair of tensors with the same contents.
struct Pair {
  Tensor ref, dev;
};
inline Pair pair_of(const Tensor& cpu) { return {cpu, cpu.to(dut())}; }
inline Pair random_pair(const Shape& shape, DType dtype, std::uint64_t seed, double low = -1.0,
                        double high = 1.0) {
  return pair_of(random_cpu(shape, dtype, seed, low, high));
}
inline Pair poisoned_pair(const Shape& shape, DType dtype) {
  return {poisoned(shape, dtype, Device::cpu), poisoned(shape, dtype, dut())};
}
inline Pair undefined_pair() { return {Tensor(), Tensor()}; }
inline Pair labels_pair(std::int64_t n, std::int64_t classes, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  for (auto& l : labels) l = static_cast<std::int32_t>(rng.integer(0, classes - 1));
  const Tensor t = Tensor::from_labels(labels);
  return {t, t.to(dut())};
}

// The device result (copied to the host) against the reference.
inline ::testing::AssertionResult close(const Tensor& dev, const Tensor& ref, const Tol& tol) {
  if (dev.defined() != ref.defined()) return ::testing::AssertionFailure() << "one result is undefined";
  if (!dev.defined()) return ::testing::AssertionSuccess();
  const bool f32 = ref.dtype() != DType::f64;
  return all_close(dev.to(Device::cpu), ref, f32 ? tol.f32_rtol : tol.f64_rtol, f32 ? tol.f32_atol : tol.f64_atol);
}
inline ::testing::AssertionResult close(const Pair& p, const Tol& tol) { return close(p.dev, p.ref, tol); }

inline std::string label(DType dtype, const std::string& what) { return std::string(dtype_name(dtype)) + " " + what; }

}  // namespace gl::test
