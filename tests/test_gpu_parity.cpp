// GPU-vs-CPU parity of every Backend method (engine/core/backend.h), called
// directly on poisoned outputs, f32 and f64, at sizes that are 1, odd, and
// larger than one block / one grid row. See tests/test_gpu_util.h.
// The ops-level parity (forward and backward through autograd) is in
// test_gpu_ops.cpp, a whole ResNet training step in test_gpu_resnet.cpp.
#include "tests/test_gpu_util.h"

namespace gl {
namespace {

using namespace gl::test;

const std::vector<std::int64_t> kSizes{1, 7, 1000, 70000};

TEST(GpuParity, CopiesBetweenHostAndDevice) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : {DType::f32, DType::f64, DType::i32}) {
    for (std::int64_t n : kSizes) {
      const Tensor host = random_cpu({n}, DType::f64, n, -100, 100).to(dt);
      const Tensor dev = host.to(dut());
      const Tensor copy = dev.clone();  // device-to-device
      EXPECT_TRUE(close(copy, host, kExact)) << label(dt, "n=" + std::to_string(n));
      EXPECT_EQ(dev.at({n - 1}), host.at({n - 1}));
    }
  }
}

TEST(GpuParity, Fill) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : {DType::f32, DType::f64, DType::i32}) {
    for (std::int64_t n : kSizes) {
      Pair out = poisoned_pair({n}, dt);
      ref_backend().fill(out.ref, 3.0);
      dut_backend().fill(out.dev, 3.0);
      EXPECT_TRUE(close(out, kExact)) << label(dt, "n=" + std::to_string(n));
    }
  }
}

TEST(GpuParity, ConvertEveryDtypePair) {
  GL_SKIP_WITHOUT_GPU();
  for (DType from : {DType::f32, DType::f64, DType::i32}) {
    for (DType to : {DType::f32, DType::f64, DType::i32}) {
      for (std::int64_t n : {std::int64_t{7}, std::int64_t{70000}}) {
        Pair src = pair_of(random_cpu({n}, DType::f64, 5, -50, 50).to(from));
        Pair dst = poisoned_pair({n}, to);
        ref_backend().convert(src.ref, dst.ref);
        dut_backend().convert(src.dev, dst.dev);
        EXPECT_TRUE(close(dst, kExact)) << dtype_name(from) << " -> " << dtype_name(to);
      }
    }
  }
}

// strided_copy as permute, slice with step and offset, broadcast (stride 0)
// and accumulate, on rank 1 to 5.
TEST(GpuParity, StridedCopy) {
  GL_SKIP_WITHOUT_GPU();
  struct Case {
    Shape src_shape, shape;
    Strides src_strides;
    std::int64_t src_offset;
    bool accumulate;
  };
  const std::vector<Case> cases{
      {{3, 4, 5}, {5, 3, 4}, {1, 20, 5}, 0, false},                  // permute (2, 0, 1)
      {{50, 41}, {41, 50}, {1, 41}, 0, true},                        // transpose, accumulate
      {{70000}, {23333}, {3}, 1, false},                             // slice 1::3
      {{9, 10}, {4, 3}, {20, 3}, 11, false},                         // 2-D slice with steps
      {{7}, {6, 7}, {0, 1}, 0, false},                               // expand rows (stride 0)
      {{2, 3, 4, 5, 6}, {6, 5, 4, 3, 2}, {1, 6, 30, 120, 360}, 0, true},  // reverse 5 dims
      {{1}, {1}, {0}, 0, false},                                     // one element
  };
  for (DType dt : {DType::f32, DType::f64, DType::i32}) {
    for (const Case& c : cases) {
      Pair src = pair_of(random_cpu(c.src_shape, DType::f64, 9, -9, 9).to(dt));
      // accumulate adds into existing values; otherwise every element must be written.
      Pair dst = c.accumulate ? pair_of(random_cpu(c.shape, DType::f64, 10, -9, 9).to(dt))
                              : poisoned_pair(c.shape, dt);
      const Strides dst_strides = contiguous_strides(c.shape);
      ref_backend().strided_copy(src.ref, c.src_offset, c.src_strides, dst.ref, 0, dst_strides, c.shape,
                                 c.accumulate);
      dut_backend().strided_copy(src.dev, c.src_offset, c.src_strides, dst.dev, 0, dst_strides, c.shape,
                                 c.accumulate);
      EXPECT_TRUE(close(dst, kExact)) << label(dt, shape_str(c.shape));
    }
  }
  // A destination view with an offset (concat's second part): dst [4, 9], columns 5..8.
  for (DType dt : float_dtypes()) {
    Pair src = random_pair({4, 4}, dt, 12);
    Pair dst = pair_of(random_cpu({4, 9}, dt, 13));
    ref_backend().strided_copy(src.ref, 0, {4, 1}, dst.ref, 5, {9, 1}, {4, 4}, false);
    dut_backend().strided_copy(src.dev, 0, {4, 1}, dst.dev, 5, {9, 1}, {4, 4}, false);
    EXPECT_TRUE(close(dst, kExact)) << label(dt, "offset destination");
  }
}

