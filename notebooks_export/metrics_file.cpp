#include "notebooks_export/metrics_file.h"

#include <fstream>
#include <map>

#include "engine/core/error.h"

namespace gl::notebook {

using nlohmann::json;

std::vector<json> read_metrics_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  GL_CHECK(in.good(), "read_metrics_file: cannot open '{}' (write one with `resnet train --metrics FILE`)",
           path.string());
  std::map<std::int64_t, json> by_epoch;  // sorted by epoch; a repeated epoch keeps the later record
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
    GL_CHECK(record.is_object(), "read_metrics_file: {}:{} is not a JSON object: '{}'", path.string(), number,
             line.substr(0, 120));
    GL_CHECK(record.contains("epoch") && record["epoch"].is_number_integer(),
             "read_metrics_file: {}:{} has no integer \"epoch\" (is this a `resnet train --metrics` file?)",
             path.string(), number);
    const auto epoch = record["epoch"].get<std::int64_t>();
    by_epoch[epoch] = std::move(record);
  }
  GL_CHECK(!by_epoch.empty(), "read_metrics_file: '{}' has no epoch records (did training finish an epoch?)",
           path.string());
  std::vector<json> records;
  for (auto& [epoch, record] : by_epoch) records.push_back(std::move(record));
  return records;
}

}  // namespace gl::notebook
