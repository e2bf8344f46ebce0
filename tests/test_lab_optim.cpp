// Adam, AdamW and RMSprop (engine/optim/adaptive.h): a few steps against the
// update rules written out by hand in float64, weight-decay groups, and the
// argument checks.
#include <cmath>

#include "engine/optim/adaptive.h"
#include "tests/test_util.h"

namespace gl {
namespace {

using test::randn64;

// The gradient of sum(p^2 * c) is 2 p c; returns it after setting it up.
std::vector<double> quadratic_grad(Tensor& p, const Tensor& c) {
  p.zero_grad();
  sum(mul(mul(p, p), c)).backward();
  return p.grad().to_vector();
}

TEST(LabOptim, AdamAndAdamWFollowTheirRules) {
  for (bool decoupled : {false, true}) {
    Tensor p = randn64({5}, 1);
    const Tensor c = test::uniform64({5}, 2, 0.5, 2.0, false);
    std::vector<double> ref = p.to_vector(), m(5, 0.0), v(5, 0.0);
    const double lr = 0.05, b1 = 0.8, b2 = 0.95, eps = 1e-6, wd = 0.1;
    optim::Adam adam({optim::ParamGroup{{p}, wd}}, lr, b1, b2, eps, decoupled);
    for (int t = 1; t <= 4; ++t) {
      const std::vector<double> g0 = quadratic_grad(p, c);
      adam.step();
      for (int i = 0; i < 5; ++i) {
        double g = g0[i];
        if (decoupled) ref[i] *= 1 - lr * wd;
        else g += wd * ref[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g * g;
        const double denom = std::sqrt(v[i]) / std::sqrt(1 - std::pow(b2, t)) + eps;
        ref[i] -= lr / (1 - std::pow(b1, t)) * m[i] / denom;
      }
      EXPECT_TRUE(test::all_close(p.to_vector(), ref, 1e-12, 1e-14)) << (decoupled ? "AdamW" : "Adam") << " step " << t;
    }
    EXPECT_EQ(adam.steps()[0], 4);
  }
}

TEST(LabOptim, RMSpropFollowsItsRule) {
  for (bool centered : {false, true}) {
    Tensor p = randn64({4}, 3);
    const Tensor c = test::uniform64({4}, 4, 0.5, 2.0, false);
    std::vector<double> ref = p.to_vector(), s(4, 0.0), a(4, 0.0), b(4, 0.0);
    const double lr = 0.01, alpha = 0.9, eps = 1e-8, mu = 0.5, wd = 0.01;
    optim::RMSprop opt({optim::ParamGroup{{p}, wd}}, lr, alpha, eps, mu, centered);
    for (int t = 1; t <= 3; ++t) {
      const std::vector<double> g0 = quadratic_grad(p, c);
      opt.step();
      for (int i = 0; i < 4; ++i) {
        const double g = g0[i] + wd * ref[i];
        s[i] = alpha * s[i] + (1 - alpha) * g * g;
        double avg = s[i];
        if (centered) {
          a[i] = alpha * a[i] + (1 - alpha) * g;
          avg -= a[i] * a[i];
        }
        b[i] = mu * b[i] + g / (std::sqrt(avg) + eps);
        ref[i] -= lr * b[i];
      }
      EXPECT_TRUE(test::all_close(p.to_vector(), ref, 1e-12, 1e-14)) << "step " << t;
    }
  }
}

TEST(LabOptim, SkipsParametersWithoutGradientsAndChecksArguments) {
  Tensor p = randn64({3}, 5), q = randn64({3}, 6);
  optim::Adam adam({optim::ParamGroup{{p, q}, 0.0}});
  sum(p).backward();
  const auto q_before = q.to_vector();
  adam.step();
  EXPECT_EQ(q.to_vector(), q_before);
  EXPECT_EQ(adam.steps()[1], 0);
  EXPECT_TRUE(test::throws_error_containing([&] { optim::Adam({optim::ParamGroup{{p, p}, 0.0}}); }, "twice"));
  EXPECT_TRUE(test::throws_error_containing([&] { optim::Adam({optim::ParamGroup{{p}, 0.0}}, -1.0); }, "learning rate"));
  EXPECT_TRUE(test::throws_error_containing([&] { optim::Adam({optim::ParamGroup{{p}, 0.0}}, 1e-3, 1.0); }, "betas"));
  EXPECT_TRUE(test::throws_error_containing([&] { optim::RMSprop({optim::ParamGroup{{p}, -1.0}}); }, "weight decay"));
  Tensor labels = Tensor::zeros({3}, DType::i64);
  EXPECT_TRUE(test::throws_error_containing([&] { optim::RMSprop({optim::ParamGroup{{labels}, 0.0}}); }, "int64"));
}

}  // namespace
}  // namespace gl