// Inputs valid for every unary op: positive (log, sqrt, pow 1.5) and mixed sign.
TEST(GpuParity, UnaryForwardAndBackward) {
  GL_SKIP_WITHOUT_GPU();
  struct Case {
    UnaryOp op;
    double scalar, low, high;
  };
  const std::vector<Case> cases{
      {UnaryOp::neg, 0, -3, 3},        {UnaryOp::exp, 0, -5, 5},         {UnaryOp::log, 0, 0.1, 10},
      {UnaryOp::tanh, 0, -4, 4},       {UnaryOp::sigmoid, 0, -30, 30},   {UnaryOp::relu, 0, -1, 1},
      {UnaryOp::sqrt, 0, 0.1, 10},     {UnaryOp::pow_scalar, 2, -3, 3},  {UnaryOp::pow_scalar, 1.5, 0.1, 4},
      {UnaryOp::pow_scalar, -1, 0.5, 3}, {UnaryOp::mul_scalar, -2.5, -3, 3}, {UnaryOp::add_scalar, 0.75, -3, 3},
  };
  for (DType dt : float_dtypes()) {
    for (const Case& c : cases) {
      for (std::int64_t n : kSizes) {
        const std::string what = label(dt, "op " + std::to_string(static_cast<int>(c.op)) + " n=" + std::to_string(n));
        Pair x = random_pair({n}, dt, 100 + n, c.low, c.high);
        Pair y = poisoned_pair({n}, dt);
        ref_backend().unary(c.op, x.ref, y.ref, c.scalar);
        dut_backend().unary(c.op, x.dev, y.dev, c.scalar);
        EXPECT_TRUE(close(y, kElementwise)) << what;
        // Backward from the reference y on both sides, so only the backward kernel is compared.
        const Pair y_same = pair_of(y.ref);
        Pair go = random_pair({n}, dt, 200 + n);
        Pair gi = poisoned_pair({n}, dt);
        ref_backend().unary_backward(c.op, x.ref, y_same.ref, go.ref, gi.ref, c.scalar);
        dut_backend().unary_backward(c.op, x.dev, y_same.dev, go.dev, gi.dev, c.scalar);
        EXPECT_TRUE(close(gi, kElementwise)) << what << " backward";
      }
    }
  }
}

TEST(GpuParity, BinaryWithBroadcasting) {
  GL_SKIP_WITHOUT_GPU();
  struct Case {
    Shape a, b;
  };
  const std::vector<Case> cases{
      {{1}, {1}},          {{7}, {7}},          {{70000}, {70000}},        {{128, 10}, {10}},
      {{128, 10}, {128, 1}}, {{3, 1, 5}, {1, 4, 1}}, {{1}, {300, 301}},        {{2, 3, 4, 5}, {3, 1, 5}},
      {{16, 32, 8, 8}, {1, 32, 1, 1}},
  };
  for (DType dt : float_dtypes()) {
    for (BinaryOp op : {BinaryOp::add, BinaryOp::sub, BinaryOp::mul, BinaryOp::div}) {
      for (const Case& c : cases) {
        const Shape out_shape = broadcast_shapes(c.a, c.b, "test");
        Pair a = random_pair(c.a, dt, 31, -2, 2);
        Pair b = random_pair(c.b, dt, 32, 0.5, 2);  // away from 0 for div
        Pair out = poisoned_pair(out_shape, dt);
        ref_backend().binary(op, a.ref, b.ref, out.ref);
        dut_backend().binary(op, a.dev, b.dev, out.dev);
        EXPECT_TRUE(close(out, kElementwise))
            << label(dt, "op " + std::to_string(static_cast<int>(op)) + " " + shape_str(c.a) + " " + shape_str(c.b));
      }
    }
  }
}

TEST(GpuParity, Axpy) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (std::int64_t n : kSizes) {
      Pair a = random_pair({n}, dt, 41);
      Pair out = random_pair({n}, dt, 42);
      ref_backend().axpy(-0.3, a.ref, out.ref);
      dut_backend().axpy(-0.3, a.dev, out.dev);
      EXPECT_TRUE(close(out, kElementwise)) << label(dt, "n=" + std::to_string(n));
    }
  }
}

