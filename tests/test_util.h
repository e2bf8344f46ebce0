// GoogleTest helpers shared by the op, autograd and nn tests. They wrap the
// engine's one finite-difference checker (engine/core/gradcheck.h) so that a
// failing check prints which input, which flat index, the numeric (expected)
// and the analytic (actual) value.
//
// All gradient checks run in float64 on the cpu. Random tensors are seeded so
// a failure reproduces exactly.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "engine/core/error.h"
#include "engine/core/gradcheck.h"
#include "engine/gradlab.h"

namespace gl::test {

// ---- random tensors ----------------------------------------------------------------
// float64 cpu tensor with N(0, stddev) entries.
inline Tensor randn64(const Shape& shape, std::uint64_t seed, bool requires_grad = true,
                      double stddev = 1.0) {
  Rng rng(seed);
  std::vector<double> v(static_cast<std::size_t>(numel(shape)));
  for (double& x : v) x = rng.normal(0.0, stddev);
  Tensor t = Tensor::from_vector(v, shape, DType::f64);
  t.set_requires_grad(requires_grad);
  return t;
}

// float64 cpu tensor with U(low, high) entries (positive inputs for log, sqrt, div).
inline Tensor uniform64(const Shape& shape, std::uint64_t seed, double low, double high,
                        bool requires_grad = true) {
  Rng rng(seed);
  std::vector<double> v(static_cast<std::size_t>(numel(shape)));
  for (double& x : v) x = rng.uniform(low, high);
  Tensor t = Tensor::from_vector(v, shape, DType::f64);
  t.set_requires_grad(requires_grad);
  return t;
}

// Entries with |x| >= gap and random sign: no element sits on relu's kink, and
// (with distinct magnitudes) max-pool windows have no ties.
inline Tensor away_from_zero64(const Shape& shape, std::uint64_t seed, double gap = 0.1,
                               bool requires_grad = true) {
  Rng rng(seed);
  std::vector<double> v(static_cast<std::size_t>(numel(shape)));
  for (double& x : v) {
    const double magnitude = gap + rng.uniform(0.0, 1.0);
    x = rng.uniform() < 0.5 ? -magnitude : magnitude;
  }
  Tensor t = Tensor::from_vector(v, shape, DType::f64);
  t.set_requires_grad(requires_grad);
  return t;
}

// ---- comparisons ----------------------------------------------------------------------
// Elementwise |actual - expected| <= atol + rtol * |expected|; on failure prints
// the first few offending flat indices with both values.
inline ::testing::AssertionResult all_close(const std::vector<double>& actual,
                                            const std::vector<double>& expected,
                                            double rtol = 1e-10, double atol = 1e-12) {
  if (actual.size() != expected.size()) {
    return ::testing::AssertionFailure()
           << "sizes differ: actual " << actual.size() << ", expected " << expected.size();
  }
  std::ostringstream bad;
  int failures = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double diff = std::abs(actual[i] - expected[i]);
    if (!(diff <= atol + rtol * std::abs(expected[i]))) {  // also catches NaN
      if (failures < 8) {
        bad.precision(17);
        bad << "\n  index " << i << ": expected " << expected[i] << ", actual " << actual[i]
            << " (diff " << diff << ")";
      }
      ++failures;
    }
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << failures << " of " << actual.size()
                                       << " elements differ (rtol " << rtol << ", atol " << atol
                                       << "):" << bad.str();
}

inline ::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected,
                                            double rtol = 1e-10, double atol = 1e-12) {
  if (actual.shape() != expected.shape()) {
    return ::testing::AssertionFailure() << "shapes differ: actual " << shape_str(actual.shape())
                                         << ", expected " << shape_str(expected.shape());
  }
  return all_close(actual.to_vector(), expected.to_vector(), rtol, atol);
}

