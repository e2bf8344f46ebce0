// Replays, through the fuzz targets' own bodies (fuzz/fuzz_entries.h), the
// seed corpus and every input kept in fuzz/regressions/<target>/ (crashes the
// fuzzers found, kept after the fix). In this build they must neither crash
// nor throw anything but the readers' own errors, and in the sanitizer build
// (build-asan) they run under AddressSanitizer and UBSan as well.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "build_paths.h"
#include "fuzz_entries.h"
#include "fuzz_seeds.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
using Entry = void (*)(const std::uint8_t*, std::size_t);
const std::map<std::string, Entry>& entries() {
  static const std::map<std::string, Entry> m = {
      {"safetensors", fuzz::safetensors_one},
      {"checkpoint_metadata", fuzz::checkpoint_metadata_one},
      {"cifar", fuzz::cifar_one},
      {"train_flags", fuzz::train_flags_one},
      {"image", fuzz::image_one},
  };
  return m;
}
void replay(Entry entry, const std::string& input) {
  entry(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}
}  // namespace

TEST(FuzzReplay, SeedCorpusRunsThroughEveryTarget) {
  const auto seeds = fuzz::seed_corpus();
  for (const auto& [target, entry] : entries()) {
    ASSERT_TRUE(seeds.count(target)) << target;
    EXPECT_GE(seeds.at(target).size(), 2u) << target;
    for (const auto& input : seeds.at(target)) EXPECT_NO_THROW(replay(entry, input)) << target;
  }
}

TEST(FuzzReplay, KeptCrashInputsNoLongerCrash) {
  int replayed = 0;
  for (const auto& [target, entry] : entries()) {
    const fs::path dir = fs::path(build_paths::fuzz_regressions_dir) / target;
    if (!fs::is_directory(dir)) continue;
    for (const auto& file : fs::directory_iterator(dir)) {
      std::ifstream in(file.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      EXPECT_NO_THROW(replay(entry, bytes.str())) << file.path();
      ++replayed;
    }
  }
  if (replayed == 0) GTEST_SKIP() << "no inputs in " << build_paths::fuzz_regressions_dir << " yet";
  RecordProperty("replayed", replayed);
}

}  // namespace resnet
