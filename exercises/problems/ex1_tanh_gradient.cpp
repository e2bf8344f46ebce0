// Problem 1 (LFD Exercise 7.7): the gradient of E_in(w) = (1/N) sum_n (tanh(w^T x_n) - y_n)^2.
//
// Shapes: X [N, d] (one data point per row), w [d, 1], y [N, 1], s = X w [N, 1].
// Derivation (chain rule, tanh'(s) = 1 - tanh^2(s)):
//   dE/dw = (1/N) sum_n 2 (tanh(s_n) - y_n) tanh'(s_n) ds_n/dw,  ds_n/dw = x_n
//         = (2/N) X^T [(tanh(s) - y) (.) (1 - tanh^2(s))].
// Confirmed against autograd and central differences; then w is scaled by
// 10^p to show the gradient vanish (saturation) while E_in does not.
#include <cmath>

#include "engine/core/autograd.h"
#include "engine/core/gradcheck.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"
#include "exercises/common/tensor_util.h"
#include "exercises/problems/problems.h"

namespace gl::ex {
namespace {

// tanh'(s) = sech^2(s) = 4 e^{-2|s|} / (1 + e^{-2|s|})^2, computed directly: 1 - tanh^2(s) cancels to 0 in
// float64 once |s| > ~19 (tanh rounds to +-1), while sech^2 stays representable down to |s| ~ 370.
Tensor sech2(const Tensor& s) {
  Tensor decay = exp(sqrt(s * s) * -2.0);  // e^{-2|s|}
  Tensor denom = decay + 1.0;
  return decay * 4.0 / (denom * denom);
}

// The hand-derived formula, evaluated with engine ops (no graph).
Tensor formula_gradient(const Tensor& X, const Tensor& w, const Tensor& y) {
  NoGradGuard no_grad;
  Tensor s = matmul(X, w);                                    // [N, 1]
  Tensor per_point = (tanh(s) - y) * sech2(s);                // [N, 1]
  double N = static_cast<double>(X.size(0));
  return matmul(transpose(X), per_point) * (2.0 / N);         // [d, 1]
}

Tensor e_in(const Tensor& X, const Tensor& w, const Tensor& y) {
  Tensor r = tanh(matmul(X, w)) - y;  // [N, 1]
  return mean(r * r);                 // one element
}

// Upper bound ||grad|| <= (2/N) sum_n |t_n - y_n| sech^2(s_n) ||x_n||
//                      <= (16/N) sum_n exp(-2 |s_n|) ||x_n||   (|t - y| <= 2, sech^2 s <= 4 e^{-2|s|}).
double saturation_bound(const Tensor& X, const Tensor& w) {
  NoGradGuard no_grad;
  Tensor s = matmul(X, w);                                        // [N, 1]
  Tensor decay = exp(sqrt(s * s) * -2.0);                         // e^{-2|s_n|}
  Tensor x_norm = sqrt(sum(X * X, {1}, true));                    // [N, 1]
  return (sum(decay * x_norm) * (16.0 / static_cast<double>(X.size(0)))).item();
}

// max_n tanh'(s_n) = max_n sech^2(s_n): how much slope the steepest point still has.
double max_tanh_prime(const Tensor& X, const Tensor& w) {
  NoGradGuard no_grad;
  double m = 0.0;
  for (double v : sech2(matmul(X, w)).to_vector()) m = std::max(m, v);
  return m;
}

// E_in of the hard-threshold perceptron sign(w^T x), i.e. the tanh limit (4/N * #errors).
double hard_threshold_error(const Tensor& X, const Tensor& w, const Tensor& y) {
  NoGradGuard no_grad;
  auto s = matmul(X, w).to_vector();
  auto yv = y.to_vector();
  double e = 0.0;
  for (std::size_t n = 0; n < s.size(); ++n) {
    double h = s[n] > 0 ? 1.0 : (s[n] < 0 ? -1.0 : 0.0);
    e += (h - yv[n]) * (h - yv[n]);
  }
  return e / static_cast<double>(s.size());
}

}  // namespace

Report run_ex1(const Ex1Options& o) {
  GL_CHECK(o.N >= 1 && o.dim >= 1 && o.max_power >= 1 && o.max_power <= 12,
           "ex1: need N >= 1, dim >= 1 and 1 <= max_power <= 12 (got N={}, dim={}, max_power={})", o.N, o.dim,
           o.max_power);
  Report r("ex1", "Problem 1 (LFD Exercise 7.7): gradient of E_in for h(x) = tanh(w^T x)");
  r.section("Problem");
  r.paragraph(
      "For the sigmoidal perceptron h(x) = tanh(w^T x) and E_in(w) = (1/N) sum_n (tanh(w^T x_n) - y_n)^2,\n"
      "show grad E_in(w) = (2/N) sum_n (tanh(w^T x_n) - y_n)(1 - tanh^2(w^T x_n)) x_n, then say what\n"
      "happens to the gradient as w grows, and how that relates to the hard-threshold perceptron.",
      "For $h(x) = \\tanh(w^\\top x)$ and $E_{in}(w) = \\frac1N\\sum_n (\\tanh(w^\\top x_n) - y_n)^2$, show the "
      "gradient formula below, say what happens as $w \\to \\infty$, and relate it to the perceptron.");

  r.section("Derivation");
  r.paragraph("1. Write s_n = w^T x_n, so ds_n/dw = x_n.", "1. Write $s_n = w^\\top x_n$, so $\\partial s_n/\\partial w = x_n$.");
  r.paragraph("2. tanh'(s) = 1 - tanh^2(s)   (tanh = sinh/cosh, quotient rule: (cosh^2 - sinh^2)/cosh^2).",
              "2. $\\tanh'(s) = 1 - \\tanh^2(s)$ (quotient rule on $\\sinh/\\cosh$).");
  r.paragraph("3. Chain rule on each squared term:");
  r.equation("d/dw (tanh(s_n) - y_n)^2 = 2 (tanh(s_n) - y_n) (1 - tanh^2(s_n)) x_n",
             "\\frac{\\partial}{\\partial w}(\\tanh(s_n) - y_n)^2 = 2(\\tanh(s_n) - y_n)(1 - \\tanh^2(s_n))\\,x_n");
  r.paragraph("4. Average over the N points:");
  r.equation("grad E_in(w) = (2/N) sum_n (tanh(w^T x_n) - y_n)(1 - tanh^2(w^T x_n)) x_n = (2/N) X^T [(t - y) * (1 - t^2)]",
             "\\nabla E_{in}(w) = \\frac{2}{N}\\sum_{n=1}^N (\\tanh(w^\\top x_n) - y_n)(1 - \\tanh^2(w^\\top x_n))\\,x_n");

  // ---- data: X ~ N(0, 1), labels from a random teacher, w random (not the teacher) ----
  Rng rng(o.seed);
  Tensor X = Tensor::randn({o.N, o.dim}, rng, 0.0, 1.0, DType::f64);        // [N, d]
  Tensor teacher = Tensor::randn({o.dim, 1}, rng, 0.0, 1.0, DType::f64);    // [d, 1]
  std::vector<double> yv;
  for (double s : matmul(X, teacher).to_vector()) yv.push_back(s >= 0 ? 1.0 : -1.0);
  Tensor y = f64(yv, {o.N, 1});                                             // [N, 1]
  Tensor w = Tensor::randn({o.dim, 1}, rng, 0.0, 1.0, DType::f64);          // [d, 1]
  w.set_name("w").set_requires_grad(true);
  X.set_name("X");
  y.set_name("y");

  r.section("Confirmation on random data");
  r.paragraph(fmt::format("Data: N = {} points, d = {}, seed {}; x_n ~ N(0, I), y_n = sign(teacher^T x_n), "
                          "w ~ N(0, I) drawn independently.", o.N, o.dim, o.seed));
  Tensor E = e_in(X, w, y);
  r.graph_dot = to_dot(E);
  E.backward(Tensor::ones(E.shape(), DType::f64), true);
  Tensor g_auto = w.grad().clone();
  Tensor g_formula = formula_gradient(X, w, y);
  Tensor w_fd = w.detach().clone();
  Tensor g_fd = numerical_gradient([&] { NoGradGuard ng; return e_in(X, w_fd, y); }, w_fd, 1e-6);
  r.matrix("w^T", cells(transpose(w.detach())));
  r.matrix("grad E_in (formula)^T", cells(transpose(g_formula)));
  r.matrix("grad E_in (autograd)^T", cells(transpose(g_auto)));
  r.matrix("grad E_in (finite differences)^T", cells(transpose(g_fd)));
  double d_auto = max_abs_diff(g_auto, g_formula), d_fd = max_abs_diff(g_fd, g_formula);
  r.check("autograd == formula", d_auto <= 1e-12, d_auto, 1e-12, "gradient of the engine's graph vs (2/N) X^T[(t-y)(1-t^2)]");
  r.check("central differences == formula", d_fd <= 1e-7, d_fd, 1e-7, "h = 1e-6, float64");
  r.values["N"] = o.N;
  r.values["dim"] = o.dim;
  r.values["seed"] = o.seed;
  r.values["X"] = to_json(X);
  r.values["y"] = yv;
  r.values["w"] = w.detach().to_vector();
  r.values["E_in"] = E.item();
  r.values["grad_formula"] = g_formula.to_vector();
  r.values["grad_autograd"] = g_auto.to_vector();
  r.values["grad_finite_diff"] = g_fd.to_vector();

  // ---- scaling w up: saturation ----
  r.section("What happens as w grows");
  r.paragraph("w is replaced by c w for c = 10^p. Columns: E_in, the gradient norm (formula and autograd),\n"
              "max_n tanh'(s_n), the bound (16/N) sum_n e^{-2|s_n|} ||x_n|| and the perceptron's E_in.",
              "$w$ is replaced by $c\\,w$, $c = 10^p$; the bound is $\\frac{16}{N}\\sum_n e^{-2|s_n|}\\lVert x_n\\rVert$.");
  std::vector<std::vector<std::string>> rows;
  nlohmann::json scale_rows = nlohmann::json::array();
  double worst_match = 0.0;
  bool bound_holds = true;
  for (int p = 0; p <= o.max_power; ++p) {
    double c = std::pow(10.0, p);
    Tensor wc = (w.detach() * c).set_requires_grad(true);  // a fresh leaf
    Tensor Ec = e_in(X, wc, y);
    Ec.backward();
    double n_auto = norm2(wc.grad()), n_formula = norm2(formula_gradient(X, wc, y));
    double bound = saturation_bound(X, wc), slope = max_tanh_prime(X, wc);
    worst_match = std::max(worst_match, max_abs_diff(wc.grad(), formula_gradient(X, wc, y)));
    bound_holds = bound_holds && n_formula <= bound * (1 + 1e-12);
    double hard = hard_threshold_error(X, wc, y);
    rows.push_back({num(c), num(Ec.item()), num(n_formula), num(n_auto), num(slope), num(bound), num(hard)});
    scale_rows.push_back({{"scale", c}, {"E_in", Ec.item()}, {"grad_norm_formula", n_formula},
                          {"grad_norm_autograd", n_auto}, {"max_tanh_prime", slope}, {"bound", bound},
                          {"E_in_hard_threshold", hard}});
  }
  r.table({"c", "E_in(c w)", "||grad|| formula", "||grad|| autograd", "max tanh'", "bound", "E_in sign"}, rows);
  r.check("autograd == formula at every scale", worst_match <= 1e-12, worst_match, 1e-12,
          "the formula uses sech^2 directly; autograd's 1 - tanh^2 underflows to 0 at large scales");
  r.check("||grad|| <= (16/N) sum e^{-2|s_n|} ||x_n|| at every scale", bound_holds, 0.0, 0.0,
          "the gradient decays exponentially in c");
  r.values["scaling"] = scale_rows;

  // The limits, evaluated by the engine far out (c = 1e100): both are 0.
  Tensor w_far = w.detach() * 1e100;
  double grad_limit = saturation_bound(X, w_far), slope_limit = max_tanh_prime(X, w_far);
  r.values["grad_norm_limit"] = grad_limit;
  r.values["tanh_prime_limit"] = slope_limit;

  r.section("Answer");
  r.equation("grad E_in(w) = (2/N) sum_n (tanh(w^T x_n) - y_n)(1 - tanh^2(w^T x_n)) x_n",
             "\\nabla E_{in}(w) = \\frac{2}{N}\\sum_n (\\tanh(w^\\top x_n) - y_n)(1 - \\tanh^2(w^\\top x_n))\\,x_n");
  r.paragraph(fmt::format(
      "As ||w|| -> infinity (w = c u, c -> infinity), every s_n = c u^T x_n with u^T x_n != 0 goes to +-infinity,\n"
      "tanh(s_n) -> sign(u^T x_n) and tanh'(s_n) = 1 - tanh^2(s_n) <= 4 e^{{-2|s_n|}} -> 0: the units saturate.\n"
      "So grad E_in -> 0 (limit computed: ||grad|| <= {}, max tanh' = {}) although E_in does not go to 0\n"
      "(it tends to the perceptron's error, last column). Large weights put tanh in its flat region: gradient\n"
      "descent takes vanishing steps and stalls on a plateau. In the limit h(x) = sign(w^T x), the hard threshold,\n"
      "whose gradient is 0 almost everywhere (and undefined at the boundary): E_in is piecewise constant, so\n"
      "gradients carry no information, which is why the perceptron's error is hard (combinatorial, NP-hard in\n"
      "general) to minimise and why the smooth tanh is used, with small initial weights.",
      num(grad_limit), num(slope_limit)));
  r.answer_note =
      "Graded: the two limits (numbers). The derivation and the explanation are not graded here;\n"
      "write them in your report.";
  r.expected.push_back(numeric_item("grad_limit", "limit of ||grad E_in(w)|| as ||w|| -> infinity", {}, {grad_limit}));
  r.expected.push_back(
      numeric_item("tanh_prime_limit", "limit of tanh'(w^T x_n) as ||w|| -> infinity", {}, {slope_limit}));
  return r;
}

}  // namespace gl::ex
