// Reading an input file the user named (data batch, class list, checkpoint,
// image): its type and size are checked before any byte is read, so a
// directory, a FIFO or /dev/zero in its place gives an error naming the path
// instead of a stream exception, an endless read or a blocked process.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace resnet {

// The whole file. Throws gl::Error naming `what` and the path when the path
// is missing, not a regular file (symbolic links are followed), larger than
// `max_bytes`, or cannot be read in full.
std::vector<char> read_input_file(const std::filesystem::path& path, std::uint64_t max_bytes,
                                  const std::string& what);

// Throws like read_input_file when `path` exists and is not a regular file
// (for optional inputs and for files that are about to be appended to).
void check_regular_if_present(const std::filesystem::path& path, const std::string& what);

}  // namespace resnet
