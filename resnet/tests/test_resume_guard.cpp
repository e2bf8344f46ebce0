// Checkpoint metadata is held to the run it claims to be: a field out of
// range, malformed, or disagreeing with the flags and the data set makes
// --resume refuse the checkpoint, naming the file and the field, and leave it
// byte for byte as it was (it used to crash, train a million epochs, or start
// from scratch and overwrite it).
#include <gtest/gtest.h>

#include <fstream>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "checkpoint.h"
#include "engine/core/random.h"
#include "engine/optim/sgd.h"
#include "folder_lock.h"
#include "safetensors.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

namespace {
// A real interrupted checkpoint of small_config: epoch 1 (0-based), step 3 of
// it, global step 13. Training is deterministic, so a test that needs several
// fresh copies trains once: later calls in the same process write the files
// that run left in its folder, byte for byte, into `dir`.
fs::path interrupted_checkpoint(const fs::path& dir) {
  struct Run {
    std::vector<std::pair<std::string, std::string>> files;  // name, bytes
    std::string checkpoint_name;
  };
  static std::optional<Run> first;
  if (!first) {
    TrainConfig c = testing::small_config(dir);
    c.stop_after_steps = 13;
    const TrainResult r = testing::quiet_train(c);
    EXPECT_EQ(r.outcome, TrainOutcome::interrupted) << r.message;
    Run run;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file()) {
        run.files.emplace_back(fs::relative(e.path(), dir).string(), testing::file_bytes(e.path()));
      }
    }
    run.checkpoint_name = fs::path(r.last_checkpoint).filename().string();
    first = std::move(run);
    return r.last_checkpoint;
  }
  for (const auto& [name, bytes] : first->files) {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << bytes;
  }
  return dir / first->checkpoint_name;
}

// Resuming with small_config must fail; returns the message and checks that
// the checkpoint is unchanged and nothing else was written.
std::string refused_resume(const fs::path& dir, const fs::path& ckpt,
                           TrainConfig c = TrainConfig{}) {
  if (c.data_dir.empty()) c = testing::small_config(dir);
  c.resume = true;
  const std::string before = testing::file_bytes(ckpt);
  const std::string msg = error_of([&] { testing::quiet_train(c); });
  EXPECT_EQ(testing::file_bytes(ckpt), before) << "the refused checkpoint was changed";
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) files += e.path().extension() == ".safetensors";
  EXPECT_EQ(files, 1) << "a checkpoint was written after the refusal";
  EXPECT_NE(msg.find(ckpt.string()), std::string::npos) << "the file is not named: " << msg;
  return msg;
}
}  // namespace

TEST(ResumeGuard, ARealInterruptedCheckpointResumes) {
  TempDir dir("guard_ok");
  const fs::path ckpt = interrupted_checkpoint(dir.path());
  TrainConfig c = testing::small_config(dir.path());
  c.resume = true;
  const TrainResult r = testing::quiet_train(c);
  EXPECT_EQ(r.outcome, TrainOutcome::finished) << r.message;
  EXPECT_EQ(r.epochs.size(), 1u);
}

TEST(ResumeGuard, NegativeStepIsRefusedNamedAndLeftAlone) {
  for (const char* step : {"-1", "-2"}) {  // -1 crashed, -2 started from scratch
    TempDir dir("guard_step");
    const fs::path ckpt = interrupted_checkpoint(dir.path());
    testing::set_metadata(ckpt, "step", step);
    const std::string msg = refused_resume(dir.path(), ckpt);
    EXPECT_NE(msg.find(std::string("metadata step = ") + step), std::string::npos) << msg;
  }
}

TEST(ResumeGuard, StepInEpochAndEpochOutOfRangeAreRefused) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"step_in_epoch", "-100000"},  // crashed: rows outside the plan
      {"step_in_epoch", "-1"},       // a garbage plan row
      {"step_in_epoch", "10"},       // an epoch has 10 steps (0-9)
      {"epoch", "-1000000"},         // trained a million epochs
      {"epoch", "5"},                // beyond --epochs 2
      {"step", "14"},                // disagrees with epoch 1 x 10 + 3
  };
  for (const auto& [key, value] : bad) {
    TempDir dir("guard_pos");
    const fs::path ckpt = interrupted_checkpoint(dir.path());
    testing::set_metadata(ckpt, key, value);
    const std::string msg = refused_resume(dir.path(), ckpt);
    EXPECT_NE(msg.find(key), std::string::npos) << key << "=" << value << ": " << msg;
  }
}

TEST(ResumeGuard, AnotherBatchSizeOrModelIsRefused) {
  TempDir dir("guard_flags");
  const fs::path ckpt = interrupted_checkpoint(dir.path());
  TrainConfig c = testing::small_config(dir.path());
  c.batch_size = 16;  // 20 steps per epoch: step 13 no longer means epoch 1, step 3
  std::string msg = refused_resume(dir.path(), ckpt, c);
  EXPECT_NE(msg.find("--batch-size"), std::string::npos) << msg;
  c = testing::small_config(dir.path());
  c.model.first_filters = 8;
  msg = refused_resume(dir.path(), ckpt, c);
  EXPECT_NE(msg.find("the flags ask for a ResNet-8 v1 (1 blocks per stack, 8 first filters"),
            std::string::npos)
      << msg;
  c = testing::small_config(dir.path());
  c.standardize = Standardize::per_channel;
  msg = refused_resume(dir.path(), ckpt, c);
  EXPECT_NE(msg.find("--standardize per-image"), std::string::npos) << msg;
}

