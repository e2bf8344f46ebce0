// Problems 1 and 2: the programs' JSON against small independent implementations
// written here with plain loops (no engine).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "run_program.h"

using gl::ex::test::run_json;
using Matrix = std::vector<std::vector<double>>;

namespace {

// grad E_in for tanh(w^T x) by the closed form, with loops.
std::vector<double> naive_gradient(const Matrix& X, const std::vector<double>& y, const std::vector<double>& w,
                                   double scale, double* e_in = nullptr) {
  std::size_t N = X.size(), d = w.size();
  std::vector<double> g(d, 0.0);
  double e = 0;
  for (std::size_t n = 0; n < N; ++n) {
    double s = 0;
    for (std::size_t k = 0; k < d; ++k) s += scale * w[k] * X[n][k];
    double t = std::tanh(s);
    e += (t - y[n]) * (t - y[n]) / N;
    for (std::size_t k = 0; k < d; ++k) g[k] += 2.0 / N * (t - y[n]) * (1 - t * t) * X[n][k];
  }
  if (e_in) *e_in = e;
  return g;
}

}  // namespace

TEST(Ex1TanhGradient, GradientMatchesClosedFormLoop) {
  auto j = run_json("ex1_tanh_gradient", "--N 15 --dim 4 --seed 3");
  ASSERT_TRUE(j["ok"].get<bool>());
  auto v = j["values"];
  Matrix X = v["X"];
  std::vector<double> y = v["y"], w = v["w"];
  ASSERT_EQ(X.size(), 15u);
  ASSERT_EQ(w.size(), 4u);
  double e;
  auto g = naive_gradient(X, y, w, 1.0, &e);
  std::vector<double> autograd = v["grad_autograd"], formula = v["grad_formula"], fd = v["grad_finite_diff"];
  EXPECT_NEAR(v["E_in"].get<double>(), e, 1e-12);
  for (std::size_t k = 0; k < g.size(); ++k) {
    EXPECT_NEAR(autograd[k], g[k], 1e-12);
    EXPECT_NEAR(formula[k], g[k], 1e-12);
    EXPECT_NEAR(fd[k], g[k], 1e-7);
  }
}

TEST(Ex1TanhGradient, ScaleTableShowsVanishingGradient) {
  auto j = run_json("ex1_tanh_gradient", "--seed 11 --max-power 5");
  auto v = j["values"];
  Matrix X = v["X"];
  std::vector<double> y = v["y"], w = v["w"];
  ASSERT_EQ(v["scaling"].size(), 6u);
  double first = 0, last = 0;
  for (const auto& row : v["scaling"]) {
    double c = row["scale"], e;
    auto g = naive_gradient(X, y, w, c, &e);
    double norm = 0;
    for (double gk : g) norm += gk * gk;
    norm = std::sqrt(norm);
    EXPECT_NEAR(row["grad_norm_autograd"].get<double>(), norm, 1e-12 + 1e-9 * norm);
    EXPECT_NEAR(row["E_in"].get<double>(), e, 1e-12);
    // Perceptron error: 4/N per misclassified point.
    double hard = 0;
    for (std::size_t n = 0; n < X.size(); ++n) {
      double s = 0;
      for (std::size_t k = 0; k < w.size(); ++k) s += w[k] * X[n][k];
      double h = s > 0 ? 1 : -1;
      hard += (h - y[n]) * (h - y[n]) / X.size();
    }
    EXPECT_NEAR(row["E_in_hard_threshold"].get<double>(), hard, 1e-12);
    if (c == 1.0) first = norm;
    last = norm;
  }
  EXPECT_LT(last, 1e-3 * first);
  EXPECT_EQ(v["grad_norm_limit"].get<double>(), 0.0);
  EXPECT_EQ(v["tanh_prime_limit"].get<double>(), 0.0);
}

