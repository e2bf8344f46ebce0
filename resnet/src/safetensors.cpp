#include "safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/error.h"
#include "input_file.h"
#include "output_file.h"

namespace resnet {
namespace fs = std::filesystem;
using nlohmann::json;

static_assert(std::endian::native == std::endian::little,
              "safetensors stores little-endian data; this code copies bytes as they are");

namespace {
const char* safetensors_dtype(gl::DType t) {
  switch (t) {
    case gl::DType::f32: return "F32";
    case gl::DType::f64: return "F64";
    case gl::DType::i32: return "I32";
    case gl::DType::i64: return "I64";
    case gl::DType::b8: return "BOOL";  // one byte per element, 0 or 1, as safetensors defines it
  }
  return "?";
}
bool parse_dtype(const std::string& s, gl::DType& out) {
  if (s == "F32") out = gl::DType::f32;
  else if (s == "F64") out = gl::DType::f64;
  else if (s == "I32") out = gl::DType::i32;
  else if (s == "I64") out = gl::DType::i64;
  else if (s == "BOOL") out = gl::DType::b8;
  else return false;
  return true;
}
}  // namespace

void write_safetensors(const fs::path& path,
                       const std::vector<std::pair<std::string, gl::Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  json header = json::object();
  std::vector<gl::Tensor> host;
  std::uint64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    GL_CHECK(t.defined(), "write_safetensors: tensor {} is undefined", name);
    GL_CHECK(!header.contains(name), "write_safetensors: duplicate tensor name {}", name);
    gl::Tensor h = t.device() == gl::Device::cpu ? t : t.to(gl::Device::cpu);
    const std::uint64_t bytes = h.numel() * gl::dtype_size(h.dtype());
    header[name] = {{"dtype", safetensors_dtype(h.dtype())},
                    {"shape", h.shape()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    host.push_back(h);
  }
  header["__metadata__"] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // align the data start to 8 bytes
  const std::uint64_t n = text.size();

  // A unique temporary beside `path`, synced and renamed over it (output_file.h).
  write_file_atomically(path, "write_safetensors", [&](OutputFile& out) {
    out.write(&n, 8);
    out.write(text);
    for (const auto& h : host) out.write(h.raw_data(), h.numel() * gl::dtype_size(h.dtype()));
  });
}

gl::Tensor SafetensorsFile::tensor(const std::string& name) const {
  auto it = entries.find(name);
  GL_CHECK(it != entries.end(), "{}: no tensor named {}", path, name);
  const char* data = bytes.data() + data_start + it->second.begin;
  const std::uint64_t size = it->second.end - it->second.begin;
  if (it->second.dtype == gl::DType::b8) {  // a bool byte other than 0 or 1 has no value
    for (std::uint64_t i = 0; i < size; ++i)
      GL_CHECK(data[i] == 0 || data[i] == 1, "{}: tensor {} is BOOL but byte {} is {} (must be 0 or 1); the file is corrupt",
               path, name, i, static_cast<int>(static_cast<unsigned char>(data[i])));
  }
  gl::Tensor t = gl::Tensor::empty(it->second.shape, it->second.dtype, gl::Device::cpu);
  if (size != 0) std::memcpy(t.raw_data(), data, size);
  return t;
}

namespace {
// A non-negative JSON integer (nlohmann stores one as number_unsigned);
// fractions (10.7), negatives, strings and booleans are refused.
std::uint64_t json_index(const json& v, const std::string& where) {
  GL_CHECK(v.is_number_unsigned(), "{} must be a non-negative integer, got {}", where, v.dump());
  return v.get<std::uint64_t>();
}

SafetensorsFile::Entry parse_entry(const std::string& file, const std::string& name,
                                   const json& value) {
  const std::string where = fmt::format("read_safetensors: {}: tensor {}", file, name);
  GL_CHECK(value.is_object(), "{}: the entry is not a JSON object", where);
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    GL_CHECK(value.contains(key), "{}: no \"{}\"", where, key);
  }
  SafetensorsFile::Entry e{};
  const json& dtype = value["dtype"];
  GL_CHECK(dtype.is_string(), "{}: dtype must be a string, got {}", where, dtype.dump());
  GL_CHECK(parse_dtype(dtype.get<std::string>(), e.dtype),
           "{} has dtype {}; gradlab reads F32, F64, I32, I64 and BOOL", where, dtype.dump());
  const json& shape = value["shape"];
  GL_CHECK(shape.is_array(), "{}: shape must be an array, got {}", where, shape.dump());
  std::uint64_t count = 1;
  for (const json& d : shape) {
    const std::uint64_t n = json_index(d, where + ": each shape entry");
    GL_CHECK(n <= static_cast<std::uint64_t>(INT64_MAX) && !__builtin_mul_overflow(count, n, &count),
             "{}: shape {} has more elements than 64 bits count", where, shape.dump());
    e.shape.push_back(static_cast<std::int64_t>(n));
  }
  const json& offsets = value["data_offsets"];
  GL_CHECK(offsets.is_array() && offsets.size() == 2,
           "{}: data_offsets must be [begin, end], got {}", where, offsets.dump());
  e.begin = json_index(offsets[0], where + ": data_offsets[0]");
  e.end = json_index(offsets[1], where + ": data_offsets[1]");
  std::uint64_t want = 0;
  GL_CHECK(!__builtin_mul_overflow(count, gl::dtype_size(e.dtype), &want),
           "{}: shape {} has more bytes than 64 bits count", where, shape.dump());
  GL_CHECK(e.begin <= e.end && e.end - e.begin == want,
           "{} ({} {}) has data_offsets [{}, {}], which is {} bytes; its shape needs {}; the file "
           "is corrupt",
           where, gl::dtype_name(e.dtype), gl::shape_str(e.shape), e.begin, e.end,
           e.begin <= e.end ? e.end - e.begin : 0, want);
  return e;
}
}  // namespace

SafetensorsFile parse_safetensors(std::vector<char> bytes, const std::string& name) {
  SafetensorsFile file;
  file.path = name;
  const std::uint64_t size = bytes.size();
  std::uint64_t n = 0;
  GL_CHECK(size >= 8, "read_safetensors: {} has {} bytes, shorter than the 8-byte header length; "
           "not a safetensors file", name, size);
  std::memcpy(&n, bytes.data(), 8);
  GL_CHECK(n <= size - 8 && n <= kMaxSafetensorsHeader,
           "read_safetensors: {} declares a {}-byte header but has {} bytes; the file is "
           "truncated or not a safetensors file",
           name, n, size);
  const char* text = bytes.data() + 8;
  GL_CHECK(n > 0 && text[0] == '{',
           "read_safetensors: {}: the header does not start with '{{'; the header length is wrong "
           "or this is not a safetensors file", name);
  // JSON has no raw NUL byte; nlohmann would stop reading at one (a header
  // length one too large then passes), the safetensors library refuses it.
  GL_CHECK(std::memchr(text, '\0', n) == nullptr,
           "read_safetensors: {}: the header has a NUL byte; the header length is wrong", name);
  json header;
  try {
    // Trailing spaces (the format's padding) are allowed; any other byte after
    // the JSON object means the header length is wrong.
    header = json::parse(text, text + n);
  } catch (const json::exception& e) {
    throw gl::Error(fmt::format("read_safetensors: {} has a malformed JSON header (is the header "
                                "length right?): {}", name, e.what()));
  }
  GL_CHECK(header.is_object(), "read_safetensors: {}: the header is not a JSON object", name);
  file.data_start = 8 + n;
  const std::uint64_t data_size = size - file.data_start;
  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      GL_CHECK(value.is_object(), "read_safetensors: {}: __metadata__ must be an object of "
               "strings, got {}", name, value.dump());
      for (const auto& [k, v] : value.items()) {
        GL_CHECK(v.is_string(), "read_safetensors: {}: metadata {} is not a string", name, k);
        file.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    file.entries[key] = parse_entry(name, key, value);
  }
  // Sorted by offset, each tensor starts where the previous one ended, from 0
  // to the last data byte: no gaps, no overlaps, nothing left over.
  std::vector<std::pair<std::uint64_t, std::string>> order;
  for (const auto& [key, e] : file.entries) order.emplace_back(e.begin, key);
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    const auto& ea = file.entries.at(a.second);
    const auto& eb = file.entries.at(b.second);
    return std::pair(ea.begin, ea.end) < std::pair(eb.begin, eb.end);
  });
  std::uint64_t next = 0;
  for (const auto& [begin, key] : order) {
    const auto& e = file.entries.at(key);
    GL_CHECK(e.begin == next,
             "read_safetensors: {}: tensor {} has data_offsets [{}, {}] but the previous tensor "
             "ends at byte {} (tensors must lie end to end, without gaps or overlaps); the file "
             "is corrupt",
             name, key, e.begin, e.end, next);
    next = e.end;
  }
  GL_CHECK(next == data_size,
           "read_safetensors: {}: the tensors cover {} bytes but the file has {} data bytes after "
           "the header; the file is {}",
           name, next, data_size,
           next > data_size ? "truncated or corrupt" : "corrupt (trailing bytes)");
  file.bytes = std::move(bytes);
  return file;
}

SafetensorsFile read_safetensors(const fs::path& path) {
  // 64 GiB: far above any ResNet checkpoint, below what would be a mistake.
  return parse_safetensors(read_input_file(path, std::uint64_t{64} << 30, "read_safetensors"),
                           path.string());
}

}  // namespace resnet
