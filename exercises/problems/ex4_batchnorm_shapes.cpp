// Problem 4: the shapes of batch-norm statistics.
//
// (a) fully connected output x [N, C]: statistics over the batch axis,
//     mu_c = (1/N) sum_n x[n, c]                          -> [C]  (keepdims: [1, C])
// (b) convolution output x [N, H, W, C]: one statistic per channel, over
//     batch AND space, mu_c = (1/NHW) sum_{n,h,w} x[n,h,w,c] -> [C]  (keepdims: [1, 1, 1, C])
// The engine's batch_norm takes NCHW, so (b) is permuted [N,H,W,C] -> [N,C,H,W] and back.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "engine/core/autograd.h"
#include "engine/core/random.h"
#include "engine/ops/ops.h"
#include "exercises/common/tensor_util.h"
#include "exercises/problems/problems.h"

namespace gl::ex {
namespace {

constexpr double kEps = 1e-5;

struct Case {
  std::string key, label;
  std::vector<std::string> axis_names;  // "N", "H", "W", "C"
  Shape shape;
  std::vector<int> reduce_axes;         // every axis but C
};

std::string named_shape(const Shape& s, const std::vector<std::string>& names) {
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < s.size(); ++i) parts.push_back(fmt::format("{}={}", names[i], s[i]));
  return fmt::format("[{}]", fmt::join(parts, ", "));
}

// Per-channel mean and biased variance of y, which has C as its last axis.
void channel_moments(const Tensor& y, std::vector<double>& means, std::vector<double>& vars) {
  auto v = y.to_vector();
  std::int64_t C = y.size(-1), M = y.numel() / C;
  means.assign(C, 0.0);
  vars.assign(C, 0.0);
  for (std::int64_t i = 0; i < y.numel(); ++i) means[i % C] += v[i] / double(M);
  for (std::int64_t i = 0; i < y.numel(); ++i) vars[i % C] += (v[i] - means[i % C]) * (v[i] - means[i % C]) / double(M);
}

}  // namespace