namespace {

// Book-notation network (Example 7.1) with loops; W[l][row][col], row 0 bias.
struct BookPass {
  std::vector<std::vector<double>> s, x, delta;
  std::vector<Matrix> dW;
  double e;
};

double book_error(const std::vector<double>& x0, double y, const std::vector<Matrix>& W, bool tanh_out,
                  BookPass* out) {
  std::vector<double> x = {1.0};
  x.insert(x.end(), x0.begin(), x0.end());
  std::vector<std::vector<double>> xs = {x};
  BookPass p;
  for (std::size_t l = 0; l < W.size(); ++l) {
    std::vector<double> s(W[l][0].size(), 0.0);
    for (std::size_t j = 0; j < s.size(); ++j)
      for (std::size_t i = 0; i < x.size(); ++i) s[j] += W[l][i][j] * x[i];
    p.s.push_back(s);
    bool last = l + 1 == W.size();
    x.assign(last ? 0 : 1, 1.0);
    for (double sj : s) x.push_back(last && !tanh_out ? sj : std::tanh(sj));
    p.x.push_back(x);
    xs.push_back(x);
  }
  p.e = (x[0] - y) * (x[0] - y);
  if (out) {
    std::size_t L = W.size();
    p.delta.resize(L);
    p.dW.resize(L);
    double xl = x[0];
    p.delta[L - 1] = {2 * (xl - y) * (tanh_out ? 1 - xl * xl : 1.0)};
    for (std::size_t l = L - 1; l-- > 0;) {
      std::vector<double> d(p.s[l].size(), 0.0);
      for (std::size_t j = 0; j < d.size(); ++j) {
        double back = 0;
        for (std::size_t k = 0; k < p.delta[l + 1].size(); ++k) back += W[l + 1][j + 1][k] * p.delta[l + 1][k];
        double t = std::tanh(p.s[l][j]);
        d[j] = (1 - t * t) * back;
      }
      p.delta[l] = d;
    }
    for (std::size_t l = 0; l < L; ++l) {
      p.dW[l] = Matrix(xs[l].size(), std::vector<double>(p.delta[l].size()));
      for (std::size_t i = 0; i < xs[l].size(); ++i)
        for (std::size_t j = 0; j < p.delta[l].size(); ++j) p.dW[l][i][j] = xs[l][i] * p.delta[l][j];
    }
    *out = p;
  }
  return p.e;
}

void expect_pass_matches(const nlohmann::json& j, const std::vector<double>& x0, double y,
                         std::vector<Matrix> W, bool tanh_out) {
  BookPass p;
  book_error(x0, y, W, tanh_out, &p);
  EXPECT_NEAR(j["e"].get<double>(), p.e, 1e-12);
  for (std::size_t l = 0; l < W.size(); ++l) {
    std::string k = std::to_string(l + 1);
    std::vector<double> s = j["s" + k], x = j["x" + k], d = j["delta" + k];
    Matrix dW = j["dW" + k];
    for (std::size_t i = 0; i < s.size(); ++i) EXPECT_NEAR(s[i], p.s[l][i], 1e-12) << "s" << k;
    ASSERT_EQ(x.size(), p.x[l].size()) << "x" << k;
    for (std::size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], p.x[l][i], 1e-12) << "x" << k;
    for (std::size_t i = 0; i < d.size(); ++i) EXPECT_NEAR(d[i], p.delta[l][i], 1e-12) << "delta" << k;
    // de/dW by central differences on the loop implementation: a third route.
    for (std::size_t r = 0; r < dW.size(); ++r)
      for (std::size_t c = 0; c < dW[r].size(); ++c) {
        EXPECT_NEAR(dW[r][c], p.dW[l][r][c], 1e-12) << "dW" << k;
        auto Wp = W, Wm = W;
        Wp[l][r][c] += 1e-6;
        Wm[l][r][c] -= 1e-6;
        double fd = (book_error(x0, y, Wp, tanh_out, nullptr) - book_error(x0, y, Wm, tanh_out, nullptr)) / 2e-6;
        EXPECT_NEAR(dW[r][c], fd, 1e-7) << "dW" << k;
      }
  }
}

}  // namespace

TEST(Ex2BackpropIdentity, Example71TablesMatchLoopImplementation) {
  auto j = run_json("ex2_backprop_identity");
  ASSERT_TRUE(j["ok"].get<bool>());
  auto net = j["values"]["network"];
  std::vector<Matrix> W = net["W"];
  std::vector<double> x = net["x"];
  double y = net["y"];
  expect_pass_matches(j["values"]["identity"], x, y, W, false);
  expect_pass_matches(j["values"]["tanh"], x, y, W, true);
}

TEST(Ex2BackpropIdentity, FlagVariant) {
  auto j = run_json("ex2_backprop_identity", "--x 1.5 --y -1 --W2 \"0.3;-0.5;2\" --W3 \"0.5;-1\"");
  ASSERT_TRUE(j["ok"].get<bool>());
  std::vector<Matrix> W = j["values"]["network"]["W"];
  EXPECT_EQ(W[1][1][0], -0.5);
  expect_pass_matches(j["values"]["identity"], {1.5}, -1.0, W, false);
  expect_pass_matches(j["values"]["tanh"], {1.5}, -1.0, W, true);
}

TEST(Ex2BackpropIdentity, NetworkFileVariantOfAnyDepth) {
  auto j = run_json("ex2_backprop_identity", "--network " + gl::ex::test::test_data_dir() + "/network_4layers.txt");
  ASSERT_TRUE(j["ok"].get<bool>());
  auto net = j["values"]["network"];
  std::vector<Matrix> W = net["W"];
  ASSERT_EQ(W.size(), 4u);
  expect_pass_matches(j["values"]["identity"], net["x"].get<std::vector<double>>(), net["y"].get<double>(), W, false);
}
