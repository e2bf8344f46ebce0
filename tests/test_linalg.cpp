// matmul (2-D, batched, batched x shared right operand) and linear (y = x W^T + b)
// against triple loops written here; gradients by finite differences, and the
// full Jacobian for one small case.
#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using Inputs = std::vector<Tensor>;

// C[b] = A[b] B[b or shared]; A [batch, M, K], B [batch or 1, K, N].
std::vector<double> naive_matmul(const std::vector<double>& a, const std::vector<double>& b,
                                 std::int64_t batch, std::int64_t M, std::int64_t K,
                                 std::int64_t N, bool shared_b) {
  std::vector<double> c(static_cast<std::size_t>(batch * M * N), 0.0);
  for (std::int64_t p = 0; p < batch; ++p) {
    const std::int64_t bp = shared_b ? 0 : p;
    for (std::int64_t i = 0; i < M; ++i)
      for (std::int64_t j = 0; j < N; ++j) {
        double s = 0;
        for (std::int64_t k = 0; k < K; ++k) s += a[(p * M + i) * K + k] * b[(bp * K + k) * N + j];
        c[(p * M + i) * N + j] = s;
      }
  }
  return c;
}

const auto kMatmul = [](const Inputs& in) { return matmul(in[0], in[1]); };

TEST(Linalg, Matmul2dSeveralShapes) {
  struct Dims {
    std::int64_t M, K, N;
  };
  for (Dims d : std::vector<Dims>{{1, 1, 1}, {2, 3, 4}, {5, 1, 3}, {3, 7, 1}, {4, 4, 4}}) {
    SCOPED_TRACE(fmt::format("M {} K {} N {}", d.M, d.K, d.N));
    Tensor a = randn64({d.M, d.K}, 51), b = randn64({d.K, d.N}, 52);
    Tensor c = matmul(a, b);
    ASSERT_EQ(c.shape(), (Shape{d.M, d.N}));
    EXPECT_TRUE(all_close(c.to_vector(),
                          naive_matmul(a.to_vector(), b.to_vector(), 1, d.M, d.K, d.N, true),
                          1e-13, 1e-14));
    EXPECT_OP_GRADIENTS_OK(kMatmul, {a, b});
  }
}

TEST(Linalg, MatmulBatched) {
  Tensor a = randn64({3, 2, 4}, 53), b = randn64({3, 4, 5}, 54);
  Tensor c = matmul(a, b);
  ASSERT_EQ(c.shape(), (Shape{3, 2, 5}));
  EXPECT_TRUE(all_close(c.to_vector(), naive_matmul(a.to_vector(), b.to_vector(), 3, 2, 4, 5, false),
                        1e-13, 1e-14));
  EXPECT_OP_GRADIENTS_OK(kMatmul, {a, b});
}

TEST(Linalg, MatmulBatchedTimesSharedRight) {
  // [B, M, K] x [K, N]: the right operand's gradient sums over the batch.
  Tensor a = randn64({3, 2, 4}, 55), b = randn64({4, 3}, 56);
  Tensor c = matmul(a, b);
  ASSERT_EQ(c.shape(), (Shape{3, 2, 3}));
  EXPECT_TRUE(all_close(c.to_vector(), naive_matmul(a.to_vector(), b.to_vector(), 3, 2, 4, 3, true),
                        1e-13, 1e-14));
  EXPECT_OP_GRADIENTS_OK(kMatmul, {a, b});
}

TEST(Linalg, MatmulFullJacobian) {
  Tensor a = randn64({2, 3}, 57), b = randn64({3, 2}, 58);
  EXPECT_TRUE(test::jacobian_matches([&] { return matmul(a, b); }, a));
  EXPECT_TRUE(test::jacobian_matches([&] { return matmul(a, b); }, b));
  // d vec(AB) / d vec(A) = I_M (x) B^T for row-major vec.
  const Tensor J = jacobian(matmul(a, b), a);
  const std::vector<double> bv = b.to_vector(), jv = J.to_vector();
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      for (int p = 0; p < 2; ++p)
        for (int k = 0; k < 3; ++k) {
          const double expected = i == p ? bv[k * 2 + j] : 0.0;
          EXPECT_DOUBLE_EQ(jv[(i * 2 + j) * 6 + (p * 3 + k)], expected);
        }
}

TEST(Linalg, LinearWithAndWithoutBias) {
  Tensor x = randn64({5, 3}, 59), w = randn64({4, 3}, 60), b = randn64({4}, 61);
  Tensor y = linear(x, w, b);
  ASSERT_EQ(y.shape(), (Shape{5, 4}));
  std::vector<double> expected =
      naive_matmul(x.to_vector(), transpose(w).to_vector(), 1, 5, 3, 4, true);
  const std::vector<double> bv = b.to_vector();
  std::vector<double> expected_no_bias = expected;
  for (std::int64_t i = 0; i < 20; ++i) expected[i] += bv[i % 4];
  EXPECT_TRUE(all_close(y.to_vector(), expected, 1e-13, 1e-14));
  EXPECT_TRUE(all_close(linear(x, w).to_vector(), expected_no_bias, 1e-13, 1e-14));
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return linear(in[0], in[1], in[2]); }, {x, w, b});
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return linear(in[0], in[1]); }, {x, w});
}

TEST(Linalg, LinearSingleFeatureAndSingleRow) {
  Tensor x = randn64({1, 1}, 62), w = randn64({3, 1}, 63), b = randn64({3}, 64);
  EXPECT_OP_GRADIENTS_OK([](const Inputs& in) { return linear(in[0], in[1], in[2]); }, {x, w, b});
}

}  // namespace
}  // namespace gl
