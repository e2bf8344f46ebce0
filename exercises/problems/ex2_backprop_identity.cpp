// Problem 2 (LFD Exercise 7.8): Example 7.1's computations with an identity output.
//
// Book notation, one data point. Layer l has d(l) units; x(l) is a ROW here,
// [1, d(l)+1], with the bias coordinate 1 first (the output x(L) has none):
//   s(l) = x(l-1) W(l)                     [1, d(l)]   (the book's W(l)^T x(l-1))
//   x(l) = [1, tanh(s(l))]  (l < L),  x(L) = theta_out(s(L))
//   e = (x(L) - y)^2
// Back-propagation (the book's recursion, shapes as rows):
//   delta(L) = 2 (x(L) - y) theta_out'(s(L))
//   delta(l) = (1 - tanh^2(s(l))) (.) (delta(l+1) W(l+1)[1:, :]^T)   bias row dropped
//   de/dW(l) = x(l-1)^T delta(l)           [d(l-1)+1, d(l)]
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "engine/core/autograd.h"
#include "engine/core/gradcheck.h"
#include "engine/ops/ops.h"
#include "exercises/common/answer_file.h"
#include "exercises/common/tensor_util.h"
#include "exercises/problems/problems.h"

namespace gl::ex {
namespace {

struct Pass {  // every quantity of one forward/backward pass, layers 1..L at index l-1
  std::vector<Tensor> s, x, delta, dW;       // by the recursion
  std::vector<Tensor> delta_auto, dW_auto;   // by autograd
  double e = 0.0;
  std::string dot;
};

Tensor with_bias(const Tensor& row) {  // [1, d] -> [1, d+1], a leading 1
  return concat({Tensor::ones({1, 1}, DType::f64), row}, 1);
}

// Forward through the engine with the weights as leaves; returns e.
Tensor forward(const std::vector<Tensor>& W, const Tensor& x0, double y, bool tanh_output,
               std::vector<Tensor>* s_out, std::vector<Tensor>* x_out) {
  Tensor x = x0;
  std::size_t L = W.size();
  for (std::size_t l = 0; l < L; ++l) {
    Tensor s = matmul(x, W[l]);  // [1, d(l)]
    if (s_out) {
      s.retain_grad();
      s.set_name(fmt::format("s({})", l + 1));
      s_out->push_back(s);
    }
    x = l + 1 < L ? with_bias(tanh(s)) : (tanh_output ? tanh(s) : s);
    if (x_out) x_out->push_back(x);
  }
  Tensor diff = x - y;
  return sum(diff * diff);
}

Pass run_pass(const Ex2Options& o, bool tanh_output) {
  Pass p;
  std::vector<Tensor> W;
  for (std::size_t l = 0; l < o.W.size(); ++l) {
    std::vector<double> flat;
    for (const auto& row : o.W[l]) flat.insert(flat.end(), row.begin(), row.end());
    Shape shape{static_cast<std::int64_t>(o.W[l].size()), static_cast<std::int64_t>(o.W[l][0].size())};
    W.push_back(f64(flat, shape).set_requires_grad(true).set_name(fmt::format("W({})", l + 1)));
  }
  Tensor x0 = with_bias(f64(o.x, {1, static_cast<std::int64_t>(o.x.size())})).set_name("x(0)");
  Tensor e = forward(W, x0, o.y, tanh_output, &p.s, &p.x);
  p.e = e.item();
  p.dot = to_dot(e);
  e.backward();
  for (std::size_t l = 0; l < W.size(); ++l) {
    p.dW_auto.push_back(W[l].grad());
    p.delta_auto.push_back(p.s[l].grad());
  }

  // The book's recursion, on the forward values (no graph).
  NoGradGuard no_grad;
  std::size_t L = W.size();
  p.delta.resize(L);
  p.dW.resize(L);
  Tensor xL = p.x[L - 1].detach();
  Tensor out_slope = tanh_output ? 1.0 - xL * xL : Tensor::ones(xL.shape(), DType::f64);
  p.delta[L - 1] = (xL - o.y) * 2.0 * out_slope;
  for (std::size_t l = L - 1; l-- > 0;) {
    Tensor t = tanh(p.s[l].detach());                                       // [1, d(l)]
    Tensor W_no_bias = slice(W[l + 1].detach(), 0, 1, W[l + 1].size(0));    // [d(l), d(l+1)]
    p.delta[l] = (1.0 - t * t) * matmul(p.delta[l + 1], transpose(W_no_bias));
  }
  for (std::size_t l = 0; l < L; ++l) {
    Tensor x_prev = l == 0 ? x0 : p.x[l - 1].detach();                      // [1, d(l-1)+1]
    p.dW[l] = matmul(transpose(x_prev), p.delta[l]);                         // [d(l-1)+1, d(l)]
  }
  for (auto& s : p.s) s = s.detach();
  for (auto& x : p.x) x = x.detach();
  return p;
}

std::string row_text(const Tensor& t) {
  auto c = cells(t, 4);
  std::vector<std::string> rows;
  for (const auto& r : c) rows.push_back(fmt::format("{}", fmt::join(r, " ")));
  return t.dim() == 2 && t.size(0) > 1 ? fmt::format("[{}]", fmt::join(rows, "; ")) : fmt::format("[{}]", rows[0]);
}

nlohmann::json pass_json(const Pass& p) {
  nlohmann::json j;
  for (std::size_t l = 0; l < p.s.size(); ++l) {
    std::string k = std::to_string(l + 1);
    j["s" + k] = p.s[l].to_vector();
    j["x" + k] = p.x[l].to_vector();
    j["delta" + k] = p.delta[l].to_vector();
    j["dW" + k] = to_json(p.dW[l]);
  }
  j["e"] = p.e;
  return j;
}

// The tanh-output values (Example 7.1) as a known mistake, where they differ from the identity output's; and
// follow-through: each item recomputed from the student's own earlier values, by the book's recursion.
void add_ex2_diagnoses(std::vector<AnswerItem>& items, const Ex2Options& o, const Pass& th) {
  std::size_t L = o.W.size();
  auto find = [&](const std::string& key) -> AnswerItem& {
    for (auto& i : items)
      if (i.key == key) return i;
    throw Error("ex2: no item " + key);
  };
  auto tanh_mistake = [&](const std::string& key, const Tensor& t) {
    AnswerItem& item = find(key);
    auto v = t.to_vector();
    bool differs = false;
    for (std::size_t i = 0; i < v.size(); ++i) differs = differs || std::abs(v[i] - item.numbers[i]) > 0.02 + 0.05 * std::abs(v[i]);
    if (differs)
      item.mistakes.push_back({"tanh kept at the output: these are Example 7.1's values; Exercise 7.8's output is the "
                               "identity (x(L) = s(L), theta' = 1)", v, {}, {}});
  };
  {  // delta(L) = 2 (x(L) - y): without the factor 2 it is x(L) - y, a different mistake from the tanh output's
    AnswerItem& d = find("delta" + std::to_string(L));
    std::vector<double> half(d.numbers.size());
    std::transform(d.numbers.begin(), d.numbers.end(), half.begin(), [](double v) { return v / 2; });
    d.mistakes.push_back({"the factor 2 of e = (h(x) - y)^2 is missing: de/dx(L) = 2 (x(L) - y)", half, {}, {}});
  }
  for (std::size_t l = 0; l < L; ++l) {
    std::string k = std::to_string(l + 1);
    tanh_mistake("x" + k, th.x[l]);
    tanh_mistake("delta" + k, th.delta[l]);
    tanh_mistake("dW" + k, th.dW[l]);
  }
  auto W = o.W;        // by value: the closures outlive this call
  double y = o.y;
  std::vector<double> x0 = {1.0};
  x0.insert(x0.end(), o.x.begin(), o.x.end());
  auto x_prev = [x0](const StudentValues& v, std::size_t l) -> std::optional<std::vector<double>> {
    if (l == 0) return x0;
    auto it = v.find("x" + std::to_string(l));
    if (it == v.end()) return std::nullopt;
    return it->second;
  };
  for (std::size_t l = 0; l < L; ++l) {
    std::string k = std::to_string(l + 1);
    std::size_t rows = W[l].size(), cols = W[l][0].size();
    if (l > 0) {  // s(l) = W(l)^T x(l-1)
      AnswerItem& s = find("s" + k);
      s.follows = "x" + std::to_string(l);
      s.follow_through = [=](const StudentValues& v) -> std::optional<std::vector<double>> {
        auto x = x_prev(v, l);
        if (x && x->size() + 1 == rows) x->insert(x->begin(), 1.0);  // the bias coordinate already diagnosed
        if (!x || x->size() != rows) return std::nullopt;
        std::vector<double> out(cols, 0.0);
        for (std::size_t c = 0; c < cols; ++c)
          for (std::size_t r = 0; r < rows; ++r) out[c] += W[l][r][c] * (*x)[r];
        return out;
      };
    }
    AnswerItem& x = find("x" + k);  // x(l) = [1, tanh(s(l))], or s(L) at the identity output
    x.follows = "s" + k;
    x.follow_through = [=](const StudentValues& v) -> std::optional<std::vector<double>> {
      auto it = v.find("s" + k);
      if (it == v.end()) return std::nullopt;
      std::vector<double> out;
      if (l + 1 < L) out.push_back(1.0);
      for (double s : it->second) out.push_back(l + 1 < L ? std::tanh(s) : s);
      return out;
    };
    AnswerItem& d = find("delta" + k);
    if (l + 1 == L) {  // delta(L) = 2 (x(L) - y)
      d.follows = "x" + k;
      d.follow_through = [=](const StudentValues& v) -> std::optional<std::vector<double>> {
        auto it = v.find("x" + k);
        if (it == v.end()) return std::nullopt;
        std::vector<double> out;
        for (double xl : it->second) out.push_back(2.0 * (xl - y));
        return out;
      };
    } else {  // delta(l) = (1 - x(l)^2) (.) (W(l+1) without its bias row) delta(l+1)
      std::string next = std::to_string(l + 2);
      d.follows = "x" + k + " and delta" + next;
      d.follow_through = [=](const StudentValues& v) -> std::optional<std::vector<double>> {
        auto xi = v.find("x" + k), di = v.find("delta" + next);
        std::size_t units = W[l + 1].size() - 1, outs = W[l + 1][0].size();
        if (xi == v.end() || di == v.end() || xi->second.size() < units || xi->second.size() > units + 1 ||
            di->second.size() != outs)
          return std::nullopt;
        std::size_t skip = xi->second.size() - units;  // 1, or 0 when the bias coordinate was left out
        std::vector<double> out(units, 0.0);
        for (std::size_t u = 0; u < units; ++u) {
          for (std::size_t j = 0; j < outs; ++j) out[u] += W[l + 1][u + 1][j] * di->second[j];
          double t = xi->second[u + skip];
          out[u] *= 1.0 - t * t;
        }
        return out;
      };
    }
    AnswerItem& g = find("dW" + k);  // de/dW(l) = x(l-1) delta(l)^T
    g.follows = (l ? "x" + std::to_string(l) + " and " : std::string()) + "delta" + k;
    g.follow_through = [=](const StudentValues& v) -> std::optional<std::vector<double>> {
      auto x = x_prev(v, l);
      if (x && x->size() + 1 == rows) x->insert(x->begin(), 1.0);
      auto di = v.find("delta" + k);
      if (!x || di == v.end() || x->size() != rows || di->second.size() != cols) return std::nullopt;
      std::vector<double> out;
      for (std::size_t r = 0; r < rows; ++r)
        for (std::size_t c = 0; c < cols; ++c) out.push_back((*x)[r] * di->second[c]);
      return out;
    };
  }
}

}  // namespace

Ex2Options read_ex2_network(const std::string& path) {
  AnswerFile f = read_answer_file(path);
  if (!f.problems.empty())
    throw AnswerFileError(fmt::format("{}: {}", f.problems.front().where(path), f.problems.front().message));
  Ex2Options o;
  auto numbers = [&](const std::string& key, std::vector<std::int64_t>& shape) {
    auto it = f.entries.find(key);
    if (it == f.entries.end()) throw AnswerFileError(fmt::format("{}: missing '{} = ...'", path, key));
    std::vector<double> out;
    for (const auto& tok : it->second.flatten(shape, path)) {
      double v;
      if (!parse_number(tok, v))
        throw AnswerFileError(fmt::format("{}:{}: expected a number in '{}', found '{}'", path, it->second.line, key, tok));
      out.push_back(v);
    }
    return out;
  };
  std::vector<std::int64_t> shape;
  o.x = numbers("x", shape);
  auto yv = numbers("y", shape);
  if (yv.size() != 1) throw AnswerFileError(fmt::format("{}: 'y' must be one number", path));
  o.y = yv[0];
  o.W.clear();
  for (int l = 1; f.entries.count(fmt::format("W{}", l)); ++l) {
    auto v = numbers(fmt::format("W{}", l), shape);
    if (shape.size() != 2)
      throw AnswerFileError(fmt::format("{}: W{} must be a matrix [[...], ...] of (d(l-1)+1) rows", path, l));
    std::vector<std::vector<double>> m(shape[0], std::vector<double>(shape[1]));
    for (std::int64_t r = 0; r < shape[0]; ++r)
      for (std::int64_t c = 0; c < shape[1]; ++c) m[r][c] = v[r * shape[1] + c];
    o.W.push_back(m);
  }
  if (o.W.empty()) throw AnswerFileError(fmt::format("{}: expected W1 = [[...]], W2 = ..., none found", path));
  return o;
}

Report run_ex2(const Ex2Options& o) {
  GL_CHECK(!o.W.empty() && !o.x.empty(), "ex2: need an input x and at least one weight matrix");
  std::size_t fan_in = o.x.size();
  for (std::size_t l = 0; l < o.W.size(); ++l) {
    GL_CHECK(!o.W[l].empty() && o.W[l].size() == fan_in + 1,
             "ex2: W{} has {} rows; expected d({}) + 1 = {} (row 0 holds the bias weights)", l + 1, o.W[l].size(), l,
             fan_in + 1);
    for (const auto& row : o.W[l])
      GL_CHECK(row.size() == o.W[l][0].size(), "ex2: W{} has rows of different lengths", l + 1);
    fan_in = o.W[l][0].size();
  }
  GL_CHECK(fan_in == 1, "ex2: the output layer must have one unit (W{} has {} columns)", o.W.size(), fan_in);
  std::size_t L = o.W.size();

  Report r("ex2", "Problem 2 (LFD Exercise 7.8): back-propagation with an identity output");
  r.section("Problem");
  std::vector<std::string> sizes{std::to_string(o.x.size())};
  for (const auto& w : o.W) sizes.push_back(std::to_string(w[0].size()));
  r.paragraph(fmt::format(
      "Repeat Example 7.1 (network {}, theta = tanh, e = (h(x) - y)^2, x = [{}], y = {}) with the\n"
      "output transformation replaced by the identity: compute s(l), x(l), delta(l), de/dW(l) for every layer.",
      fmt::join(sizes, " -> "), fmt::join(o.x, ", "), num(o.y)));
  for (std::size_t l = 0; l < L; ++l) {
    std::vector<double> flat;
    for (const auto& row : o.W[l]) flat.insert(flat.end(), row.begin(), row.end());
    r.matrix(fmt::format("W({})", l + 1), format_matrix(flat, o.W[l].size(), o.W[l][0].size()));
  }

  r.section("Derivation");
  r.paragraph("Forward: s(l) = W(l)^T x(l-1); x(l) = [1; tanh(s(l))] for hidden layers, x(L) = s(L) (identity).",
              "Forward: $s^{(l)} = W^{(l)\\top} x^{(l-1)}$, $x^{(l)} = [1;\\ \\tanh(s^{(l)})]$ for hidden layers, "
              "$x^{(L)} = s^{(L)}$ (identity).");
  r.paragraph("Output sensitivity: delta(L) = de/ds(L) = 2 (x(L) - y) theta'(s(L)), with theta' = 1 for the\n"
              "identity (and 1 - x(L)^2 for tanh). Hidden layers: delta(l) = (1 - x(l)^2)[1:] (.) (W(l+1) delta(l+1))[1:],\n"
              "the bias row of W(l+1) dropped. Gradients: de/dW(l) = x(l-1) delta(l)^T.",
              "$\\delta^{(L)} = 2(x^{(L)} - y)\\,\\theta'(s^{(L)})$ with $\\theta' = 1$ (identity) or $1 - (x^{(L)})^2$ (tanh); "
              "$\\delta^{(l)} = \\theta'(s^{(l)}) \\otimes [W^{(l+1)}\\delta^{(l+1)}]_{1:}$; "
              "$\\partial e/\\partial W^{(l)} = x^{(l-1)}(\\delta^{(l)})^\\top$.");

  Pass id = run_pass(o, false), th = run_pass(o, true);
  r.graph_dot = id.dot;

  r.section("Forward and backward tables");
  std::vector<std::vector<std::string>> rows;
  for (std::size_t l = 0; l < L; ++l) {
    rows.push_back({fmt::format("s({})", l + 1), row_text(id.s[l]), row_text(th.s[l])});
    rows.push_back({fmt::format("x({})", l + 1), row_text(id.x[l]), row_text(th.x[l])});
  }
  for (std::size_t l = L; l-- > 0;)
    rows.push_back({fmt::format("delta({})", l + 1), row_text(id.delta[l]), row_text(th.delta[l])});
  for (std::size_t l = 0; l < L; ++l)
    rows.push_back({fmt::format("de/dW({})", l + 1), row_text(id.dW[l]), row_text(th.dW[l])});
  rows.push_back({"e", num(id.e, 4), num(th.e, 4)});
  r.table({"quantity", "identity output (Ex. 7.8)", "tanh output (Ex. 7.1)"}, rows);
  r.paragraph("(rows of matrices separated by ';'; 4 significant digits here, full precision in --format json)");

  for (const auto* pass : {&id, &th}) {
    bool is_id = pass == &id;
    double worst_delta = 0, worst_dw = 0;
    for (std::size_t l = 0; l < L; ++l) {
      worst_delta = std::max(worst_delta, max_abs_diff(pass->delta[l], pass->delta_auto[l]));
      worst_dw = std::max(worst_dw, max_abs_diff(pass->dW[l], pass->dW_auto[l]));
    }
    std::string which = is_id ? "identity output" : "tanh output";
    r.check(fmt::format("{}: delta(l) by recursion == de/ds(l) by autograd", which), worst_delta <= 1e-12,
            worst_delta, 1e-12, "every layer");
    r.check(fmt::format("{}: de/dW(l) = x(l-1) delta(l)^T == autograd", which), worst_dw <= 1e-12, worst_dw, 1e-12,
            "every layer");
    // Third route: central differences on every weight.
    std::vector<Tensor> leaves;
    for (std::size_t l = 0; l < L; ++l) {
      std::vector<double> flat;
      for (const auto& row : o.W[l]) flat.insert(flat.end(), row.begin(), row.end());
      leaves.push_back(f64(flat, pass->dW[l].shape()).set_requires_grad(true));
    }
    Tensor x0 = with_bias(f64(o.x, {1, static_cast<std::int64_t>(o.x.size())}));
    GradCheckResult gc = check_gradients([&] { return forward(leaves, x0, o.y, !is_id, nullptr, nullptr); }, leaves);
    r.check(fmt::format("{}: autograd de/dW == central differences", which), gc.ok, gc.max_abs_error, 1e-7,
            fmt::format("{} weights{}", gc.checked, gc.message.empty() ? "" : ": " + gc.message));
  }

  r.section("Answer (identity output)");
  for (std::size_t l = 0; l < L; ++l)
    r.matrix(fmt::format("de/dW({})", l + 1), cells(id.dW[l]));
  r.paragraph(fmt::format("e = {}. Compared with the tanh output, only delta(L) changes at first (no factor\n"
                          "1 - x(L)^2), and that change propagates to every delta(l) and de/dW(l).",
                          num(id.e)));

  nlohmann::json net;
  net["x"] = o.x;
  net["y"] = o.y;
  net["W"] = o.W;
  r.values["network"] = net;
  r.values["identity"] = pass_json(id);
  r.values["tanh"] = pass_json(th);

  // Graded items in the order a student computes them: forward, backward, gradients.
  auto vec_item = [&](const std::string& key, const Tensor& t, const std::string& what) {
    auto v = t.to_vector();
    r.expected.push_back(numeric_item(key, what, {static_cast<std::int64_t>(v.size())}, v, true));
  };
  for (std::size_t l = 0; l < L; ++l) {
    std::string k = std::to_string(l + 1);
    vec_item("s" + k, id.s[l], "s(" + k + ")");
    vec_item("x" + k, id.x[l],
             "x(" + k + ")" + (l + 1 < L ? ", bias coordinate 1 first" : ", the output (no bias coordinate)"));
  }
  for (std::size_t l = L; l-- > 0;) vec_item("delta" + std::to_string(l + 1), id.delta[l], "delta(" + std::to_string(l + 1) + ")");
  for (std::size_t l = 0; l < L; ++l) {
    std::string k = std::to_string(l + 1);
    r.expected.push_back(numeric_item("dW" + k, "de/dW(" + k + "), shaped like W(" + k + ")",
                                      {id.dW[l].size(0), id.dW[l].size(1)}, id.dW[l].to_vector(), true));
  }
  add_ex2_diagnoses(r.expected, o, th);
  r.answer_note =
      "Identity output (Exercise 7.8). Vectors as [a, b]; de/dW(l) as a matrix shaped like W(l).\n"
      "Values rounded to two decimals (or more) are accepted when the rounding explains the difference: the\n"
      "grader carries your rounded values through the recursion (it says 'correct (rounded)').";
  return r;
}

}  // namespace gl::ex
