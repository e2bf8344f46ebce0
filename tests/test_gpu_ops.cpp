// GPU-vs-CPU parity of every op of engine/ops/ops.h through the public API:
// the same inputs on the CPU and on the device (tensor.to(Device::cuda)),
// forward compared, then backward of sum(op(inputs) * W) with a fixed random
// W (so every output position has its own weight) and every input gradient
// compared. f32 and f64. See tests/test_gpu_util.h.
#include <functional>

#include "tests/test_gpu_util.h"

namespace gl {
namespace {

using namespace gl::test;
using Inputs = std::vector<Tensor>;
using OpFn = std::function<Tensor(const Inputs&)>;

// Inputs are cpu tensors; those with requires_grad get gradients compared.
void expect_op_parity(const std::string& name, const OpFn& op, const Inputs& inputs, const Tol& fwd,
                      const Tol& bwd) {
  SCOPED_TRACE(name);
  Inputs ref, dev;
  for (const Tensor& t : inputs) {
    Tensor r = t.clone(), d = t.to(dut());
    if (t.requires_grad()) {
      r.set_requires_grad(true);
      d.set_requires_grad(true);
    }
    ref.push_back(r);
    dev.push_back(d);
  }
  const Tensor ref_out = op(ref), dev_out = op(dev);
  ASSERT_EQ(dev_out.device(), dut());
  EXPECT_TRUE(close(dev_out, ref_out, fwd)) << "forward";
  if (!ref_out.requires_grad()) return;
  const Tensor w = random_cpu(ref_out.shape(), ref_out.dtype(), 4242);
  sum(mul(ref_out, w)).backward();
  sum(mul(dev_out, w.to(dut()))).backward();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    ASSERT_TRUE(dev[i].grad().defined()) << "input " << i << " got no gradient on the device";
    EXPECT_TRUE(close(dev[i].grad(), ref[i].grad(), bwd)) << "gradient of input " << i;
  }
}

Tensor rnd(const Shape& s, DType dt, std::uint64_t seed, double low = -1, double high = 1) {
  Tensor t = random_cpu(s, dt, seed, low, high);
  t.set_requires_grad(true);
  return t;
}

TEST(GpuOps, Elementwise) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    const std::string d = dtype_name(dt);
    for (std::int64_t n : {std::int64_t{1}, std::int64_t{7}, std::int64_t{1000}, std::int64_t{70000}}) {
      const std::string s = d + " n=" + std::to_string(n);
      const Tensor x = rnd({n}, dt, 1), y = rnd({n}, dt, 2, 0.5, 2), pos = rnd({n}, dt, 3, 0.1, 5);
      expect_op_parity("add " + s, [](const Inputs& in) { return add(in[0], in[1]); }, {x, y}, kElementwise, kElementwise);
      expect_op_parity("sub " + s, [](const Inputs& in) { return sub(in[0], in[1]); }, {x, y}, kElementwise, kElementwise);
      expect_op_parity("mul " + s, [](const Inputs& in) { return mul(in[0], in[1]); }, {x, y}, kElementwise, kElementwise);
      expect_op_parity("div " + s, [](const Inputs& in) { return div(in[0], in[1]); }, {x, y}, kElementwise, kElementwise);
      expect_op_parity("add_scalar " + s, [](const Inputs& in) { return add_scalar(in[0], 1.5); }, {x}, kElementwise, kElementwise);
      expect_op_parity("mul_scalar " + s, [](const Inputs& in) { return mul_scalar(in[0], -2.0); }, {x}, kElementwise, kElementwise);
      expect_op_parity("neg " + s, [](const Inputs& in) { return neg(in[0]); }, {x}, kElementwise, kElementwise);
      expect_op_parity("exp " + s, [](const Inputs& in) { return exp(in[0]); }, {x}, kElementwise, kElementwise);
      expect_op_parity("log " + s, [](const Inputs& in) { return log(in[0]); }, {pos}, kElementwise, kElementwise);
      expect_op_parity("sqrt " + s, [](const Inputs& in) { return sqrt(in[0]); }, {pos}, kElementwise, kElementwise);
      expect_op_parity("pow 3 " + s, [](const Inputs& in) { return pow(in[0], 3.0); }, {x}, kElementwise, kElementwise);
      expect_op_parity("pow 0.5 " + s, [](const Inputs& in) { return pow(in[0], 0.5); }, {pos}, kElementwise, kElementwise);
      expect_op_parity("tanh " + s, [](const Inputs& in) { return tanh(in[0]); }, {x}, kElementwise, kElementwise);
      expect_op_parity("sigmoid " + s, [](const Inputs& in) { return sigmoid(in[0]); }, {x}, kElementwise, kElementwise);
      expect_op_parity("relu " + s, [](const Inputs& in) { return relu(in[0]); }, {x}, kElementwise, kElementwise);
    }
    // Broadcasting: the backward sums over broadcast dims (reduce_sum).
    expect_op_parity(d + " add [128,10] + [10]", [](const Inputs& in) { return in[0] + in[1]; },
                     {rnd({128, 10}, dt, 4), rnd({10}, dt, 5)}, kElementwise, kReduce);
    expect_op_parity(d + " mul [3,1,4] * [1,5,1]", [](const Inputs& in) { return in[0] * in[1]; },
                     {rnd({3, 1, 4}, dt, 6), rnd({1, 5, 1}, dt, 7)}, kElementwise, kReduce);
    expect_op_parity(d + " div [2,3,4,5] / [3,1,5]", [](const Inputs& in) { return in[0] / in[1]; },
                     {rnd({2, 3, 4, 5}, dt, 8), rnd({3, 1, 5}, dt, 9, 0.5, 2)}, kElementwise, kReduce);
    expect_op_parity(d + " sub [1] - [300,301]", [](const Inputs& in) { return in[0] - in[1]; },
                     {rnd({1}, dt, 10), rnd({300, 301}, dt, 11)}, kElementwise, kReduce);
  }
}

