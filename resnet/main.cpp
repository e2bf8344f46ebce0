// resnet: train, test and use CIFAR-10 ResNets with gradlab (see resnet/README.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.h"
#ifdef GRADLAB_WITH_REPORT
#include "notebooks_export/report_command.h"
#endif

int main(int argc, char** argv) {
  CLI::App app{"resnet: CIFAR-10 ResNets (v1 standard, v2 bottleneck) on gradlab"};
  app.require_subcommand(1);
  int exit_code = 0;
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
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}
