// Batch normalization against the direct formulas (PyTorch's convention):
//   training: y = gamma (x - mu_B) / sqrt(var_B + eps) + beta with the batch's
//             biased variance; running = (1 - m) running + m * batch stat, the
//             running variance taking the UNBIASED batch variance;
//   eval:     the same with the running statistics.
// Statistics are per channel C over N (and H, W for [N, C, H, W]).
#include <cmath>
#include <functional>

#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using test::randn64;
using test::uniform64;
using Inputs = std::vector<Tensor>;

struct Stats {
  std::vector<double> mean, var_biased, var_unbiased;
};

// Per-channel statistics of x [N, C, (H*W)] flattened row-major.
Stats channel_stats(const std::vector<double>& x, std::int64_t N, std::int64_t C,
                    std::int64_t HW) {
  Stats s{std::vector<double>(C), std::vector<double>(C), std::vector<double>(C)};
  const double M = static_cast<double>(N * HW);
  for (std::int64_t c = 0; c < C; ++c) {
    double sum = 0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t p = 0; p < HW; ++p) sum += x[(n * C + c) * HW + p];
    const double mu = sum / M;
    double ss = 0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t p = 0; p < HW; ++p) ss += std::pow(x[(n * C + c) * HW + p] - mu, 2);
    s.mean[c] = mu;
    s.var_biased[c] = ss / M;
    s.var_unbiased[c] = ss / (M - 1);
  }
  return s;
}

std::vector<double> normalize(const std::vector<double>& x, std::int64_t N, std::int64_t C,
                              std::int64_t HW, const std::vector<double>& mean,
                              const std::vector<double>& var, const std::vector<double>& gamma,
                              const std::vector<double>& beta, double eps) {
  std::vector<double> y(x.size());
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t p = 0; p < HW; ++p) {
        const std::int64_t i = (n * C + c) * HW + p;
        y[i] = gamma[c] * (x[i] - mean[c]) / std::sqrt(var[c] + eps) + beta[c];
      }
  return y;
}

const std::vector<Shape> kShapes = {{6, 3}, {4, 2, 3, 3}, {2, 3, 1, 5}};

std::int64_t spatial(const Shape& s) { return s.size() == 4 ? s[2] * s[3] : 1; }

TEST(BatchNorm, TrainingUsesBatchStatisticsAndUpdatesRunningStats) {
  const double momentum = 0.1, eps = 1e-5;
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape_str(shape));
    const std::int64_t N = shape[0], C = shape[1], HW = spatial(shape);
    Tensor x = randn64(shape, 101, false, 2.0);
    Tensor gamma = uniform64({C}, 102, 0.5, 1.5, false), beta = randn64({C}, 103, false);
    Tensor rm = randn64({C}, 104, false), rv = uniform64({C}, 105, 0.5, 2.0, false);
    const std::vector<double> rm0 = rm.to_vector(), rv0 = rv.to_vector();
    Tensor y = batch_norm(x, gamma, beta, rm, rv, /*training=*/true, momentum, eps);
    ASSERT_EQ(y.shape(), shape);
    const Stats s = channel_stats(x.to_vector(), N, C, HW);
    EXPECT_TRUE(all_close(y.to_vector(),
                          normalize(x.to_vector(), N, C, HW, s.mean, s.var_biased,
                                    gamma.to_vector(), beta.to_vector(), eps),
                          1e-12, 1e-13));
    std::vector<double> rm1(C), rv1(C);
    for (std::int64_t c = 0; c < C; ++c) {
      rm1[c] = (1 - momentum) * rm0[c] + momentum * s.mean[c];
      rv1[c] = (1 - momentum) * rv0[c] + momentum * s.var_unbiased[c];
    }
    EXPECT_TRUE(all_close(rm.to_vector(), rm1, 1e-13, 1e-14)) << "running mean";
    EXPECT_TRUE(all_close(rv.to_vector(), rv1, 1e-13, 1e-14)) << "running var (unbiased)";
  }
}

TEST(BatchNorm, TrainingWithoutRunningStats) {
  Tensor x = randn64({5, 2}, 106, false);
  Tensor gamma = Tensor::ones({2}, DType::f64), beta = Tensor::zeros({2}, DType::f64);
  Tensor y = batch_norm(x, gamma, beta, Tensor(), Tensor(), true);
  // Normalized per channel: mean 0, biased variance var_B / (var_B + eps) ~ 1.
  const Tensor m = mean(y, {0}), v = var(y, {0});
  EXPECT_TRUE(all_close(m.to_vector(), {0, 0}, 0, 1e-12));
  EXPECT_TRUE(all_close(v.to_vector(), {1, 1}, 1e-4, 0));
}

