// The `resnet` program's subcommands (train, test, predict, make-synthetic,
// download, bench), registered on a CLI11 app. Each callback validates its
// flags before any work (a bad flag throws UsageError) and sets `exit_code`
// (exit_codes.h: 0 ok, 1 error, 2 usage, 3 diverged, 74 a write failed, 130
// interrupted).
#pragma once
#include <CLI/CLI.hpp>

namespace resnet {

void add_train_command(CLI::App& app, int& exit_code);
void add_test_command(CLI::App& app, int& exit_code);
void add_predict_command(CLI::App& app, int& exit_code);
void add_data_commands(CLI::App& app, int& exit_code);  // make-synthetic, download
void add_bench_command(CLI::App& app, int& exit_code);

}  // namespace resnet
