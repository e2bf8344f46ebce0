// Trainer checkpoints as safetensors files:
//   "<name>" for every parameter and batch-norm buffer ("stack1.block0.conv1.weight",
//   "stack1.block0.bn1.running_mean"), "optimizer.momentum.<name>" for the SGD
//   momentum buffers, and string metadata: the architecture (resnet_version,
//   resnet_size, first_num_filters, num_classes, projection_first_block), the
//   position (epoch, step_in_epoch, step), the running sums of an unfinished
//   epoch, the preprocessing (standardize, channel_mean, channel_std), the class
//   names and the training flags as JSON.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/optim/sgd.h"
#include "model.h"

namespace resnet {

// Per-image: TensorFlow's per_image_standardization (the course's starter);
// per-channel: (v - mean_c) / std_c with the training set's statistics.
enum class Standardize { per_image, per_channel };
const char* standardize_name(Standardize s);

struct Preprocessing {
  Standardize standardize = Standardize::per_image;
  std::vector<float> channel_mean = {0, 0, 0}, channel_std = {1, 1, 1};  // raw 0..255 units
};

// Where training stands. epoch is 0-based and in progress; after epoch e ends,
// epoch = e + 1 and step_in_epoch = 0. loss_sum and correct are the running
// sums of the unfinished epoch (zero at an epoch boundary).
struct TrainPosition {
  std::int64_t epoch = 0, step_in_epoch = 0, step = 0;
  double loss_sum = 0, correct = 0;
};

struct CheckpointInfo {
  ModelConfig model;
  Preprocessing preprocessing;
  TrainPosition position;
  std::vector<std::string> class_names;
  std::string flags_json;
};

void save_checkpoint(const std::filesystem::path& path, const ResNet& model,
                     gl::optim::SGD* optimizer, const CheckpointInfo& info);

// The metadata only (architecture, preprocessing, position).
CheckpointInfo read_checkpoint_info(const std::filesystem::path& path);

// The same from a metadata map (the fuzzer's entry point). Every field is
// checked on its own: integers are whole decimal strings in the field's range,
// numbers finite, lists the right length; errors name `path` and the field.
CheckpointInfo checkpoint_info_from_metadata(const std::map<std::string, std::string>& metadata,
                                             const std::string& path);

// Whether a run with these flags can continue from this checkpoint: the same
// model, standardization and classes, a position inside the run (epoch <=
// --epochs, step_in_epoch < steps_per_epoch) and a global step that agrees
// with the epoch, the step in the epoch and steps_per_epoch (so the data set,
// --train-limit and --batch-size are the ones it was written with). Throws
// gl::Error naming the file, the field and the flag.
void check_resumable(const CheckpointInfo& info, const std::string& path, const ModelConfig& model,
                     Standardize standardize, std::int64_t epochs, std::int64_t steps_per_epoch,
                     std::int64_t batch_size);

// The name of the first parameter, buffer or momentum buffer holding a NaN or
// an infinity ("" when all are finite): a diverged model is never saved.
std::string first_non_finite(const ResNet& model, gl::optim::SGD* optimizer);

// Loads parameters, buffers and (when `optimizer` is given) momentum buffers
// into an existing model, after checking that every name, shape and dtype
// matches; all mismatches are reported in one error.
void load_checkpoint(const std::filesystem::path& path, ResNet& model, gl::optim::SGD* optimizer);

// A model built from the checkpoint's metadata, weights loaded, on `device`.
std::shared_ptr<ResNet> model_from_checkpoint(const std::filesystem::path& path,
                                              gl::Device device, CheckpointInfo* info = nullptr);

// The checkpoint with the largest step among dir/*.safetensors, if any.
std::optional<std::filesystem::path> newest_checkpoint(const std::filesystem::path& dir);

}  // namespace resnet