TEST(BatchNorm, EvalUsesRunningStatsAndLeavesThemAlone) {
  const double eps = 1e-3;
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape_str(shape));
    const std::int64_t N = shape[0], C = shape[1], HW = spatial(shape);
    Tensor x = randn64(shape, 107, false);
    Tensor gamma = uniform64({C}, 108, 0.5, 1.5, false), beta = randn64({C}, 109, false);
    Tensor rm = randn64({C}, 110, false), rv = uniform64({C}, 111, 0.5, 2.0, false);
    const std::vector<double> rm0 = rm.to_vector(), rv0 = rv.to_vector();
    Tensor y = batch_norm(x, gamma, beta, rm, rv, /*training=*/false, 0.1, eps);
    EXPECT_TRUE(all_close(y.to_vector(),
                          normalize(x.to_vector(), N, C, HW, rm0, rv0, gamma.to_vector(),
                                    beta.to_vector(), eps),
                          1e-12, 1e-13));
    EXPECT_TRUE(all_close(rm.to_vector(), rm0, 0, 0));
    EXPECT_TRUE(all_close(rv.to_vector(), rv0, 0, 0));
  }
}

// Finite-difference gradients of a training-mode op(x, gamma, beta) over kShapes.
void expect_training_gradients(const std::function<Tensor(const Inputs&)>& op, std::uint64_t seed) {
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape_str(shape));
    const std::int64_t C = shape[1];
    Tensor x = randn64(shape, seed);
    Tensor gamma = uniform64({C}, seed + 1, 0.5, 1.5), beta = randn64({C}, seed + 2);
    EXPECT_OP_GRADIENTS_OK(op, {x, gamma, beta});
  }
}

TEST(BatchNorm, TrainingGradients) {
  // Running stats left undefined: each finite-difference forward would update them.
  expect_training_gradients(
      [](const Inputs& in) { return batch_norm(in[0], in[1], in[2], Tensor(), Tensor(), true); }, 112);
}

TEST(BatchNorm, TrainingGradientWithRunningStatsPassed) {
  // Updating running statistics must not change the gradient.
  Tensor x = randn64({4, 2, 2, 2}, 115);
  Tensor gamma = uniform64({2}, 116, 0.5, 1.5), beta = randn64({2}, 117);
  Tensor rm = Tensor::zeros({2}, DType::f64), rv = Tensor::ones({2}, DType::f64);
  EXPECT_OP_GRADIENTS_OK(
      [rm, rv](const Inputs& in) { return batch_norm(in[0], in[1], in[2], rm, rv, true); },
      {x, gamma, beta});
}

TEST(BatchNorm, EvalGradients) {
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape_str(shape));
    const std::int64_t C = shape[1];
    Tensor x = randn64(shape, 118);
    Tensor gamma = uniform64({C}, 119, 0.5, 1.5), beta = randn64({C}, 120);
    Tensor rm = randn64({C}, 121, false), rv = uniform64({C}, 122, 0.5, 2.0, false);
    EXPECT_OP_GRADIENTS_OK(
        [rm, rv](const Inputs& in) { return batch_norm(in[0], in[1], in[2], rm, rv, false); },
        {x, gamma, beta});
  }
}

TEST(BatchNorm, TrainingFullJacobianSmall) {
  // Every output depends on every input of its channel through the batch mean
  // and variance: the full Jacobian catches a missing term that a weighted sum may hide.
  Tensor x = randn64({3, 2}, 123);
  Tensor gamma = uniform64({2}, 124, 0.5, 1.5, false), beta = randn64({2}, 125, false);
  EXPECT_TRUE(test::jacobian_matches(
      [&] { return batch_norm(x, gamma, beta, Tensor(), Tensor(), true); }, x));
}

// ---- batch_norm_relu: relu(batch_norm(.)) as one fused node ------------------------

