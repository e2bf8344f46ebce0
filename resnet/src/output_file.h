// Writing the files `resnet` makes (checkpoints, metrics, data sets, archives):
// every failed open, write, fsync, close or rename throws OutputError (exit
// code 74) naming the file and the system's reason. A whole file is written to
// a temporary beside it with a name no other process uses ("<name>.<pid>-<n>.tmp"),
// synced, closed and renamed over the target, so a reader sees the old file or
// the new one, never half of one; on any failure the temporary is removed.
#pragma once
#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "exit_codes.h"

namespace resnet {

// A file open for writing through a POSIX descriptor: each write() reaches the
// kernel at once (no buffer that fails silently later).
class OutputFile {
 public:
  enum class Mode { truncate, append, create_new };
  // `what` starts every message ("--metrics", "write_safetensors", ...).
  OutputFile(const std::filesystem::path& path, Mode mode, std::string what);
  ~OutputFile();  // closes without checking (after an error); close() checks
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  void write(const void* data, std::size_t bytes);
  void write(std::string_view text) { write(text.data(), text.size()); }
  void sync();                  // fsync; only regular files
  void truncate();              // to 0 bytes; only regular files
  void close();
  const std::filesystem::path& path() const { return path_; }

 private:
  [[noreturn]] void fail(const char* action, int err) const;
  std::filesystem::path path_;
  std::string what_;
  int fd_ = -1;
  bool regular_ = false;
  std::size_t written_ = 0;
};

// "<path>.<pid>-<n>.tmp": unique to this process and call.
std::filesystem::path temporary_name(const std::filesystem::path& path);

// Writes `path` whole: `fill` writes a temporary, which is synced, closed and
// renamed over `path`; then the folder is synced. On any failure the
// temporary is removed and the error propagates.
void write_file_atomically(const std::filesystem::path& path, const std::string& what,
                           const std::function<void(OutputFile&)>& fill);
void write_file_atomically(const std::filesystem::path& path, const std::string& what,
                           std::string_view contents);

// Throws gl::Error naming `what` when `path` exists and is a directory, FIFO,
// socket or block device: a regular file or a character device (/dev/null) is
// an output; a FIFO without a reader would block the open.
void check_output_path(const std::filesystem::path& path, const std::string& what);

// Creates `dir` (and its parents) when missing; OutputError when that fails.
void create_output_folder(const std::filesystem::path& dir, const std::string& what);

// OutputError unless a file can be created, written and removed in `dir`.
void check_folder_writable(const std::filesystem::path& dir, const std::string& what);

// Removes the temporaries that temporary_name() (or the plain "<name>.tmp" of
// older versions) made for files of `dir` ending in `suffix`, left behind by a
// process that was killed while writing; returns their paths. Only call it
// while no other process writes there (train holds the folder's lock).
std::vector<std::filesystem::path> remove_stale_temporaries(const std::filesystem::path& dir,
                                                            const std::string& suffix);

// Flushes standard output; OutputError naming it when anything written to it
// was lost (`resnet predict > /dev/full`).
void check_stdout_written();

}  // namespace resnet
