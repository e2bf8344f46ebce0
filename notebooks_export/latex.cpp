#include "notebooks_export/latex.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace gl::notebook {

using nlohmann::json;

std::string latex_number(const json& value, int digits) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return value.dump();
  if (value.is_boolean()) return value.get<bool>() ? "\\text{true}" : "\\text{false}";
  GL_CHECK(value.is_number(), "latex_number: expected a number or a LaTeX string, got {}", value.dump());
  std::string text = fmt::format("{:.{}g}", value.get<double>(), digits);
  const auto e = text.find('e');
  if (e == std::string::npos) return text;
  // "1.5e-07" -> mantissa "1.5", exponent -7.
  const std::string mantissa = text.substr(0, e);
  const int exponent = std::stoi(text.substr(e + 1));
  return fmt::format("{} \\times 10^{{{}}}", mantissa, exponent);
}

std::string latex_matrix(const json& rows, int digits) {
  GL_CHECK(rows.is_array() && !rows.empty(), "latex_matrix: expected a non-empty JSON array, got {}", rows.dump());
  std::string body;
  if (!rows.front().is_array()) {  // a vector: one entry per row
    for (std::size_t i = 0; i < rows.size(); ++i) {
      body += latex_number(rows[i], digits);
      if (i + 1 < rows.size()) body += " \\\\ ";
    }
    return fmt::format("\\begin{{bmatrix}} {} \\end{{bmatrix}}", body);
  }
  const std::size_t cols = rows.front().size();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    GL_CHECK(rows[i].is_array() && rows[i].size() == cols,
             "latex_matrix: row {} has {} entries, row 0 has {} (every row needs the same length)", i,
             rows[i].is_array() ? rows[i].size() : 1, cols);
    for (std::size_t j = 0; j < cols; ++j) {
      body += latex_number(rows[i][j], digits);
      if (j + 1 < cols) body += " & ";
    }
    if (i + 1 < rows.size()) body += " \\\\ ";
  }
  return fmt::format("\\begin{{bmatrix}} {} \\end{{bmatrix}}", body);
}

}  // namespace gl::notebook
