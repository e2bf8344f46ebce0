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

  py::class_<ModelConfig>(models, "ModelConfig")
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
      .def_readonly("version", &ModelConfig::version)
      .def_readonly("size", &ModelConfig::size)
      .def_readonly("first_filters", &ModelConfig::first_filters)
      .def_readonly("num_classes", &ModelConfig::num_classes)
      .def_readonly("projection_first_block", &ModelConfig::projection_first_block)
      .def_property_readonly("depth", &ModelConfig::depth)
      .def("describe", &ModelConfig::describe)
      .def("__repr__", &ModelConfig::describe);

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
      .def_property_readonly("config", &resnet::ResNet::config);
  py::class_<resnet::StandardBlock, Module, std::shared_ptr<resnet::StandardBlock>>(models, "StandardBlock",
      "y = relu(bn2(conv3(relu(bn1(conv3(x))))) + shortcut(x)); output channels = filters")
      .def(py::init([seeded](std::int64_t in, std::int64_t filters, std::int64_t stride, bool projection,
                             std::optional<std::uint64_t> seed) {
        gl::Rng rng = seeded(seed);
        return std::make_shared<resnet::StandardBlock>(in, filters, stride, projection, rng);
      }), py::arg("in_channels"), py::arg("filters"), py::arg("stride") = 1, py::arg("projection") = false,
         py::arg("seed") = py::none());
  py::class_<resnet::BottleneckBlock, Module, std::shared_ptr<resnet::BottleneckBlock>>(models, "BottleneckBlock",
      "full pre-activation bottleneck; output channels = 4 * filters")
      .def(py::init([seeded](std::int64_t in, std::int64_t filters, std::int64_t stride, bool projection,
                             std::optional<std::uint64_t> seed) {
        gl::Rng rng = seeded(seed);
        return std::make_shared<resnet::BottleneckBlock>(in, filters, stride, projection, rng);
      }), py::arg("in_channels"), py::arg("filters"), py::arg("stride") = 1, py::arg("projection") = false,
         py::arg("seed") = py::none());
}

}  // namespace gradlab_py
