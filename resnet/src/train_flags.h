// The flags of `resnet train`, parsed into a TrainConfig. The list flags
// (--lr-boundaries, --lr-multipliers) are parsed here rather than by CLI11,
// which drops empty items ("1,,2" became 1,2); every flag value must be
// non-empty ('' used to become 0).
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "train_config.h"

namespace resnet {

// What the options write to before resolve_train_flags turns it into a config.
struct TrainFlags {
  TrainConfig config;
  std::string preset, schedule = "piecewise", standardize = "per-image";
  std::string boundaries, multipliers;  // comma-separated numbers
  bool validation = false;
};

// Adds train's options to `cmd` (the `train` subcommand, or an app of its own).
void add_train_options(CLI::App& cmd, TrainFlags& flags);

// The config the parsed flags describe (--preset applied, lists parsed);
// throws UsageError naming the flag. Does not look at files: see validate().
TrainConfig resolve_train_flags(const TrainFlags& flags, const CLI::App& cmd);

// "1,0.1,0.01" -> {1, 0.1, 0.01}: every item a finite decimal number, none
// empty. Throws UsageError naming `flag`.
std::vector<double> parse_number_list(const std::string& flag, const std::string& text);

// The whole path from arguments (those after `train`) to a checked config:
// CLI11 parsing, resolve_train_flags, validate_values. Throws CLI::ParseError
// or UsageError. The flag parser's fuzz target calls this.
TrainConfig parse_train_flags(const std::vector<std::string>& args);

// Gives every option of `cmd` that takes a value a check that refuses an
// empty value (and, for `non_negative` options, a leading '-').
void refuse_empty_values(CLI::App& cmd, const std::vector<std::string>& non_negative = {});

}  // namespace resnet
