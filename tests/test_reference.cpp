// End-to-end check against an independent implementation: a small residual
// conv net (conv-BN-ReLU, strided conv-BN plus a 1x1 projection shortcut,
// ReLU, global average pool, linear, cross-entropy) in float64, its forward
// outputs, losses over three SGD steps (momentum, Nesterov, weight decay on
// kernels only), all first-step gradients, the final parameters and batch-norm
// running statistics, compared with values PyTorch produced once
// (tests/reference/make_reference.py -> tests/data/reference_small_net.json).
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "build_paths.h"
#include "tests/test_util.h"

namespace gl {
namespace {

using test::all_close;
using json = nlohmann::json;

constexpr double kRtol = 1e-8, kAtol = 1e-12;

json load_reference() {
  const std::string path = std::string(build_paths::test_data_dir) + "/reference_small_net.json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

// The same network as SmallNet in make_reference.py.
class SmallNet : public nn::Module {
 public:
  explicit SmallNet(Rng& rng) {
    conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(2, 4, 3, 1, 1, true, rng));
    bn1 = register_module("bn1", std::make_shared<nn::BatchNorm>(4, 0.1, 1e-5));
    conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(4, 4, 3, 2, 1, false, rng));
    bn2 = register_module("bn2", std::make_shared<nn::BatchNorm>(4, 0.1, 1e-5));
    shortcut = register_module("shortcut", std::make_shared<nn::Conv2d>(4, 4, 1, 2, 0, false, rng));
    fc = register_module("fc", std::make_shared<nn::Linear>(4, 3, true, rng));
  }
  Tensor forward(const Tensor& x) override {
    Tensor h1 = relu((*bn1)((*conv1)(x)));                               // [N, 4, 6, 6]
    Tensor out = relu(add((*bn2)((*conv2)(h1)), (*shortcut)(h1)));       // [N, 4, 3, 3]
    return (*fc)(global_avg_pool2d(out));                                // [N, 3]
  }
  std::string type_name() const override { return "SmallNet"; }

  // Our names (those of the JSON) -> the parameter tensors.
  std::map<std::string, Tensor> by_name() const {
    return {{"conv1.weight", conv1->weight}, {"conv1.bias", conv1->bias},
            {"bn1.gamma", bn1->gamma},       {"bn1.beta", bn1->beta},
            {"conv2.weight", conv2->weight}, {"bn2.gamma", bn2->gamma},
            {"bn2.beta", bn2->beta},         {"shortcut.weight", shortcut->weight},
            {"fc.weight", fc->weight},       {"fc.bias", fc->bias}};
  }

  std::shared_ptr<nn::Conv2d> conv1, conv2, shortcut;
  std::shared_ptr<nn::BatchNorm> bn1, bn2;
  std::shared_ptr<nn::Linear> fc;
};

TEST(Reference, SmallResidualNetMatchesPyTorch) {
  const json ref = load_reference();
  const json& config = ref["config"];
  Rng rng(0);
  SmallNet net(rng);
  net.to(DType::f64);
  const auto params = net.by_name();
  ASSERT_EQ(params.size(), ref["initial_parameters"].size());
  ASSERT_EQ(static_cast<std::size_t>(net.parameter_count()),
            [&] {
              std::size_t n = 0;
              for (const auto& [name, p] : ref["initial_parameters"].items()) n += p["values"].size();
              return n;
            }());
  for (const auto& [name, p] : ref["initial_parameters"].items()) {
    SCOPED_TRACE(name);
    Tensor t = params.at(name);
    ASSERT_EQ(t.shape(), p["shape"].get<Shape>());
    t.copy_from(Tensor::from_vector(p["values"].get<std::vector<double>>(), t.shape(), DType::f64));
  }
  Tensor x = Tensor::from_vector(ref["input"]["values"].get<std::vector<double>>(),
                                 ref["input"]["shape"].get<Shape>(), DType::f64)
                 .set_requires_grad();
  Tensor labels = Tensor::from_labels(ref["labels"].get<std::vector<std::int32_t>>());

  optim::SGD opt(optim::decay_groups(net, config["weight_decay"].get<double>()),
                 config["lr"].get<double>(), config["momentum"].get<double>(),
                 config["nesterov"].get<bool>());
  const int steps = config["steps"].get<int>();
  net.train();
  for (int step = 0; step < steps; ++step) {
    SCOPED_TRACE("step " + std::to_string(step));
    opt.zero_grad();
    x.zero_grad();
    Tensor logits = net(x);
    Tensor loss = cross_entropy(logits, labels);
    loss.backward();
    const json& expected = ref["steps"][step];
    EXPECT_TRUE(all_close(logits.to_vector(), expected["logits"].get<std::vector<double>>(), kRtol, kAtol))
        << "logits";
    EXPECT_NEAR(loss.item(), expected["loss"].get<double>(), kRtol * std::abs(expected["loss"].get<double>()));
    if (step == 0) {
      for (const auto& [name, g] : ref["first_step_gradients"].items()) {
        const Tensor actual = name == "input" ? x.grad() : params.at(name).grad();
        ASSERT_TRUE(actual.defined()) << "no gradient for " << name;
        EXPECT_TRUE(all_close(actual.to_vector(), g.get<std::vector<double>>(), kRtol, kAtol))
            << "gradient of " << name;
      }
    }
    opt.step();
  }
  for (const auto& [name, v] : ref["final_parameters"].items()) {
    EXPECT_TRUE(all_close(params.at(name).to_vector(), v.get<std::vector<double>>(), kRtol, kAtol))
        << "final " << name;
  }
  const json& stats = ref["final_running_stats"];
  const auto check_stats = [&](const char* key, const Tensor& t) {
    EXPECT_TRUE(all_close(t.to_vector(), stats[key].get<std::vector<double>>(), kRtol, kAtol)) << key;
  };
  check_stats("bn1.running_mean", net.bn1->running_mean);
  check_stats("bn1.running_var", net.bn1->running_var);
  check_stats("bn2.running_mean", net.bn2->running_mean);
  check_stats("bn2.running_var", net.bn2->running_var);

  net.eval();
  NoGradGuard no_grad;
  EXPECT_TRUE(all_close(net(x).to_vector(), ref["eval_logits"].get<std::vector<double>>(), kRtol, kAtol))
      << "eval-mode logits (running statistics)";
}

}  // namespace
}  // namespace gl
