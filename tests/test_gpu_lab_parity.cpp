// GPU-vs-CPU parity of the lab primitives (Backend::compare, arith, select,
// math, arg_reduce, index_select, index_put) and of the int64/bool cases of
// fill, convert and strided_copy, at sizes 1, odd and larger than one block.
// Skips without a GPU (GRADLAB_PARITY_DEVICE=cpu runs it against the CPU itself).
#include "tests/test_gpu_util.h"

namespace gl {
namespace {

using namespace gl::test;

const std::vector<std::int64_t> kLabSizes{1, 7, 1000, 70000};

std::vector<DType> all_dtypes() { return {DType::f32, DType::f64, DType::i32, DType::i64, DType::b8}; }

// Random values of any dtype: integers in [-5, 5] for integer types, 0/1 for bool.
Tensor random_any(const Shape& shape, DType dtype, std::uint64_t seed) {
  if (is_floating(dtype)) return random_cpu(shape, dtype, seed, -3.0, 3.0);
  Rng rng(seed);
  std::vector<double> v(static_cast<std::size_t>(numel(shape)));
  for (double& x : v) x = dtype == DType::b8 ? (rng.uniform() < 0.5 ? 0 : 1) : static_cast<double>(rng.integer(-5, 5));
  return Tensor::from_vector(v, shape, dtype);
}

TEST(GpuLabParity, FillConvertAndStridedCopyOfNewDtypes) {
  GL_SKIP_WITHOUT_GPU();
  for (DType from : all_dtypes()) {
    for (DType to : all_dtypes()) {
      const Pair src = pair_of(random_any({70000}, from, 1));
      Pair dst = {Tensor::empty({70000}, to), Tensor::empty({70000}, to, dut())};
      ref_backend().convert(src.ref, dst.ref);
      dut_backend().convert(src.dev, dst.dev);
      EXPECT_TRUE(close(dst, kExact)) << dtype_name(from) << " -> " << dtype_name(to);
    }
  }
  for (DType dt : {DType::i64, DType::b8}) {
    Pair out = {Tensor::empty({1000}, dt), Tensor::empty({1000}, dt, dut())};
    ref_backend().fill(out.ref, 1.0);
    dut_backend().fill(out.dev, 1.0);
    EXPECT_TRUE(close(out, kExact)) << dtype_name(dt);
    const Pair src = pair_of(random_any({3, 5}, dt, 2));
    Pair t = {Tensor::empty({5, 3}, dt), Tensor::empty({5, 3}, dt, dut())};
    ref_backend().strided_copy(src.ref, 0, {1, 3}, t.ref, 0, {3, 1}, {5, 3}, false);
    dut_backend().strided_copy(src.dev, 0, {1, 3}, t.dev, 0, {3, 1}, {5, 3}, false);
    EXPECT_TRUE(close(t, kExact)) << "transpose " << dtype_name(dt);
  }
}

TEST(GpuLabParity, CompareArithSelectWithBroadcasting) {
  GL_SKIP_WITHOUT_GPU();
  const std::vector<std::pair<Shape, Shape>> shapes = {{{7}, {7}}, {{1000, 1}, {1, 70}}, {{3, 1, 5}, {4, 1}}, {{70000}, {}}};
  for (DType dt : all_dtypes()) {
    for (const auto& [sa, sb] : shapes) {
      const Pair a = pair_of(random_any(sa, dt, 3)), b = pair_of(random_any(sb, dt, 4));
      const Shape out = broadcast_shapes(sa, sb, "test");
      for (CompareOp op : {CompareOp::eq, CompareOp::ne, CompareOp::lt, CompareOp::le, CompareOp::gt, CompareOp::ge,
                           CompareOp::logical_and, CompareOp::logical_or}) {
        Pair r = {Tensor::empty(out, DType::b8), Tensor::empty(out, DType::b8, dut())};
        ref_backend().compare(op, a.ref, b.ref, r.ref);
        dut_backend().compare(op, a.dev, b.dev, r.dev);
        EXPECT_TRUE(close(r, kExact)) << label(dt, "compare " + std::to_string(static_cast<int>(op)));
      }
      if (dt != DType::b8) {
        for (ArithOp op : {ArithOp::add, ArithOp::sub, ArithOp::mul, ArithOp::maximum, ArithOp::minimum}) {
          Pair r = {Tensor::empty(out, dt), Tensor::empty(out, dt, dut())};
          ref_backend().arith(op, a.ref, b.ref, r.ref);
          dut_backend().arith(op, a.dev, b.dev, r.dev);
          EXPECT_TRUE(close(r, kElementwise)) << label(dt, "arith " + std::to_string(static_cast<int>(op)));
        }
      }
      const Pair cond = pair_of(random_any(sa, DType::b8, 5));
      Pair r = {Tensor::empty(out, dt), Tensor::empty(out, dt, dut())};
      ref_backend().select(cond.ref, a.ref, b.ref, r.ref);
      dut_backend().select(cond.dev, a.dev, b.dev, r.dev);
      EXPECT_TRUE(close(r, kExact)) << label(dt, "select");
    }
  }
  // floordiv / mod / pow with nonzero divisors
  for (DType dt : {DType::f32, DType::f64, DType::i32, DType::i64}) {
    const Pair a = pair_of(random_any({1000}, dt, 6));
    const Pair b = pair_of(Tensor::from_vector(std::vector<double>(1000, -3.0), {1000}, dt));
    for (ArithOp op : {ArithOp::floordiv, ArithOp::mod, ArithOp::pow}) {
      Pair r = {Tensor::empty({1000}, dt), Tensor::empty({1000}, dt, dut())};
      ref_backend().arith(op, a.ref, b.ref, r.ref);
      dut_backend().arith(op, a.dev, b.dev, r.dev);
      EXPECT_TRUE(close(r, kElementwise)) << label(dt, "arith " + std::to_string(static_cast<int>(op)));
    }
  }
}

TEST(GpuLabParity, Math) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (std::int64_t n : kLabSizes) {
      const Pair a = random_pair({n}, dt, 7, -3.0, 3.0);
      for (MathOp op : {MathOp::abs, MathOp::sign, MathOp::floor, MathOp::ceil, MathOp::round, MathOp::sin,
                        MathOp::cos, MathOp::tan, MathOp::expm1, MathOp::erf, MathOp::clamp}) {
        Pair r = {Tensor::empty({n}, dt), Tensor::empty({n}, dt, dut())};
        ref_backend().math(op, a.ref, r.ref, -1.0, 0.5);
        dut_backend().math(op, a.dev, r.dev, -1.0, 0.5);
        EXPECT_TRUE(close(r, kElementwise)) << label(dt, "math " + std::to_string(static_cast<int>(op)));
      }
      for (MathOp op : {MathOp::isnan, MathOp::isfinite, MathOp::logical_not}) {
        Pair r = {Tensor::empty({n}, DType::b8), Tensor::empty({n}, DType::b8, dut())};
        ref_backend().math(op, a.ref, r.ref, 0, 0);
        dut_backend().math(op, a.dev, r.dev, 0, 0);
        EXPECT_TRUE(close(r, kExact)) << label(dt, "math bool");
      }
    }
  }
}

