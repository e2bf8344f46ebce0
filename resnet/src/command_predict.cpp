#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>

#include "batches.h"
#include "commands.h"
#include "device_select.h"
#include "engine/core/autograd.h"
#include "engine/core/error.h"
#include "engine/ops/ops.h"
#include "image_file.h"
#include "train_flags.h"

namespace resnet {

void add_predict_command(CLI::App& app, int& exit_code) {
  struct Options {
    std::string checkpoint, device = "cpu";
    std::vector<std::string> images;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("predict", "classify PNG/JPEG files with a checkpoint "
                                                "(top three classes and probabilities)");
  cmd->add_option("--checkpoint", o->checkpoint, "a .safetensors checkpoint")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("images", o->images, "image files (scaled to 32x32)")->required();
  cmd->add_option("--device", o->device, "cpu or cuda");
  refuse_empty_values(*cmd);
  cmd->callback([o, &exit_code] {
    const gl::Device dev = select_device(o->device);
    CheckpointInfo info;
    auto model = model_from_checkpoint(o->checkpoint, dev, &info);
    model->eval();
    ImageSet set;
    for (const auto& path : o->images) {
      const auto chw = load_image_32x32(path);
      set.pixels.insert(set.pixels.end(), chw.begin(), chw.end());
      set.labels.push_back(0);
    }
    const DeviceImages images = upload_images(set, dev);
    const BatchBuilder batches(images, info.preprocessing);
    gl::Tensor x, y;
    batches.build_plain(0, images.size(), x, y);
    gl::NoGradGuard no_grad;
    const std::vector<double> probs = gl::softmax((*model)(x)).to_vector();  // [n, K]
    const int K = info.model.num_classes;
    for (std::size_t i = 0; i < o->images.size(); ++i) {
      std::vector<int> order(K);
      std::iota(order.begin(), order.end(), 0);
      const double* p = probs.data() + i * K;
      std::partial_sort(order.begin(), order.begin() + std::min(3, K), order.end(),
                        [&](int a, int b) { return p[a] > p[b]; });
      fmt::print("{}:", o->images[i]);
      for (int r = 0; r < std::min(3, K); ++r) {
        const int k = order[r];
        const std::string name =
            k < static_cast<int>(info.class_names.size()) ? info.class_names[k] : fmt::format("class{}", k);
        fmt::print("  {} {:.1f}%", name, 100 * p[k]);
      }
      fmt::print("\n");
    }
    exit_code = 0;
  });
}

}  // namespace resnet
