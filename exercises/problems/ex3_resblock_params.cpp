// Problem 3: trainable parameters of the standard and the bottleneck residual block.
//
// Counts come from the engine (Module::parameter_count() and each layer's
// tensors) and are confirmed against closed forms:
//   standard, C channels:   conv weights 2 * 9C^2, conv biases 2C, BN scale+shift 2 * 2C
//   bottleneck, b = C/4:    conv weights Cb + 9b^2 + bC, biases b + b + C, BN 2b + 2b + 2C
// MACs per example: a convolution K x C x R x S on an Ho x Wo output costs K C R S Ho Wo.
// Activation memory: the block input and every layer's output (what backward keeps).
#include <fmt/format.h>

#include "engine/core/autograd.h"
#include "engine/ops/ops.h"
#include "exercises/common/tensor_util.h"
#include "exercises/problems/problems.h"
#include "exercises/problems/residual_blocks.h"

namespace gl::ex {
namespace {

struct Counts {
  std::int64_t conv_weights = 0, conv_biases = 0, bn_affine = 0, bn_running = 0;
  std::int64_t macs = 0;             // per example
  std::int64_t conv_layers = 0;
  std::int64_t activations = 0;      // values per example (input + every layer output)
  std::int64_t param_count_bn = 0;   // parameter_count(), convs without bias (the ResNet choice)
  std::int64_t param_count_all = 0;  // parameter_count(), convs with bias
  std::int64_t param_count_pre = 0;  // parameter_count(), pre-activation ordering
  Shape out_shape;
  std::vector<std::vector<std::string>> rows;  // per-layer breakdown
  nlohmann::json layers = nlohmann::json::array();
};

std::int64_t numel_of(const Tensor& t) { return t.defined() ? t.numel() : 0; }

Counts count_block(ResidualKind kind, std::int64_t C, std::int64_t H, std::int64_t W) {
  Counts c;
  Rng rng(3);
  ResidualBlock block(kind, C, false, false, rng);
  ResidualBlock with_bias(kind, C, true, false, rng);
  ResidualBlock pre(kind, C, false, true, rng);
  block.to(DType::f64);
  block.eval();  // running statistics: no batch statistics needed for one example
  c.param_count_bn = block.parameter_count();
  c.param_count_all = with_bias.parameter_count();
  c.param_count_pre = pre.parameter_count();

  NoGradGuard no_grad;
  Tensor x = Tensor::zeros({1, C, H, W}, DType::f64);  // one example [1, C, H, W]
  c.activations = x.numel();
  c.layers.push_back({{"layer", "input"}, {"shape", x.shape()}});
  Tensor h = x;
  const auto& children = block.body->children();
  const auto& bias_children = with_bias.body->children();
  for (std::size_t i = 0; i < children.size(); ++i) {
    const auto& [name, m] = children[i];
    h = m->forward(h);
    std::int64_t weights = 0, biases = 0, affine = 0, running = 0, macs = 0;
    std::string what = m->type_name();
    if (auto conv = std::dynamic_pointer_cast<nn::Conv2d>(m)) {
      auto conv_b = std::dynamic_pointer_cast<nn::Conv2d>(bias_children[i].second);
      weights = conv->weight.numel();
      ++c.conv_layers;
      biases = numel_of(conv_b->bias);
      const Shape& ws = conv->weight.shape();  // [K, C, R, S]
      macs = ws[0] * ws[1] * ws[2] * ws[3] * h.size(2) * h.size(3);
      what = fmt::format("conv{}x{} {}->{}", ws[2], ws[3], ws[1], ws[0]);
    } else if (auto bn = std::dynamic_pointer_cast<nn::BatchNorm>(m)) {
      affine = bn->gamma.numel() + bn->beta.numel();
      running = bn->running_mean.numel() + bn->running_var.numel();
      what = fmt::format("batch norm ({})", bn->gamma.numel());
    } else {
      what = "ReLU";
    }
    c.conv_weights += weights;
    c.conv_biases += biases;
    c.bn_affine += affine;
    c.bn_running += running;
    c.macs += macs;
    c.activations += h.numel();
    c.rows.push_back({what, shape_str(h.shape()), std::to_string(weights), std::to_string(biases),
                      std::to_string(affine), std::to_string(running), std::to_string(macs)});
    c.layers.push_back({{"layer", what}, {"shape", h.shape()}, {"conv_weights", weights}, {"conv_biases", biases},
                        {"bn_scale_shift", affine}, {"bn_running_stats", running}, {"macs", macs}});
  }
  // The shortcut addition (and the ReLU after it in v1): no parameters, one more activation each.
  Tensor y = block.forward(x);
  c.out_shape = y.shape();
  for (const char* what : {"add identity", "ReLU"}) {
    c.activations += y.numel();
    c.rows.push_back({what, shape_str(y.shape()), "0", "0", "0", "0", "0"});
    c.layers.push_back({{"layer", what}, {"shape", y.shape()}});
  }
  return c;
}

struct ClosedForm { std::int64_t weights, biases, affine; };
ClosedForm closed_form(ResidualKind kind, std::int64_t C) {
  if (kind == ResidualKind::standard) return {2 * 9 * C * C, 2 * C, 2 * 2 * C};
  std::int64_t b = C / 4;
  return {C * b + 9 * b * b + b * C, b + b + C, 2 * b + 2 * b + 2 * C};
}

}  // namespace

Report run_ex3(const Ex3Options& o) {
  GL_CHECK(o.standard_channels > 0 && o.bottleneck_channels > 0 && o.bottleneck_channels % 4 == 0 && o.height > 0 &&
               o.width > 0 && o.batch > 0,
           "ex3: need positive sizes and bottleneck channels divisible by 4 (got {})", o.bottleneck_channels);
  Report r("ex3", "Problem 3: parameters of the standard and the bottleneck residual block");
  r.section("Problem");
  r.paragraph(fmt::format(
      "Identity-shortcut blocks (input shape = output shape). Standard block at {} x {} x {} x {} (N x H x W x C),\n"
      "bottleneck block at {} x {} x {} x {} (bottleneck width C/4 = {}). Count the trainable parameters,\n"
      "compare, and give the bottleneck's advantages and disadvantages.",
      o.batch, o.height, o.width, o.standard_channels, o.batch, o.height, o.width, o.bottleneck_channels,
      o.bottleneck_channels / 4));
  r.paragraph("Blocks (v1 ordering, [1]): standard = conv3x3-BN-ReLU-conv3x3-BN, + x, ReLU;\n"
              "bottleneck = conv1x1(C->C/4)-BN-ReLU-conv3x3(C/4->C/4)-BN-ReLU-conv1x1(C/4->C)-BN, + x, ReLU.\n"
              "The pre-activation ordering ([2]: BN-ReLU before each convolution) has the same layers, so the same counts\n"
              "(checked below). Shapes are printed in the engine's layout [N, C, H, W].");

  r.section("Derivation");
  r.paragraph("A k x k convolution from C_in to C_out channels has k^2 C_in C_out weights (+ C_out biases);\n"
              "a batch norm over C channels has 2C trainable values (scale gamma, shift beta) and 2C running\n"
              "statistics (mean, variance), which are updated, not trained.",
              "A $k\\times k$ convolution $C_{in}\\to C_{out}$ has $k^2 C_{in} C_{out}$ weights ($+C_{out}$ biases); "
              "batch norm over $C$ channels has $2C$ trainable values ($\\gamma,\\beta$) and $2C$ running statistics.");
  r.equation("standard:   2 * 3^2 C^2 weights,  2C biases,  2 * 2C BN",
             "\\text{standard: } 2\\cdot 3^2 C^2 \\text{ weights},\\ 2C \\text{ biases},\\ 2\\cdot 2C \\text{ BN}");
  r.equation("bottleneck (b = C/4):  C b + 3^2 b^2 + b C weights,  2b + C biases,  2(2b) + 2C BN",
             "\\text{bottleneck } (b = C/4)\\text{: } Cb + 3^2 b^2 + bC \\text{ weights},\\ 2b + C \\text{ biases},\\ 2(2b) + 2C \\text{ BN}");

  nlohmann::json blocks;
  struct Named { const char* key; const char* label; ResidualKind kind; std::int64_t C; };
  std::vector<std::pair<Named, Counts>> results;
  for (Named n : {Named{"standard", "Standard block", ResidualKind::standard, o.standard_channels},
                  Named{"bottleneck", "Bottleneck block", ResidualKind::bottleneck, o.bottleneck_channels}}) {
    Counts c = count_block(n.kind, n.C, o.height, o.width);
    ClosedForm f = closed_form(n.kind, n.C);
    r.section(fmt::format("{} (C = {})", n.label, n.C));
    r.table({"layer", "output [1,C,H,W]", "weights", "biases", "BN scale+shift", "BN running (not trained)", "MACs"},
            c.rows);
    std::int64_t w = c.conv_weights, b = c.conv_biases, a = c.bn_affine;
    r.table({"convention", "trainable parameters"},
            {{"convolution weights only", std::to_string(w)},
             {"weights + convolution biases", std::to_string(w + b)},
             {"weights + BN scale and shift (ResNet: convs without bias)", std::to_string(w + a)},
             {"weights + biases + BN scale and shift", std::to_string(w + b + a)},
             {"BN running mean/var (not trainable)", std::to_string(c.bn_running)}});
    std::int64_t act_bytes = c.activations * o.batch * o.bytes_per_value;
    r.paragraph(fmt::format("MACs per example: {} ({:.3f} M); at batch {}: {:.3f} G.\n"
                            "Activations: {} values per example; at batch {} in {}-byte floats: {:.2f} MiB.",
                            c.macs, c.macs / 1e6, o.batch, c.macs * double(o.batch) / 1e9, c.activations, o.batch,
                            o.bytes_per_value, act_bytes / 1048576.0));
    r.check(fmt::format("{}: {}", n.key, "parameter_count() == per-layer sum (weights + BN)"), c.param_count_bn == w + a, 0, 0,
            fmt::format("{} == {}", c.param_count_bn, w + a));
    r.check(fmt::format("{}: {}", n.key, "parameter_count() with conv biases == per-layer sum"), c.param_count_all == w + b + a, 0, 0,
            fmt::format("{} == {}", c.param_count_all, w + b + a));
    r.check(fmt::format("{}: {}", n.key, "per-layer counts == closed form"), w == f.weights && b == f.biases && a == f.affine, 0, 0,
            fmt::format("weights {} == {}, biases {} == {}, BN {} == {}", w, f.weights, b, f.biases, a, f.affine));
    r.check(fmt::format("{}: {}", n.key, "pre-activation ordering has the same count"), c.param_count_pre == c.param_count_bn, 0, 0,
            fmt::format("{} == {}", c.param_count_pre, c.param_count_bn));
    Shape expect{1, n.C, o.height, o.width};
    r.check(fmt::format("{}: {}", n.key, "output shape == input shape (identity shortcut)"), c.out_shape == expect, 0, 0, shape_str(c.out_shape));
    blocks[n.key] = {{"channels", n.C},
                     {"conv_weights", w},
                     {"conv_biases", b},
                     {"bn_scale_shift", a},
                     {"bn_running_stats", c.bn_running},
                     {"params_weights_only", w},
                     {"params_with_bias", w + b},
                     {"params_with_bn", w + a},
                     {"params_with_bias_and_bn", w + b + a},
                     {"parameter_count", c.param_count_bn},
                     {"macs_per_example", c.macs},
                     {"activations_per_example", c.activations},
                     {"activation_bytes_at_batch", act_bytes},
                     {"layers", c.layers}};
    r.expected.push_back(conventions_item(
        std::string(n.key) + ".params", fmt::format("trainable parameters of the {} block (any stated convention)", n.key),
        {{"weights + BN scale/shift", double(w + a)}, {"weights only", double(w)}, {"weights + biases", double(w + b)},
         {"weights + biases + BN", double(w + b + a)}}));
    r.expected.back().mistakes.push_back(
        {"this counts the biases or BN parameters alone, not the convolution weights", {double(a)}, {}, {}});
    results.push_back({n, c});
  }
  r.answer_note =
      "One number per block; any of the conventions (weights only; + biases; + BN scale/shift; all) is accepted\n"
      "and the grader names the one you used. The comparison and the discussion are not graded here.";
  r.values["batch"] = o.batch;
  r.values["height"] = o.height;
  r.values["width"] = o.width;
  r.values["bytes_per_value"] = o.bytes_per_value;
  r.values["blocks"] = blocks;

  const Counts& s = results[0].second;
  const Counts& bt = results[1].second;
  double ratio_params = double(bt.conv_weights) / double(s.conv_weights);
  double ratio_macs = double(bt.macs) / double(s.macs);
  double ratio_act = double(bt.activations) / double(s.activations);
  r.values["comparison"] = {{"weights_ratio", ratio_params}, {"macs_ratio", ratio_macs}, {"activations_ratio", ratio_act}};
  r.section("Comparison and answer");
  r.table({"", "standard", "bottleneck", "bottleneck / standard"},
          {{"channels C", std::to_string(o.standard_channels), std::to_string(o.bottleneck_channels),
            num(double(o.bottleneck_channels) / o.standard_channels, 3)},
           {"conv weights", std::to_string(s.conv_weights), std::to_string(bt.conv_weights), num(ratio_params, 3)},
           {"weights + BN", std::to_string(s.conv_weights + s.bn_affine), std::to_string(bt.conv_weights + bt.bn_affine),
            num(double(bt.conv_weights + bt.bn_affine) / double(s.conv_weights + s.bn_affine), 3)},
           {"MACs / example", std::to_string(s.macs), std::to_string(bt.macs), num(ratio_macs, 3)},
           {"activations / example", std::to_string(s.activations), std::to_string(bt.activations), num(ratio_act, 3)},
           {"convolutions (depth)", std::to_string(s.conv_layers), std::to_string(bt.conv_layers),
            num(double(bt.conv_layers) / double(s.conv_layers), 3)}});
  r.paragraph(fmt::format(
      "Answer: standard block {} trainable parameters ({} convolution weights + {} BN scale/shift; {} with conv\n"
      "biases too); bottleneck block {} ({} weights + {} BN; {} with biases).\n"
      "Advantages of the bottleneck: it carries {}x the channels with {}x the weights and {}x the MACs, because\n"
      "the 1x1 convolutions squeeze C to C/4 before the expensive 3x3 and expand back after it (a 3x3 at full\n"
      "width C = {} would need {} weights per convolution); it is deeper ({} convolutions instead of {}) at\n"
      "the same cost, which is how ResNet-50/101/152 and ResNet-164 get deep and wide affordably.\n"
      "Disadvantages: {}x the activation memory per example (more layers, and a {}-channel identity path), more\n"
      "layers to launch and synchronise (latency, memory-bound 1x1s), and the 3x3 sees only C/4 channels: the\n"
      "squeeze is a representational bottleneck, so at equal C a bottleneck block is weaker than a standard one.",
      s.conv_weights + s.bn_affine, s.conv_weights, s.bn_affine, s.conv_weights + s.conv_biases + s.bn_affine,
      bt.conv_weights + bt.bn_affine, bt.conv_weights, bt.bn_affine, bt.conv_weights + bt.conv_biases + bt.bn_affine,
      num(double(o.bottleneck_channels) / o.standard_channels, 3), num(ratio_params, 3), num(ratio_macs, 3),
      o.bottleneck_channels, 9 * o.bottleneck_channels * o.bottleneck_channels, bt.conv_layers, s.conv_layers,
      num(ratio_act, 3),
      o.bottleneck_channels));
  return r;
}

}  // namespace gl::ex