TEST(GpuOps, Reductions) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    const std::string d = dtype_name(dt);
    const Tensor x = rnd({4, 5, 6, 7}, dt, 21), big = rnd({70000}, dt, 22);
    expect_op_parity(d + " sum all", [](const Inputs& in) { return sum(in[0]); }, {x}, kReduce, kElementwise);
    expect_op_parity(d + " sum 70000", [](const Inputs& in) { return sum(in[0]); }, {big}, kReduce, kElementwise);
    expect_op_parity(d + " sum {0} keepdims", [](const Inputs& in) { return sum(in[0], {0}, true); }, {x}, kReduce, kElementwise);
    expect_op_parity(d + " sum {1, 3}", [](const Inputs& in) { return sum(in[0], {1, 3}); }, {x}, kReduce, kElementwise);
    expect_op_parity(d + " mean {-1}", [](const Inputs& in) { return mean(in[0], {-1}); }, {x}, kReduce, kElementwise);
    expect_op_parity(d + " mean all", [](const Inputs& in) { return mean(in[0]); }, {big}, kReduce, kElementwise);
    expect_op_parity(d + " var {0, 2, 3}", [](const Inputs& in) { return var(in[0], {0, 2, 3}); }, {x}, kChain, kChain);
    expect_op_parity(d + " var unbiased", [](const Inputs& in) { return var(in[0], {}, false, true); }, {x}, kChain, kChain);
    expect_op_parity(d + " sum_to [1,5,1,7]", [](const Inputs& in) { return sum_to(in[0], {1, 5, 1, 7}); }, {x}, kReduce, kElementwise);
  }
}

