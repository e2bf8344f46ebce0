// The `resnet` program itself: subcommands, exit codes and messages.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "image_bytes.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::CliRun;
using testing::run_resnet;
using testing::TempDir;

TEST(Cli, InvalidFlagsAreRejectedWithAMessage) {
  TempDir dir("cli_flags");
  CliRun r = run_resnet("train --data-dir " + (dir.path() / "nope").string());
  EXPECT_EQ(r.status, 2);  // usage (README "Exit codes")
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  r = run_resnet("make-synthetic --out " + dir.path().string() + " --train 50 --test 20");
  ASSERT_EQ(r.status, 0) << r.output;
  r = run_resnet("train --data-dir " + dir.path().string() + " --batch-size 0");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--batch-size must be"), std::string::npos) << r.output;
  r = run_resnet("train --data-dir " + dir.path().string() + " --schedule linear");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.output.find("--schedule"), std::string::npos) << r.output;
}

TEST(Cli, TrainTestAndPredictOnSyntheticData) {
  TempDir dir("cli_flow");
  const std::string data = (dir.path() / "data").string(), models = (dir.path() / "m").string();
  ASSERT_EQ(run_resnet("make-synthetic --out " + data + " --train 200 --test 50").status, 0);
  CliRun r = run_resnet("train --data-dir " + data + " --model-dir " + models +
              " --resnet-size 1 --first-num-filters 4 --batch-size 20 --epochs 1 --threads 1");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("parameters: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("epoch 1/1: lr"), std::string::npos) << r.output;
  const std::string ckpt = models + "/resnet8-v1-epoch001.safetensors";
  r = run_resnet("test --data-dir " + data + " " + ckpt);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("test accuracy: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("of 50)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("confusion matrix"), std::string::npos) << r.output;
  // A 40x48 PNG, scaled to 32x32 by predict.
  std::vector<unsigned char> img(40 * 48 * 3);
  for (std::size_t i = 0; i < img.size(); ++i) img[i] = static_cast<unsigned char>(i * 7);
  const std::string png = (dir.path() / "x.png").string();
  std::ofstream(png, std::ios::binary) << testing::png_bytes(40, 48, img);
  r = run_resnet("predict --checkpoint " + ckpt + " " + png);
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("x.png:  "), std::string::npos) << r.output;
  r = run_resnet("predict --checkpoint " + ckpt + " " + data + "/batches.meta.txt");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("batches.meta.txt is a text file, not PNG or JPEG"), std::string::npos)
      << r.output;
}

TEST(Cli, PredictInBatchesGivesTheSameLinesWithProgress) {
  TempDir dir("cli_batches");
  const std::string data = (dir.path() / "data").string(), models = (dir.path() / "m").string();
  ASSERT_EQ(run_resnet("make-synthetic --out " + data + " --train 100 --test 20").status, 0);
  ASSERT_EQ(run_resnet("train --data-dir " + data + " --model-dir " + models +
                       " --resnet-size 1 --first-num-filters 4 --batch-size 20 --epochs 1 --threads 1")
                .status, 0);
  const std::string ckpt = models + "/resnet8-v1-epoch001.safetensors";
  std::string images;
  for (int i = 0; i < 5; ++i) {
    const auto rgb = testing::stripes_rgb(24 + i, 30, 2 + i);
    const fs::path p = dir.path() / ("img" + std::to_string(i) + (i % 2 ? ".jpg" : ".png"));
    std::ofstream(p, std::ios::binary)
        << (i % 2 ? testing::jpeg_bytes(24 + i, 30, rgb) : testing::png_bytes(24 + i, 30, rgb));
    images += " " + p.string();
  }
  auto lines = [](const std::string& text, bool progress) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
      if ((line.rfind("predict: ", 0) == 0) == progress) out += line + "\n";
    }
    return out;
  };
  const CliRun whole = run_resnet("predict --checkpoint " + ckpt + images);
  ASSERT_EQ(whole.status, 0) << whole.output;
  EXPECT_EQ(lines(whole.output, true), "");  // one batch: no progress lines
  const CliRun batched = run_resnet("predict --batch-size 2 --checkpoint " + ckpt + images);
  ASSERT_EQ(batched.status, 0) << batched.output;
  EXPECT_EQ(lines(batched.output, false), lines(whole.output, false));
  const std::string progress = lines(batched.output, true);
  EXPECT_NE(progress.find("predict: 2/5 images"), std::string::npos) << progress;
  EXPECT_NE(progress.find("predict: 5/5 images"), std::string::npos) << progress;
  const CliRun zero = run_resnet("predict --batch-size 0 --checkpoint " + ckpt + images);
  EXPECT_EQ(zero.status, 2) << zero.output;
  EXPECT_NE(zero.output.find("--batch-size must be 1-65536, got 0"), std::string::npos) << zero.output;
}

TEST(Cli, DownloadWithoutANetworkSaysWhatToDoByHand) {
  TempDir dir("cli_dl");
  const CliRun r = run_resnet("download --data-dir " + dir.path().string() +
                    " --url http://127.0.0.1:9/cifar-10-binary.tar.gz");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("could not fetch"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("by hand"), std::string::npos) << r.output;
}

}  // namespace resnet
