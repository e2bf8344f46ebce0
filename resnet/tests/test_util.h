// Helpers shared by the trainer's tests: temporary folders and a small
// synthetic data set written once per process.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "engine/core/error.h"

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

}  // namespace resnet::testing
