// The `resnet` program on bad input: documented exit codes (README "Exit
// codes": 1 error, 2 usage; never CLI11's 105, 106, 109, ...), no crash, and
// files of the wrong type or size named instead of a stream exception, a
// bad_alloc or a blocked read.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <fstream>

#include "corrupt_safetensors.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::CliRun;
using testing::run_resnet;
using testing::TempDir;

namespace {

// A synthetic data set and a trained checkpoint, made once per process.
struct Fixture {
  TempDir dir{"cli_inputs"};
  std::string data, ckpt;
  Fixture() {
    data = (dir.path() / "data").string();
    EXPECT_EQ(run_resnet("make-synthetic --out " + data + " --train 100 --test 20").status, 0);
    const CliRun r = run_resnet("train --data-dir " + data + " --model-dir " + (dir.path() / "m").string() +
                      " --resnet-size 1 --first-num-filters 2 --batch-size 20 --epochs 1 --threads 1"
                      " --quiet");
    EXPECT_EQ(r.status, 0) << r.output;
    ckpt = (dir.path() / "m" / "resnet8-v1-epoch001.safetensors").string();
  }
};
const Fixture& fixture() {
  static Fixture f;
  return f;
}
}  // namespace

TEST(CliInputs, ParseErrorsExitWithTheUsageCodeNotCli11s) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"train --data-dir d --no-such-flag", "no-such-flag"},           // CLI11 109
      {"train", "--data-dir is required"},                // CLI11 106
      {"train --data-dir d --epochs abc", "--epochs"},    // CLI11 105 / 104
      {"train --data-dir d --schedule linear", "--schedule"},
      {"frobnicate", "subcommand"},
      {"train --data-dir d --momentum ''", "empty"},
      {"train --data-dir d --seed -1", "--seed"},
      {"train --data-dir d --lr-multipliers 1,0.1,nan", "--lr-multipliers"},
  };
  for (const auto& [args, expect] : cases) {
    const CliRun r = run_resnet(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    EXPECT_NE(r.output.find(expect), std::string::npos) << args << ": " << r.output;
  }
  EXPECT_EQ(run_resnet("train --help").status, 0);
}

TEST(CliInputs, OneThreadCountRuleForEveryCommand) {
  const Fixture& f = fixture();
  for (const std::string& args : std::vector<std::string>{
           "test " + f.ckpt + " --data-dir " + f.data + " --threads 100000",
        "bench --threads 100000 --steps 1", "train --data-dir " + f.data + " --threads 100000",
        "test " + f.ckpt + " --data-dir " + f.data + " --threads=-1"}) {
    const CliRun r = run_resnet(args);
    EXPECT_EQ(r.status, 2) << args << ": " << r.output;
    EXPECT_NE(r.output.find("--threads must be 0 (all) to 1024"), std::string::npos) << r.output;
  }
}

TEST(CliInputs, AShiftedHeaderMakesTestFailNotReportGarbage) {
  const Fixture& f = fixture();
  TempDir dir("cli_shift");
  std::string bytes = testing::file_bytes(f.ckpt);
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  --n;  // header length off by one: every tensor shifted by a byte
  std::memcpy(bytes.data(), &n, 8);
  const std::string bad = (dir.path() / "shifted.safetensors").string();
  std::ofstream(bad, std::ios::binary) << bytes;
  const CliRun r = run_resnet("test " + bad + " --data-dir " + f.data);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("shifted.safetensors"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("accuracy"), std::string::npos) << r.output;
}

TEST(CliInputs, DirectoryFifoOrDeviceInPlaceOfADataFileIsNamed) {
  const Fixture& f = fixture();
  struct Swap {
    std::string what;
    std::function<void(const fs::path&)> make;
  };
  const std::vector<Swap> swaps = {
      {"is a directory", [](const fs::path& p) { fs::create_directory(p); }},
      {"is a FIFO", [](const fs::path& p) { ASSERT_EQ(mkfifo(p.c_str(), 0600), 0); }},
      {"is a character device", [](const fs::path& p) { fs::create_symlink("/dev/zero", p); }},
  };
  for (const auto& s : swaps) {
    TempDir dir("cli_swap");
    fs::copy(f.data, dir.path() / "data", fs::copy_options::recursive);
    const fs::path victim = dir.path() / "data" / "data_batch_3.bin";
    fs::remove(victim);
    s.make(victim);
    const CliRun r = run_resnet("train --data-dir " + (dir.path() / "data").string() + " --model-dir " +
                      (dir.path() / "m").string() + " --epochs 1 --batch-size 10 --threads 1");
    EXPECT_EQ(r.status, 1) << s.what << ": " << r.output;
    EXPECT_NE(r.output.find("data_batch_3.bin " + s.what), std::string::npos) << r.output;
  }
  TempDir dir("cli_meta");
  fs::copy(f.data, dir.path() / "data", fs::copy_options::recursive);
  fs::remove(dir.path() / "data" / "batches.meta.txt");
  ASSERT_EQ(mkfifo((dir.path() / "data" / "batches.meta.txt").c_str(), 0600), 0);
  const CliRun r = run_resnet("test " + f.ckpt + " --data-dir " + (dir.path() / "data").string());
  EXPECT_EQ(r.status, 0) << r.output;  // the checkpoint has the class names; the list is not read
  const CliRun t = run_resnet("train --data-dir " + (dir.path() / "data").string() + " --model-dir " +
                    (dir.path() / "m").string() + " --epochs 1 --batch-size 10 --threads 1");
  EXPECT_EQ(t.status, 1) << t.output;
  EXPECT_NE(t.output.find("batches.meta.txt is a FIFO"), std::string::npos) << t.output;
}

TEST(CliInputs, ACheckpointThatIsADirectoryIsNamed) {
  const Fixture& f = fixture();
  TempDir dir("cli_ckdir");
  const fs::path d = dir.path() / "c.safetensors";
  fs::create_directory(d);
  const CliRun r = run_resnet("test " + d.string() + " --data-dir " + f.data);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("c.safetensors is a directory"), std::string::npos) << r.output;
}

}  // namespace resnet
