// What misuse must never do: overflow a size, abort on a failed allocation,
// overflow the stack when a long graph is dropped, compute a gradient from
// data modified after the forward pass, pass a NaN gradient, or update a
// parameter twice per step.
#include <cmath>
#include <limits>
#include <new>

#include "engine/optim/sgd.h"
#include "tests/test_util.h"

namespace gl {
namespace {

using test::randn64;

// AddressSanitizer's allocator aborts on an allocation it cannot serve
// (allocator_may_return_null=0), before the engine could report it: the
// allocation-failure tests run in the Release pass.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif
#else
constexpr bool kAsan = false;
#endif
#define SKIP_UNDER_ASAN() \
  if (kAsan) GTEST_SKIP() << "AddressSanitizer aborts on failed allocations; this test runs in the Release pass"

// Runs f and expects a gl::Error whose message contains every word.
template <class F>
void expect_error(F&& f, std::initializer_list<const char*> words) {
  try {
    f();
  } catch (const Error& e) {
    const std::string text = e.what();
    for (const char* w : words) EXPECT_NE(text.find(w), std::string::npos) << "message: " << text << "\nlacks: " << w;
    return;
  }
  ADD_FAILURE() << "expected gl::Error, nothing was thrown";
}

// ---- sizes ------------------------------------------------------------------------------
TEST(Overflow, NumelOfAShapeThatWrapsIsRefusedNamingTheShape) {
  const Shape wraps{(std::int64_t{1} << 62) + 1, 4};  // the product wraps around to 4
  expect_error([&] { numel(wraps); }, {"[4611686018427387905, 4]", "too many elements"});
  expect_error([&] { Tensor::zeros(wraps); }, {"too many elements"});
  expect_error([&] { Tensor::zeros({std::int64_t{1} << 60, 4}, DType::f64); }, {"2^63 bytes"});
  expect_error([&] { reshape(Tensor::arange(4), wraps); }, {"reshape"});
  expect_error([&] { reshape(Tensor::arange(4), {-1, std::int64_t{1} << 62, 4}); }, {"reshape"});
  expect_error([&] { Tensor::arange(-1); }, {"arange"});
  EXPECT_EQ(numel({3, 0, std::int64_t{1} << 62}), 0);
}

TEST(Overflow, WindowSizesAreCheckedBeforeAnyAllocation) {
  EXPECT_EQ(window_output_size("op", 32, 1, 1, 3, 1), 32);
  EXPECT_EQ(window_output_size("op", 7, 0, 0, 3, 2, 2), 2);  // dilated extent 5
  expect_error([] { window_output_size("op", 2, 0, 0, 3, 1); }, {"op", "larger than the padded input"});
  expect_error([] { window_output_size("op", std::numeric_limits<std::int64_t>::max(), 1, 1, 3, 1); }, {"overflows"});
  const Tensor x = Tensor::ones({1, 1, 2, 2}), w = Tensor::ones({1, 1, 3, 3});
  expect_error([&] { conv2d(x, w, Tensor(), 1, std::int64_t{1} << 40); }, {"conv2d"});
  expect_error([&] { conv2d(x, w, Tensor(), 1, std::int64_t{1} << 62); }, {"conv2d", "overflows"});
  expect_error([&] { conv2d_matrix(Tensor::ones({4, 4, 3, 3}), std::int64_t{1} << 32, std::int64_t{1} << 32); },
               {"too many elements"});
  expect_error([&] { conv1d_matrix(Tensor::ones({2, 2, 3}), std::int64_t{1} << 62); }, {"conv1d_matrix"});
  expect_error([&] { max_pool2d(x, 2, 2, std::int64_t{1} << 62); }, {"max_pool2d"});
  expect_error([&] { im2col(x, 3, 3, 1, std::int64_t{1} << 61); }, {"im2col"});
}

// ---- allocation failures ---------------------------------------------------------------------------
// An allocation that fails inside an OpenMP loop (a thread's im2col scratch)
// must come out of the op as an exception, not std::terminate.
TEST(AllocationFailure, InsideTheParallelConvolutionLoopIsAnException) {
  SKIP_UNDER_ASAN();
  // float64 takes the im2col path: cols = 10^6 taps x 10^4 positions x 8 bytes = 80 GB.
  const Tensor x = Tensor::ones({2, 1, 1099, 1099}, DType::f64), w = Tensor::ones({1, 1, 1000, 1000}, DType::f64);
  bool thrown = false;
  try {
    conv2d(x, w);
  } catch (const std::bad_alloc&) {
    thrown = true;
  } catch (const Error&) {
    thrown = true;
  }
  EXPECT_TRUE(thrown);
  const Tensor y = conv2d(Tensor::ones({1, 1, 5, 5}), Tensor::ones({1, 1, 3, 3}));  // the engine still works
  EXPECT_EQ(y.to_vector(), std::vector<double>(9, 9.0));
}

TEST(AllocationFailure, AnOutputLargerThanMemoryIsAnError) {
  SKIP_UNDER_ASAN();
  expect_error([] { Tensor::zeros({std::int64_t{1} << 40}); }, {"out of host memory"});
}

// ---- graphs ---------------------------------------------------------------------------------------------
TEST(GraphRelease, DroppingAMillionOpChainDoesNotRecurse) {
  Tensor x = Tensor::scalar(1.0, DType::f64);
  x.set_requires_grad(true);
  Tensor y = x;
  for (int i = 0; i < 1'000'000; ++i) y = add_scalar(y, 0.0);
  y = Tensor();  // releases the chain (8 MB of stack would not hold a recursive release)
  Tensor z = x;
  for (int i = 0; i < 300'000; ++i) z = i % 2 ? mul(z, x) : add(z, x);
  z = Tensor();
  SUCCEED();
}

// ---- in-place writes after the forward pass --------------------------------------------------------------
TEST(SavedTensors, AWriteAfterTheForwardPassIsRefusedNamingTheOp) {
  Tensor a = randn64({3, 3}, 1), b = randn64({3, 3}, 2);
  Tensor y = sum(matmul(a, b));
  b.copy_from(Tensor::zeros({3, 3}, DType::f64));  // an engine write: bumps the version
  expect_error([&] { y.backward(); }, {"matmul", "modified in place"});
}

TEST(SavedTensors, AWriteThroughAnExposedHostViewIsCaughtByChecksum) {
  Tensor x = randn64({4}, 3);
  Tensor y = sum(tanh(x) * x);
  mark_exposed(x);  // as when numpy gets a writable view after the forward pass
  x.data<double>()[2] += 1.0;
  expect_error([&] { y.backward(); }, {"mul", "numpy"});
  Tensor x2 = randn64({4}, 4);
  mark_exposed(x2);  // exposed before the forward pass: saved with its own checksum
  Tensor y2 = sum(exp(x2) * x2);
  x2.data<double>()[0] = 7.0;
  expect_error([&] { y2.backward(); }, {"numpy"});
  Tensor x3 = randn64({4}, 5);
  mark_exposed(x3);
  Tensor y3 = sum(x3 * x3);  // nothing written: backward works
  y3.backward();
  EXPECT_TRUE(x3.grad().defined());
}

TEST(SavedTensors, OpsThatReadNoSavedDataDoNotCare) {
  Tensor x = randn64({3}, 6);
  Tensor y = sum(add_scalar(x, 1.0) + x);
  x.copy_from(Tensor::zeros({3}, DType::f64));
  y.backward();
  EXPECT_EQ(x.grad().to_vector(), std::vector<double>(3, 2.0));
}

TEST(SavedTensors, AnOptimizerStepBetweenTwoBackwardPassesIsRefused) {
  Tensor w = randn64({2, 2}, 7);
  Tensor loss = sum(matmul(w, w));
  loss.backward(/*retain_graph=*/true);
  optim::SGD sgd({{{w}, 0.0}}, 0.1);
  sgd.step();
  expect_error([&] { loss.backward(); }, {"matmul"});
}

// ---- gradient checks --------------------------------------------------------------------------------------
TEST(GradCheckNan, ANanAnalyticGradientFails) {
  Tensor a = Tensor::from_vector({0.0}, {1}, DType::f64);
  a.set_requires_grad(true);
  const GradCheckResult r = check_gradients([&] { return sum(mul_scalar(sqrt(mul(a, a)), 0.0)); }, {a});
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.message.find("non-finite"), std::string::npos) << r.message;
  EXPECT_TRUE(std::isinf(r.max_abs_error));
}

TEST(GradCheckNan, AnInfiniteFunctionFails) {
  Tensor a = Tensor::from_vector({0.0, 1.0}, {2}, DType::f64);
  a.set_requires_grad(true);
  const GradCheckResult r = check_gradients([&] { return sum(log(mul(a, a))); }, {a});
  EXPECT_FALSE(r.ok) << r.message;
}

// ---- optimizers ---------------------------------------------------------------------------------------------
TEST(OptimizerGroups, AParameterListedTwiceIsRefused) {
  Tensor w = randn64({3}, 8);
  w.set_name("fc.weight");
  expect_error([&] { optim::SGD({{{w, w}, 0.0}}, 0.1); }, {"'fc.weight'", "appears twice"});
  expect_error([&] { optim::SGD({{{w}, 0.0}, {{w}, 1e-4}}, 0.1); }, {"group 0 position 0 and group 1 position 0"});
  expect_error([&] { optim::SGD({{{w}, std::nan("")}}, 0.1); }, {"weight decay"});
}

// ---- integer conversions -------------------------------------------------------------------------------------
TEST(IntegerConversion, ValuesWithoutAnInt32AreRefused) {
  expect_error([] { Tensor::from_vector({std::nan("")}, {1}, DType::i32); }, {"int32"});
  expect_error([] { Tensor::from_vector({3e9}, {1}, DType::i32); }, {"int32"});
  expect_error([] { Tensor::full({2}, INFINITY, DType::i32); }, {"int32"});
  expect_error([] { Tensor::from_vector({1.0, std::nan("")}, {2}).to(DType::i32); }, {"int32"});
  EXPECT_EQ(Tensor::from_vector({1.7, -1.7}, {2}).to(DType::i32).to_vector(), (std::vector<double>{1.0, -1.0}));
}

}  // namespace
}  // namespace gl
