// The safetensors file format (huggingface/safetensors), readable by Python's
// safetensors and by numpy:
//   bytes 0-7: N, the header length, unsigned 64-bit little-endian
//   bytes 8 .. 8+N: JSON {"name": {"dtype": "F32", "shape": [..], "data_offsets": [b, e]}, ...,
//                         "__metadata__": {"key": "string value", ...}}
//   then the raw little-endian tensor bytes; offsets are relative to the data start.
#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "engine/core/tensor.h"

namespace resnet {

// Writes atomically: a temporary file in the same folder, flushed, then renamed
// over `path`, so a crash leaves either the old file or the new one.
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
  std::vector<char> data;
  // A host tensor with the entry's bytes; throws naming the file when absent.
  gl::Tensor tensor(const std::string& name) const;
  std::string path;
};

// Reads and validates (header length, JSON, dtypes, offsets within the file,
// byte counts matching shapes); every problem names the file.
SafetensorsFile read_safetensors(const std::filesystem::path& path);

}  // namespace resnet
