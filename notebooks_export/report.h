// A training run as a Jupyter notebook: its configuration, loss and accuracy
// curves (train and validation/test), the learning-rate schedule, throughput
// per epoch and, when an evaluation is given, the confusion matrix and the
// per-class accuracy. The numbers travel inside the notebook (json.loads);
// the cells check them for consistency and plot them with matplotlib.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "notebooks_export/notebook.h"

namespace gl::notebook {

struct TrainingRun {
  std::string name;                    // shown in the title (usually the metrics file)
  std::vector<nlohmann::json> epochs;  // metrics records (see metrics_file.h)
  nlohmann::json config;               // the training flags as JSON, or null
  // null, or {"split": "test", "checkpoint": "...", "count": n, "loss": l, "accuracy": a,
  //           "class_names": [K names], "confusion": K x K counts (rows: true class,
  //           columns: predicted class)}; accuracy is a fraction.
  nlohmann::json evaluation;
};

// Throws gl::Error if `evaluation` is not null and malformed (not square,
// negative counts, class_names of the wrong length).
void validate_evaluation(const nlohmann::json& evaluation);

Notebook make_report_notebook(const TrainingRun& run);

// The same from a metrics file: the nbformat-4 JSON of the report.
nlohmann::json make_report_notebook(const std::filesystem::path& metrics_path,
                                    const nlohmann::json& evaluation = nullptr,
                                    const nlohmann::json& config = nullptr);

}  // namespace gl::notebook
