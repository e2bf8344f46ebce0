// The training-report command line, shared by the standalone `resnet_report`
// and the `resnet report` subcommand:
//   --metrics FILE --out report.ipynb [--checkpoint FILE --data-dir DIR
//   [--validation] [--device cpu|cuda]] [--evaluation FILE] [--config FILE]
// With a checkpoint and data it evaluates the checkpoint (resnet_lib's
// evaluate, as `resnet test` does) for the confusion matrix and the per-class
// accuracy, and takes the training flags stored in the checkpoint as the
// configuration. --evaluation reads that evaluation from a JSON file instead
// (format in report.h); --save-evaluation writes it out for reuse.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace gl::notebook {

struct ReportOptions {
  std::string metrics, out, checkpoint, data_dir, evaluation_file, save_evaluation, config_file;
  std::string device = "cpu";
  bool validation = false;
  std::int64_t batch_size = 500;
};

void add_report_options(CLI::App& app, ReportOptions& options);

// Writes the notebook; returns 0, or throws gl::Error saying what is wrong.
int run_report(const ReportOptions& options);

// `resnet report`: registers the subcommand on the resnet program's app, in the
// style of resnet/src/commands.h (exit_code: 0 written, 1 error).
void add_report_command(CLI::App& app, int& exit_code);

// The evaluation JSON of report.h for one checkpoint on the test set (or the
// validation split), plus "config": the training flags stored in the checkpoint.
nlohmann::json evaluate_checkpoint(const std::string& checkpoint, const std::string& data_dir, bool validation,
                                   const std::string& device, std::int64_t batch_size);

}  // namespace gl::notebook