TEST(BatchNormRelu, EqualsReluOfBatchNormInValuesAndGradients) {
  for (const Shape& shape : kShapes) {
    for (DType dtype : {DType::f64, DType::f32}) {
      SCOPED_TRACE(fmt::format("{} {}", shape_str(shape), dtype_name(dtype)));
      const std::int64_t C = shape[1];
      const double tol = dtype == DType::f64 ? 1e-12 : 1e-5;
      const Tensor x0 = randn64(shape, 131, false).to(dtype);
      const Tensor g0 = uniform64({C}, 132, 0.5, 1.5, false).to(dtype), b0 = randn64({C}, 133, false).to(dtype);
      const Tensor seed = randn64(shape, 134, false).to(dtype);  // dL/dy
      auto run = [&](bool fused, Tensor& rm, Tensor& rv) {
        Tensor x = x0.clone().set_requires_grad(true), g = g0.clone().set_requires_grad(true),
               b = b0.clone().set_requires_grad(true);
        Tensor y = fused ? batch_norm_relu(x, g, b, rm, rv, true) : relu(batch_norm(x, g, b, rm, rv, true));
        sum(y * seed).backward();
        return std::vector<Tensor>{y, x.grad(), g.grad(), b.grad()};
      };
      Tensor rm1 = Tensor::zeros({C}, dtype), rv1 = Tensor::ones({C}, dtype);
      Tensor rm2 = Tensor::zeros({C}, dtype), rv2 = Tensor::ones({C}, dtype);
      const auto fused = run(true, rm1, rv1), composed = run(false, rm2, rv2);
      for (std::size_t i = 0; i < fused.size(); ++i) {
        EXPECT_TRUE(all_close(fused[i], composed[i], tol, tol)) << "output " << i << " (y, dx, dgamma, dbeta)";
      }
      EXPECT_TRUE(all_close(rm1, rm2, tol, tol));
      EXPECT_TRUE(all_close(rv1, rv2, tol, tol));
    }
  }
}

TEST(BatchNormRelu, TrainingGradients) {
  expect_training_gradients(
      [](const Inputs& in) { return batch_norm_relu(in[0], in[1], in[2], Tensor(), Tensor(), true); }, 135);
}

TEST(BatchNormRelu, EvalIsReluOfTheRunningStatisticsAffineMap) {
  const Tensor x = randn64({4, 3, 2, 2}, 138, false);
  const Tensor gamma = uniform64({3}, 139, 0.5, 1.5, false), beta = randn64({3}, 140, false);
  const Tensor rm = randn64({3}, 141, false), rv = uniform64({3}, 142, 0.5, 2.0, false);
  EXPECT_TRUE(all_close(batch_norm_relu(x, gamma, beta, rm, rv, false),
                        relu(batch_norm(x, gamma, beta, rm, rv, false)), 0, 0));
}

// The Backend's default (composed) implementation, which backends without a
// fused kernel (the CUDA one) inherit, against the CPU's fused kernels.
TEST(BatchNormRelu, BackendDefaultMatchesTheFusedCpuKernels) {
  const Tensor x = randn64({3, 4, 3, 5}, 143, false), dy = randn64({3, 4, 3, 5}, 144, false);
  const Tensor gamma = uniform64({4}, 145, 0.5, 1.5, false), beta = randn64({4}, 146, false);
  Backend& be = backend(Device::cpu);
  auto forward = [&](bool base, Tensor& y, Tensor& mean, Tensor& invstd, Tensor& rm, Tensor& rv) {
    y = Tensor::empty(x.shape(), DType::f64);
    mean = Tensor::empty({4}, DType::f64);
    invstd = Tensor::empty({4}, DType::f64);
    rm = Tensor::zeros({4}, DType::f64);
    rv = Tensor::ones({4}, DType::f64);
    if (base) {
      be.Backend::batchnorm_relu_forward_train(x, gamma, beta, 1e-5, 0.1, rm, rv, y, mean, invstd);
    } else {
      be.batchnorm_relu_forward_train(x, gamma, beta, 1e-5, 0.1, rm, rv, y, mean, invstd);
    }
  };
  Tensor y1, m1, i1, rm1, rv1, y2, m2, i2, rm2, rv2;
  forward(true, y1, m1, i1, rm1, rv1);
  forward(false, y2, m2, i2, rm2, rv2);
  for (auto [a, b] : {std::pair{y1, y2}, {m1, m2}, {i1, i2}, {rm1, rm2}, {rv1, rv2}}) {
    EXPECT_TRUE(all_close(a, b, 1e-13, 1e-14));
  }
  Tensor dx1 = Tensor::empty(x.shape(), DType::f64), dg1 = Tensor::empty({4}, DType::f64),
         db1 = Tensor::empty({4}, DType::f64);
  Tensor dx2 = Tensor::empty(x.shape(), DType::f64), dg2 = Tensor::empty({4}, DType::f64),
         db2 = Tensor::empty({4}, DType::f64);
  be.Backend::batchnorm_relu_backward(x, gamma, m1, i1, y1, dy, dx1, dg1, db1);
  be.batchnorm_relu_backward(x, gamma, m2, i2, y2, dy, dx2, dg2, db2);
  EXPECT_TRUE(all_close(dx1, dx2, 1e-12, 1e-13));
  EXPECT_TRUE(all_close(dg1, dg2, 1e-12, 1e-13));
  EXPECT_TRUE(all_close(db1, db2, 1e-12, 1e-13));
}