TEST(GpuOps, ShapeOps) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    const std::string d = dtype_name(dt);
    const Tensor x = rnd({3, 4, 5, 6}, dt, 31), m = rnd({9, 10}, dt, 32);
    expect_op_parity(d + " reshape", [](const Inputs& in) { return reshape(in[0], {12, -1}); }, {x}, kExact, kExact);
    expect_op_parity(d + " flatten", [](const Inputs& in) { return flatten(in[0]); }, {x}, kExact, kExact);
    expect_op_parity(d + " permute", [](const Inputs& in) { return permute(in[0], {2, 0, 3, 1}); }, {x}, kExact, kExact);
    expect_op_parity(d + " transpose", [](const Inputs& in) { return transpose(in[0]); }, {m}, kExact, kExact);
    expect_op_parity(d + " slice step 2", [](const Inputs& in) { return slice(in[0], 1, 1, 10, 2); }, {m}, kExact, kExact);
    expect_op_parity(d + " slice negative", [](const Inputs& in) { return slice(in[0], 0, -4, -1); }, {m}, kExact, kExact);
    expect_op_parity(d + " concat", [](const Inputs& in) { return concat({in[0], in[1], in[0]}, 1); },
                     {m, rnd({9, 3}, dt, 33)}, kExact, kElementwise);
    expect_op_parity(d + " expand", [](const Inputs& in) { return expand(in[0], {4, 3, 5}); }, {rnd({3, 1}, dt, 34)},
                     kExact, kReduce);
    expect_op_parity(d + " pad2d", [](const Inputs& in) { return pad2d(in[0], 2, 1); }, {x}, kExact, kExact);
  }
}

TEST(GpuOps, MatmulAndLinear) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    const std::string d = dtype_name(dt);
    expect_op_parity(d + " matmul 2d", [](const Inputs& in) { return matmul(in[0], in[1]); },
                     {rnd({7, 5}, dt, 41), rnd({5, 3}, dt, 42)}, kGemm, kGemm);
    expect_op_parity(d + " matmul batched", [](const Inputs& in) { return matmul(in[0], in[1]); },
                     {rnd({2, 4, 6}, dt, 43), rnd({2, 6, 3}, dt, 44)}, kGemm, kGemm);
    expect_op_parity(d + " matmul batched x 2d", [](const Inputs& in) { return matmul(in[0], in[1]); },
                     {rnd({3, 4, 6}, dt, 45), rnd({6, 5}, dt, 46)}, kGemm, kGemm);
    expect_op_parity(d + " matmul large", [](const Inputs& in) { return matmul(in[0], in[1]); },
                     {rnd({129, 300}, dt, 47), rnd({300, 65}, dt, 48)}, kGemm, kGemm);
    expect_op_parity(d + " linear", [](const Inputs& in) { return linear(in[0], in[1], in[2]); },
                     {rnd({128, 64}, dt, 49), rnd({10, 64}, dt, 50), rnd({10}, dt, 51)}, kGemm, kGemm);
    expect_op_parity(d + " linear no bias", [](const Inputs& in) { return linear(in[0], in[1]); },
                     {rnd({5, 3}, dt, 52), rnd({4, 3}, dt, 53)}, kGemm, kGemm);
  }
}

