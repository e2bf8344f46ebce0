// resnet_report --metrics FILE --out report.ipynb [--checkpoint FILE --data-dir DIR] [--evaluation FILE]
// A training run as a Jupyter notebook (see report_command.h); the same as `resnet report`.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "notebooks_export/report_command.h"

int main(int argc, char** argv) {
  CLI::App app{"Write a Jupyter notebook for one training run (resnet train --metrics FILE)"};
  gl::notebook::ReportOptions options;
  gl::notebook::add_report_options(app, options);
  CLI11_PARSE(app, argc, argv);
  try {
    return gl::notebook::run_report(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "resnet_report: %s\n", e.what());
    return 1;
  }
}
