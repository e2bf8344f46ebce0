#include "input_file.h"

#include <fstream>

#include "engine/core/error.h"

namespace resnet {
namespace fs = std::filesystem;

namespace {
const char* kind_of(fs::file_type t) {
  switch (t) {
    case fs::file_type::directory: return "a directory";
    case fs::file_type::fifo: return "a FIFO (named pipe)";
    case fs::file_type::character: return "a character device";
    case fs::file_type::block: return "a block device";
    case fs::file_type::socket: return "a socket";
    default: return "not a regular file";
  }
}
}  // namespace

void check_regular_if_present(const fs::path& path, const std::string& what) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);  // follows symbolic links
  if (!fs::exists(st) || fs::is_regular_file(st)) return;
  throw gl::Error(fmt::format("{}: {} is {}, expected a regular file", what, path.string(),
                              kind_of(st.type())));
}

std::vector<char> read_input_file(const fs::path& path, std::uint64_t max_bytes,
                                  const std::string& what) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  GL_CHECK(fs::exists(st), "{}: {} does not exist", what, path.string());
  check_regular_if_present(path, what);
  const std::uint64_t size = fs::file_size(path, ec);
  GL_CHECK(!ec, "{}: cannot read the size of {}: {}", what, path.string(), ec.message());
  GL_CHECK(size <= max_bytes, "{}: {} has {} bytes, more than the {} this file can have", what,
           path.string(), size, max_bytes);
  std::ifstream in(path, std::ios::binary);
  GL_CHECK(in, "{}: cannot open {} (permissions?)", what, path.string());
  std::vector<char> bytes(size);
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  GL_CHECK(static_cast<std::uint64_t>(in.gcount()) == size,
           "{}: reading {} stopped after {} of {} bytes", what, path.string(), in.gcount(), size);
  return bytes;
}

}  // namespace resnet