TEST(GpuParity, ReduceSum) {
  GL_SKIP_WITHOUT_GPU();
  struct Case {
    Shape in, out;
  };
  const std::vector<Case> cases{
      {{1}, {1}},
      {{7}, {1}},
      {{70000}, {1}},
      {{128, 10}, {1, 10}},
      {{128, 10}, {128, 1}},
      {{300, 1000}, {300, 1}},
      {{3000, 40}, {1, 40}},
      {{4, 5, 6, 7}, {1, 5, 1, 1}},
      {{4, 5, 6, 7}, {4, 1, 6, 1}},
      {{16, 32, 16, 16}, {1, 32, 1, 1}},
      {{2, 3, 4, 5, 6}, {2, 3, 4, 5, 6}},  // nothing summed
      {{6, 1, 5}, {1, 1, 1}},
  };
  for (DType dt : float_dtypes()) {
    for (const Case& c : cases) {
      Pair in = random_pair(c.in, dt, 51);
      Pair out = poisoned_pair(c.out, dt);
      ref_backend().reduce_sum(in.ref, out.ref);
      dut_backend().reduce_sum(in.dev, out.dev);
      EXPECT_TRUE(close(out, kReduce)) << label(dt, shape_str(c.in) + " -> " + shape_str(c.out));
    }
  }
}

TEST(GpuParity, GemmAllTranspositionsAndBatches) {
  GL_SKIP_WITHOUT_GPU();
  struct Case {
    std::int64_t M, N, K, batch;
    bool shared_a, shared_b;
    double beta;
  };
  const std::vector<Case> cases{
      {1, 1, 1, 1, false, false, 0},      {7, 5, 3, 1, false, false, 0},  {33, 17, 65, 1, false, false, 0.5},
      {16, 1024, 144, 4, true, false, 0}, {9, 8, 7, 3, false, true, 1},   {128, 10, 64, 1, false, false, 0},
      {300, 200, 100, 2, false, false, 0},
  };
  for (DType dt : float_dtypes()) {
    for (const Case& c : cases) {
      for (int t = 0; t < 4; ++t) {
        const bool ta = t & 1, tb = t & 2;
        const std::int64_t sa = c.shared_a ? 0 : c.M * c.K, sb = c.shared_b ? 0 : c.K * c.N;
        Pair A = random_pair({c.shared_a ? 1 : c.batch, c.M * c.K}, dt, 61);
        Pair B = random_pair({c.shared_b ? 1 : c.batch, c.K * c.N}, dt, 62);
        // beta = 0 must ignore C (poisoned); beta != 0 reads it.
        Pair C = c.beta == 0 ? poisoned_pair({c.batch, c.M * c.N}, dt) : random_pair({c.batch, c.M * c.N}, dt, 63);
        ref_backend().gemm(ta, tb, c.M, c.N, c.K, 1.5, A.ref, sa, B.ref, sb, c.beta, C.ref, c.M * c.N, c.batch);
        dut_backend().gemm(ta, tb, c.M, c.N, c.K, 1.5, A.dev, sa, B.dev, sb, c.beta, C.dev, c.M * c.N, c.batch);
        EXPECT_TRUE(close(C, kGemm)) << label(dt, "M=" + std::to_string(c.M) + " N=" + std::to_string(c.N) +
                                                       " K=" + std::to_string(c.K) + " batch=" +
                                                       std::to_string(c.batch) + " ta=" + std::to_string(ta) +
                                                       " tb=" + std::to_string(tb));
      }
    }
  }
}

// Geometries: 3x3 pad 1, stride 2, no padding, 1x1 (the direct path), 1x1
// stride 2 (projection shortcut), rectangular kernel with odd sizes, and
// ResNet-20's stack shapes at batch 4.
std::vector<ConvGeom> conv_geometries() {
  auto geom = [](std::int64_t N, std::int64_t C, std::int64_t H, std::int64_t W, std::int64_t K, std::int64_t R,
                 std::int64_t S, std::int64_t stride, std::int64_t pad) {
    ConvGeom g{N, C, H, W, K, R, S, stride, stride, pad, pad, 0, 0};
    g.Ho = (H + 2 * pad - R) / stride + 1;
    g.Wo = (W + 2 * pad - S) / stride + 1;
    return g;
  };
  return {geom(2, 3, 7, 5, 4, 3, 3, 1, 1),    geom(2, 3, 9, 9, 5, 3, 3, 2, 0),  geom(3, 6, 5, 7, 4, 1, 1, 1, 0),
          geom(2, 8, 9, 9, 16, 1, 1, 2, 0),   geom(1, 2, 6, 11, 3, 2, 5, 1, 2), geom(2, 4, 8, 8, 4, 3, 3, 2, 1),
          geom(4, 3, 32, 32, 16, 3, 3, 1, 1), geom(4, 16, 32, 32, 32, 3, 3, 2, 1),
          geom(4, 32, 16, 16, 32, 3, 3, 1, 1), geom(4, 64, 8, 8, 64, 3, 3, 1, 1)};
}