TEST(GpuOps, Convolutions) {
  GL_SKIP_WITHOUT_GPU();
  struct Case {
    std::int64_t N, C, H, W, K, R, stride, pad;
    bool bias;
  };
  const std::vector<Case> cases{{2, 3, 7, 5, 4, 3, 1, 1, true},   {2, 3, 9, 9, 5, 3, 2, 0, false},
                                {3, 6, 5, 7, 4, 1, 1, 0, true},   {2, 8, 9, 9, 16, 1, 2, 0, false},
                                {4, 16, 32, 32, 32, 3, 2, 1, false}, {4, 32, 16, 16, 32, 3, 1, 1, false}};
  for (DType dt : float_dtypes()) {
    const std::string d = dtype_name(dt);
    for (const Case& c : cases) {
      const std::string s = d + " conv2d N=" + std::to_string(c.N) + " C=" + std::to_string(c.C) + " H=" +
                            std::to_string(c.H) + " K=" + std::to_string(c.K) + " R=" + std::to_string(c.R) +
                            " stride=" + std::to_string(c.stride) + " pad=" + std::to_string(c.pad);
      Inputs in{rnd({c.N, c.C, c.H, c.W}, dt, 61), rnd({c.K, c.C, c.R, c.R}, dt, 62)};
      if (c.bias) in.push_back(rnd({c.K}, dt, 63));
      const std::int64_t stride = c.stride, pad = c.pad;
      expect_op_parity(
          s, [=](const Inputs& v) { return conv2d(v[0], v[1], v.size() > 2 ? v[2] : Tensor(), stride, pad); }, in,
          kGemm, kGemm);
    }
    expect_op_parity(d + " conv2d rectangular", [](const Inputs& v) { return conv2d(v[0], v[1], v[2], 2, 1, 0, 2); },
                     {rnd({2, 3, 8, 7}, dt, 64), rnd({4, 3, 3, 2}, dt, 65), rnd({4}, dt, 66)}, kGemm, kGemm);
    expect_op_parity(d + " conv1d", [](const Inputs& v) { return conv1d(v[0], v[1], v[2], 2, 1); },
                     {rnd({3, 4, 17}, dt, 67), rnd({5, 4, 3}, dt, 68), rnd({5}, dt, 69)}, kGemm, kGemm);
    expect_op_parity(d + " im2col", [](const Inputs& v) { return im2col(v[0], 3, 3, 2, 1); },
                     {rnd({2, 3, 7, 6}, dt, 70)}, kExact, kReduce);
    expect_op_parity(d + " conv1d_matrix", [](const Inputs& v) { return conv1d_matrix(v[0], 9, 2, 1); },
                     {rnd({2, 3, 3}, dt, 71)}, kExact, kReduce);
    expect_op_parity(d + " conv2d_matrix", [](const Inputs& v) { return conv2d_matrix(v[0], 5, 4, 1, 1); },
                     {rnd({2, 3, 3, 3}, dt, 72)}, kExact, kReduce);
  }
}

// batch_norm and batch_norm_relu (the fused op; the CUDA backend runs the
// Backend default that composes its batch-norm and relu kernels).
TEST(GpuOps, BatchNormTrainingAndEval) {
  GL_SKIP_WITHOUT_GPU();
  for (const bool fused : {false, true})
  for (DType dt : float_dtypes()) {
    const auto batch_norm = fused ? gl::batch_norm_relu : gl::batch_norm;
    for (const Shape& shape : std::vector<Shape>{{16, 10}, {8, 16, 32, 32}, {3, 5, 7, 9}}) {
      const std::string s = std::string(dtype_name(dt)) + (fused ? " batch_norm_relu " : " batch_norm ") + shape_str(shape);
      const std::int64_t C = shape[1];
      const Tensor rm = random_cpu({C}, dt, 81), rv = random_cpu({C}, dt, 82, 0.5, 2);
      Tensor rm_ref = rm.clone(), rv_ref = rv.clone(), rm_dev = rm.to(dut()), rv_dev = rv.to(dut());
      const Inputs in{rnd(shape, dt, 83, -3, 5), rnd({C}, dt, 84, 0.5, 1.5), rnd({C}, dt, 85)};
      int call = 0;
      // The op updates running stats in place: the first call is the reference, the second the device.
      expect_op_parity(
          s + " training",
          [&](const Inputs& v) {
            const bool on_ref = call++ == 0;
            return batch_norm(v[0], v[1], v[2], on_ref ? rm_ref : rm_dev, on_ref ? rv_ref : rv_dev, true, 0.1, 1e-5);
          },
          in, kChain, kChain);
      EXPECT_TRUE(close(rm_dev, rm_ref, kReduce)) << s << " running_mean";
      EXPECT_TRUE(close(rv_dev, rv_ref, kChain)) << s << " running_var";
      call = 0;
      expect_op_parity(
          s + " eval",
          [&](const Inputs& v) {
            const bool on_ref = call++ == 0;
            return batch_norm(v[0], v[1], v[2], on_ref ? rm_ref : rm_dev, on_ref ? rv_ref : rv_dev, false, 0.1, 1e-5);
          },
          in, kChain, kChain);
    }
  }
}