// ---- batch_norm_add_relu: relu(batch_norm(.) + residual) as one fused node --------

TEST(BatchNormAddRelu, EqualsReluOfBatchNormPlusResidualInValuesAndGradients) {
  for (const Shape& shape : kShapes) {
    for (DType dtype : {DType::f64, DType::f32}) {
      for (const bool residual_grad : {true, false}) {
        SCOPED_TRACE(fmt::format("{} {} residual grad {}", shape_str(shape), dtype_name(dtype), residual_grad));
        const std::int64_t C = shape[1];
        const double tol = dtype == DType::f64 ? 1e-12 : 1e-5;
        const Tensor x0 = randn64(shape, 151, false).to(dtype), r0 = randn64(shape, 152, false).to(dtype);
        const Tensor g0 = uniform64({C}, 153, 0.5, 1.5, false).to(dtype), b0 = randn64({C}, 154, false).to(dtype);
        const Tensor seed = randn64(shape, 155, false).to(dtype);  // dL/dy
        auto run = [&](bool fused, Tensor& rm, Tensor& rv) {
          Tensor x = x0.clone().set_requires_grad(true), g = g0.clone().set_requires_grad(true),
                 b = b0.clone().set_requires_grad(true), r = r0.clone().set_requires_grad(residual_grad);
          Tensor y = fused ? batch_norm_add_relu(x, g, b, r, rm, rv, true)
                           : relu(batch_norm(x, g, b, rm, rv, true) + r);
          sum(y * seed).backward();
          return std::vector<Tensor>{y, x.grad(), g.grad(), b.grad(), residual_grad ? r.grad() : y};
        };
        Tensor rm1 = Tensor::zeros({C}, dtype), rv1 = Tensor::ones({C}, dtype);
        Tensor rm2 = Tensor::zeros({C}, dtype), rv2 = Tensor::ones({C}, dtype);
        const auto fused = run(true, rm1, rv1), composed = run(false, rm2, rv2);
        for (std::size_t i = 0; i < fused.size(); ++i) {
          EXPECT_TRUE(all_close(fused[i], composed[i], tol, tol)) << "output " << i << " (y, dx, dgamma, dbeta, dr)";
        }
        EXPECT_TRUE(all_close(rm1, rm2, tol, tol));
        EXPECT_TRUE(all_close(rv1, rv2, tol, tol));
      }
    }
  }
}

// A ResNet-sized map (over the parallel threshold) and a backward that wants
// only the residual's gradient.
TEST(BatchNormAddRelu, LargeMapsAndTheResidualGradientAlone) {
  const Shape shape{8, 16, 16, 16};
  const Tensor x0 = randn64(shape, 173, false).to(DType::f32), r0 = randn64(shape, 174, false).to(DType::f32);
  const Tensor g0 = uniform64({16}, 175, 0.5, 1.5, false).to(DType::f32), b0 = randn64({16}, 176, false).to(DType::f32);
  const Tensor seed = randn64(shape, 177, false).to(DType::f32);
  for (const bool others : {true, false}) {
    SCOPED_TRACE(others ? "all gradients" : "the residual's alone");
    Tensor x = x0.clone().set_requires_grad(others), g = g0.clone().set_requires_grad(others),
           b = b0.clone().set_requires_grad(others), r = r0.clone().set_requires_grad(true);
    Tensor xc = x0.clone().set_requires_grad(others), gc = g0.clone().set_requires_grad(others),
           bc = b0.clone().set_requires_grad(others), rc = r0.clone().set_requires_grad(true);
    sum(batch_norm_add_relu(x, g, b, r, Tensor(), Tensor(), true) * seed).backward();
    sum(relu(batch_norm(xc, gc, bc, Tensor(), Tensor(), true) + rc) * seed).backward();
    EXPECT_TRUE(all_close(r.grad(), rc.grad(), 1e-6, 1e-6));
    if (others) {
      EXPECT_TRUE(all_close(x.grad(), xc.grad(), 1e-5, 1e-5));
      EXPECT_TRUE(all_close(g.grad(), gc.grad(), 1e-4, 1e-4));
      EXPECT_TRUE(all_close(b.grad(), bc.grad(), 1e-4, 1e-4));
    }
  }
}

TEST(BatchNormAddRelu, TrainingGradients) {
  for (const Shape& shape : kShapes) {
    SCOPED_TRACE(shape_str(shape));
    const std::int64_t C = shape[1];
    Tensor x = randn64(shape, 156), residual = randn64(shape, 157);
    Tensor gamma = uniform64({C}, 158, 0.5, 1.5), beta = randn64({C}, 159);
    EXPECT_OP_GRADIENTS_OK(
        [](const Inputs& in) { return batch_norm_add_relu(in[0], in[1], in[2], in[3], Tensor(), Tensor(), true); },
        {x, gamma, beta, residual});
  }
}

