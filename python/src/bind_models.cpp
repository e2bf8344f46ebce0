// gradlab.models: the course's ResNets of resnet/ (v1 standard blocks,
// v2 full pre-activation bottleneck blocks) and their blocks.
#include <optional>

#include "bindings.h"
#include "model.h"

namespace gradlab_py {

void bind_models(py::module_& m) {
  py::module_ models = m.def_submodule("models", "The course's CIFAR-10 ResNets (resnet/src/model.h).");
  py::module_::import("sys").attr("modules")["gradlab.models"] = models;
  using gl::nn::Module;
  using resnet::ModelConfig;

  py::class_<ModelConfig>(models, "ModelConfig",
      "ModelConfig(version=1, size=3, first_filters=16, num_classes=10, projection_first_block=True): the "
      "course's flags for a ResNet (resnet_version, resnet_size = blocks per stack, first_num_filters, "
      "num_classes); checked when made.")
      .def(py::init([](int version, int size, int first_filters, int num_classes, bool projection_first_block) {
        ModelConfig c;
        c.version = version;
        c.size = size;
        c.first_filters = first_filters;
        c.num_classes = num_classes;
        c.projection_first_block = projection_first_block;
        resnet::validate(c);
        return c;
      }), py::arg("version") = 1, py::arg("size") = 3, py::arg("first_filters") = 16, py::arg("num_classes") = 10,
         py::arg("projection_first_block") = true)
      .def_readonly("version", &ModelConfig::version, "1: standard blocks; 2: pre-activation bottleneck blocks")
      .def_readonly("size", &ModelConfig::size, "blocks per stack (n)")
      .def_readonly("first_filters", &ModelConfig::first_filters, "filters of the first stack (16)")
      .def_readonly("num_classes", &ModelConfig::num_classes, "outputs of the dense layer")
      .def_readonly("projection_first_block", &ModelConfig::projection_first_block,
                    "a 1x1 projection shortcut on the first stack's first block")
      .def_property_readonly("depth", &ModelConfig::depth, "layers: 6n + 2 (v1) or 9n + 2 (v2)")
      .def("describe", &ModelConfig::describe, "'ResNet-20 v1 (3 blocks per stack, ...)'")
      .def("__repr__", &ModelConfig::describe, "The description.");

  auto seeded = [](std::optional<std::uint64_t> seed) { return seed ? gl::Rng(*seed) : gl::Rng(module_rng().generator()()); };
  py::class_<resnet::ResNet, Module, std::shared_ptr<resnet::ResNet>>(models, "ResNet",
      "ResNet(version=1, size=3, ...): [N,3,H,W] -> logits [N, num_classes]. ResNet-(6n+2) for v1, (9n+2) for v2.")
      .def(py::init([seeded](const ModelConfig& config, std::optional<std::uint64_t> seed) {
        gl::Rng rng = seeded(seed);
        return std::make_shared<resnet::ResNet>(config, rng);
      }), py::arg("config"), py::arg("seed") = py::none())
      .def(py::init([seeded](int version, int size, int first_filters, int num_classes, bool projection_first_block,
                             std::optional<std::uint64_t> seed) {
        ModelConfig c;
        c.version = version;
        c.size = size;
        c.first_filters = first_filters;
        c.num_classes = num_classes;
        c.projection_first_block = projection_first_block;
        gl::Rng rng = seeded(seed);
        return std::make_shared<resnet::ResNet>(c, rng);
      }), py::kw_only(), py::arg("version") = 1, py::arg("size") = 3, py::arg("first_filters") = 16,
         py::arg("num_classes") = 10, py::arg("projection_first_block") = true, py::arg("seed") = py::none())
      .def_property_readonly("config", &resnet::ResNet::config, "the ModelConfig it was built from");
  py::class_<resnet::StandardBlock, Module, std::shared_ptr<resnet::StandardBlock>>(models, "StandardBlock",
      "StandardBlock(in_channels, filters, stride=1, projection=False, seed=None): v1's residual unit, "
      "y = relu(bn2(conv3(relu(bn1(conv3(x))))) + shortcut(x)); [N, in_channels, H, W] -> "
      "[N, filters, H/stride, W/stride]; projection: a 1x1 convolution shortcut instead of the identity.")
      .def(py::init([seeded](std::int64_t in, std::int64_t filters, std::int64_t stride, bool projection,
                             std::optional<std::uint64_t> seed) {
        gl::Rng rng = seeded(seed);
        return std::make_shared<resnet::StandardBlock>(in, filters, stride, projection, rng);
      }), py::arg("in_channels"), py::arg("filters"), py::arg("stride") = 1, py::arg("projection") = false,
         py::arg("seed") = py::none());
  py::class_<resnet::BottleneckBlock, Module, std::shared_ptr<resnet::BottleneckBlock>>(models, "BottleneckBlock",
      "BottleneckBlock(in_channels, filters, stride=1, projection=False, seed=None): v2's full pre-activation "
      "bottleneck (BN-ReLU before each of conv1x1, conv3x3, conv1x1); [N, in_channels, H, W] -> "
      "[N, 4 filters, H/stride, W/stride].")
      .def(py::init([seeded](std::int64_t in, std::int64_t filters, std::int64_t stride, bool projection,
                             std::optional<std::uint64_t> seed) {
        gl::Rng rng = seeded(seed);
        return std::make_shared<resnet::BottleneckBlock>(in, filters, stride, projection, rng);
      }), py::arg("in_channels"), py::arg("filters"), py::arg("stride") = 1, py::arg("projection") = false,
         py::arg("seed") = py::none());
}

}  // namespace gradlab_py
