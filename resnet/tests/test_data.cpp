// The CIFAR-10 reader and writer, the synthetic set and the epoch plans.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "batches.h"
#include "cifar_io.h"
#include "synthetic.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::error_of;
using testing::TempDir;

TEST(CifarIo, WriteThenReadGivesTheSameImages) {
  TempDir dir("io");
  const ImageSet images = make_synthetic_images(20, 1);
  write_cifar_file(dir.path() / "b.bin", images);
  EXPECT_EQ(fs::file_size(dir.path() / "b.bin"), 20u * 3073u);
  const ImageSet back = read_cifar_file(dir.path() / "b.bin");
  EXPECT_EQ(back.labels, images.labels);
  EXPECT_EQ(back.pixels, images.pixels);
}

TEST(CifarIo, RecordLayoutIsLabelThenRedGreenBluePlanes) {
  TempDir dir("layout");
  std::vector<char> record(3073, 0);
  record[0] = 7;
  record[1] = 11;            // R(0, 0)
  record[1 + 1024] = 22;     // G(0, 0)
  record[1 + 2048 + 33] = 33;  // B(1, 1)
  std::ofstream(dir.path() / "one.bin", std::ios::binary).write(record.data(), record.size());
  const ImageSet s = read_cifar_file(dir.path() / "one.bin");
  ASSERT_EQ(s.size(), 1);
  EXPECT_EQ(s.labels[0], 7);
  EXPECT_EQ(s.pixels[0], 11);
  EXPECT_EQ(s.pixels[1024], 22);
  EXPECT_EQ(s.pixels[2048 + 32 + 1], 33);
}

TEST(CifarIo, TruncatedFileIsRejectedNamingTheFileAndSize) {
  TempDir dir("trunc");
  write_cifar_file(dir.path() / "t.bin", make_synthetic_images(3, 0));
  fs::resize_file(dir.path() / "t.bin", 3 * 3073 - 100);
  const std::string msg = error_of([&] { read_cifar_file(dir.path() / "t.bin"); });
  EXPECT_NE(msg.find("t.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("9119 bytes"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not a whole number of 3073-byte records"), std::string::npos) << msg;
}

