// Rendering a Report as terminal text, Markdown (+LaTeX) and JSON.
#include "exercises/common/report.h"

#include "exercises/common/answer_file.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace gl::ex {

std::string num(double x, int significant) {
  if (std::abs(x) < 1e-300) x = 0.0;  // no "-0"
  std::string s = fmt::format("{:.{}g}", x, significant);
  return s == "-0" ? "0" : s;
}

std::vector<std::vector<std::string>> format_matrix(const std::vector<double>& values,
                                                    std::int64_t rows, std::int64_t cols,
                                                    int significant) {
  std::vector<std::vector<std::string>> out(rows, std::vector<std::string>(cols));
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) out[r][c] = num(values[r * cols + c], significant);
  return out;
}

nlohmann::json json_matrix(const std::vector<double>& values, std::int64_t rows, std::int64_t cols) {
  nlohmann::json j = nlohmann::json::array();
  for (std::int64_t r = 0; r < rows; ++r) {
    nlohmann::json row = nlohmann::json::array();
    for (std::int64_t c = 0; c < cols; ++c) row.push_back(values[r * cols + c]);
    j.push_back(row);
  }
  return j;
}

Section& Report::section(std::string heading) {
  sections_.push_back({std::move(heading), {}});
  return sections_.back();
}
Section& Report::current() {
  if (sections_.empty()) section("");
  return sections_.back();
}
void Report::paragraph(std::string text, std::string markdown) {
  Block b;
  b.text = std::move(text);
  b.markdown = std::move(markdown);
  current().blocks.push_back(std::move(b));
}
void Report::equation(std::string text, std::string latex) {
  Block b;
  b.kind = BlockKind::equation;
  b.text = std::move(text);
  b.markdown = std::move(latex);
  current().blocks.push_back(std::move(b));
}
void Report::matrix(std::string name, std::vector<std::vector<std::string>> cells,
                    std::vector<std::string> row_labels, std::vector<std::string> col_labels,
                    std::vector<std::vector<std::string>> latex) {
  Block b;
  b.kind = BlockKind::matrix;
  b.text = std::move(name);
  b.cells = std::move(cells);
  b.row_labels = std::move(row_labels);
  b.headers = std::move(col_labels);
  b.latex_cells = std::move(latex);
  current().blocks.push_back(std::move(b));
}
void Report::table(std::vector<std::string> headers, std::vector<std::vector<std::string>> rows) {
  Block b;
  b.kind = BlockKind::table;
  b.headers = std::move(headers);
  b.cells = std::move(rows);
  current().blocks.push_back(std::move(b));
}
const Check& Report::check(std::string name, bool ok, double max_error, double tolerance,
                           std::string detail) {
  Check c{std::move(name), ok, max_error, tolerance, std::move(detail)};
  checks_.push_back(c);
  Block b;
  b.kind = BlockKind::check;
  b.check = c;
  current().blocks.push_back(std::move(b));
  return checks_.back();
}
bool Report::all_ok() const {
  return std::all_of(checks_.begin(), checks_.end(), [](const Check& c) { return c.ok; });
}

namespace {

std::string check_line(const Check& c) {
  std::string err = c.tolerance > 0 ? fmt::format(" (max |diff| {} <= {})", num(c.max_error, 3), num(c.tolerance, 3))
                                    : "";
  if (!c.ok && c.tolerance > 0) err = fmt::format(" (max |diff| {} > {})", num(c.max_error, 3), num(c.tolerance, 3));
  return fmt::format("[{}] {}{}{}", c.ok ? "ok" : "FAIL", c.name, err, c.detail.empty() ? "" : ": " + c.detail);
}

// Aligned columns: every column as wide as its widest entry, numbers right-aligned.
std::string aligned(const std::vector<std::string>& headers, const std::vector<std::string>& row_labels,
                    const std::vector<std::vector<std::string>>& cells, const std::string& indent,
                    bool brackets) {
  std::size_t cols = cells.empty() ? headers.size() : cells[0].size();
  std::vector<std::size_t> w(cols, 0);
  std::size_t lw = 0;
  for (const auto& l : row_labels) lw = std::max(lw, l.size());
  for (std::size_t c = 0; c < cols; ++c) {
    if (c < headers.size()) w[c] = headers[c].size();
    for (const auto& row : cells) w[c] = std::max(w[c], row[c].size());
  }
  // Numbers right-aligned, text left-aligned (a column is numeric when every entry is).
  std::vector<bool> right(cols, true);  // matrices: always right-aligned
  for (std::size_t c = 0; c < cols && !brackets; ++c)
    for (const auto& row : cells) {
      double v;
      if (!parse_number(row[c], v) && row[c] != "-") right[c] = false;
    }
  auto cell = [&](const std::string& s, std::size_t c) {
    return right[c] ? fmt::format("{:>{}}", s, w[c]) : fmt::format("{:<{}}", s, w[c]);
  };
  std::string out;
  if (!headers.empty()) {
    out += indent + std::string(lw + (lw ? 1 : 0) + (brackets ? 2 : 0), ' ');
    for (std::size_t c = 0; c < cols; ++c) out += cell(headers[c], c) + (c + 1 < cols ? "  " : "");
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
    if (!brackets) {
      out += indent;
      for (std::size_t c = 0; c < cols; ++c) out += std::string(w[c], '-') + (c + 1 < cols ? "  " : "");
      out += "\n";
    }
  }
  for (std::size_t r = 0; r < cells.size(); ++r) {
    out += indent;
    if (lw) out += fmt::format("{:<{}} ", r < row_labels.size() ? row_labels[r] : "", lw);
    if (brackets) out += "[ ";
    for (std::size_t c = 0; c < cols; ++c)
      out += cell(cells[r][c], c) + (c + 1 < cols ? "  " : "");
    if (brackets) out += " ]";
    while (!out.empty() && out.back() == ' ') out.pop_back();  // left-aligned last columns leave blanks
    out += "\n";
  }
  return out;
}

}  // namespace

