// resnet: train, test and use CIFAR-10 ResNets with gradlab (see resnet/README.md).
// Exit codes (exit_codes.h, README "Exit codes"): 0 ok, 1 error, 2 usage,
// 3 diverged, 74 a write failed, 130 interrupted; CLI11's own codes (105, 106,
// ...) become 2.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.h"
#include "exit_codes.h"
#include "output_file.h"
#ifdef GRADLAB_WITH_REPORT
#include "notebooks_export/report_command.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{"resnet: CIFAR-10 ResNets (v1 standard, v2 bottleneck) on gradlab"};
  app.require_subcommand(1);
  int exit_code = resnet::kExitOk;
  resnet::add_train_command(app, exit_code);
  resnet::add_test_command(app, exit_code);
  resnet::add_predict_command(app, exit_code);
  resnet::add_data_commands(app, exit_code);
  resnet::add_bench_command(app, exit_code);
#ifdef GRADLAB_WITH_REPORT
  gl::notebook::add_report_command(app, exit_code);  // `resnet report`: a run as a Jupyter notebook
#endif
  try {
    app.parse(argc, argv);
    resnet::check_stdout_written();  // predictions, reports: lost output is an error
  } catch (const CLI::ParseError& e) {
    const int cli_code = app.exit(e);  // prints the help, or the error and a hint
    return cli_code == 0 ? resnet::kExitOk : resnet::kExitUsage;
  } catch (const resnet::UsageError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return resnet::kExitUsage;
  } catch (const resnet::OutputError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return resnet::kExitIo;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return resnet::kExitError;
  }
  return exit_code;
}