// ---- gradient checks ------------------------------------------------------------------
// Every element must be checked: inputs of these tests are chosen away from
// kinks (relu at 0, max-pool ties), so an element skipped as a kink means the
// checker would hide an error there. Tests about kinks call check_gradients.
inline ::testing::AssertionResult gradients_ok(const std::function<Tensor()>& f,
                                               const std::vector<Tensor>& inputs,
                                               const GradCheckOptions& options = {}) {
  const GradCheckResult r = check_gradients(f, inputs, options);
  if (!r.ok) return ::testing::AssertionFailure() << r.message;
  if (r.checked == 0 || r.skipped_kinks > 0) {
    return ::testing::AssertionFailure() << r.checked << " elements checked, " << r.skipped_kinks
                                         << " skipped as kinks (expected none skipped)";
  }
  return ::testing::AssertionSuccess() << r.checked << " checked, " << r.skipped_kinks
                                       << " kinks skipped";
}

// EXPECT_GRADIENTS_OK(f, {x, w}) or EXPECT_GRADIENTS_OK(f, {x, w}, options).
#define EXPECT_GRADIENTS_OK(f, ...) EXPECT_TRUE(::gl::test::gradients_ok(f, __VA_ARGS__))

// Op gradient check through the scalar sum(op(inputs) * W) with a fixed random W
// of the output's shape: every output element gets a distinct weight, so a
// backward that mixes up output positions fails (a plain sum would not see it).
inline ::testing::AssertionResult op_gradients_ok(
    const std::function<Tensor(const std::vector<Tensor>&)>& op, const std::vector<Tensor>& inputs,
    const GradCheckOptions& options = {}, std::uint64_t weight_seed = 777) {
  Shape out_shape;
  {
    NoGradGuard no_grad;
    out_shape = op(inputs).shape();
  }
  const Tensor w = randn64(out_shape, weight_seed, /*requires_grad=*/false);
  return gradients_ok([&] { return sum(mul(op(inputs), w)); }, inputs, options);
}

#define EXPECT_OP_GRADIENTS_OK(op, ...) EXPECT_TRUE(::gl::test::op_gradients_ok(op, __VA_ARGS__))

// Full Jacobian of y = f() with respect to x: autograd's (one backward per
// output element) against central differences, entry by entry.
inline ::testing::AssertionResult jacobian_matches(const std::function<Tensor()>& f, Tensor& x,
                                                   double rtol = 1e-5, double atol = 1e-7) {
  const Tensor y = f();
  const Tensor analytic = jacobian(y, x);
  const Tensor numeric = numerical_jacobian(f, x);
  const Shape expected_shape{y.numel(), x.numel()};
  if (analytic.shape() != expected_shape || numeric.shape() != expected_shape) {
    return ::testing::AssertionFailure()
           << "jacobian shapes: analytic " << shape_str(analytic.shape()) << ", numeric "
           << shape_str(numeric.shape()) << ", expected " << shape_str(expected_shape);
  }
  const std::vector<double> a = analytic.to_vector(), n = numeric.to_vector();
  const std::int64_t cols = x.numel();
  std::ostringstream bad;
  bad.precision(12);
  int failures = 0;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (!(std::abs(a[k] - n[k]) <= atol + rtol * std::abs(n[k]))) {
      if (failures < 8) {
        bad << "\n  d y[" << static_cast<std::int64_t>(k) / cols << "] / d x["
            << static_cast<std::int64_t>(k) % cols << "]: expected (numeric) " << n[k]
            << ", actual (autograd) " << a[k];
      }
      ++failures;
    }
  }
  if (failures == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << failures << " Jacobian entries differ:" << bad.str();
}

// ---- errors ----------------------------------------------------------------------------
// Runs `fn`, which must throw gl::Error whose message contains `needle` (usually
// the op name).
inline ::testing::AssertionResult throws_error_containing(const std::function<void()>& fn,
                                                          const std::string& needle) {
  try {
    fn();
  } catch (const Error& e) {
    const std::string message = e.what();
    if (message.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "gl::Error message \"" << message << "\" does not contain \"" << needle << "\"";
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure()
           << "threw a std::exception that is not gl::Error: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw (expected gl::Error naming \"" << needle
                                       << "\")";
}

#define EXPECT_GL_ERROR(statement, needle) \
  EXPECT_TRUE(::gl::test::throws_error_containing([&] { (void)(statement); }, needle))

}  // namespace gl::test
