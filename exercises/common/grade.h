// Grading a student's answer file against a checker's computed answers.
//
// Each problem lists AnswerItems (key, kind, expected value). An item is
//   correct          within tolerance (|d| <= atol + rtol |expected|),
//   correct_rounded  only within the rounding slack (problem 2: students round
//                    intermediate values to two decimals; the feedback says so),
//   incorrect        (feedback gives the expected value and the difference),
//   missing          (key absent, or its value is just '?' as in the templates;
//                    optional items are "skipped" instead).
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exercises/common/answer_file.h"

namespace gl::ex {

enum class ItemKind {
  numeric,   // numbers of a given shape ({} scalar, {n} vector, {r, c} matrix)
  symbolic,  // words of a given shape, e.g. w12_3 / 0 (compared after normalising)
  shape,     // a tensor shape; each entry matches its symbol (C) or its number (32)
  choice,    // one word out of accepted spellings (yes / no)
};

struct Alternative {  // numeric items with several accepted conventions
  std::string label;
  double value;
};

struct AnswerItem {
  std::string key;
  std::string description;
  ItemKind kind = ItemKind::numeric;
  std::vector<std::int64_t> shape;    // expected shape ({} for a single value)
  std::vector<double> numbers;        // numeric: row-major; shape: dim sizes
  std::vector<std::string> symbols;   // symbolic: row-major; shape: dim symbols; choice: accepted
  std::vector<Alternative> alternatives;  // numeric scalars: any of these is correct
  bool allow_rounding = false;  // accept two-decimal rounding of intermediates
  bool optional = false;        // missing is not an error
  // shape items: a second accepted form (the shape with kept dimensions), same layout as symbols/numbers
  std::vector<std::string> alt_symbols;
  std::vector<double> alt_numbers;

  nlohmann::json expected_json() const;
};

// Builders (one per kind), so that call sites name what they set.
AnswerItem numeric_item(std::string key, std::string description, std::vector<std::int64_t> shape,
                        std::vector<double> numbers, bool allow_rounding = false);
AnswerItem conventions_item(std::string key, std::string description, std::vector<Alternative> alternatives);
AnswerItem symbolic_item(std::string key, std::string description, std::vector<std::int64_t> shape,
                         std::vector<std::string> symbols);
AnswerItem shape_item(std::string key, std::string description, std::vector<std::string> symbols,
                      std::vector<double> sizes, bool optional, std::vector<std::string> alt_symbols = {},
                      std::vector<double> alt_sizes = {});
AnswerItem choice_item(std::string key, std::string description, std::vector<std::string> accepted);

struct GradeOptions {
  double atol = 1e-6, rtol = 1e-6;            // "correct"
  double round_abs = 0.01, round_rel = 0.05;  // "correct up to rounding" (allow_rounding items)
};

enum class Verdict { correct, correct_rounded, incorrect, missing, skipped };
const char* verdict_name(Verdict v);

struct ItemResult {
  std::string key;
  Verdict verdict = Verdict::missing;
  std::string feedback;  // expected value, difference, which convention matched
  double max_difference = 0.0;
};

struct GradeResult {
  std::string file;
  std::vector<ItemResult> items;
  std::vector<std::string> warnings;  // unknown keys
  bool all_correct() const;
  int exit_code() const { return all_correct() ? 0 : 1; }
};

GradeResult grade(const std::vector<AnswerItem>& expected, const AnswerFile& answers,
                  const GradeOptions& options);

std::string grade_to_text(const GradeResult& g, const std::string& problem);
nlohmann::json grade_to_json(const GradeResult& g);
// Gradescope's results.json: one test per item (score 1 or 0), total score, feedback.
nlohmann::json grade_to_gradescope(const GradeResult& g, const std::string& problem);

// An answer file for these items: every value filled in (blank = false: the
// key an instructor publishes for a variant) or every value '?' (a template).
std::string answer_file_text(const std::vector<AnswerItem>& items, const std::string& title,
                             const std::string& note, const std::string& program, bool blank);

// Normalises a symbolic token: drops '^', '{', '}', spaces and '*', lower-case.
std::string normalize_symbol(const std::string& s);

}  // namespace gl::ex
