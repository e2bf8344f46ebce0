#include "output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace resnet {
namespace fs = std::filesystem;

namespace {
// The system's reason, with what it usually means here.
std::string reason(int err) {
  std::string text = std::strerror(err);
  if (err == ENOSPC || err == EDQUOT) text += " (the disk or quota is full: free space and run again)";
  if (err == EROFS) text += " (a read-only file system: choose a writable folder)";
  if (err == EACCES || err == EPERM) text += " (no permission: choose a folder you can write)";
  return text;
}

int open_flags(OutputFile::Mode mode) {
  switch (mode) {
    case OutputFile::Mode::truncate: return O_WRONLY | O_CREAT | O_TRUNC;
    case OutputFile::Mode::append: return O_WRONLY | O_CREAT | O_APPEND;
    case OutputFile::Mode::create_new: return O_WRONLY | O_CREAT | O_EXCL;
  }
  return O_WRONLY;
}

void sync_folder(const fs::path& dir, const std::string& what) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the rename is done; a folder we cannot open cannot be synced
  const int rc = ::fsync(fd), err = errno;
  ::close(fd);
  // EINVAL: the file system has no folder sync (some FUSE and network ones).
  if (rc != 0 && err != EINVAL) {
    throw OutputError(fmt::format("{}: syncing the folder {} failed: {}", what, dir.string(),
                                  reason(err)));
  }
}
}  // namespace

OutputFile::OutputFile(const fs::path& path, Mode mode, std::string what)
    : path_(path), what_(std::move(what)) {
  do {
    fd_ = ::open(path.c_str(), open_flags(mode) | O_CLOEXEC, 0644);
  } while (fd_ < 0 && errno == EINTR);
  if (fd_ < 0) fail("cannot open", errno);
  struct stat st {};
  regular_ = ::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

void OutputFile::fail(const char* action, int err) const {
  throw OutputError(fmt::format("{}: {} {}{}: {}", what_, action, path_.string(),
                                written_ > 0 ? fmt::format(" after {} bytes", written_) : "",
                                reason(err)));
}

void OutputFile::write(const void* data, std::size_t bytes) {
  const char* p = static_cast<const char*>(data);
  while (bytes > 0) {
    const ssize_t n = ::write(fd_, p, bytes);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("writing", errno);
    if (n == 0) fail("writing", EIO);
    p += n;
    bytes -= static_cast<std::size_t>(n);
    written_ += static_cast<std::size_t>(n);
  }
}

void OutputFile::sync() {
  if (regular_ && ::fsync(fd_) != 0) fail("syncing", errno);
}

void OutputFile::truncate() {
  if (regular_ && ::ftruncate(fd_, 0) != 0) fail("emptying", errno);
}

void OutputFile::close() {
  const int fd = fd_;
  fd_ = -1;
  // POSIX leaves the descriptor closed after a failed close: never retried.
  if (fd >= 0 && ::close(fd) != 0 && errno != EINTR) fail("closing", errno);
}

fs::path temporary_name(const fs::path& path) {
  static std::atomic<unsigned> counter{0};
  return fmt::format("{}.{}-{}.tmp", path.string(), ::getpid(), ++counter);
}

void write_file_atomically(const fs::path& path, const std::string& what,
                           const std::function<void(OutputFile&)>& fill) {
  const fs::path tmp = temporary_name(path);
  try {
    OutputFile out(tmp, OutputFile::Mode::create_new, what);
    fill(out);
    out.sync();
    out.close();
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      const int err = errno;
      throw OutputError(fmt::format("{}: cannot rename {} to {}: {}", what, tmp.string(),
                                    path.string(), reason(err)));
    }
  } catch (...) {
    ::unlink(tmp.c_str());  // nothing half-written stays behind
    throw;
  }
  sync_folder(path.parent_path(), what);
}

void write_file_atomically(const fs::path& path, const std::string& what,
                           std::string_view contents) {
  write_file_atomically(path, what, [&](OutputFile& out) { out.write(contents); });
}

void check_output_path(const fs::path& path, const std::string& what) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);  // follows symbolic links
  if (!fs::exists(st) || fs::is_regular_file(st) || fs::is_character_file(st)) return;
  const char* kind = fs::is_directory(st) ? "a directory"
                     : fs::is_fifo(st)    ? "a FIFO (named pipe)"
                     : fs::is_socket(st)  ? "a socket"
                     : fs::is_block_file(st) ? "a block device"
                                          : "not a regular file";
  throw gl::Error(fmt::format("{}: {} is {}, expected a file to write", what, path.string(), kind));
}

void create_output_folder(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    throw OutputError(fmt::format("{}: cannot create the folder {}: {}", what, dir.string(),
                                  reason(ec.value())));
  }
}

void check_folder_writable(const fs::path& dir, const std::string& what) {
  const fs::path probe = temporary_name(dir / ".resnet-write-check");
  try {
    OutputFile out(probe, OutputFile::Mode::create_new,
                   fmt::format("{}: the folder {} is not writable", what, dir.string()));
    out.write("ok\n");
    out.close();
  } catch (...) {
    ::unlink(probe.c_str());
    throw;
  }
  ::unlink(probe.c_str());
}

std::vector<fs::path> remove_stale_temporaries(const fs::path& dir, const std::string& suffix) {
  auto is_temporary = [&](const std::string& name) {
    if (name.size() < 4 || name.compare(name.size() - 4, 4, ".tmp") != 0) return false;
    const std::string stem = name.substr(0, name.size() - 4);  // "<final>" or "<final>.<pid>-<n>"
    auto ends_with_suffix = [&](const std::string& s) {
      return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with_suffix(stem)) return true;  // the fixed name of older versions
    const std::size_t dot = stem.rfind('.');
    if (dot == std::string::npos) return false;
    const std::string tag = stem.substr(dot + 1);
    const std::size_t dash = tag.find('-');
    const bool digits = dash != std::string::npos && dash > 0 && dash + 1 < tag.size() &&
                        tag.find_first_not_of("0123456789-") == std::string::npos &&
                        tag.find('-', dash + 1) == std::string::npos;
    return digits && ends_with_suffix(stem.substr(0, dot));
  };
  std::vector<fs::path> removed;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec) || !is_temporary(entry.path().filename().string())) continue;
    if (::unlink(entry.path().c_str()) != 0) {
      const int err = errno;
      throw OutputError(fmt::format("cannot remove the stale temporary {}: {}",
                                    entry.path().string(), reason(err)));
    }
    removed.push_back(entry.path());
  }
  return removed;
}

void check_stdout_written() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    const int err = errno;
    throw OutputError(
        fmt::format("writing standard output failed: {}; the output is incomplete", reason(err)));
  }
}

}  // namespace resnet