std::string geom_str(const ConvGeom& g) {
  return "N=" + std::to_string(g.N) + " C=" + std::to_string(g.C) + " H=" + std::to_string(g.H) +
         " W=" + std::to_string(g.W) + " K=" + std::to_string(g.K) + " R=" + std::to_string(g.R) +
         " S=" + std::to_string(g.S) + " stride=" + std::to_string(g.stride_h) + " pad=" + std::to_string(g.pad_h);
}

TEST(GpuParity, Im2colAndCol2im) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (const ConvGeom& g : conv_geometries()) {
      const Shape cols_shape{g.N, g.C * g.R * g.S, g.Ho * g.Wo};
      Pair x = random_pair({g.N, g.C, g.H, g.W}, dt, 71);
      Pair cols = poisoned_pair(cols_shape, dt);
      ref_backend().im2col(x.ref, g, cols.ref);
      dut_backend().im2col(x.dev, g, cols.dev);
      EXPECT_TRUE(close(cols, kExact)) << label(dt, "im2col " + geom_str(g));
      Pair dcols = random_pair(cols_shape, dt, 72);
      Pair dx = poisoned_pair({g.N, g.C, g.H, g.W}, dt);
      ref_backend().col2im(dcols.ref, g, dx.ref);
      dut_backend().col2im(dcols.dev, g, dx.dev);
      EXPECT_TRUE(close(dx, kReduce)) << label(dt, "col2im " + geom_str(g));
    }
  }
}

TEST(GpuParity, Conv2dForwardAndBackward) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (const ConvGeom& g : conv_geometries()) {
      for (bool with_bias : {false, true}) {
        const std::string what = label(dt, geom_str(g) + (with_bias ? " bias" : ""));
        Pair x = random_pair({g.N, g.C, g.H, g.W}, dt, 81);
        Pair w = random_pair({g.K, g.C, g.R, g.S}, dt, 82);
        Pair b = with_bias ? random_pair({g.K}, dt, 83) : undefined_pair();
        Pair y = poisoned_pair({g.N, g.K, g.Ho, g.Wo}, dt);
        ref_backend().conv2d_forward(x.ref, w.ref, b.ref, g, y.ref);
        dut_backend().conv2d_forward(x.dev, w.dev, b.dev, g, y.dev);
        EXPECT_TRUE(close(y, kGemm)) << what << " forward";
        Pair dy = random_pair({g.N, g.K, g.Ho, g.Wo}, dt, 84);
        Pair dx = poisoned_pair({g.N, g.C, g.H, g.W}, dt);
        Pair dw = poisoned_pair({g.K, g.C, g.R, g.S}, dt);
        Pair db = with_bias ? poisoned_pair({g.K}, dt) : undefined_pair();
        ref_backend().conv2d_backward(x.ref, w.ref, dy.ref, g, dx.ref, dw.ref, db.ref);
        dut_backend().conv2d_backward(x.dev, w.dev, dy.dev, g, dx.dev, dw.dev, db.dev);
        EXPECT_TRUE(close(dx, kGemm)) << what << " dx";
        EXPECT_TRUE(close(dw, kGemm)) << what << " dw";
        EXPECT_TRUE(close(db, kReduce)) << what << " dbias";
      }
    }
  }
}

