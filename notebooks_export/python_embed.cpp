#include "notebooks_export/python_embed.h"

#include <fmt/format.h>

namespace gl::notebook {

std::string python_json_expression(const nlohmann::json& value, int indent) {
  const std::string text = value.dump(indent, ' ', /*ensure_ascii=*/true);
  std::string safe;
  safe.reserve(text.size());
  for (char c : text) {
    if (c == '\'') {
      safe += "\\u0027";
    } else {
      safe += c;
    }
  }
  return fmt::format("json.loads(r'''\n{}\n''')", safe);
}

std::string python_json_assignment(std::string_view name, const nlohmann::json& value, int indent) {
  return fmt::format("{} = {}\n", name, python_json_expression(value, indent));
}

}  // namespace gl::notebook
