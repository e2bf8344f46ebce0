// Helpers shared by the trainer's tests: temporary folders and a small
// synthetic data set written once per process.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "engine/core/error.h"
#include "trainer.h"

namespace resnet::testing {

// A fresh folder under the system temp dir, removed at destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag);
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Sanitizer builds run the same tests on smaller problems.
constexpr bool kSanitized =
#ifdef GRADLAB_RESNET_SANITIZED
    true;
#else
    false;
#endif

// Runs f and returns the gl::Error message it throws ("" when it does not throw).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const gl::Error& e) {
    return e.what();
  }
  return "";
}

// 2,000 training and 200 test images, written once per test process.
const std::filesystem::path& synthetic_data();

// ResNet-8 v1 with 4 filters on 320 of the synthetic images, batch 32 (10
// steps per epoch), 2 epochs, cosine with half an epoch of warm-up, 1 thread.
TrainConfig small_config(const std::filesystem::path& model_dir);

// train() with its log sent to a temporary file.
TrainResult quiet_train(const TrainConfig& c);

// Rewrites a safetensors file with one metadata field replaced (or removed
// when `value` is "<erase>"), keeping every tensor.
void set_metadata(const std::filesystem::path& path, const std::string& key,
                  const std::string& value);

// The `resnet` program run with `args` (a shell command line), under a
// 120 s timeout: a FIFO or /dev/zero that is read would otherwise hang the
// test (it then fails with status 124). A signal gives 128 + its number.
struct CliRun {
  int status;
  std::string output;  // stdout and stderr
};
CliRun run_resnet(const std::string& args);

// The file's bytes (to show that a refused file was left alone).
std::string file_bytes(const std::filesystem::path& path);

}  // namespace resnet::testing
