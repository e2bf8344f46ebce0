// The safetensors reader holds files to the format's own rules (header length,
// JSON header, integer shapes and offsets, tensors end to end covering the
// data exactly): every corrupt variant of a valid file is refused, naming the
// file, and the valid file still reads.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <map>

#include <fstream>

#include "corrupt_safetensors.h"
#include "safetensors.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;
using testing::error_of;

namespace {
std::vector<char> as_bytes(const std::string& s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(SafetensorsRules, TheValidFileReads) {
  const SafetensorsFile f = parse_safetensors(as_bytes(testing::valid_safetensors()), "valid");
  EXPECT_EQ(f.tensor("a").to_vector(), (std::vector<double>{1.5, -2, 3, 4, 5, 6}));
  EXPECT_EQ(f.tensor("b").to_vector(), (std::vector<double>{0.25}));
  EXPECT_EQ(f.metadata.at("k"), "v");
}

TEST(SafetensorsRules, EveryCorruptVariantIsRefusedNamingTheFile) {
  const auto cases = testing::corrupt_safetensors_cases();
  ASSERT_GE(cases.size(), 15u);
  for (const auto& c : cases) {
    const std::string name = "/data/" + c.name + ".safetensors";
    const std::string msg = error_of([&] { parse_safetensors(as_bytes(c.bytes), name); });
    EXPECT_NE(msg.find(name), std::string::npos) << c.name << " was accepted or unnamed: " << msg;
  }
}

TEST(SafetensorsRules, MessagesSayWhichRuleBroke) {
  std::map<std::string, std::string> msg;
  for (const auto& c : testing::corrupt_safetensors_cases()) {
    msg[c.name] = error_of([&] { parse_safetensors(as_bytes(c.bytes), c.name); });
  }
  EXPECT_NE(msg["header_length_minus_one"].find("trailing bytes"), std::string::npos)
      << msg["header_length_minus_one"];
  EXPECT_NE(msg["header_length_plus_one"].find("NUL byte"), std::string::npos)
      << msg["header_length_plus_one"];
  EXPECT_NE(msg["overlapping_offsets"].find("end to end"), std::string::npos)
      << msg["overlapping_offsets"];
  EXPECT_NE(msg["fractional_offset"].find("non-negative integer, got 24.7"), std::string::npos)
      << msg["fractional_offset"];
  EXPECT_NE(msg["three_element_offsets"].find("[begin, end]"), std::string::npos)
      << msg["three_element_offsets"];
  EXPECT_NE(msg["data_truncated"].find("truncated"), std::string::npos) << msg["data_truncated"];
}

TEST(SafetensorsRules, ADirectoryOrFifoInPlaceOfTheFileIsNamed) {
  testing::TempDir dir("st_type");
  const fs::path sub = dir.path() / "x.safetensors";
  fs::create_directory(sub);
  std::string msg = error_of([&] { read_safetensors(sub); });
  EXPECT_NE(msg.find("x.safetensors is a directory"), std::string::npos) << msg;
  const fs::path fifo = dir.path() / "f.safetensors";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  msg = error_of([&] { read_safetensors(fifo); });  // must not block
  EXPECT_NE(msg.find("f.safetensors is a FIFO"), std::string::npos) << msg;
}

}  // namespace resnet
