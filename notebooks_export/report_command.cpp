#include "notebooks_export/report_command.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "batches.h"
#include "checkpoint.h"
#include "cifar_io.h"
#include "device_select.h"
#include "engine/core/error.h"
#include "evaluate.h"
#include "notebooks_export/metrics_file.h"
#include "notebooks_export/report.h"
#include "output_file.h"

namespace gl::notebook {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json read_json_file(const std::string& path, const char* flag) {
  std::ifstream in(path);
  GL_CHECK(in.good(), "report: {} '{}' cannot be opened", flag, path);
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  GL_CHECK(!j.is_discarded(), "report: {} '{}' is not valid JSON", flag, path);
  return j;
}

}  // namespace

void add_report_options(CLI::App& app, ReportOptions& o) {
  app.add_option("--metrics", o.metrics, "the metrics file of `resnet train --metrics FILE`")->required();
  app.add_option("--out", o.out, "the notebook to write (.ipynb)")->required();
  app.add_option("--checkpoint", o.checkpoint, "a checkpoint to evaluate: confusion matrix, per-class accuracy");
  app.add_option("--data-dir", o.data_dir, "folder with the CIFAR-10 files (with --checkpoint)");
  app.add_flag("--validation", o.validation, "evaluate on the validation split instead of the test batch");
  app.add_option("--device", o.device, "cpu or cuda (with --checkpoint)");
  app.add_option("--batch-size", o.batch_size, "images per evaluation batch")->check(CLI::PositiveNumber);
  app.add_option("--evaluation", o.evaluation_file, "a saved evaluation (JSON) instead of --checkpoint");
  app.add_option("--save-evaluation", o.save_evaluation, "also write the evaluation as JSON to this file");
  app.add_option("--config", o.config_file, "the training configuration as a JSON object");
}

json evaluate_checkpoint(const std::string& checkpoint, const std::string& data_dir, bool validation,
                         const std::string& device, std::int64_t batch_size) {
  GL_CHECK(fs::is_regular_file(checkpoint), "report: checkpoint '{}' does not exist", checkpoint);
  GL_CHECK(!data_dir.empty(), "report: --checkpoint needs --data-dir (the data to evaluate on)");
  const gl::Device dev = resnet::select_device(device);
  resnet::CheckpointInfo info;
  auto model = resnet::model_from_checkpoint(checkpoint, dev, &info);
  const int K = info.model.num_classes;
  const fs::path dir = resnet::locate_batches(data_dir);
  resnet::ImageSet images;
  if (validation) {  // the last 10% of the training images, as `resnet test --validation`
    resnet::ImageSet all = resnet::read_training_set(dir, K);
    images = resnet::slice_images(all, all.size() - all.size() / 10, all.size());
  } else {
    images = resnet::read_test_set(dir, K);
  }
  const resnet::DeviceImages dev_images = resnet::upload_images(images, dev);
  const resnet::BatchBuilder batches(dev_images, info.preprocessing);
  const resnet::EvalResult r = resnet::evaluate(*model, batches, dev_images.size(), batch_size, true);
  std::vector<std::string> names = info.class_names;
  if (static_cast<int>(names.size()) != K) names = resnet::read_class_names(dir, K);

  json confusion = json::array();
  for (int t = 0; t < K; ++t) {
    json row = json::array();
    for (int p = 0; p < K; ++p) row.push_back(r.confusion[t * K + p]);
    confusion.push_back(row);
  }
  json ev = {{"split", validation ? "validation" : "test"},
             {"checkpoint", fs::path(checkpoint).filename().string()},
             {"model", info.model.describe()},
             {"epoch", info.position.epoch},
             {"count", r.count},
             {"loss", r.loss},
             {"accuracy", r.accuracy},
             {"class_names", names},
             {"confusion", confusion},
             {"per_class_accuracy", resnet::per_class_accuracy(r.confusion, K)}};
  json flags = json::parse(info.flags_json, nullptr, /*allow_exceptions=*/false);
  if (!info.flags_json.empty() && !flags.is_discarded()) ev["config"] = flags;
  return ev;
}

int run_report(const ReportOptions& o) {
  GL_CHECK(o.checkpoint.empty() || o.evaluation_file.empty(),
           "report: give either --checkpoint (evaluate now) or --evaluation (a saved evaluation), not both");
  TrainingRun run{fs::path(o.metrics).filename().string(), read_metrics_file(o.metrics), nullptr, nullptr};
  if (!o.checkpoint.empty()) {
    run.evaluation = evaluate_checkpoint(o.checkpoint, o.data_dir, o.validation, o.device, o.batch_size);
  } else if (!o.evaluation_file.empty()) {
    run.evaluation = read_json_file(o.evaluation_file, "--evaluation");
  }
  if (run.evaluation.is_object() && run.evaluation.contains("config")) {
    run.config = run.evaluation["config"];
    run.evaluation.erase("config");
  }
  if (!o.config_file.empty()) run.config = read_json_file(o.config_file, "--config");
  if (!o.save_evaluation.empty() && !run.evaluation.is_null()) {
    json saved = run.evaluation;
    if (!run.config.is_null()) saved["config"] = run.config;
    // Written atomically; a failed write is resnet::OutputError (exit code 74).
    resnet::write_file_atomically(o.save_evaluation, "report: --save-evaluation",
                                  saved.dump(1) + "\n");
  }
  Notebook nb = make_report_notebook(run);
  // Notebook::write's layout, written atomically and checked (exit code 74 on failure).
  resnet::write_file_atomically(o.out, "report: --out", nb.to_json().dump(1) + "\n");
  fmt::print("wrote {} ({} cells; {} epochs{})\n", o.out, nb.cell_count(), run.epochs.size(),
             run.evaluation.is_null() ? "" : fmt::format("; {} accuracy {:.2f}%",
                                                           run.evaluation.value("split", std::string("test")),
                                                           100 * run.evaluation.value("accuracy", 0.0)));
  return 0;
}

void add_report_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReportOptions>();
  CLI::App* cmd = app.add_subcommand("report", "write a Jupyter notebook for a training run: configuration, "
                                               "loss/accuracy curves, learning rate, throughput, confusion matrix");
  add_report_options(*cmd, *options);
  cmd->callback([options, &exit_code] { exit_code = run_report(*options); });
}

}  // namespace gl::notebook
