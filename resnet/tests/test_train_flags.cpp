// `resnet train`'s flags: empty values, list items and non-finite numbers are
// refused naming the flag; set-ups that rounding to steps breaks are explained
// in flag terms (no internal schedule messages).
#include <gtest/gtest.h>

#include "exit_codes.h"
#include "test_util.h"
#include "train_flags.h"
#include "trainer.h"

namespace resnet {
using testing::error_of;

namespace {
// parse_train_flags' error: a CLI11 parse error or a UsageError ("" if none).
std::string flag_error(std::vector<std::string> args) {
  args.insert(args.begin(), {"--data-dir", "/nonexistent-is-fine-here"});
  try {
    parse_train_flags(args);
  } catch (const CLI::ParseError& e) {
    return e.what();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(TrainFlags, DefaultsAndListsParse) {
  const TrainConfig c = parse_train_flags(
      {"--data-dir", "d", "--lr-boundaries", "2, 3", "--lr-multipliers", "1,0.5,0.25", "--seed", "7",
       "--epochs", "4"});
  EXPECT_EQ(c.boundaries, (std::vector<double>{2, 3}));
  EXPECT_EQ(c.multipliers, (std::vector<double>{1, 0.5, 0.25}));
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.momentum, 0.9);
}

TEST(TrainFlags, NonFiniteNumbersAreRefused) {
  EXPECT_NE(flag_error({"--lr-multipliers", "1,0.1,nan"}).find("--lr-multipliers: item 3 of "
                                                                "'1,0.1,nan' is 'nan'"),
            std::string::npos);
  EXPECT_NE(flag_error({"--lr-boundaries", "inf", "--lr-multipliers", "1,2"}).find("--lr-boundaries"),
            std::string::npos);
  EXPECT_EQ(flag_error({"--lr-boundaries", "3", "--lr-multipliers", "1,2"}), "");
  EXPECT_NE(flag_error({"--lr-boundaries", "500", "--lr-multipliers", "1,2"}).find("--lr-boundaries"),
            std::string::npos);
  for (const char* flag : {"--lr", "--momentum", "--weight-decay", "--warmup-epochs"}) {
    for (const char* value : {"nan", "inf", "-inf", "1e999"}) {
      EXPECT_NE(flag_error({std::string(flag) + "=" + value, "--schedule", "cosine"}).find(flag),
                std::string::npos)
          << flag << " " << value;
    }
  }
  EXPECT_NE(flag_error({"--lr-multipliers", "1,-0.1,0.01"}).find("--lr-multipliers"),
            std::string::npos);
}

TEST(TrainFlags, EmptyValuesAndItemsAreRefused) {
  for (const char* flag : {"--momentum", "--seed", "--lr", "--epochs", "--lr-multipliers",
                           "--model-dir", "--device", "--threads"}) {
    const std::string msg = flag_error({flag, ""});
    EXPECT_NE(msg.find("empty"), std::string::npos) << flag << ": " << msg;
    EXPECT_NE(msg.find(flag), std::string::npos) << flag << ": " << msg;
  }
  EXPECT_NE(flag_error({"--lr-boundaries", "1,,2", "--lr-multipliers", "1,2,3,4"}).find(
                "--lr-boundaries: item 2 of '1,,2' is empty"),
            std::string::npos);
  EXPECT_NE(flag_error({"--lr-multipliers", "1,0.1,"}).find("item 3"), std::string::npos);
  EXPECT_NE(flag_error({"--seed", "-1"}).find("--seed"), std::string::npos);  // wrapped to 2^64-1
  EXPECT_NE(flag_error({"--seed=-1"}).find("--seed"), std::string::npos);
  EXPECT_NE(flag_error({"--threads", "100000"}).find("--threads must be 0 (all) to 1024"),
            std::string::npos);
}

TEST(TrainFlags, RoundingToStepsIsExplainedInFlagTerms) {
  TrainConfig c;
  c.epochs = 1;
  c.schedule = ScheduleKind::piecewise;
  // 200 images, --batch-size 200: one step per epoch; 50% and 75% both round to step 1.
  std::string msg = error_of([&] { make_schedule(c, 1); });
  EXPECT_NE(msg.find("the default --lr-boundaries (50% and 75% of --epochs)"), std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("PiecewiseConstant"), std::string::npos) << msg;
  c.epochs = 4;
  EXPECT_NO_THROW(make_schedule(c, 1));  // steps 2 and 3
  c.boundaries = {1.1, 1.2};
  msg = error_of([&] { make_schedule(c, 2); });
  EXPECT_NE(msg.find("--lr-boundaries 1.1, 1.2 epochs fall on steps 2, 2"), std::string::npos) << msg;
  c = TrainConfig{};
  c.schedule = ScheduleKind::cosine;
  c.epochs = 2;
  c.warmup_epochs = 1.9999;
  msg = error_of([&] { make_schedule(c, 10); });
  EXPECT_NE(msg.find("--warmup-epochs 1.9999 is 20 of the 20 steps"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("CosineWarmup"), std::string::npos) << msg;
  c.warmup_epochs = 1.9;
  EXPECT_NO_THROW(make_schedule(c, 10));
}

}  // namespace resnet
