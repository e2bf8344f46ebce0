// One trainer per model folder. `resnet train` holds an exclusive flock on
// "<model-dir>/.resnet-train.lock" from before its first step to its exit; the
// file holds the holder's pid. The kernel releases the lock when the process
// ends in any way (SIGKILL included), so a dead trainer never leaves the folder
// locked; the file itself stays (removing it would race with the next trainer).
#pragma once
#include <filesystem>
#include <string>

namespace resnet {

class FolderLock {
 public:
  // Throws gl::Error naming the folder and the other process's pid when
  // another process holds the lock; OutputError when the lock file cannot be
  // created or written (a read-only folder).
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  const std::filesystem::path& lock_file() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

inline constexpr const char* kLockFileName = ".resnet-train.lock";

}  // namespace resnet
