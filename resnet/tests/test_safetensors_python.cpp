// The official safetensors library (PyPI, in a test-only virtual environment
// that resnet/tests/tools/safetensors_venv.sh makes once and reuses) refuses
// the same corrupt files gradlab's reader refuses, and reads the valid one:
// the reader's rules are the format's, not stricter or looser ones.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "build_paths.h"
#include "corrupt_safetensors.h"
#include "safetensors.h"
#include "test_util.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
std::string run_capture(const std::string& cmd, int& status) {
  std::FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  status = pclose(pipe);
  return out;
}

// The venv's python, or "" with the reason in `why`.
std::string python_with_safetensors(std::string& why) {
  int status = 0;
  const std::string out = run_capture(std::string("bash ") + build_paths::resnet_source_dir +
                                          "/tests/tools/safetensors_venv.sh 2>&1",
                                      status);
  if (status != 0) {
    why = out;
    return "";
  }
  std::string path = out;  // the last line; pip's messages go before it
  while (!path.empty() && path.back() == '\n') path.pop_back();
  return path.substr(path.rfind('\n') == std::string::npos ? 0 : path.rfind('\n') + 1);
}

// Opens every file with safetensors.safe_open (numpy) and reads every tensor;
// prints "name OK <values>" or "name REFUSED <exception>".
constexpr const char* kScript = R"(
import sys
from safetensors import safe_open
for path in sys.argv[1:]:
    name = path.rsplit('/', 1)[-1]
    try:
        with safe_open(path, framework='np') as f:
            values = [float(v) for k in sorted(f.keys()) for v in f.get_tensor(k).ravel()]
        print(name, 'OK', values)
    except Exception as e:
        print(name, 'REFUSED', type(e).__name__)
)";
}  // namespace

TEST(SafetensorsPython, TheOfficialLibraryRefusesTheSameCorruptFiles) {
  std::string why;
  const std::string python = python_with_safetensors(why);
  if (python.empty()) GTEST_SKIP() << "the safetensors package cannot be had: " << why;
  testing::TempDir dir("st_python");
  std::string args;
  auto write = [&](const std::string& name, const std::string& bytes) {
    const fs::path p = dir.path() / (name + ".safetensors");
    std::ofstream(p, std::ios::binary) << bytes;
    args += " " + p.string();
  };
  write("valid", testing::valid_safetensors());
  const auto cases = testing::corrupt_safetensors_cases();
  for (const auto& c : cases) write(c.name, c.bytes);
  std::ofstream(dir.path() / "check.py") << kScript;
  int status = 0;
  const std::string out =
      run_capture(python + " " + (dir.path() / "check.py").string() + args + " 2>&1", status);
  ASSERT_EQ(status, 0) << out;
  std::map<std::string, std::string> verdict;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const auto space = line.find(' ');
    if (space != std::string::npos) verdict[line.substr(0, space)] = line.substr(space + 1);
  }
  // The valid file reads, with its values, in both.
  EXPECT_EQ(verdict["valid.safetensors"], "OK [1.5, -2.0, 3.0, 4.0, 5.0, 6.0, 0.25]") << out;
  EXPECT_NO_THROW(read_safetensors(dir.path() / "valid.safetensors"));
  for (const auto& c : cases) {
    const std::string file = c.name + ".safetensors";
    EXPECT_EQ(verdict[file].rfind("REFUSED", 0), 0u) << file << ": safetensors says " << verdict[file];
    EXPECT_THROW(read_safetensors(dir.path() / file), gl::Error) << file;
  }
}

}  // namespace resnet
