// The safetensors file format (huggingface/safetensors), readable by Python's
// safetensors and by numpy:
//   bytes 0-7: N, the header length, unsigned 64-bit little-endian
//   bytes 8 .. 8+N: JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...,
//                         "__metadata__": {"key": "string value", ...}}
//   then the raw little-endian tensor bytes; offsets are relative to the data start.
// The reader applies the format's own rules, as the safetensors library does
// (safetensors/src/tensor.rs, read_metadata and validate): the header is a JSON
// object (trailing spaces allowed, nothing else after it), dtype a string,
// shape and data_offsets arrays of non-negative integers (no fractions),
// data_offsets exactly two; the tensors, sorted by offset, lie end to end from
// byte 0 and cover the data exactly (no gaps, no overlaps, no trailing bytes);
// each tensor's byte count is its element count times its dtype size.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/tensor.h"

namespace resnet {

// Writes atomically (output_file.h): a unique temporary in the same folder,
// fsynced, then renamed over `path`, so a crash leaves either the old file or
// the new one; a failed write throws OutputError naming the file and removes
// the temporary.
void write_safetensors(const std::filesystem::path& path,
                       const std::vector<std::pair<std::string, gl::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata);

struct SafetensorsFile {
  struct Entry {
    gl::DType dtype;
    gl::Shape shape;
    std::uint64_t begin, end;  // byte offsets into data
  };
  std::map<std::string, std::string> metadata;
  std::map<std::string, Entry> entries;
  std::vector<char> bytes;     // the whole file
  std::uint64_t data_start = 0;  // 8 + header length
  // A host tensor with the entry's bytes; throws naming the file when absent.
  gl::Tensor tensor(const std::string& name) const;
  std::string path;
};

// The largest header the safetensors library accepts (MAX_HEADER_SIZE).
constexpr std::uint64_t kMaxSafetensorsHeader = 100'000'000;

// Parses and validates a whole file's bytes (the rules above); `name` is the
// file's path for messages. Throws gl::Error naming it and the tensor or field.
SafetensorsFile parse_safetensors(std::vector<char> bytes, const std::string& name);

// Checks that `path` is a regular file, reads it and parses it.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

}  // namespace resnet
