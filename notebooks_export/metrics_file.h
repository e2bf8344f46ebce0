// Reading a training run's metrics file: `resnet train --metrics FILE` appends
// one JSON object per finished epoch (JSON Lines):
//   {"epoch": 1, "lr": 0.1, "train_loss": ..., "train_accuracy": ...,
//    "eval_split": "validation" | "test", "<split>_loss": ..., "<split>_accuracy": ...,
//    "seconds": ..., "images_per_second": ...}
// Accuracies are fractions in [0, 1].
#pragma once
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

namespace gl::notebook {

// The records in file order. Blank lines are skipped. Throws gl::Error naming
// the file and line when a line is not a JSON object with a numeric "epoch",
// or when the file has no record at all. A resumed run may repeat an epoch
// (the interrupted one): the later record wins.
std::vector<nlohmann::json> read_metrics_file(const std::filesystem::path& path);

}  // namespace gl::notebook
