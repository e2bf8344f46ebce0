// `resnet train`: the training loop.
//
// Each step: plan rows and labels up to the device, augment_batch, forward,
// cross-entropy, backward, SGD step; the loss and the correct count are summed
// on the device and read only when the progress display refreshes (~0.5 s) and
// at the end of the epoch, so the host never waits on the device per step.
// Before the first step (train_outputs.h) the model folder is locked against a
// second trainer and proved writable, and the metrics file is opened.
// Ctrl-C or SIGTERM (or --stop-after-steps) saves a checkpoint between two
// steps and stops; --resume replays the interrupted epoch's plan from the saved step, so
// the resumed run computes exactly what the uninterrupted one would have.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "engine/optim/schedule.h"
#include "train_config.h"

namespace resnet {

struct EpochRecord {
  std::int64_t epoch = 0;  // 1-based
  double lr = 0;           // at the epoch's last step
  double train_loss = 0, train_accuracy = 0;
  std::string eval_split;  // "validation" or "test"
  double eval_loss = 0, eval_accuracy = 0;
  double seconds = 0, images_per_second = 0;  // training part of the epoch
};

enum class TrainOutcome { finished, interrupted, diverged };

struct TrainResult {
  TrainOutcome outcome = TrainOutcome::finished;
  std::vector<EpochRecord> epochs;  // the epochs this call finished
  std::string last_checkpoint;      // newest checkpoint written or resumed from ("" if none)
  std::int64_t parameter_count = 0;
  std::string message;              // why training stopped early
};

std::unique_ptr<gl::optim::LrSchedule> make_schedule(const TrainConfig& config,
                                                     std::int64_t steps_per_epoch);

// Runs training; writes progress and summaries to `log`.
TrainResult train(const TrainConfig& config, std::FILE* log = stdout);

// One metrics line (JSON object) for an epoch.
std::string metrics_json(const EpochRecord& record);

}  // namespace resnet
