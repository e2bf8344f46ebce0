#include "safetensors.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/error.h"

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
  }
  return "?";
}
bool parse_dtype(const std::string& s, gl::DType& out) {
  if (s == "F32") out = gl::DType::f32;
  else if (s == "F64") out = gl::DType::f64;
  else if (s == "I32") out = gl::DType::i32;
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

  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    GL_CHECK(out, "write_safetensors: cannot create {} (is the folder writable?)", tmp.string());
    out.write(reinterpret_cast<const char*>(&n), 8);
    out.write(text.data(), static_cast<std::streamsize>(n));
    for (const auto& h : host) {
      out.write(static_cast<const char*>(h.raw_data()),
                static_cast<std::streamsize>(h.numel() * gl::dtype_size(h.dtype())));
    }
    out.flush();
    GL_CHECK(out.good(), "write_safetensors: writing {} failed (disk full?)", tmp.string());
  }
  fs::rename(tmp, path);  // atomic on POSIX within one file system
}

gl::Tensor SafetensorsFile::tensor(const std::string& name) const {
  auto it = entries.find(name);
  GL_CHECK(it != entries.end(), "{}: no tensor named {}", path, name);
  gl::Tensor t = gl::Tensor::empty(it->second.shape, it->second.dtype, gl::Device::cpu);
  std::memcpy(t.raw_data(), data.data() + it->second.begin, it->second.end - it->second.begin);
  return t;
}

SafetensorsFile read_safetensors(const fs::path& path) {
  SafetensorsFile file;
  file.path = path.string();
  std::ifstream in(path, std::ios::binary);
  GL_CHECK(in, "read_safetensors: cannot open {}", path.string());
  const auto file_size = static_cast<std::uint64_t>(fs::file_size(path));
  std::uint64_t n = 0;
  GL_CHECK(file_size >= 8 && in.read(reinterpret_cast<char*>(&n), 8),
           "read_safetensors: {} is shorter than the 8-byte header length; not a safetensors file",
           path.string());
  GL_CHECK(n <= file_size - 8 && n < (100u << 20),
           "read_safetensors: {} declares a {}-byte header but has {} bytes; the file is "
           "truncated or not a safetensors file",
           path.string(), n, file_size);
  std::string text(n, '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  json header;
  try {
    header = json::parse(text);
  } catch (const json::exception& e) {
    throw gl::Error(fmt::format("read_safetensors: {} has a malformed JSON header: {}",
                                path.string(), e.what()));
  }
  GL_CHECK(header.is_object(), "read_safetensors: {}: the header is not a JSON object",
           path.string());
  const std::uint64_t data_size = file_size - 8 - n;
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      for (const auto& [k, v] : value.items()) {
        GL_CHECK(v.is_string(), "read_safetensors: {}: metadata {} is not a string",
                 path.string(), k);
        file.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    SafetensorsFile::Entry e{};
    try {
      const std::string dtype = value.at("dtype").get<std::string>();
      GL_CHECK(parse_dtype(dtype, e.dtype),
               "read_safetensors: {}: tensor {} has dtype {}; gradlab reads F32, F64 and I32",
               path.string(), name, dtype);
      e.shape = value.at("shape").get<gl::Shape>();
      e.begin = value.at("data_offsets").at(0).get<std::uint64_t>();
      e.end = value.at("data_offsets").at(1).get<std::uint64_t>();
    } catch (const json::exception& ex) {
      throw gl::Error(fmt::format("read_safetensors: {}: entry {} is malformed: {}",
                                  path.string(), name, ex.what()));
    }
    const std::uint64_t want = gl::numel(e.shape) * gl::dtype_size(e.dtype);
    GL_CHECK(e.begin <= e.end && e.end <= data_size && e.end - e.begin == want,
             "read_safetensors: {}: tensor {} ({} {}) claims bytes [{}, {}) of {} data bytes, "
             "needs {}; the file is truncated or corrupt",
             path.string(), name, gl::dtype_name(e.dtype), gl::shape_str(e.shape), e.begin, e.end,
             data_size, want);
    file.entries[name] = e;
  }
  file.data.resize(data_size);
  in.read(file.data.data(), static_cast<std::streamsize>(data_size));
  GL_CHECK(in.good() || data_size == 0, "read_safetensors: reading {} failed", path.string());
  return file;
}

}  // namespace resnet
