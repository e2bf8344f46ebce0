#include "train_config.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "device_select.h"
#include "engine/core/error.h"
#include "output_file.h"

namespace resnet {

void validate_values(const TrainConfig& c) {
  validate(c.model);
  GL_CHECK(!c.data_dir.empty(), "--data-dir is required (a folder with data_batch_1.bin ...)");
  GL_CHECK(!c.model_dir.empty(), "--model-dir must not be empty");
  GL_CHECK(c.batch_size >= 1 && c.batch_size <= kMaxBatch, "--batch-size must be 1-{}, got {}",
           kMaxBatch, c.batch_size);
  GL_CHECK(c.epochs >= 1 && c.epochs <= kMaxEpochs, "--epochs must be 1-{}, got {}", kMaxEpochs,
           c.epochs);
  GL_CHECK(std::isfinite(c.lr) && c.lr > 0, "--lr must be a positive number, got {}", c.lr);
  GL_CHECK(c.momentum >= 0 && c.momentum < 1, "--momentum must be in [0, 1), got {}", c.momentum);
  GL_CHECK(!c.nesterov || c.momentum > 0, "--nesterov needs --momentum > 0");
  GL_CHECK(c.weight_decay >= 0 && std::isfinite(c.weight_decay),
           "--weight-decay must be a finite number >= 0, got {}", c.weight_decay);
  GL_CHECK(c.save_interval >= 1, "--save-interval must be at least 1 epoch, got {}",
           c.save_interval);
  check_thread_count(c.threads);
  GL_CHECK(c.warmup_epochs >= 0 && c.warmup_epochs < c.epochs,
           "--warmup-epochs must be in [0, --epochs = {}), got {}", c.epochs, c.warmup_epochs);
  GL_CHECK(c.train_limit >= 0, "--train-limit must be >= 0, got {}", c.train_limit);
  GL_CHECK(c.stop_after_steps >= 0, "--stop-after-steps must be >= 0, got {}", c.stop_after_steps);
  for (double m : c.multipliers) {
    GL_CHECK(std::isfinite(m) && m >= 0, "--lr-multipliers must be finite numbers >= 0, got {}",
             fmt::join(c.multipliers, ","));
  }
  if (c.schedule == ScheduleKind::piecewise && !c.boundaries.empty()) {
    GL_CHECK(c.multipliers.size() == c.boundaries.size() + 1,
             "--lr-multipliers needs one more entry than --lr-boundaries ({} boundaries, {} "
             "multipliers)",
             c.boundaries.size(), c.multipliers.size());
    for (std::size_t i = 0; i < c.boundaries.size(); ++i) {
      GL_CHECK(std::isfinite(c.boundaries[i]) && c.boundaries[i] > 0 &&
                   c.boundaries[i] <= c.epochs && (i == 0 || c.boundaries[i] > c.boundaries[i - 1]),
               "--lr-boundaries must be increasing epochs in (0, --epochs = {}], got {}", c.epochs,
               fmt::join(c.boundaries, ","));
    }
  }
  if (c.schedule == ScheduleKind::piecewise && c.boundaries.empty()) {
    GL_CHECK(c.multipliers.size() == 3,
             "--lr-multipliers: without --lr-boundaries the boundaries are 50% and 75% of the "
             "epochs, so give 3 multipliers (got {})",
             c.multipliers.size());
  }
  GL_CHECK(c.device == "cpu" || c.device == "cuda", "--device must be cpu or cuda, got '{}'",
           c.device);
}

void validate(const TrainConfig& c) {
  validate_values(c);
  GL_CHECK(std::filesystem::is_directory(c.data_dir),
           "--data-dir {} does not exist or is not a directory; run `resnet download --data-dir "
           "{}` or `resnet make-synthetic --out {}`",
           c.data_dir, c.data_dir, c.data_dir);
  GL_CHECK(!std::filesystem::exists(c.model_dir) || std::filesystem::is_directory(c.model_dir),
           "--model-dir {} exists and is not a directory", c.model_dir);
  if (!c.metrics_path.empty()) check_output_path(c.metrics_path, "--metrics");
}

std::string to_json(const TrainConfig& c) {
  nlohmann::json j = {
      {"resnet_version", c.model.version},
      {"resnet_size", c.model.size},
      {"first_num_filters", c.model.first_filters},
      {"num_classes", c.model.num_classes},
      {"projection_first_block", c.model.projection_first_block},
      {"data_dir", c.data_dir},
      {"model_dir", c.model_dir},
      {"device", c.device},
      {"batch_size", c.batch_size},
      {"epochs", c.epochs},
      {"lr", c.lr},
      {"schedule", c.schedule == ScheduleKind::cosine ? "cosine" : "piecewise"},
      {"lr_boundaries", c.boundaries},
      {"lr_multipliers", c.multipliers},
      {"warmup_epochs", c.warmup_epochs},
      {"momentum", c.momentum},
      {"nesterov", c.nesterov},
      {"weight_decay", c.weight_decay},
      {"save_interval", c.save_interval},
      {"validation", c.validation},
      {"seed", c.seed},
      {"threads", c.threads},
      {"standardize", standardize_name(c.standardize)},
      {"train_limit", c.train_limit},
  };
  return j.dump();
}

void apply_recipe30(TrainConfig& c) {
  c.model.version = 1;
  c.model.projection_first_block = false;
  c.epochs = 30;
  c.batch_size = 128;
  c.lr = 0.1;
  c.schedule = ScheduleKind::cosine;
  c.warmup_epochs = 1;
  c.momentum = 0.9;
  c.nesterov = true;
  c.weight_decay = 5e-4;
  c.standardize = Standardize::per_channel;
}

}  // namespace resnet