// Only some gradients requested (the others undefined), as for a frozen input.
TEST(GpuParity, Conv2dBackwardPartialOutputs) {
  GL_SKIP_WITHOUT_GPU();
  const ConvGeom g = conv_geometries()[1];
  for (DType dt : float_dtypes()) {
    Pair x = random_pair({g.N, g.C, g.H, g.W}, dt, 85);
    Pair w = random_pair({g.K, g.C, g.R, g.S}, dt, 86);
    Pair dy = random_pair({g.N, g.K, g.Ho, g.Wo}, dt, 87);
    Pair dw = poisoned_pair({g.K, g.C, g.R, g.S}, dt);
    Pair none_x = undefined_pair(), none_b = undefined_pair();
    ref_backend().conv2d_backward(x.ref, w.ref, dy.ref, g, none_x.ref, dw.ref, none_b.ref);
    dut_backend().conv2d_backward(x.dev, w.dev, dy.dev, g, none_x.dev, dw.dev, none_b.dev);
    EXPECT_TRUE(close(dw, kGemm)) << label(dt, "dw only");
    Pair dx = poisoned_pair({g.N, g.C, g.H, g.W}, dt);
    Pair none_w = undefined_pair();
    ref_backend().conv2d_backward(x.ref, w.ref, dy.ref, g, dx.ref, none_w.ref, none_b.ref);
    dut_backend().conv2d_backward(x.dev, w.dev, dy.dev, g, dx.dev, none_w.dev, none_b.dev);
    EXPECT_TRUE(close(dx, kGemm)) << label(dt, "dx only");
  }
}

TEST(GpuParity, BatchNormTrainEvalBackward) {
  GL_SKIP_WITHOUT_GPU();
  // [N, C] (L = 1), small planes, ResNet-sized planes, and a large mean
  // (offset 50) that a naive E[x^2] - E[x]^2 would lose to cancellation.
  struct Case {
    Shape shape;
    double offset;
  };
  const std::vector<Case> cases{{{2, 1}, 0},          {{7, 3}, 0},           {{128, 10}, 0},
                                {{3, 5, 7, 9}, 0},    {{8, 16, 32, 32}, 0},  {{4, 3, 5, 5}, 50},
                                {{2, 70, 1, 600}, 1}};
  for (DType dt : float_dtypes()) {
    for (const Case& c : cases) {
      const std::int64_t C = c.shape[1];
      const std::string what = label(dt, shape_str(c.shape));
      Pair x = random_pair(c.shape, dt, 91, c.offset - 2, c.offset + 2);
      Pair gamma = random_pair({C}, dt, 92, 0.5, 1.5), beta = random_pair({C}, dt, 93);
      Pair rm = random_pair({C}, dt, 94), rv = random_pair({C}, dt, 95, 0.5, 2);
      Pair y = poisoned_pair(c.shape, dt), mean = poisoned_pair({C}, dt), invstd = poisoned_pair({C}, dt);
      ref_backend().batchnorm_forward_train(x.ref, gamma.ref, beta.ref, 1e-5, 0.1, rm.ref, rv.ref, y.ref, mean.ref,
                                            invstd.ref);
      dut_backend().batchnorm_forward_train(x.dev, gamma.dev, beta.dev, 1e-5, 0.1, rm.dev, rv.dev, y.dev, mean.dev,
                                            invstd.dev);
      EXPECT_TRUE(close(y, kChain)) << what << " y";
      EXPECT_TRUE(close(mean, kReduce)) << what << " mean";
      EXPECT_TRUE(close(invstd, kChain)) << what << " invstd";
      EXPECT_TRUE(close(rm, kReduce)) << what << " running_mean";
      EXPECT_TRUE(close(rv, kChain)) << what << " running_var";

      Pair y_eval = poisoned_pair(c.shape, dt);
      ref_backend().batchnorm_forward_eval(x.ref, gamma.ref, beta.ref, rm.ref, rv.ref, 1e-5, y_eval.ref);
      dut_backend().batchnorm_forward_eval(x.dev, gamma.dev, beta.dev, rm.ref.to(dut()), rv.ref.to(dut()), 1e-5,
                                           y_eval.dev);
      EXPECT_TRUE(close(y_eval, kChain)) << what << " eval";

      // Backward from the reference statistics on both sides.
      const Pair m_same = pair_of(mean.ref), s_same = pair_of(invstd.ref);
      Pair dy = random_pair(c.shape, dt, 96);
      Pair dx = poisoned_pair(c.shape, dt), dgamma = poisoned_pair({C}, dt), dbeta = poisoned_pair({C}, dt);
      ref_backend().batchnorm_backward(x.ref, gamma.ref, m_same.ref, s_same.ref, dy.ref, dx.ref, dgamma.ref,
                                       dbeta.ref);
      dut_backend().batchnorm_backward(x.dev, gamma.dev, m_same.dev, s_same.dev, dy.dev, dx.dev, dgamma.dev,
                                       dbeta.dev);
      EXPECT_TRUE(close(dx, kChain)) << what << " dx";
      EXPECT_TRUE(close(dgamma, kChain)) << what << " dgamma";
      EXPECT_TRUE(close(dbeta, kReduce)) << what << " dbeta";
    }
  }
}

