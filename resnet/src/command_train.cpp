#include <fmt/format.h>

#include <memory>

#include "commands.h"
#include "trainer.h"

namespace resnet {

void add_train_command(CLI::App& app, int& exit_code) {
  auto config = std::make_shared<TrainConfig>();
  auto preset = std::make_shared<std::string>();
  auto schedule = std::make_shared<std::string>("piecewise");
  auto standardize = std::make_shared<std::string>("per-image");
  auto validation = std::make_shared<bool>(false);
  TrainConfig& c = *config;
  CLI::App* cmd = app.add_subcommand("train", "train a ResNet on CIFAR-10 files");
  cmd->add_option("--data-dir", c.data_dir, "folder with data_batch_1.bin ... test_batch.bin")
      ->required();
  cmd->add_option("--resnet-version", c.model.version, "1: standard blocks, 2: bottleneck blocks");
  cmd->add_option("--resnet-size", c.model.size, "n, blocks per stack (v1: ResNet-6n+2)");
  cmd->add_option("--first-num-filters", c.model.first_filters, "filters of stack 1");
  cmd->add_option("--num-classes", c.model.num_classes, "classes (labels 0..K-1)");
  cmd->add_option("--projection-first-block", c.model.projection_first_block,
                  "1x1 projection on stack 1's first block (true: the course's starter code; "
                  "false: the PyTorch reference's 272,474-parameter ResNet-20)");
  cmd->add_option("--batch-size", c.batch_size, "images per step");
  cmd->add_option("--epochs", c.epochs, "passes over the training images");
  cmd->add_option("--lr", c.lr, "base learning rate");
  cmd->add_option("--schedule", *schedule,
                  "piecewise (lr x multipliers at boundaries) or cosine (linear warm-up, cosine "
                  "decay to 0)")
      ->check(CLI::IsMember({"piecewise", "cosine"}));
  cmd->add_option("--lr-boundaries", c.boundaries,
                  "piecewise boundaries in epochs (default: 50% and 75% of --epochs)")
      ->delimiter(',');
  cmd->add_option("--lr-multipliers", c.multipliers, "piecewise multipliers (default 1,0.1,0.01)")
      ->delimiter(',');
  cmd->add_option("--warmup-epochs", c.warmup_epochs, "cosine: epochs of linear warm-up");
  cmd->add_option("--momentum", c.momentum, "SGD momentum");
  cmd->add_flag("--nesterov", c.nesterov, "Nesterov momentum");
  cmd->add_option("--weight-decay", c.weight_decay, "L2 on convolution and dense kernels only");
  cmd->add_option("--save-interval", c.save_interval, "save a checkpoint every N epochs");
  cmd->add_option("--model-dir", c.model_dir, "where checkpoints go");
  cmd->add_flag("--validation", *validation,
                "train on the first 90% (45,000), report on the last 10% (5,000)");
  cmd->add_option("--seed", c.seed, "initialisation, shuffling and augmentation seed");
  cmd->add_option("--threads", c.threads, "CPU threads (0: all)");
  cmd->add_option("--device", c.device, "cpu or cuda");
  cmd->add_option("--standardize", *standardize,
                  "per-image (the course's starter) or per-channel (training-set mean and std)")
      ->check(CLI::IsMember({"per-image", "per-channel"}));
  cmd->add_option("--metrics", c.metrics_path, "append one JSON object per epoch to this file");
  cmd->add_flag("--resume", c.resume, "continue from the newest checkpoint in --model-dir");
  cmd->add_option("--train-limit", c.train_limit, "use only the first N training images");
  cmd->add_option("--stop-after-steps", c.stop_after_steps,
                  "save a checkpoint and stop after this many steps, as Ctrl-C does");
  cmd->add_flag("--quiet", c.quiet, "no progress display, epoch summaries only");
  cmd->add_option("--preset", *preset,
                  "recipe30: the 30-epoch recipe (identity shortcut on stack 1, cosine with 1 "
                  "warm-up epoch, Nesterov, weight decay 5e-4, per-channel standardization); "
                  "flags given explicitly override it")
      ->check(CLI::IsMember({"recipe30"}));
  cmd->callback([config, preset, schedule, standardize, validation, cmd, &exit_code] {
    TrainConfig& c = *config;
    c.schedule = *schedule == "cosine" ? ScheduleKind::cosine : ScheduleKind::piecewise;
    c.standardize = *standardize == "per-channel" ? Standardize::per_channel : Standardize::per_image;
    c.validation = *validation;
    if (*preset == "recipe30") {
      TrainConfig p = c;
      apply_recipe30(p);
      auto unset = [&](const char* flag) { return cmd->count(flag) == 0; };
      if (unset("--resnet-version")) c.model.version = p.model.version;
      if (unset("--projection-first-block")) c.model.projection_first_block = false;
      if (unset("--epochs")) c.epochs = p.epochs;
      if (unset("--batch-size")) c.batch_size = p.batch_size;
      if (unset("--lr")) c.lr = p.lr;
      if (unset("--schedule")) c.schedule = p.schedule;
      if (unset("--warmup-epochs")) c.warmup_epochs = p.warmup_epochs;
      if (unset("--momentum")) c.momentum = p.momentum;
      if (unset("--nesterov")) c.nesterov = true;
      if (unset("--weight-decay")) c.weight_decay = p.weight_decay;
      if (unset("--standardize")) c.standardize = p.standardize;
    }
    const TrainResult r = train(c);
    switch (r.outcome) {
      case TrainOutcome::finished: exit_code = 0; break;
      case TrainOutcome::interrupted: exit_code = 130; break;
      case TrainOutcome::diverged: exit_code = 3; break;
    }
  });
}

}  // namespace resnet
