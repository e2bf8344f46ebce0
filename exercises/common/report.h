// Report: one structure per checker run, rendered three ways (terminal text,
// JSON for autograders, Markdown with LaTeX for the notebook export).
//
// A report is a list of sections; a section is a list of blocks (paragraph,
// equation, matrix, table, check). Besides the blocks, `values` holds every
// quantity the checker computed under stable keys (documented in
// exercises/README.md), `checks` every confirmation with its verdict, and
// `expected` the graded answer items (see grade.h).
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exercises/common/grade.h"

namespace gl::ex {

struct Check {
  std::string name;    // "autograd == hand-derived formula"
  bool ok = false;
  double max_error = 0.0;  // largest |difference| seen (0 for exact comparisons)
  double tolerance = 0.0;
  std::string detail;  // what was compared, on which data
};

enum class BlockKind { paragraph, equation, matrix, table, check };

struct Block {
  BlockKind kind = BlockKind::paragraph;
  std::string text;      // paragraph text / equation in plain text / matrix name
  std::string markdown;  // paragraph: Markdown version (empty: same as text); equation: LaTeX
  std::vector<std::string> headers;              // table headers; matrix column labels
  std::vector<std::string> row_labels;           // matrix row labels (optional)
  std::vector<std::vector<std::string>> cells;   // matrix entries / table rows
  std::vector<std::vector<std::string>> latex_cells;  // matrix entries in LaTeX (optional)
  Check check;
};

struct Section {
  std::string heading;
  std::vector<Block> blocks;
};

class Report {
 public:
  Report(std::string id, std::string title) : id_(std::move(id)), title_(std::move(title)) {}

  // ---- building --------------------------------------------------------
  Section& section(std::string heading);  // starts a new section
  void paragraph(std::string text, std::string markdown = {});
  void equation(std::string text, std::string latex);
  // Matrix of preformatted entries; `latex` (same shape) is used in Markdown when given.
  void matrix(std::string name, std::vector<std::vector<std::string>> cells,
              std::vector<std::string> row_labels = {}, std::vector<std::string> col_labels = {},
              std::vector<std::vector<std::string>> latex = {});
  void table(std::vector<std::string> headers, std::vector<std::vector<std::string>> rows);
  // Records a confirmation and shows it in the current section.
  const Check& check(std::string name, bool ok, double max_error, double tolerance,
                     std::string detail);

  nlohmann::json values = nlohmann::json::object();  // every computed quantity
  std::vector<AnswerItem> expected;                   // what --answer grades
  std::string graph_dot;                              // the checker's graph (may be empty)
  std::string answer_note;  // printed at the top of answer files: conventions, what is not graded

  // ---- reading ---------------------------------------------------------
  const std::string& id() const { return id_; }
  const std::string& title() const { return title_; }
  const std::vector<Check>& checks() const { return checks_; }
  const std::vector<Section>& sections() const { return sections_; }
  bool all_ok() const;

  // ---- rendering -------------------------------------------------------
  std::string to_text() const;
  std::string to_markdown() const;
  nlohmann::json to_json() const;  // {problem, title, ok, checks, values, expected_answers}

 private:
  Section& current();
  std::string id_, title_;
  std::vector<Section> sections_;
  std::vector<Check> checks_;
};

// Number formatting shared by all checkers (6 significant digits, no "-0").
std::string num(double x, int significant = 6);
std::vector<std::vector<std::string>> format_matrix(const std::vector<double>& values,
                                                    std::int64_t rows, std::int64_t cols,
                                                    int significant = 6);
// An aligned text table (numbers right-aligned), as reports print them.
std::string text_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);
// Row-major values -> nested JSON array of the given shape (1-D or 2-D).
nlohmann::json json_matrix(const std::vector<double>& values, std::int64_t rows, std::int64_t cols);

}  // namespace gl::ex