Report run_ex4(const Ex4Options& o) {
  GL_CHECK(o.N >= 2 && o.C >= 1 && o.H >= 1 && o.W >= 1, "ex4: need N >= 2 and C, H, W >= 1 (got {}, {}, {}, {})",
           o.N, o.C, o.H, o.W);
  Report r("ex4", "Problem 4: shapes of batch-normalization statistics");
  r.section("Problem");
  r.paragraph("(a) x is a fully connected layer's output, N x C: what shapes do the batch mean and variance have?\n"
              "(b) x is a 2-D convolution's output, N x H x W x C: same question.");
  r.section("Derivation");
  r.paragraph("Batch norm normalizes each feature with statistics shared by every value of that feature in the batch.\n"
              "(a) A feature of a dense layer is one of its C units: average over the N examples.\n"
              "(b) A convolution's feature is a channel: its filter is shared over all H x W positions, so all N*H*W\n"
              "values of a channel are normalized together ([3], Sec. 3.2); average over N, H and W.");
  r.equation("(a) mu_c = (1/N) sum_n x[n,c],  sigma^2_c = (1/N) sum_n (x[n,c] - mu_c)^2",
             "\\mu_c = \\frac1N\\sum_n x_{n,c},\\quad \\sigma_c^2 = \\frac1N\\sum_n (x_{n,c}-\\mu_c)^2");
  r.equation("(b) mu_c = (1/NHW) sum_{n,h,w} x[n,h,w,c],  sigma^2_c likewise",
             "\\mu_c = \\frac{1}{NHW}\\sum_{n,h,w} x_{n,h,w,c},\\quad \\sigma_c^2 = \\frac{1}{NHW}\\sum_{n,h,w}(x_{n,h,w,c}-\\mu_c)^2");
  r.equation("y = gamma (x - mu) / sqrt(sigma^2 + eps) + beta",
             "y = \\gamma\\,\\frac{x-\\mu}{\\sqrt{\\sigma^2+\\epsilon}} + \\beta");

  Rng rng(o.seed);
  std::vector<Case> cases = {
      {"fc", "(a) fully connected output", {"N", "C"}, {o.N, o.C}, {0}},
      {"conv", "(b) convolution output", {"N", "H", "W", "C"}, {o.N, o.H, o.W, o.C}, {0, 1, 2}},
  };
  for (const Case& c : cases) {
    r.section(fmt::format("{}: x {}", c.label, named_shape(c.shape, c.axis_names)));
    // Channels with their own offset and scale, so normalization has work to do.
    Tensor shift = Tensor::randn({o.C}, rng, 0.0, 3.0, DType::f64);                       // [C]
    Tensor scale = Tensor::uniform({o.C}, rng, 0.5, 2.0, DType::f64);                     // [C]
    Tensor x = Tensor::randn(c.shape, rng, 0.0, 1.0, DType::f64) * scale + shift;         // C last: broadcasts
    x.set_name("x").set_requires_grad(true);  // so that --graph can draw the batch-norm graph
    Tensor mu = mean(x, c.reduce_axes, false), var_ = var(x, c.reduce_axes, false);
    Tensor mu_k = mean(x, c.reduce_axes, true), var_k = var(x, c.reduce_axes, true);
    r.table({"statistic", "keepdims = false", "keepdims = true"},
            {{"batch mean", shape_str(mu.shape()), shape_str(mu_k.shape())},
             {"batch variance", shape_str(var_.shape()), shape_str(var_k.shape())}});

    // The engine's batch norm (NCHW / NC), gamma = 1, beta = 0, momentum 1 so that
    // the running statistics become this batch's statistics.
    Tensor gamma = Tensor::ones({o.C}, DType::f64), beta = Tensor::zeros({o.C}, DType::f64);
    Tensor run_mean = Tensor::zeros({o.C}, DType::f64), run_var = Tensor::ones({o.C}, DType::f64);
    Tensor x_engine = c.shape.size() == 4 ? permute(x, {0, 3, 1, 2}) : x;                 // [N,C,H,W] or [N,C]
    Tensor y_engine = batch_norm(x_engine, gamma, beta, run_mean, run_var, true, 1.0, kEps);
    Tensor y = c.shape.size() == 4 ? permute(y_engine, {0, 2, 3, 1}) : y_engine;          // back to C last
    if (c.shape.size() == 4) r.graph_dot = to_dot(y);  // permute, batch_norm, permute (x is a leaf with grad)
    // By hand with the kept-dimension statistics (they broadcast against x).
    Tensor y_hand = (x - mu_k) / sqrt(var_k + kEps);
    double d_hand = max_abs_diff(y, y_hand);
    std::vector<double> m_out, v_out;
    channel_moments(y, m_out, v_out);
    double worst_mean = 0, worst_var = 0, worst_var_exact = 0;
    auto sigma2 = var_.to_vector();
    for (std::int64_t ch = 0; ch < o.C; ++ch) {
      worst_mean = std::max(worst_mean, std::abs(m_out[ch]));
      worst_var = std::max(worst_var, std::abs(v_out[ch] - 1.0));
      worst_var_exact = std::max(worst_var_exact, std::abs(v_out[ch] - sigma2[ch] / (sigma2[ch] + kEps)));
    }
    std::int64_t M = x.numel() / o.C;
    double d_run_mean = max_abs_diff(run_mean, mu);
    double d_run_var_biased = max_abs_diff(run_var, var_);
    double d_run_var_unbiased = max_abs_diff(run_var, var(x, c.reduce_axes, false, true));
    bool unbiased = d_run_var_unbiased <= d_run_var_biased;

    std::vector<std::vector<std::string>> rows;
    for (std::int64_t ch = 0; ch < o.C; ++ch)
      rows.push_back({std::to_string(ch), num(mu.to_vector()[ch]), num(sigma2[ch]), num(m_out[ch], 3),
                      num(v_out[ch], 8)});
    r.table({"channel c", "mu_c", "sigma^2_c", "mean of y[..., c]", "variance of y[..., c]"}, rows);
    r.check(c.key + ": engine batch_norm == (x - mu) / sqrt(sigma^2 + eps) with keepdims statistics", d_hand <= 1e-12, d_hand,
            1e-12, fmt::format("statistics over {} values per channel", M));
    r.check(c.key + ": every output channel has mean 0", worst_mean <= 1e-12, worst_mean, 1e-12, "");
    r.check(c.key + ": every output channel has variance sigma^2/(sigma^2+eps)", worst_var_exact <= 1e-12, worst_var_exact,
            1e-12, "exactly what eps leaves");
    // 1 - sigma^2/(sigma^2 + eps) = eps/(sigma^2 + eps) <= eps/sigma^2: the only gap to 1 is eps's.
    double min_sigma2 = *std::min_element(sigma2.begin(), sigma2.end());
    r.check(c.key + ": every output channel has variance 1 up to eps/sigma^2", worst_var <= kEps / min_sigma2, worst_var,
            kEps / min_sigma2, "");
    r.check(c.key + ": the engine's running mean [C] == batch mean", d_run_mean <= 1e-12 && run_mean.shape() == mu.shape(),
            d_run_mean, 1e-12, "momentum 1: running = this batch");
    r.check(c.key + ": the engine's running variance [C] == batch variance", std::min(d_run_var_biased, d_run_var_unbiased) <= 1e-12,
            std::min(d_run_var_biased, d_run_var_unbiased), 1e-12,
            unbiased ? "unbiased (M-1), as PyTorch keeps it" : "biased (M)");

    std::vector<std::string> syms, syms_k;
    std::vector<double> nums, nums_k;
    for (std::size_t a = 0; a < c.shape.size(); ++a) {
      bool reduced = std::find(c.reduce_axes.begin(), c.reduce_axes.end(), int(a)) != c.reduce_axes.end();
      if (!reduced) { syms.push_back(c.axis_names[a]); nums.push_back(double(c.shape[a])); }
      syms_k.push_back(reduced ? "1" : c.axis_names[a]);
      nums_k.push_back(reduced ? 1.0 : double(c.shape[a]));
    }
    std::vector<std::string> averaged;
    for (int a : c.reduce_axes) averaged.push_back(c.axis_names[a]);
    for (const char* stat : {"mean", "var"}) {
      std::string what = std::string(stat) == "var" ? "variance" : "mean";
      r.expected.push_back(shape_item(c.key + "." + stat + "_shape", fmt::format("{}: shape of the batch {}", c.label, what),
                                      syms, nums, false, syms_k, nums_k));
      r.expected.push_back(shape_item(c.key + "." + stat + "_shape_keepdims", "same, with kept dimensions", syms_k, nums_k,
                                      true));
      for (std::size_t i = r.expected.size() - 2; i < r.expected.size(); ++i) r.expected[i].averaged_axes = averaged;
    }
    r.values[c.key] = {{"x_shape", c.shape},
                       {"axis_names", c.axis_names},
                       {"reduced_axes", c.reduce_axes},
                       {"mean_shape", mu.shape()},
                       {"var_shape", var_.shape()},
                       {"mean_shape_keepdims", mu_k.shape()},
                       {"var_shape_keepdims", var_k.shape()},
                       {"mean_shape_symbolic", syms},
                       {"mean_shape_keepdims_symbolic", syms_k},
                       {"values_per_statistic", M},
                       {"mean", mu.to_vector()},
                       {"var", sigma2},
                       {"output_channel_mean", m_out},
                       {"output_channel_var", v_out},
                       {"running_var_unbiased", unbiased}};
  }
  r.answer_note =
      "Shapes as lists of axis names or sizes, written like the shape of an N x D input: [N, D], (N, D) or\n"
      "N x D (axis names N, H, W, C, or the numbers).\n"
      "The explanation is not graded here; write it in your report.";
  r.values["eps"] = kEps;
  r.values["seed"] = o.seed;

  r.section("Answer");
  r.paragraph(fmt::format(
      "(a) x: N x C -> mean and variance have shape C (one per unit), i.e. [{}]; kept dimensions: 1 x C.\n"
      "(b) x: N x H x W x C -> mean and variance have shape C (one per channel, over N*H*W = {} values), i.e. [{}];\n"
      "kept dimensions: 1 x 1 x 1 x C. In the engine's NCHW layout the same statistics are [C] or, kept, [1, C, 1, 1]:\n"
      "a plain [C] broadcasts against a C-last tensor but NOT against [N, C, H, W], which is why implementations\n"
      "keep the reduced dimensions.",
      o.C, o.N * o.H * o.W, o.C));
  return r;
}

}  // namespace gl::ex
