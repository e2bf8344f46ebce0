#include "train_outputs.h"

#include <fmt/format.h>

namespace resnet {
namespace fs = std::filesystem;

namespace {
// The folder must exist before its lock can: create it first.
fs::path created(const std::string& dir) {
  create_output_folder(dir, "--model-dir");
  return dir;
}
}  // namespace

TrainOutputs::TrainOutputs(const TrainConfig& c, std::FILE* log) : lock_(created(c.model_dir)) {
  check_folder_writable(c.model_dir, "--model-dir");
  for (const fs::path& stale : remove_stale_temporaries(c.model_dir, ".safetensors")) {
    fmt::print(log, "removed {}: a partial checkpoint left by an earlier run that stopped while "
                    "writing it\n", stale.string());
  }
  if (!c.metrics_path.empty()) {
    metrics_.emplace(c.metrics_path, OutputFile::Mode::append, "--metrics");
  }
}

void TrainOutputs::start_metrics_afresh() {
  if (metrics_) metrics_->truncate();
}

void TrainOutputs::metrics_line(const std::string& json) {
  if (metrics_) metrics_->write(json + "\n");
}

void TrainOutputs::finish() {
  if (!metrics_) return;
  metrics_->sync();
  metrics_->close();
  metrics_.reset();
}

}  // namespace resnet
