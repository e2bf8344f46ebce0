#include "folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "exit_codes.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
// The pid the holder wrote ("" when it has not written it yet).
std::string holder_pid(int fd) {
  char buf[32] = {};
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.find_first_not_of("0123456789") == std::string::npos ? text : "";
}
}  // namespace

FolderLock::FolderLock(const fs::path& dir) : path_(dir / kLockFileName) {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int err = errno;
    throw OutputError(fmt::format("--model-dir {} is not writable: cannot create the lock file {}: "
                                  "{}; choose a writable --model-dir",
                                  dir.string(), path_.string(), std::strerror(err)));
  }
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EINTR) continue;
    if (err != EWOULDBLOCK) {
      ::close(fd_);
      fd_ = -1;
      throw OutputError(fmt::format("--model-dir {}: cannot lock {}: {}", dir.string(),
                                    path_.string(), std::strerror(err)));
    }
    // The holder writes its pid just after locking: give it a moment.
    std::string pid = holder_pid(fd_);
    for (int i = 0; i < 20 && pid.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      pid = holder_pid(fd_);
    }
    ::close(fd_);
    fd_ = -1;
    throw gl::Error(fmt::format(
        "--model-dir {} is in use by another `resnet train` (pid {}, which holds {}); two "
        "trainers would mix their checkpoints: wait for it to finish, stop it, or choose "
        "another --model-dir",
        dir.string(), pid.empty() ? "unknown" : pid, path_.string()));
  }
  const std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) != 0 ||
      ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw OutputError(fmt::format("--model-dir {}: writing the lock file {} failed: {}",
                                  dir.string(), path_.string(), std::strerror(err)));
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace resnet
