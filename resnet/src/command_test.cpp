#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "batches.h"
#include "commands.h"
#include "device_select.h"
#include "engine/core/backend.h"
#include "engine/core/error.h"
#include "evaluate.h"
#include "exit_codes.h"
#include "input_file.h"
#include "train_config.h"
#include "train_flags.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
struct TestOptions {
  std::string data_dir, device = "cpu";
  std::vector<std::string> checkpoints;
  bool validation = false;
  std::int64_t batch_size = 500;
  int threads = 0;
};

void print_report(const EvalResult& r, const std::vector<std::string>& names, int K) {
  const auto per_class = per_class_accuracy(r.confusion, K);
  std::size_t width = 5;
  for (const auto& n : names) width = std::max(width, n.size());
  const std::size_t row_width = width + 3;  // "9 " before the name
  fmt::print("per-class accuracy:\n");
  for (int k = 0; k < K; ++k) fmt::print("  {:<{}}  {:6.2f}%\n", names[k], width, 100 * per_class[k]);
  fmt::print("confusion matrix (rows: true class, columns: predicted class):\n  {:<{}}", "", row_width);
  for (int k = 0; k < K; ++k) fmt::print(" {:>5}", k);
  fmt::print("\n");
  for (int t = 0; t < K; ++t) {
    fmt::print("  {:<{}}", fmt::format("{} {}", t, names[t]), row_width);
    for (int p = 0; p < K; ++p) fmt::print(" {:>5}", r.confusion[t * K + p]);
    fmt::print("\n");
  }
}
}  // namespace

void add_test_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TestOptions>();
  CLI::App* cmd = app.add_subcommand("test", "evaluate checkpoints on the test batch (or the "
                                             "validation split): accuracy, per-class accuracy, "
                                             "confusion matrix");
  cmd->add_option("checkpoints", o->checkpoints, "one or more .safetensors checkpoints")
      ->required();
  cmd->add_option("--data-dir", o->data_dir, "folder with the CIFAR-10 files")->required();
  cmd->add_flag("--validation", o->validation, "use the validation split (last 10% of training)");
  cmd->add_option("--batch-size", o->batch_size, "images per evaluation batch");
  cmd->add_option("--device", o->device, "cpu or cuda");
  cmd->add_option("--threads", o->threads, "CPU threads (0: all)");
  refuse_empty_values(*cmd);
  cmd->callback([o, &exit_code] {
    if (o->batch_size < 1 || o->batch_size > kMaxBatch) {
      throw UsageError(fmt::format("--batch-size must be 1-{}, got {}", kMaxBatch, o->batch_size));
    }
    check_thread_count(o->threads);
    for (const auto& p : o->checkpoints) {
      if (!fs::exists(p)) throw UsageError(fmt::format("test: checkpoint {} does not exist", p));
      check_regular_if_present(p, "test: checkpoint");
    }
    const gl::Device dev = select_device(o->device);
    if (o->threads > 0) gl::set_num_threads(o->threads);
    const fs::path dir = locate_batches(o->data_dir);
    for (const auto& path : o->checkpoints) {
      CheckpointInfo info;
      auto model = model_from_checkpoint(path, dev, &info);
      const int K = info.model.num_classes;
      ImageSet images;
      if (o->validation) {
        ImageSet all = read_training_set(dir, K);
        images = slice_images(all, all.size() - all.size() / 10, all.size());
      } else {
        images = read_test_set(dir, K);
      }
      const DeviceImages dev_images = upload_images(images, dev);
      const BatchBuilder batches(dev_images, info.preprocessing);
      const EvalResult r = evaluate(*model, batches, dev_images.size(), o->batch_size, true);
      std::vector<std::string> names = info.class_names;
      if (static_cast<int>(names.size()) != K) names = read_class_names(dir, K);
      fmt::print("{}: {} after epoch {}\n", path, info.model.describe(), info.position.epoch);
      fmt::print("{} accuracy: {:.2f}% ({} of {}), loss {:.4f}\n",
                 o->validation ? "validation" : "test", 100 * r.accuracy,
                 static_cast<std::int64_t>(std::llround(r.accuracy * r.count)), r.count, r.loss);
      print_report(r, names, K);
    }
    exit_code = 0;
  });
}

}  // namespace resnet
