#include "train_flags.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "exit_codes.h"

namespace resnet {

void refuse_empty_values(CLI::App& cmd, const std::vector<std::string>& non_negative) {
  for (CLI::Option* opt : cmd.get_options()) {
    if (opt->get_items_expected_min() == 0) continue;  // a flag without a value
    const bool unsigned_value = std::any_of(non_negative.begin(), non_negative.end(),
                                            [&](const std::string& n) { return opt->check_name(n); });
    opt->check(CLI::Validator(
        [unsigned_value](std::string& value) -> std::string {
          if (value.find_first_not_of(" \t\n") == std::string::npos) {
            return "the value is empty; give one (or leave the flag out for its default)";
          }
          if (unsigned_value && value.find('-') != std::string::npos) {
            return "must be a whole number >= 0, got " + value;
          }
          return "";
        },
        "VALUE"));
  }
}

std::vector<double> parse_number_list(const std::string& flag, const std::string& text) {
  std::vector<double> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    const std::size_t b = item.find_first_not_of(' '), e = item.find_last_not_of(' ');
    item = b == std::string::npos ? "" : item.substr(b, e - b + 1);
    double v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || !std::isfinite(v)) {
      throw UsageError(fmt::format(
          "{}: item {} of '{}' is {}; give finite numbers separated by commas, e.g. 1,0.1,0.01",
          flag, out.size() + 1, text, item.empty() ? "empty" : "'" + item + "'"));
    }
    out.push_back(v);
    if (comma == text.size()) break;
    start = comma + 1;
  }
  return out;
}

void add_train_options(CLI::App& cmd, TrainFlags& f) {
  TrainConfig& c = f.config;
  cmd.add_option("--data-dir", c.data_dir, "folder with data_batch_1.bin ... test_batch.bin")
      ->required();
  cmd.add_option("--resnet-version", c.model.version, "1: standard blocks, 2: bottleneck blocks");
  cmd.add_option("--resnet-size", c.model.size, "n, blocks per stack (v1: ResNet-6n+2)");
  cmd.add_option("--first-num-filters", c.model.first_filters, "filters of stack 1");
  cmd.add_option("--num-classes", c.model.num_classes, "classes (labels 0..K-1)");
  cmd.add_option("--projection-first-block", c.model.projection_first_block,
                 "1x1 projection on stack 1's first block (true: the course's starter code; "
                 "false: the PyTorch reference's 272,474-parameter ResNet-20)");
  cmd.add_option("--batch-size", c.batch_size, "images per step");
  cmd.add_option("--epochs", c.epochs, "passes over the training images");
  cmd.add_option("--lr", c.lr, "base learning rate");
  cmd.add_option("--schedule", f.schedule,
                 "piecewise (lr x multipliers at boundaries) or cosine (linear warm-up, cosine "
                 "decay to 0)")
      ->check(CLI::IsMember({"piecewise", "cosine"}));
  cmd.add_option("--lr-boundaries", f.boundaries,
                 "piecewise boundaries in epochs, comma-separated (default: 50% and 75% of "
                 "--epochs)");
  cmd.add_option("--lr-multipliers", f.multipliers,
                 "piecewise multipliers, comma-separated (default 1,0.1,0.01)");
  cmd.add_option("--warmup-epochs", c.warmup_epochs, "cosine: epochs of linear warm-up");
  cmd.add_option("--momentum", c.momentum, "SGD momentum");
  cmd.add_flag("--nesterov", c.nesterov, "Nesterov momentum");
  cmd.add_option("--weight-decay", c.weight_decay, "L2 on convolution and dense kernels only");
  cmd.add_option("--save-interval", c.save_interval, "save a checkpoint every N epochs");
  cmd.add_option("--model-dir", c.model_dir, "where checkpoints go");
  cmd.add_flag("--validation", f.validation,
               "train on the first 90% (45,000), report on the last 10% (5,000)");
  cmd.add_option("--seed", c.seed, "initialisation, shuffling and augmentation seed (>= 0)");
  cmd.add_option("--threads", c.threads, "CPU threads (0: all)");
  cmd.add_option("--device", c.device, "cpu or cuda");
  cmd.add_option("--standardize", f.standardize,
                 "per-image (the course's starter) or per-channel (training-set mean and std)")
      ->check(CLI::IsMember({"per-image", "per-channel"}));
  cmd.add_option("--metrics", c.metrics_path, "append one JSON object per epoch to this file");
  cmd.add_flag("--resume", c.resume, "continue from the newest checkpoint in --model-dir");
  cmd.add_option("--train-limit", c.train_limit, "use only the first N training images");
  cmd.add_option("--stop-after-steps", c.stop_after_steps,
                 "save a checkpoint and stop after this many steps, as Ctrl-C does");
  cmd.add_flag("--quiet", c.quiet, "no progress display, epoch summaries only");
  cmd.add_option("--preset", f.preset,
                 "recipe30: the 30-epoch recipe (identity shortcut on stack 1, cosine with 1 "
                 "warm-up epoch, Nesterov, weight decay 5e-4, per-channel standardization); "
                 "flags given explicitly override it")
      ->check(CLI::IsMember({"recipe30"}));
  refuse_empty_values(cmd, {"--seed"});
}

TrainConfig resolve_train_flags(const TrainFlags& f, const CLI::App& cmd) {
  TrainConfig c = f.config;
  c.schedule = f.schedule == "cosine" ? ScheduleKind::cosine : ScheduleKind::piecewise;
  c.standardize = f.standardize == "per-channel" ? Standardize::per_channel : Standardize::per_image;
  c.validation = f.validation;
  if (cmd.count("--lr-boundaries")) c.boundaries = parse_number_list("--lr-boundaries", f.boundaries);
  if (cmd.count("--lr-multipliers")) {
    c.multipliers = parse_number_list("--lr-multipliers", f.multipliers);
  }
  if (f.preset == "recipe30") {
    TrainConfig p = c;
    apply_recipe30(p);
    auto unset = [&](const char* flag) { return cmd.count(flag) == 0; };
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
  return c;
}

TrainConfig parse_train_flags(const std::vector<std::string>& args) {
  CLI::App cmd{"train"};
  TrainFlags flags;
  add_train_options(cmd, flags);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them last first
  cmd.parse(reversed);
  const TrainConfig c = resolve_train_flags(flags, cmd);
  as_usage_error([&] { validate_values(c); });
  return c;
}

}  // namespace resnet
