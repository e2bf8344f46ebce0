#include "corrupt_safetensors.h"

#include <cstdint>
#include <cstring>

namespace resnet::testing {
namespace {
// The tensors' bytes: a = [1.5, -2, 3, 4, 5, 6] as float32, b = [0.25] as float64.
std::string data_bytes() {
  const float a[6] = {1.5f, -2, 3, 4, 5, 6};
  const double b = 0.25;
  std::string d(32, '\0');
  std::memcpy(d.data(), a, 24);
  std::memcpy(d.data() + 24, &b, 8);
  return d;
}

std::string header(const std::string& a_entry, const std::string& b_entry,
                   const std::string& extra = "") {
  return "{\"a\":" + a_entry + ",\"b\":" + b_entry + ",\"__metadata__\":{\"k\":\"v\"}" + extra + "}";
}
const std::string kA = R"({"dtype":"F32","shape":[2,3],"data_offsets":[0,24]})";
const std::string kB = R"({"dtype":"F64","shape":[1],"data_offsets":[24,32]})";

// Pads to a multiple of 8 with at least one space, as the format allows.
std::string padded(std::string text) {
  text += ' ';
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}
}  // namespace

std::string safetensors_bytes(const std::string& header_json, const std::string& data,
                              long long declared_length) {
  const std::uint64_t n =
      declared_length < 0 ? header_json.size() : static_cast<std::uint64_t>(declared_length);
  std::string out(8, '\0');
  std::memcpy(out.data(), &n, 8);
  return out + header_json + data;
}

std::string valid_safetensors() {
  return safetensors_bytes(padded(header(kA, kB)), data_bytes());
}

std::vector<SafetensorsCase> corrupt_safetensors_cases() {
  const std::string h = padded(header(kA, kB)), d = data_bytes();
  const long long n = static_cast<long long>(h.size());
  auto entry = [](const std::string& dtype, const std::string& shape, const std::string& offsets) {
    return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
  };
  std::vector<SafetensorsCase> cases = {
      // The header length one too large: the first data byte joins the JSON.
      {"header_length_plus_one", safetensors_bytes(h, d, n + 1)},
      // One too small: the JSON still parses (a padding space is lost), but all
      // data is shifted by a byte and one byte is left over.
      {"header_length_minus_one", safetensors_bytes(h, d, n - 1)},
      {"header_length_beyond_file", safetensors_bytes(h, d, n + 1000)},
      {"shorter_than_8_bytes", std::string("\x10\0\0", 3)},
      {"overlapping_offsets",
       safetensors_bytes(padded(header(kA, entry("F64", "[1]", "[16,24]"))), d)},
      {"gap_between_tensors",
       safetensors_bytes(padded(header(kA, entry("F64", "[1]", "[28,36]"))), d + "1234")},
      {"data_not_fully_covered", safetensors_bytes(h, d + std::string(8, '\0'))},
      {"data_truncated", safetensors_bytes(h, d.substr(0, 28))},
      {"float_offset", safetensors_bytes(padded(header(kA, entry("F64", "[1]", "[24,32.0]"))), d)},
      {"fractional_offset",
       safetensors_bytes(padded(header(entry("F32", "[2,3]", "[0,24.7]"), kB)), d)},
      {"float_shape", safetensors_bytes(padded(header(entry("F32", "[2,3.0]", "[0,24]"), kB)), d)},
      {"negative_shape", safetensors_bytes(padded(header(entry("F32", "[-2,-3]", "[0,24]"), kB)), d)},
      {"three_element_offsets",
       safetensors_bytes(padded(header(entry("F32", "[2,3]", "[0,24,24]"), kB)), d)},
      {"one_element_offsets", safetensors_bytes(padded(header(entry("F32", "[2,3]", "[0]"), kB)), d)},
      {"string_offsets",
       safetensors_bytes(padded(header(entry("F32", "[2,3]", "[\"0\",\"24\"]"), kB)), d)},
      {"shape_does_not_match_bytes",
       safetensors_bytes(padded(header(entry("F32", "[2,2]", "[0,24]"), kB)), d)},
      {"unknown_dtype", safetensors_bytes(padded(header(entry("Q7", "[2,3]", "[0,24]"), kB)), d)},
      {"trailing_characters_after_json", safetensors_bytes(padded(header(kA, kB) + "x"), d)},
      {"header_not_an_object", safetensors_bytes(padded("[1,2]"), "")},
      {"header_not_json", safetensors_bytes(padded("{\"a\":"), d)},
      {"metadata_not_strings",
       safetensors_bytes(padded("{\"a\":" + kA + ",\"b\":" + kB + ",\"__metadata__\":{\"k\":1}}"), d)},
      {"entry_not_an_object", safetensors_bytes(padded("{\"a\":" + kA + ",\"b\":5}"), d)},
  };
  return cases;
}

}  // namespace resnet::testing