// No affine part and no running statistics (both optional in the contract).
TEST(GpuParity, BatchNormWithoutOptionalTensors) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    Pair x = random_pair({6, 4, 3, 3}, dt, 97);
    Pair none_g = undefined_pair(), none_b = undefined_pair(), none_rm = undefined_pair(), none_rv = undefined_pair();
    Pair y = poisoned_pair({6, 4, 3, 3}, dt), mean = poisoned_pair({4}, dt), invstd = poisoned_pair({4}, dt);
    ref_backend().batchnorm_forward_train(x.ref, none_g.ref, none_b.ref, 1e-5, 0.1, none_rm.ref, none_rv.ref, y.ref,
                                          mean.ref, invstd.ref);
    dut_backend().batchnorm_forward_train(x.dev, none_g.dev, none_b.dev, 1e-5, 0.1, none_rm.dev, none_rv.dev, y.dev,
                                          mean.dev, invstd.dev);
    EXPECT_TRUE(close(y, kChain)) << label(dt, "y");
    Pair dy = random_pair({6, 4, 3, 3}, dt, 98);
    Pair dx = poisoned_pair({6, 4, 3, 3}, dt), none_dg = undefined_pair(), none_db = undefined_pair();
    const Pair m_same = pair_of(mean.ref), s_same = pair_of(invstd.ref);
    ref_backend().batchnorm_backward(x.ref, none_g.ref, m_same.ref, s_same.ref, dy.ref, dx.ref, none_dg.ref,
                                     none_db.ref);
    dut_backend().batchnorm_backward(x.dev, none_g.dev, m_same.dev, s_same.dev, dy.dev, dx.dev, none_dg.dev,
                                     none_db.dev);
    EXPECT_TRUE(close(dx, kChain)) << label(dt, "dx");
  }
}

std::vector<PoolGeom> pool_geometries() {
  auto geom = [](std::int64_t N, std::int64_t C, std::int64_t H, std::int64_t W, std::int64_t k, std::int64_t stride,
                 std::int64_t pad) {
    PoolGeom g{N, C, H, W, k, k, stride, stride, pad, pad, 0, 0};
    g.Ho = (H + 2 * pad - k) / stride + 1;
    g.Wo = (W + 2 * pad - k) / stride + 1;
    return g;
  };
  return {geom(1, 1, 2, 2, 2, 2, 0), geom(2, 3, 7, 9, 2, 2, 0), geom(2, 3, 9, 9, 3, 2, 1),
          geom(3, 2, 8, 5, 3, 1, 1), geom(16, 64, 8, 8, 8, 8, 0), geom(8, 16, 32, 32, 2, 2, 0)};
}

TEST(GpuParity, MaxPoolForwardAndBackward) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (const PoolGeom& g : pool_geometries()) {
      const std::string what = label(dt, "N=" + std::to_string(g.N) + " H=" + std::to_string(g.H) + " k=" +
                                             std::to_string(g.R) + " stride=" + std::to_string(g.stride_h) +
                                             " pad=" + std::to_string(g.pad_h));
      Pair x = random_pair({g.N, g.C, g.H, g.W}, dt, 111);
      Pair y = poisoned_pair({g.N, g.C, g.Ho, g.Wo}, dt);
      Pair argmax = poisoned_pair({g.N, g.C, g.Ho, g.Wo}, DType::i32);
      ref_backend().maxpool2d_forward(x.ref, g, y.ref, argmax.ref);
      dut_backend().maxpool2d_forward(x.dev, g, y.dev, argmax.dev);
      EXPECT_TRUE(close(y, kExact)) << what << " y";
      EXPECT_TRUE(close(argmax, kExact)) << what << " argmax";
      const Pair a_same = pair_of(argmax.ref);
      Pair dy = random_pair({g.N, g.C, g.Ho, g.Wo}, dt, 112);
      Pair dx = poisoned_pair({g.N, g.C, g.H, g.W}, dt);
      ref_backend().maxpool2d_backward(dy.ref, a_same.ref, g, dx.ref);
      dut_backend().maxpool2d_backward(dy.dev, a_same.dev, g, dx.dev);
      EXPECT_TRUE(close(dx, kExact)) << what << " dx";
    }
  }
}

