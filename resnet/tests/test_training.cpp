// The training loop end to end on generated data: it learns, it is
// reproducible, a resumed run equals an uninterrupted one, divergence stops
// cleanly, and bad flags fail before any work.
#include <gtest/gtest.h>

#include <fstream>

#include "checkpoint.h"
#include "engine/core/backend.h"
#include "engine/core/cuda_info.h"
#include "synthetic.h"
#include "test_util.h"
#include "trainer.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

using testing::quiet_train;
using testing::small_config;

TEST(Training, SmallResNetLearnsTheSyntheticSet) {
  TempDir dir("learn");
  TrainConfig c = small_config(dir.path());
  c.model = ModelConfig{1, 1, 8, 10, true};  // ResNet-8, 8 filters: 20,034 parameters
  c.train_limit = testing::kSanitized ? 300 : 1000;
  c.epochs = testing::kSanitized ? 2 : 3;
  c.batch_size = 50;
  c.lr = 0.1;
  c.warmup_epochs = 0.5;
  c.weight_decay = 5e-4;
  c.standardize = Standardize::per_channel;
  const TrainResult r = quiet_train(c);
  ASSERT_EQ(r.outcome, TrainOutcome::finished) << r.message;
  ASSERT_EQ(r.epochs.size(), static_cast<std::size_t>(c.epochs));
  EXPECT_LT(r.epochs.back().train_loss, r.epochs.front().train_loss);
  if (!testing::kSanitized) {
    EXPECT_GE(r.epochs.back().eval_accuracy, 0.90);
  }
  EXPECT_TRUE(fs::exists(r.last_checkpoint));
}

TEST(Training, SameSeedAndThreadsGiveTheSameLosses) {
  TempDir a("det_a"), b("det_b");
  const TrainResult ra = quiet_train(small_config(a.path()));
  const TrainResult rb = quiet_train(small_config(b.path()));
  ASSERT_EQ(ra.epochs.size(), 2u);
  ASSERT_EQ(rb.epochs.size(), 2u);
  for (int e = 0; e < 2; ++e) {
    EXPECT_EQ(ra.epochs[e].train_loss, rb.epochs[e].train_loss);
    EXPECT_EQ(ra.epochs[e].eval_loss, rb.epochs[e].eval_loss);
  }
  TempDir c("det_c");
  TrainConfig other = small_config(c.path());
  other.seed = 6;
  EXPECT_NE(quiet_train(other).epochs[0].train_loss, ra.epochs[0].train_loss);
}

TEST(Training, ResumedRunMatchesTheUninterruptedOne) {
  TempDir whole("whole"), parts("parts");
  const TrainResult uninterrupted = quiet_train(small_config(whole.path()));
  TrainConfig c = small_config(parts.path());
  c.stop_after_steps = 13;  // in the middle of epoch 2
  const fs::path metrics = parts.path() / "metrics.jsonl";
  c.metrics_path = metrics.string();
  const TrainResult first = quiet_train(c);
  ASSERT_EQ(first.outcome, TrainOutcome::interrupted);
  ASSERT_EQ(first.epochs.size(), 1u);
  EXPECT_NE(first.last_checkpoint.find("interrupted-step0000013"), std::string::npos);
  c.stop_after_steps = 0;
  c.resume = true;
  const TrainResult rest = quiet_train(c);
  ASSERT_EQ(rest.outcome, TrainOutcome::finished) << rest.message;
  ASSERT_EQ(rest.epochs.size(), 1u);
  EXPECT_EQ(first.epochs[0].train_loss, uninterrupted.epochs[0].train_loss);
  EXPECT_EQ(rest.epochs[0].epoch, 2);
  EXPECT_EQ(rest.epochs[0].train_loss, uninterrupted.epochs[1].train_loss);
  EXPECT_EQ(rest.epochs[0].train_accuracy, uninterrupted.epochs[1].train_accuracy);
  EXPECT_EQ(rest.epochs[0].eval_loss, uninterrupted.epochs[1].eval_loss);
  // The metrics file holds one JSON object per epoch across both runs.
  std::ifstream in(metrics);
  int lines = 0;
  for (std::string line; std::getline(in, line);) {
    ++lines;
    EXPECT_NE(line.find("\"epoch\":" + std::to_string(lines)), std::string::npos) << line;
    EXPECT_NE(line.find("\"test_accuracy\""), std::string::npos) << line;
    EXPECT_NE(line.find("\"images_per_second\""), std::string::npos) << line;
  }
  EXPECT_EQ(lines, 2);
}

TEST(Training, DivergenceStopsAndKeepsTheLastGoodCheckpoint) {
  TempDir dir("nan");
  TrainConfig c = small_config(dir.path());
  c.epochs = 3;
  c.save_interval = 1;
  c.schedule = ScheduleKind::piecewise;
  c.boundaries = {1};
  c.multipliers = {1, 1e30};  // epoch 2 blows up
  const TrainResult r = quiet_train(c);
  ASSERT_EQ(r.outcome, TrainOutcome::diverged);
  EXPECT_EQ(r.epochs.size(), 1u);
  EXPECT_NE(r.message.find("the loss became"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("epoch001.safetensors"), std::string::npos) << r.message;
  EXPECT_FALSE(fs::exists(dir.path() / "resnet8-v1-epoch002.safetensors"));
  const CheckpointInfo info = read_checkpoint_info(r.last_checkpoint);
  EXPECT_EQ(info.position.epoch, 1);
}

TEST(Training, BadFlagsFailBeforeAnyWork) {
  TempDir dir("flags");
  TrainConfig c = small_config(dir.path());
  c.batch_size = 0;
  EXPECT_NE(error_of([&] { train(c); }).find("--batch-size must be 1-65536, got 0"), std::string::npos);
  c = small_config(dir.path());
  c.model.version = 3;
  EXPECT_NE(error_of([&] { train(c); }).find("--resnet-version must be 1"), std::string::npos);
  c = small_config(dir.path());
  c.data_dir = (dir.path() / "missing").string();
  EXPECT_NE(error_of([&] { train(c); }).find("does not exist"), std::string::npos);
  c = small_config(dir.path());
  c.device = "tpu";
  EXPECT_NE(error_of([&] { train(c); }).find("--device must be cpu or cuda"), std::string::npos);
  c = small_config(dir.path());
  c.multipliers = {1, 0.1};
  c.schedule = ScheduleKind::piecewise;
  EXPECT_NE(error_of([&] { train(c); }).find("--lr-multipliers"), std::string::npos);
}

TEST(Training, CudaDeviceGivesAClearErrorWhenUnavailable) {
  if (gl::device_available(gl::Device::cuda)) GTEST_SKIP() << "a GPU is present";
  TempDir dir("cuda");
  TrainConfig c = small_config(dir.path());
  c.device = "cuda";
  // The reason comes from the engine's plugin loader: no plugin in this build,
  // its libraries missing, or no GPU; it always says what to use instead.
  const std::string message = error_of([&] { train(c); });
  EXPECT_NE(message.find("--device cuda: "), std::string::npos) << message;
  EXPECT_NE(message.find(gl::cuda::unavailable_reason()), std::string::npos) << message;
  EXPECT_NE(message.find("--device cpu"), std::string::npos) << message;
}

}  // namespace resnet