TEST(GpuLabParity, ArgReduceIndexSelectIndexPut) {
  GL_SKIP_WITHOUT_GPU();
  struct View {
    std::int64_t outer, n, inner;
  };
  for (DType dt : {DType::f32, DType::f64, DType::i64}) {
    for (const View& v : {View{1, 7, 1}, View{128, 1000, 1}, View{50000, 10, 1}, View{3, 5, 70}}) {
      const Pair in = pair_of(random_any({v.outer, v.n, v.inner}, dt, 8));
      for (bool is_min : {false, true}) {
        Pair values = {Tensor::empty({v.outer * v.inner}, dt), Tensor::empty({v.outer * v.inner}, dt, dut())};
        Pair idx = {Tensor::empty({v.outer * v.inner}, DType::i64), Tensor::empty({v.outer * v.inner}, DType::i64, dut())};
        ref_backend().arg_reduce(in.ref, v.outer, v.n, v.inner, is_min, values.ref, idx.ref);
        dut_backend().arg_reduce(in.dev, v.outer, v.n, v.inner, is_min, values.dev, idx.dev);
        EXPECT_TRUE(close(values, kExact)) << label(dt, "arg_reduce values");
        EXPECT_TRUE(close(idx, kExact)) << label(dt, "arg_reduce indices");
      }
      std::vector<double> picks;
      for (std::int64_t j = 0; j < 9; ++j) picks.push_back(static_cast<double>((j * 7) % v.n));
      const Pair ix = pair_of(Tensor::from_vector(picks, {9}, DType::i64));
      Pair out = {Tensor::empty({v.outer, 9, v.inner}, dt), Tensor::empty({v.outer, 9, v.inner}, dt, dut())};
      ref_backend().index_select(in.ref, v.outer, v.n, v.inner, ix.ref, out.ref);
      dut_backend().index_select(in.dev, v.outer, v.n, v.inner, ix.dev, out.dev);
      EXPECT_TRUE(close(out, kExact)) << label(dt, "index_select");
      for (bool accumulate : {false, true}) {
        Pair dst = pair_of(Tensor::zeros({v.outer, v.n, v.inner}, dt));
        // Repeated indices with accumulate add up; without, only distinct indices are compared.
        const Pair once = pair_of(Tensor::from_vector({0, static_cast<double>(v.n - 1)}, {2}, DType::i64));
        const Pair& use = accumulate ? ix : once;
        const std::int64_t m = use.ref.numel();
        const Pair src = pair_of(random_any({v.outer, m, v.inner}, dt, 9));
        ref_backend().index_put(src.ref, v.outer, v.n, v.inner, use.ref, dst.ref, accumulate);
        dut_backend().index_put(src.dev, v.outer, v.n, v.inner, use.dev, dst.dev, accumulate);
        EXPECT_TRUE(close(dst, kReduce)) << label(dt, accumulate ? "index_put accumulate" : "index_put");
      }
    }
  }
}

}  // namespace
}  // namespace gl