TEST(ResumeGuard, ModelSettingsAreParsedStrictlyAndNamedAsMetadata) {
  TempDir dir("guard_model");
  const fs::path ckpt = interrupted_checkpoint(dir.path());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"first_num_filters", "4294967304"},  // was 8 through an int cast
      {"first_num_filters", "8abc"},        // was 8
      {"first_num_filters", " 8"},
      {"resnet_version", "3"},
      {"num_classes", ""},
      {"projection_first_block", "2"},
      {"loss_sum", "abc"},       // was "error: stod"
      {"loss_sum", "nan"},
      {"correct", "2.5"},
      {"channel_mean", "[1,2]"},  // was "Tensor::from_vector: 2 values ..."
      {"channel_std", "[1,0,1]"},
      {"class_names", "[\"a\"]"},
      {"standardize", "per-pixel"},
      {"flags", "[1]"},
      {"epoch", "<erase>"},
  };
  for (const auto& [key, value] : bad) {
    const std::string before = testing::file_bytes(ckpt);
    testing::set_metadata(ckpt, key, value);
    const std::string msg = error_of([&] { read_checkpoint_info(ckpt); });
    EXPECT_NE(msg.find(ckpt.string() + ": metadata " + key), std::string::npos)
        << key << "=" << value << ": " << msg;
    EXPECT_EQ(msg.find("--"), std::string::npos) << "reads as a flag error: " << msg;
    std::ofstream(ckpt, std::ios::binary | std::ios::trunc) << before;  // restore
  }
  EXPECT_NO_THROW(read_checkpoint_info(ckpt));
}

TEST(ResumeGuard, MomentumStoredWithAnotherDtypeIsRefused) {
  TempDir dir("guard_dtype");
  const fs::path ckpt = interrupted_checkpoint(dir.path());
  const SafetensorsFile f = read_safetensors(ckpt);
  std::vector<std::pair<std::string, gl::Tensor>> tensors;
  const std::string key = "optimizer.momentum.stem_conv.weight";
  ASSERT_TRUE(f.entries.count(key));
  for (const auto& [name, e] : f.entries) {
    gl::Tensor t = f.tensor(name);
    if (name == key) t = gl::Tensor::zeros(t.shape(), gl::DType::i32);
    tensors.emplace_back(name, t);
  }
  write_safetensors(ckpt, tensors, f.metadata);
  const std::string msg = refused_resume(dir.path(), ckpt);
  EXPECT_NE(msg.find(key + ": checkpoint has int32 [4, 3, 3, 3], the model has float32"),
            std::string::npos)
      << msg;
}

TEST(ResumeGuard, AMomentumEntryWithoutItsParameterIsReported) {
  TempDir dir("guard_extra");
  const fs::path ckpt = interrupted_checkpoint(dir.path());
  const SafetensorsFile f = read_safetensors(ckpt);
  std::vector<std::pair<std::string, gl::Tensor>> tensors;
  for (const auto& [name, e] : f.entries) tensors.emplace_back(name, f.tensor(name));
  tensors.emplace_back("optimizer.momentum.no_such_layer.weight", gl::Tensor::zeros({2}));
  write_safetensors(ckpt, tensors, f.metadata);
  const std::string msg = refused_resume(dir.path(), ckpt);
  EXPECT_NE(msg.find("optimizer.momentum.no_such_layer.weight: in the checkpoint"), std::string::npos)
      << msg;
}

TEST(Divergence, NonFiniteParametersAreFoundByName) {
  gl::Rng rng(0);
  ResNet model(ModelConfig{1, 1, 2, 3, true}, rng);
  EXPECT_EQ(first_non_finite(model, nullptr), "");
  for (auto& p : model.named_parameters()) {
    if (p.name != "dense.bias") continue;
    gl::Tensor t = p.tensor;
    t.data<float>()[1] = std::numeric_limits<float>::quiet_NaN();
  }
  EXPECT_EQ(first_non_finite(model, nullptr), "dense.bias");
}

TEST(Divergence, ADivergedModelIsNeverSavedAsACheckpoint) {
  TempDir dir("diverge_save");
  TrainConfig c = testing::small_config(dir.path());
  c.epochs = 1;
  c.train_limit = 32;  // one step: the loss of that step is still finite
  c.warmup_epochs = 0;
  c.lr = 1e38;  // the step itself sends the weights to infinity
  const TrainResult r = testing::quiet_train(c);
  EXPECT_EQ(r.outcome, TrainOutcome::diverged) << r.message;
  EXPECT_NE(r.message.find("the last good checkpoint is none"), std::string::npos) << r.message;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().filename() == kLockFileName) continue;  // the trainer's lock (folder_lock.h)
    ADD_FAILURE() << "written after divergence: " << e.path();
  }
}

}  // namespace resnet
