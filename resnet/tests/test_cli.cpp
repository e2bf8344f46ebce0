// The `resnet` program itself: subcommands, exit codes and messages.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "image_bytes.h"
#include "test_util.h"

namespace resnet {
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

TEST(Cli, DownloadWithoutANetworkSaysWhatToDoByHand) {
  TempDir dir("cli_dl");
  const CliRun r = run_resnet("download --data-dir " + dir.path().string() +
                    " --url http://127.0.0.1:9/cifar-10-binary.tar.gz");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("could not fetch"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("by hand"), std::string::npos) << r.output;
}

}  // namespace resnet