TEST(GpuParity, AvgPoolForwardAndBackward) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (const PoolGeom& g : pool_geometries()) {
      const std::string what = label(dt, "H=" + std::to_string(g.H) + " k=" + std::to_string(g.R));
      Pair x = random_pair({g.N, g.C, g.H, g.W}, dt, 121);
      Pair y = poisoned_pair({g.N, g.C, g.Ho, g.Wo}, dt);
      ref_backend().avgpool2d_forward(x.ref, g, y.ref);
      dut_backend().avgpool2d_forward(x.dev, g, y.dev);
      EXPECT_TRUE(close(y, kReduce)) << what << " y";
      Pair dy = random_pair({g.N, g.C, g.Ho, g.Wo}, dt, 122);
      Pair dx = poisoned_pair({g.N, g.C, g.H, g.W}, dt);
      ref_backend().avgpool2d_backward(dy.ref, g, dx.ref);
      dut_backend().avgpool2d_backward(dy.dev, g, dx.dev);
      EXPECT_TRUE(close(dx, kReduce)) << what << " dx";
    }
  }
}

TEST(GpuParity, SoftmaxAndLogSoftmax) {
  GL_SKIP_WITHOUT_GPU();
  const std::vector<Shape> shapes{{1, 1}, {7, 10}, {128, 10}, {3, 1000}, {2, 70000}, {4, 3, 33}};
  for (DType dt : float_dtypes()) {
    for (const Shape& s : shapes) {
      for (bool log : {false, true}) {
        const std::string what = label(dt, shape_str(s) + (log ? " log" : ""));
        Pair x = random_pair(s, dt, 131, -8, 8);
        Pair y = poisoned_pair(s, dt);
        ref_backend().softmax_forward(x.ref, y.ref, log);
        dut_backend().softmax_forward(x.dev, y.dev, log);
        EXPECT_TRUE(close(y, kChain)) << what;
        const Pair y_same = pair_of(y.ref);
        Pair dy = random_pair(s, dt, 132);
        Pair dx = poisoned_pair(s, dt);
        ref_backend().softmax_backward(y_same.ref, dy.ref, dx.ref, log);
        dut_backend().softmax_backward(y_same.dev, dy.dev, dx.dev, log);
        EXPECT_TRUE(close(dx, kChain)) << what << " backward";
      }
    }
  }
}

TEST(GpuParity, CrossEntropy) {
  GL_SKIP_WITHOUT_GPU();
  const std::vector<std::pair<std::int64_t, std::int64_t>> sizes{{1, 1}, {1, 10}, {7, 10}, {128, 10}, {1000, 100}};
  for (DType dt : float_dtypes()) {
    for (const auto& [N, K] : sizes) {
      const std::string what = label(dt, "N=" + std::to_string(N) + " K=" + std::to_string(K));
      Pair logits = random_pair({N, K}, dt, 141, -5, 5);
      Pair labels = labels_pair(N, K, 142);
      Pair loss = poisoned_pair({1}, dt), probs = poisoned_pair({N, K}, dt);
      ref_backend().cross_entropy_forward(logits.ref, labels.ref, loss.ref, probs.ref);
      dut_backend().cross_entropy_forward(logits.dev, labels.dev, loss.dev, probs.dev);
      EXPECT_TRUE(close(loss, kChain)) << what << " loss";
      EXPECT_TRUE(close(probs, kChain)) << what << " probs";
      const Pair p_same = pair_of(probs.ref);
      Pair grad_loss = pair_of(Tensor::full({1}, 0.7, dt));
      Pair dlogits = poisoned_pair({N, K}, dt);
      ref_backend().cross_entropy_backward(p_same.ref, labels.ref, grad_loss.ref, dlogits.ref);
      dut_backend().cross_entropy_backward(p_same.dev, labels.dev, grad_loss.dev, dlogits.dev);
      EXPECT_TRUE(close(dlogits, kElementwise)) << what << " dlogits";
    }
    // Without probs (not saved).
    Pair logits = random_pair({5, 4}, dt, 143), labels = labels_pair(5, 4, 144);
    Pair loss = poisoned_pair({1}, dt), none = undefined_pair();
    ref_backend().cross_entropy_forward(logits.ref, labels.ref, loss.ref, none.ref);
    dut_backend().cross_entropy_forward(logits.dev, labels.dev, loss.dev, none.dev);
    EXPECT_TRUE(close(loss, kChain)) << label(dt, "loss without probs");
    // No classes (K = 0) with rows: both backends refuse, naming the shape.
    Pair empty_logits = poisoned_pair({3, 0}, dt), empty_labels = labels_pair(3, 1, 145);
    Pair empty_probs = poisoned_pair({3, 0}, dt);
    for (Backend* be : {&ref_backend(), &dut_backend()}) {
      const bool ref = be == &ref_backend();
      EXPECT_TRUE(throws_error_containing(
          [&] {
            be->cross_entropy_forward(ref ? empty_logits.ref : empty_logits.dev,
                                      ref ? empty_labels.ref : empty_labels.dev, ref ? loss.ref : loss.dev,
                                      ref ? empty_probs.ref : empty_probs.dev);
          },
          "no classes (K = 0)"))
          << label(dt, ref ? "reference backend, K = 0" : "device backend, K = 0");
    }
  }
}