std::string text_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
  return aligned(headers, {}, rows, "  ", false);
}

namespace {

// A table cell's text for markdown: a norm ||w|| becomes the double bar
// U+2016 and a lone | the HTML entity; escaped pipes (\|) broke the header
// row in Jupyter's renderer.
std::string md_escape_cell(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '|') {
      out += s[i];
    } else if (i + 1 < s.size() && s[i + 1] == '|') {
      out += "\u2016";
      ++i;
    } else {
      out += "&#124;";
    }
  }
  return out;
}

// Plain text for a markdown paragraph: a '*' between words (N*H*W) would
// start emphasis, so it is escaped.
std::string md_escape_text(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '*' ? std::string("\\*") : std::string(1, c);
  return out;
}

// A matrix's name inside $$...$$: a name with words ("grad E_in (formula)^T")
// is set upright with \text{} (math italic runs the letters together); a
// trailing ^T or ^{...} stays a superscript; a symbol ("A", "W(1)") stays math.
std::string latex_label(const std::string& name) {
  std::string body = name, suffix;
  const auto caret = name.rfind('^');
  if (caret != std::string::npos && name.find(' ', caret) == std::string::npos) {
    body = name.substr(0, caret);
    suffix = name.substr(caret);
  }
  if (body.find(' ') == std::string::npos) return name;
  std::string text;
  for (char c : body) text += c == '_' ? std::string("\\_") : std::string(1, c);
  return "\\text{" + text + "}" + suffix;
}

}  // namespace

std::string Report::to_text() const {
  std::string out = fmt::format("{}\n{}\n", title_, std::string(title_.size(), '='));
  for (const Section& s : sections_) {
    if (!s.heading.empty()) out += fmt::format("\n{}\n{}\n", s.heading, std::string(s.heading.size(), '-'));
    for (const Block& b : s.blocks) {
      switch (b.kind) {
        case BlockKind::paragraph: out += b.text + "\n"; break;
        case BlockKind::equation: out += "    " + b.text + "\n"; break;
        case BlockKind::matrix:
          out += fmt::format("  {} =\n", b.text);
          out += aligned(b.headers, b.row_labels, b.cells, "    ", true);
          break;
        case BlockKind::table: out += aligned(b.headers, {}, b.cells, "  ", false); break;
        case BlockKind::check: out += "  " + check_line(b.check) + "\n"; break;
      }
    }
  }
  int passed = static_cast<int>(std::count_if(checks_.begin(), checks_.end(), [](const Check& c) { return c.ok; }));
  out += fmt::format("\n{} of {} confirmations hold{}\n", passed, checks_.size(), all_ok() ? "." : ": FAILED");
  return out;
}

std::string Report::to_markdown() const {
  std::string out = fmt::format("## {}\n", title_);
  for (const Section& s : sections_) {
    if (!s.heading.empty()) out += fmt::format("\n### {}\n\n", s.heading);
    for (const Block& b : s.blocks) {
      switch (b.kind) {
        case BlockKind::paragraph: out += (b.markdown.empty() ? md_escape_text(b.text) : b.markdown) + "\n\n"; break;
        case BlockKind::equation: out += "$$" + b.markdown + "$$\n\n"; break;
        case BlockKind::matrix: {
          const auto& cells = b.latex_cells.empty() ? b.cells : b.latex_cells;
          out += fmt::format("$${} = \\begin{{bmatrix}}", latex_label(b.text));
          for (std::size_t r = 0; r < cells.size(); ++r) {
            for (std::size_t c = 0; c < cells[r].size(); ++c) out += (c ? " & " : "") + cells[r][c];
            out += r + 1 < cells.size() ? " \\\\ " : "";
          }
          out += "\\end{bmatrix}$$\n\n";
          break;
        }
        case BlockKind::table: {
          out += "|";
          for (const auto& h : b.headers) out += fmt::format(" {} |", md_escape_cell(h));
          out += "\n|";
          for (std::size_t c = 0; c < b.headers.size(); ++c) out += " ---: |";
          out += "\n";
          for (const auto& row : b.cells) {
            out += "|";
            for (const auto& cell : row) out += fmt::format(" {} |", md_escape_cell(cell));
            out += "\n";
          }
          out += "\n";
          break;
        }
        case BlockKind::check: out += "- " + check_line(b.check) + "\n\n"; break;
      }
    }
  }
  return out;
}

nlohmann::json Report::to_json() const {
  nlohmann::json checks = nlohmann::json::array();
  for (const Check& c : checks_)
    checks.push_back({{"name", c.name}, {"ok", c.ok}, {"max_error", c.max_error},
                      {"tolerance", c.tolerance}, {"detail", c.detail}});
  nlohmann::json expected = nlohmann::json::object();
  for (const AnswerItem& item : this->expected) expected[item.key] = item.expected_json();
  return {{"problem", id_}, {"title", title_}, {"ok", all_ok()}, {"checks", checks},
          {"values", values}, {"answers", expected}};
}

}  // namespace gl::ex