// batch_norm_add_relu: the CUDA backend runs the Backend default (batch norm,
// add, relu kernels) against the CPU's fused kernels; the residual's gradient too.
TEST(GpuOps, BatchNormAddRelu) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    for (const Shape& shape : std::vector<Shape>{{16, 10}, {8, 16, 32, 32}, {3, 5, 7, 9}}) {
      const std::string s = std::string(dtype_name(dt)) + " batch_norm_add_relu " + shape_str(shape);
      const std::int64_t C = shape[1];
      const Inputs in{rnd(shape, dt, 86, -3, 5), rnd({C}, dt, 87, 0.5, 1.5), rnd({C}, dt, 88), rnd(shape, dt, 89)};
      expect_op_parity(
          s + " training",
          [](const Inputs& v) { return batch_norm_add_relu(v[0], v[1], v[2], v[3], Tensor(), Tensor(), true); }, in,
          kChain, kChain);
    }
  }
}

TEST(GpuOps, Pooling) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    const std::string d = dtype_name(dt);
    const Tensor x = rnd({2, 3, 9, 8}, dt, 91), big = rnd({16, 64, 8, 8}, dt, 92);
    expect_op_parity(d + " max_pool2d 2", [](const Inputs& v) { return max_pool2d(v[0], 2); }, {x}, kExact, kExact);
    expect_op_parity(d + " max_pool2d 3/2/1", [](const Inputs& v) { return max_pool2d(v[0], 3, 2, 1); }, {x}, kExact,
                     kExact);
    expect_op_parity(d + " avg_pool2d 2", [](const Inputs& v) { return avg_pool2d(v[0], 2); }, {x}, kReduce, kReduce);
    expect_op_parity(d + " avg_pool2d 3/1/1", [](const Inputs& v) { return avg_pool2d(v[0], 3, 1, 1); }, {x}, kReduce,
                     kReduce);
    expect_op_parity(d + " global_avg_pool2d", [](const Inputs& v) { return global_avg_pool2d(v[0]); }, {big}, kReduce,
                     kReduce);
  }
}

TEST(GpuOps, SoftmaxAndLosses) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    const std::string d = dtype_name(dt);
    for (const Shape& s : std::vector<Shape>{{1, 1}, {7, 10}, {128, 10}, {3, 1000}}) {
      const Tensor x = rnd(s, dt, 101, -6, 6);
      expect_op_parity(d + " softmax " + shape_str(s), [](const Inputs& v) { return softmax(v[0]); }, {x}, kChain, kChain);
      expect_op_parity(d + " log_softmax " + shape_str(s), [](const Inputs& v) { return log_softmax(v[0]); }, {x}, kChain,
                       kChain);
      const Tensor labels = labels_pair(s[0], s[1], 102).ref;
      expect_op_parity(d + " cross_entropy " + shape_str(s),
                       [](const Inputs& v) { return cross_entropy(v[0], v[1]); }, {x, labels}, kChain, kChain);
    }
    expect_op_parity(d + " mse_loss", [](const Inputs& v) { return mse_loss(v[0], v[1]); },
                     {rnd({33, 7}, dt, 103), rnd({33, 7}, dt, 104)}, kReduce, kElementwise);
  }
}

TEST(GpuOps, CountCorrect) {
  GL_SKIP_WITHOUT_GPU();
  for (DType dt : float_dtypes()) {
    const Tensor logits = random_cpu({1000, 10}, dt, 111);
    const Pair labels = labels_pair(1000, 10, 112);
    Tensor ref_counter = Tensor::zeros({1}, dt), dev_counter = Tensor::zeros({1}, dt, dut());
    count_correct(logits, labels.ref, ref_counter);
    count_correct(logits.to(dut()), labels.dev, dev_counter);
    EXPECT_TRUE(close(dev_counter, ref_counter, kExact)) << dtype_name(dt);
    EXPECT_GT(ref_counter.item(), 0.0);  // ~100 of 1000 by chance: the count is not trivially 0
  }
}

}  // namespace
}  // namespace gl