TEST(GpuParity, SgdUpdate) {
  GL_SKIP_WITHOUT_GPU();
  struct Case {
    double momentum, weight_decay;
    bool nesterov;
  };
  const std::vector<Case> cases{{0, 0, false}, {0, 5e-4, false}, {0.9, 0, false}, {0.9, 5e-4, true}};
  for (DType dt : float_dtypes()) {
    for (const Case& c : cases) {
      for (std::int64_t n : kSizes) {
        Pair p = random_pair({n}, dt, 151), g = random_pair({n}, dt, 152);
        Pair v = c.momentum != 0 ? random_pair({n}, dt, 153) : undefined_pair();
        Pair lr = pair_of(Tensor::full({1}, 0.1, DType::f64));
        for (int step = 0; step < 2; ++step) {
          ref_backend().sgd_update(p.ref, g.ref, v.ref, lr.ref, c.momentum, c.weight_decay, c.nesterov);
          dut_backend().sgd_update(p.dev, g.dev, v.dev, lr.dev, c.momentum, c.weight_decay, c.nesterov);
          // The second step reads a rewritten learning rate from the same buffer.
          ref_backend().fill(lr.ref, 0.05);
          dut_backend().fill(lr.dev, 0.05);
        }
        const std::string what = label(dt, "momentum=" + std::to_string(c.momentum) + " nesterov=" +
                                               std::to_string(c.nesterov) + " n=" + std::to_string(n));
        EXPECT_TRUE(close(p, kElementwise)) << what << " param";
        EXPECT_TRUE(close(v, kElementwise)) << what << " velocity";
      }
    }
  }
}

TEST(GpuParity, AugmentBatch) {
  GL_SKIP_WITHOUT_GPU();
  const std::int64_t M = 10, C = 3, H = 8, W = 6, B = 13, pad = 2;
  const Pair src = pair_of(random_cpu({M, C, H, W}, DType::f32, 161, 0, 255));
  Rng rng(162);
  std::vector<double> plan_values;
  for (std::int64_t b = 0; b < B; ++b) {
    plan_values.push_back(static_cast<double>(rng.integer(0, M - 1)));
    plan_values.push_back(static_cast<double>(rng.integer(0, 2 * pad)));
    plan_values.push_back(static_cast<double>(rng.integer(0, 2 * pad)));
    plan_values.push_back(static_cast<double>(rng.integer(0, 1)));
  }
  const Pair plan = pair_of(Tensor::from_vector(plan_values, {B, 4}, DType::i32));
  const Pair mean = pair_of(Tensor::from_vector({120, 110, 100}, {C}, DType::f32));
  const Pair stdv = pair_of(Tensor::from_vector({60, 55, 70}, {C}, DType::f32));
  for (DType dt : float_dtypes()) {
    for (bool per_image : {false, true}) {
      Pair dst = poisoned_pair({B, C, H, W}, dt);
      ref_backend().augment_batch(src.ref, plan.ref, pad, per_image, mean.ref, stdv.ref, dst.ref);
      dut_backend().augment_batch(src.dev, plan.dev, pad, per_image, mean.dev, stdv.dev, dst.dev);
      EXPECT_TRUE(close(dst, kElementwise)) << label(dt, per_image ? "per image" : "per channel");
    }
  }
}

TEST(GpuParity, AccumulateCorrect) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (std::int64_t N : {std::int64_t{1}, std::int64_t{7}, std::int64_t{1000}, std::int64_t{10000}}) {
      // Small integers: many ties, so "first maximum wins" is exercised.
      Pair logits = pair_of(random_cpu({N, 10}, DType::f64, 171, 0, 4).to(DType::i32).to(dt));
      Pair labels = labels_pair(N, 10, 172);
      for (DType counter_dtype : {DType::f32, DType::f64, DType::i32}) {
        Pair counter = pair_of(Tensor::full({1}, 5, counter_dtype));
        for (int repeat = 0; repeat < 2; ++repeat) {  // accumulates
          ref_backend().accumulate_correct(logits.ref, labels.ref, counter.ref);
          dut_backend().accumulate_correct(logits.dev, labels.dev, counter.dev);
        }
        EXPECT_TRUE(close(counter, kExact)) << label(dt, "N=" + std::to_string(N) + " counter " +
                                                             dtype_name(counter_dtype));
      }
    }
  }
}

}  // namespace
}  // namespace gl
