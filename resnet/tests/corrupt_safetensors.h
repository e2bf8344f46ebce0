// Safetensors files that break one rule of the format each (the rules in
// resnet/src/safetensors.h), built from one valid file: both gradlab's reader
// and the official safetensors library must refuse every one of them.
#pragma once
#include <string>
#include <vector>

namespace resnet::testing {

struct SafetensorsCase {
  std::string name;   // what is wrong, e.g. "header_length_plus_one"
  std::string bytes;  // the whole file
};

// A valid file: tensor "a" F32 [2, 3] = 1.5, -2, 3, 4, 5, 6 and "b" F64 [1] =
// 0.25, metadata {"k": "v"}, the header padded with spaces to 8 bytes.
std::string valid_safetensors();

// The same header JSON with a chosen body, `n` the header length written
// (defaults to the text's length); data follows.
std::string safetensors_bytes(const std::string& header_json, const std::string& data,
                              long long declared_length = -1);

std::vector<SafetensorsCase> corrupt_safetensors_cases();

}  // namespace resnet::testing
