// What `resnet train` writes, opened and checked before the first step: the
// model folder (created, locked against a second trainer, proved writable,
// cleared of the temporaries a killed run left) and the --metrics file (opened
// for appending; emptied when the run starts afresh). Every failed write later
// is an OutputError naming the file (exit code 74).
#pragma once
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "folder_lock.h"
#include "output_file.h"
#include "train_config.h"

namespace resnet {

class TrainOutputs {
 public:
  TrainOutputs(const TrainConfig& config, std::FILE* log);
  // Empties the metrics file (a run that does not continue an earlier one).
  void start_metrics_afresh();
  // One line (a JSON object) of --metrics, written through at once.
  void metrics_line(const std::string& json);
  // Closes the metrics file, checking the close.
  void finish();

 private:
  FolderLock lock_;
  std::optional<OutputFile> metrics_;
};

}  // namespace resnet
