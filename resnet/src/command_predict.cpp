#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <numeric>

#include "batches.h"
#include "commands.h"
#include "device_select.h"
#include "engine/core/autograd.h"
#include "engine/core/error.h"
#include "engine/ops/ops.h"
#include "exit_codes.h"
#include "image_file.h"
#include "train_flags.h"

namespace resnet {

namespace {
struct PredictOptions {
  std::string checkpoint, device = "cpu";
  std::vector<std::string> images;
  std::int64_t batch_size = 256;
};

// One line per image: its top three classes.
void print_top3(const std::string& image, const double* p, const CheckpointInfo& info) {
  const int K = info.model.num_classes;
  std::vector<int> order(K);
  std::iota(order.begin(), order.end(), 0);
  std::partial_sort(order.begin(), order.begin() + std::min(3, K), order.end(),
                    [&](int a, int b) { return p[a] > p[b]; });
  fmt::print("{}:", image);
  for (int r = 0; r < std::min(3, K); ++r) {
    const int k = order[r];
    const std::string name =
        k < static_cast<int>(info.class_names.size()) ? info.class_names[k] : fmt::format("class{}", k);
    fmt::print("  {} {:.1f}%", name, 100 * p[k]);
  }
  fmt::print("\n");
}
}  // namespace

void add_predict_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<PredictOptions>();
  CLI::App* cmd = app.add_subcommand(
      "predict", "classify PNG and JPEG files with a checkpoint (top three classes and "
                 "probabilities); other formats, damaged files and files with bytes after the "
                 "image's end are refused");
  cmd->add_option("--checkpoint", o->checkpoint, "a .safetensors checkpoint")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("images", o->images, "PNG or JPEG files (scaled to 32x32)")->required();
  cmd->add_option("--batch-size", o->batch_size,
                  "images decoded and classified at a time (memory stays bounded)")
      ->capture_default_str();
  cmd->add_option("--device", o->device, "cpu or cuda");
  refuse_empty_values(*cmd);
  cmd->callback([o, &exit_code] {
    if (o->batch_size < 1 || o->batch_size > kMaxBatch) {
      throw UsageError(fmt::format("--batch-size must be 1-{}, got {}", kMaxBatch, o->batch_size));
    }
    const gl::Device dev = select_device(o->device);
    CheckpointInfo info;
    auto model = model_from_checkpoint(o->checkpoint, dev, &info);
    model->eval();
    const std::size_t n = o->images.size(), batch = static_cast<std::size_t>(o->batch_size);
    const int K = info.model.num_classes;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t begin = 0; begin < n; begin += batch) {
      const std::size_t end = std::min(n, begin + batch);
      ImageSet set;  // only this batch's pixels are held
      for (std::size_t i = begin; i < end; ++i) {
        const auto chw = load_image_32x32(o->images[i]);
        set.pixels.insert(set.pixels.end(), chw.begin(), chw.end());
        set.labels.push_back(0);
      }
      const DeviceImages images = upload_images(set, dev);
      const BatchBuilder batches(images, info.preprocessing);
      gl::Tensor x, y;
      batches.build_plain(0, images.size(), x, y);
      gl::NoGradGuard no_grad;
      const std::vector<double> probs = gl::softmax((*model)(x)).to_vector();  // [batch, K]
      for (std::size_t i = begin; i < end; ++i) print_top3(o->images[i], probs.data() + (i - begin) * K, info);
      if (n > batch) {  // long runs: progress on stderr, the predictions stay clean on stdout
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        fmt::print(stderr, "predict: {}/{} images, {:.0f} images/s\n", end, n, end / std::max(s, 1e-9));
      }
    }
    exit_code = 0;
  });
}

}  // namespace resnet