TEST(CifarIo, LabelOutsideTheClassesIsRejectedNamingRecordAndLabel) {
  TempDir dir("label");
  ImageSet images = make_synthetic_images(4, 0);
  write_cifar_file(dir.path() / "l.bin", images);
  {
    std::fstream f(dir.path() / "l.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(2 * 3073);
    f.put(static_cast<char>(12));
  }
  const std::string msg = error_of([&] { read_cifar_file(dir.path() / "l.bin"); });
  EXPECT_NE(msg.find("l.bin record 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("label 12, expected 0-9"), std::string::npos) << msg;
}

TEST(CifarIo, EmptyFileAndMissingFolderAreRejected) {
  TempDir dir("empty");
  std::ofstream(dir.path() / "e.bin").close();
  EXPECT_NE(error_of([&] { read_cifar_file(dir.path() / "e.bin"); }).find("0 bytes"),
            std::string::npos);
  const std::string msg = error_of([&] { locate_batches(dir.path() / "nope"); });
  EXPECT_NE(msg.find("is not a directory"), std::string::npos) << msg;
  EXPECT_NE(msg.find("resnet download"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { locate_batches(dir.path()); }).find("no data_batch_1.bin"),
            std::string::npos);
}

TEST(CifarIo, LocatesTheOfficialSubfolder) {
  TempDir dir("locate");
  write_synthetic_dataset(dir.path() / "cifar-10-batches-bin", 10, 10, 0);
  EXPECT_EQ(locate_batches(dir.path()), dir.path() / "cifar-10-batches-bin");
  const ImageSet train = read_training_set(locate_batches(dir.path()));
  EXPECT_EQ(train.size(), 10);
  EXPECT_EQ(read_class_names(dir.path() / "cifar-10-batches-bin", 10), synthetic_class_names());
}

TEST(Synthetic, BalancedAndNoSinglePixelTellsTheClass) {
  const ImageSet s = make_synthetic_images(2000, 3);
  std::vector<int> per_class(10, 0);
  for (int l : s.labels) ++per_class[l];
  for (int n : per_class) EXPECT_EQ(n, 200);
  // Nearest class mean on one pixel (every position and channel): the best
  // such classifier must stay near chance (10%).
  double best = 0;
  for (std::int64_t p = 0; p < kImageBytes; p += 7) {
    double mean[10] = {};
    for (std::int64_t i = 0; i < s.size(); ++i) mean[s.labels[i]] += s.pixels[i * kImageBytes + p] / 200.0;
    int right = 0;
    for (std::int64_t i = 0; i < s.size(); ++i) {
      const double v = s.pixels[i * kImageBytes + p];
      int arg = 0;
      for (int k = 1; k < 10; ++k) {
        if (std::abs(v - mean[k]) < std::abs(v - mean[arg])) arg = k;
      }
      right += arg == s.labels[i];
    }
    best = std::max(best, right / double(s.size()));
  }
  EXPECT_LT(best, 0.2);
}

TEST(EpochPlan, DeterministicPerEpochCoversEachImageOnceAndDropsThePartialBatch) {
  std::vector<std::int32_t> labels(103);
  for (int i = 0; i < 103; ++i) labels[i] = i % 10;
  const EpochPlan a = make_epoch_plan(labels, 10, 5, 2, true);
  const EpochPlan b = make_epoch_plan(labels, 10, 5, 2, true);
  const EpochPlan c = make_epoch_plan(labels, 10, 5, 3, true);
  EXPECT_EQ(a.steps, 10);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_NE(a.rows, c.rows);
  std::set<int> seen;
  for (std::int64_t k = 0; k < 100; ++k) {
    const std::int32_t* r = a.rows.data() + 4 * k;
    seen.insert(r[0]);
    EXPECT_EQ(a.labels[k], labels[r[0]]);
    EXPECT_GE(r[1], 0);
    EXPECT_LE(r[1], 8);
    EXPECT_GE(r[2], 0);
    EXPECT_LE(r[2], 8);
    EXPECT_TRUE(r[3] == 0 || r[3] == 1);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_NE(error_of([&] { make_epoch_plan(labels, 0, 0, 0, true); }).find("batch size 0"),
            std::string::npos);
}

TEST(Preprocessing, PerChannelStatisticsInRawUnits) {
  ImageSet s;
  s.labels = {0, 1};
  s.pixels.assign(2 * kImageBytes, 0);
  for (std::int64_t k = 0; k < 1024; ++k) {
    s.pixels[k] = 10;                    // image 0, red
    s.pixels[kImageBytes + k] = 30;      // image 1, red
    s.pixels[1024 + k] = 50;             // image 0, green
    s.pixels[kImageBytes + 1024 + k] = 50;
  }
  const Preprocessing p = make_preprocessing(s, Standardize::per_channel);
  EXPECT_NEAR(p.channel_mean[0], 20, 1e-4);
  EXPECT_NEAR(p.channel_std[0], 10, 1e-4);
  EXPECT_NEAR(p.channel_mean[1], 50, 1e-4);
  EXPECT_NEAR(p.channel_mean[2], 0, 1e-4);
}

// An epoch's plan uploaded once and read a step at a time gives the same
// batches as building each step from host rows; the input buffer is reused
// (same address every step) and the labels are views of the uploaded plan.
TEST(DevicePlan, StepsMatchHostBuiltBatchesInAFixedInputBuffer) {
  const ImageSet images = make_synthetic_images(60, 4);
  const DeviceImages device_images = upload_images(images, gl::Device::cpu);
  const BatchBuilder builder(device_images, make_preprocessing(images, Standardize::per_channel));
  const EpochPlan plan = make_epoch_plan(images.labels, 16, 9, 1, true);
  const DevicePlan uploaded = upload_plan(plan, gl::Device::cpu);
  ASSERT_EQ(uploaded.steps, 3);
  gl::Tensor x, y;
  const void* buffer = nullptr;
  for (std::int64_t s = 0; s < plan.steps; ++s) {
    builder.build_step(uploaded, s, x, y);
    if (s == 0) buffer = x.raw_data();
    EXPECT_EQ(x.raw_data(), buffer) << "step " << s;
    gl::Tensor x_host, y_host;
    builder.build(plan.rows.data() + 4 * s * plan.batch, plan.labels.data() + s * plan.batch, plan.batch, x_host,
                  y_host);
    EXPECT_EQ(x.to_vector(), x_host.to_vector()) << "step " << s;
    EXPECT_EQ(y.to_labels(), y_host.to_labels()) << "step " << s;
  }
  EXPECT_NE(error_of([&] { builder.build_step(uploaded, 3, x, y); }).find("outside the plan's 3 steps"),
            std::string::npos);
}

}  // namespace resnet
