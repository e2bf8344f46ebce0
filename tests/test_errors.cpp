// Bad input: every misuse throws gl::Error whose message names the op, so a
// student sees which call was wrong (shapes, dtypes, axes, channels, labels).
#include "tests/test_util.h"

namespace gl {
namespace {

using test::randn64;

Tensor f64(const Shape& s) { return Tensor::zeros(s, DType::f64); }
Tensor f32(const Shape& s) { return Tensor::zeros(s, DType::f32); }

TEST(Errors, MismatchedShapes) {
  EXPECT_GL_ERROR(add(f64({2, 3}), f64({4})), "add");
  EXPECT_GL_ERROR(sub(f64({2, 3}), f64({3, 2})), "sub");
  EXPECT_GL_ERROR(mul(f64({3}), f64({4})), "mul");
  EXPECT_GL_ERROR(div(f64({2, 1, 3}), f64({2, 2})), "div");
  EXPECT_GL_ERROR(matmul(f64({2, 3}), f64({4, 5})), "matmul");
  EXPECT_GL_ERROR(matmul(f64({2, 2, 3}), f64({3, 3, 2})), "matmul");
  EXPECT_GL_ERROR(matmul(f64({3}), f64({3, 2})), "matmul");
  EXPECT_GL_ERROR(linear(f64({5, 3}), f64({4, 2})), "linear");
  EXPECT_GL_ERROR(linear(f64({5, 3}), f64({4, 3}), f64({3})), "linear");
  EXPECT_GL_ERROR(reshape(f64({2, 3}), {4, 2}), "reshape");
  EXPECT_GL_ERROR(reshape(f64({2, 3}), {-1, -1}), "reshape");
  EXPECT_GL_ERROR(concat({f64({2, 3}), f64({3, 2})}, 0), "concat");
  EXPECT_GL_ERROR(concat({}, 0), "concat");
  EXPECT_GL_ERROR(expand(f64({2, 3}), {4, 3}), "expand");
  EXPECT_GL_ERROR(sum_to(f64({2, 3}), {4}), "sum_to");
  EXPECT_GL_ERROR(mse_loss(f64({2, 3}), f64({3, 2})), "mse_loss");
  EXPECT_GL_ERROR(pad2d(f64({4}), 1, 1), "pad2d");
}

TEST(Errors, BackwardSeeds) {
  Tensor x = randn64({2, 3}, 181);
  Tensor y = mul_scalar(x, 2.0);
  EXPECT_GL_ERROR(y.backward(), "backward");
  EXPECT_GL_ERROR(y.backward(f64({3, 2})), "backward");
}

TEST(Errors, WrongDTypes) {
  EXPECT_GL_ERROR(add(f32({2}), f64({2})), "add");
  EXPECT_GL_ERROR(matmul(f32({2, 2}), f64({2, 2})), "matmul");
  EXPECT_GL_ERROR(conv2d(f32({1, 1, 3, 3}), f64({1, 1, 3, 3})), "conv2d");
  Tensor labels = Tensor::from_labels({0, 1});
  EXPECT_GL_ERROR(exp(labels), "exp");
  EXPECT_GL_ERROR(relu(labels), "relu");
  EXPECT_GL_ERROR(add(labels, labels), "add");
  EXPECT_GL_ERROR(sum(labels), "sum");
  EXPECT_GL_ERROR(cross_entropy(f64({2, 3}), f64({2})), "cross_entropy");  // labels must be int32
}

TEST(Errors, BadAxes) {
  EXPECT_GL_ERROR(sum(f64({2, 3}), {2}), "sum");
  EXPECT_GL_ERROR(mean(f64({2, 3}), {-3}), "mean");
  EXPECT_GL_ERROR(var(f64({2, 3}), {5}), "var");
  EXPECT_GL_ERROR(permute(f64({2, 3, 4}), {0, 1}), "permute");
  EXPECT_GL_ERROR(permute(f64({2, 3, 4}), {0, 1, 1}), "permute");
  EXPECT_GL_ERROR(transpose(f64({2, 3}), 0, 2), "transpose");
  EXPECT_GL_ERROR(slice(f64({2, 3}), 2, 0, 1), "slice");
  EXPECT_GL_ERROR(slice(f64({2, 3}), 1, 0, 3, 0), "slice");  // step 0
  EXPECT_GL_ERROR(concat({f64({2, 3}), f64({2, 3})}, 2), "concat");
  EXPECT_GL_ERROR(flatten(f64({2, 3}), 3), "flatten");
}

TEST(Errors, ConvolutionAndPooling) {
  // Channel mismatch: x has 3 channels, the weight expects 2.
  EXPECT_GL_ERROR(conv2d(f64({1, 3, 5, 5}), f64({4, 2, 3, 3})), "conv2d");
  EXPECT_GL_ERROR(conv2d(f64({1, 3, 5}), f64({4, 3, 3, 3})), "conv2d");             // rank
  EXPECT_GL_ERROR(conv2d(f64({1, 3, 5, 5}), f64({4, 3, 3, 3}), f64({3})), "conv2d");  // bias
  EXPECT_GL_ERROR(conv2d(f64({1, 3, 2, 2}), f64({4, 3, 3, 3})), "conv2d");  // kernel > input
  EXPECT_GL_ERROR(conv2d(f64({1, 3, 5, 5}), f64({4, 3, 3, 3}), Tensor(), 0, 0), "conv2d");
  EXPECT_GL_ERROR(conv1d(f64({1, 2, 5}), f64({4, 3, 3})), "conv1d");
  EXPECT_GL_ERROR(conv1d_matrix(f64({2, 2}), 4), "conv1d_matrix");
  EXPECT_GL_ERROR(conv2d_matrix(f64({2, 2, 3}), 4, 4), "conv2d_matrix");
  EXPECT_GL_ERROR(im2col(f64({2, 3}), 3, 3), "im2col");
  EXPECT_GL_ERROR(max_pool2d(f64({1, 1, 4}), 2), "max_pool2d");
  EXPECT_GL_ERROR(avg_pool2d(f64({1, 1, 1, 1}), 2), "avg_pool2d");
  EXPECT_GL_ERROR(global_avg_pool2d(f64({2, 3})), "global_avg_pool2d");
}

TEST(Errors, BatchNorm) {
  EXPECT_GL_ERROR(batch_norm(f64({4, 3}), f64({2}), f64({2}), Tensor(), Tensor(), true), "batch_norm");
  EXPECT_GL_ERROR(batch_norm(f64({4}), f64({4}), f64({4}), Tensor(), Tensor(), true), "batch_norm");
  // Evaluation needs running statistics.
  EXPECT_GL_ERROR(batch_norm(f64({4, 3}), f64({3}), f64({3}), Tensor(), Tensor(), false), "batch_norm");
  // One value per channel: no batch variance.
  EXPECT_GL_ERROR(batch_norm(f64({1, 3}), f64({3}), f64({3}), Tensor(), Tensor(), true), "batch_norm");
}

TEST(Errors, LabelsOutOfRange) {
  Tensor logits = randn64({2, 3}, 183);
  EXPECT_GL_ERROR(cross_entropy(logits, Tensor::from_labels({0, 3})), "cross_entropy");
  EXPECT_GL_ERROR(cross_entropy(logits, Tensor::from_labels({-1, 0})), "cross_entropy");
  EXPECT_GL_ERROR(cross_entropy(logits, Tensor::from_labels({0, 1, 2})), "cross_entropy");
  EXPECT_GL_ERROR(cross_entropy(f64({2, 3, 1}), Tensor::from_labels({0, 1})), "cross_entropy");
}

}  // namespace
}  // namespace gl