TEST(BatchNormAddRelu, EvalIsReluOfTheRunningStatisticsAffineMapPlusResidual) {
  const Tensor x = randn64({4, 3, 2, 2}, 160, false), r = randn64({4, 3, 2, 2}, 161, false);
  const Tensor gamma = uniform64({3}, 162, 0.5, 1.5, false), beta = randn64({3}, 163, false);
  const Tensor rm = randn64({3}, 164, false), rv = uniform64({3}, 165, 0.5, 2.0, false);
  EXPECT_TRUE(all_close(batch_norm_add_relu(x, gamma, beta, r, rm, rv, false),
                        relu(batch_norm(x, gamma, beta, rm, rv, false) + r), 0, 0));
  // Differentiable evaluation (a residual that needs its gradient) composes ops.
  const Tensor rg = r.clone().set_requires_grad(true);
  sum(batch_norm_add_relu(x, gamma, beta, rg, rm, rv, false)).backward();
  const Tensor mask = gt(relu(batch_norm(x, gamma, beta, rm, rv, false) + r), Tensor::zeros({1}, DType::f64));
  EXPECT_TRUE(all_close(rg.grad(), mask.to(DType::f64), 0, 0));
}

TEST(BatchNormAddRelu, RefusesAResidualOfAnotherShape) {
  const Tensor x = randn64({2, 3, 4, 4}, 166, false), r = randn64({2, 3, 4, 5}, 167, false);
  const Tensor gamma = Tensor::ones({3}, DType::f64), beta = Tensor::zeros({3}, DType::f64);
  try {
    batch_norm_add_relu(x, gamma, beta, r, Tensor(), Tensor(), true);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "batch_norm_add_relu: residual must have the input's shape [2, 3, 4, 4], got [2, 3, 4, 5]");
  }
}

// The Backend's default (composed) implementation, which the CUDA backend
// inherits, against the CPU's fused kernels.
TEST(BatchNormAddRelu, BackendDefaultMatchesTheFusedCpuKernels) {
  const Tensor x = randn64({3, 4, 3, 5}, 168, false), dy = randn64({3, 4, 3, 5}, 169, false);
  const Tensor r = randn64({3, 4, 3, 5}, 170, false);
  const Tensor gamma = uniform64({4}, 171, 0.5, 1.5, false), beta = randn64({4}, 172, false);
  Backend& be = backend(Device::cpu);
  struct Out {
    Tensor y, mean, invstd, rm, rv, dx, dg, db, dr;
  };
  auto run = [&](bool base) {
    Out o{Tensor::empty(x.shape(), DType::f64), Tensor::empty({4}, DType::f64), Tensor::empty({4}, DType::f64),
          Tensor::zeros({4}, DType::f64),       Tensor::ones({4}, DType::f64),  Tensor::empty(x.shape(), DType::f64),
          Tensor::empty({4}, DType::f64),       Tensor::empty({4}, DType::f64), Tensor::empty(x.shape(), DType::f64)};
    if (base) {
      be.Backend::batchnorm_add_relu_forward_train(x, gamma, beta, r, 1e-5, 0.1, o.rm, o.rv, o.y, o.mean, o.invstd);
      be.Backend::batchnorm_add_relu_backward(x, gamma, o.mean, o.invstd, o.y, dy, o.dx, o.dg, o.db, o.dr);
    } else {
      be.batchnorm_add_relu_forward_train(x, gamma, beta, r, 1e-5, 0.1, o.rm, o.rv, o.y, o.mean, o.invstd);
      be.batchnorm_add_relu_backward(x, gamma, o.mean, o.invstd, o.y, dy, o.dx, o.dg, o.db, o.dr);
    }
    return o;
  };
  const Out a = run(true), b = run(false);
  for (auto [p, q] : {std::pair{a.y, b.y}, {a.mean, b.mean}, {a.invstd, b.invstd}, {a.rm, b.rm}, {a.rv, b.rv}}) {
    EXPECT_TRUE(all_close(p, q, 1e-13, 1e-14));
  }
  for (auto [p, q] : {std::pair{a.dx, b.dx}, {a.dg, b.dg}, {a.db, b.db}, {a.dr, b.dr}}) {
    EXPECT_TRUE(all_close(p, q, 1e-12, 1e-13));
  }
}

}  // namespace
}  // namespace gl
