// Everything `resnet train` is told, validated before any work starts.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "checkpoint.h"
#include "model.h"

namespace resnet {

enum class ScheduleKind { piecewise, cosine };

struct TrainConfig {
  ModelConfig model;
  std::string data_dir, model_dir = "models";
  std::string device = "cpu";
  std::int64_t batch_size = 128;
  int epochs = 182;
  double lr = 0.1;
  ScheduleKind schedule = ScheduleKind::piecewise;
  // Piecewise: boundaries in epochs (empty: 50% and 75% of the run, the
  // paper's 32k/48k of 64k iterations); multipliers has one more entry.
  std::vector<double> boundaries;
  std::vector<double> multipliers = {1.0, 0.1, 0.01};
  double warmup_epochs = 0;  // cosine: linear warm-up, then cosine decay to 0
  double momentum = 0.9;
  bool nesterov = false;
  double weight_decay = 2e-4;  // convolution and dense kernels only
  int save_interval = 10;
  bool validation = false;  // train on images 0..44,999, validate on 45,000..49,999
  std::uint64_t seed = 0;
  int threads = 0;  // 0: OMP_NUM_THREADS or all cores
  Standardize standardize = Standardize::per_image;
  std::string metrics_path;
  bool resume = false;
  std::int64_t train_limit = 0;        // use only the first N training images (0: all)
  std::int64_t stop_after_steps = 0;   // act as if Ctrl-C came after this global step (0: never)
  bool quiet = false;                  // no progress display (epoch summaries only)
};

constexpr std::int64_t kMaxBatch = 65536;
constexpr int kMaxEpochs = 100000;

// Throws gl::Error naming the flag and the accepted values. validate_values
// looks at the values only; validate also checks the folders and files named.
void validate_values(const TrainConfig& config);
void validate(const TrainConfig& config);

// The config as JSON, stored in checkpoints and printed at start.
std::string to_json(const TrainConfig& config);

// --preset recipe30: the 30-epoch recipe of shared/device.md (identity shortcut
// on stack 1, cosine with 1 warm-up epoch, Nesterov, weight decay 5e-4,
// per-channel standardization, 30 epochs).
void apply_recipe30(TrainConfig& config);

}  // namespace resnet
