// Grading a student's answer file against a checker's computed answers.
//
// Each problem lists AnswerItems (key, kind, expected value, points). An item is
//   correct          within tolerance (|d| <= atol + rtol |expected|),
//   correct_rounded  only within the rounding slack (problem 2: students round
//                    intermediate values to two decimals; the feedback says so),
//   partial          some entries of a matrix right, where the rubric gives
//                    credit per entry (problem 5's A and B),
//   incorrect        (the feedback says what is wrong: shape, entries, transposed,
//                    sign, a known mistake; never the value unless revealed),
//   missing          (key absent, or '?' as in the templates; optional items
//                    are "skipped" and never count),
//   unreadable       (its line could not be read: the line and what is accepted).
// nan and inf are never correct.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "exercises/common/answer_file.h"

namespace gl::ex {

enum class ItemKind {
  numeric,   // numbers of a given shape ({} scalar, {n} vector, {r, c} matrix)
  symbolic,  // words of a given shape, e.g. w12_3 / 0 (compared after normalising)
  shape,     // a tensor shape; each entry matches its symbol (C) or its number (32)
  choice,    // one word out of accepted spellings (yes / no), possibly inside a sentence
};

struct Alternative {  // numeric items with several accepted conventions
  std::string label;
  double value;
  bool accepted = true;  // the rubric may refuse a convention (problem 3)
};

// A wrong answer the checker can name: the value a typical mistake gives, and what to tell the student.
struct Mistake {
  std::string diagnosis;
  std::vector<double> numbers;       // numeric items
  std::vector<std::string> symbols;  // symbolic / shape / choice items
  std::vector<std::int64_t> shape;   // symbolic: the mistaken value's shape (empty: the item's)
};

// The student's own numbers by item key, for follow-through grading.
using StudentValues = std::map<std::string, std::vector<double>>;

struct AnswerItem {
  std::string key;
  std::string description;
  ItemKind kind = ItemKind::numeric;
  std::vector<std::int64_t> shape;    // expected shape ({} for a single value)
  std::vector<double> numbers;        // numeric: row-major; shape: dim sizes
  std::vector<std::string> symbols;   // symbolic: row-major; shape: dim symbols; choice: accepted
  std::vector<Alternative> alternatives;  // numeric scalars: any accepted one is correct
  bool allow_rounding = false;  // accept two-decimal rounding of intermediates
  bool optional = false;        // missing is not an error, and it earns no points
  // shape items: a second accepted form (the shape with kept dimensions), same layout as symbols/numbers
  std::vector<std::string> alt_symbols;
  std::vector<double> alt_numbers;
  std::vector<std::string> averaged_axes;  // shape items: axes the statistics average over (N, H, W)
  std::vector<std::string> rejected;       // choice items: words that answer wrongly (no, equal)
  std::vector<Mistake> mistakes;

  // Scoring (set by the rubric, rubric.h)
  double points = 1.0;
  bool partial_credit = false;  // matrices: points in proportion to the entries right
  // Follow-through (problem 2): the value this item would have if the student's earlier values were right;
  // nullopt when those values are missing. `follows` names them for the feedback.
  std::function<std::optional<std::vector<double>>(const StudentValues&)> follow_through;
  std::string follows;
  bool follow_through_credit = true;
  // symbolic items (problem 5's B): the item whose transpose this is ("A"); B = A^T is graded by the student's A.
  std::string transpose_of;
  bool transpose_credit = true;  // the rubric's transpose_of_a

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
AnswerItem choice_item(std::string key, std::string description, std::vector<std::string> accepted,
                       std::vector<std::string> rejected = {});

// "Correct up to rounding" (allow_rounding items) is derived from the rounding itself: an entry written
// with d decimals may differ by half a unit in its last place (0.5 * 10^-d) from the interval between the
// exact value and the value the recursion gives from the student's own earlier, accepted, rounded values.
// Fewer than `min_decimals` decimals count as `min_decimals`.
struct GradeOptions {
  double atol = 1e-6, rtol = 1e-6;  // "correct"
  bool rounding = true;             // false: no credit for rounded values
  int min_decimals = 2;
};

// How much feedback a student sees: none (verdicts and points), diagnosis (what is wrong, never a value of
// the key; the default), answers (the expected values too: Gradescope shows them after the due date).
enum class Reveal { none, diagnosis, answers };
Reveal parse_reveal(const std::string& name);  // throws std::invalid_argument naming the accepted values

enum class Verdict { correct, correct_rounded, partial, incorrect, missing, unreadable, skipped };
const char* verdict_name(Verdict v);
bool is_correct(Verdict v);  // correct or correct_rounded

struct ItemResult {
  std::string key;
  Verdict verdict = Verdict::missing;
  std::string feedback;  // the diagnosis: what is right or wrong, without the key's values
  std::string answer;    // the expected value, shown only with Reveal::answers
  std::string written;   // what the student wrote (compact), for item analysis
  double max_difference = 0.0;
  double score = 0.0, max_score = 0.0;
  int line = 0;  // where the student's answer is (0: none)
  bool follow_through = false;  // credited as consistent with the student's own wrong values
};

struct GradeResult {
  std::string file;
  std::vector<ItemResult> items;
  std::vector<std::string> warnings;  // unknown keys (with did-you-mean), unreadable lines not tied to an item
  std::vector<std::string> notes;     // what was read leniently
  bool lines_unreadable = false;      // some line of the file could not be read
  bool all_correct() const;
  double score() const;
  double max_score() const;
  // The one exit-status rule: 2 when some line or item could not be read, else 1 when some item is not
  // correct, else 0. The printed "(exit status N)" is this value.
  int exit_code() const;
};

GradeResult grade(const std::vector<AnswerItem>& expected, const AnswerFile& answers, const GradeOptions& options);

// show_status: end the Score line with the exit status (the per-problem programs; `exercises grade` exits 0).
std::string grade_to_text(const GradeResult& g, const std::string& problem, Reveal reveal = Reveal::diagnosis,
                          bool show_status = true);
nlohmann::json grade_to_json(const GradeResult& g, Reveal reveal = Reveal::diagnosis);
// Gradescope's results.json tests: one per item, numbered like "2.dW1".
nlohmann::json gradescope_tests(const GradeResult& g, const std::string& problem, Reveal reveal);
// A whole results.json for one problem.
nlohmann::json grade_to_gradescope(const GradeResult& g, const std::string& problem, Reveal reveal = Reveal::diagnosis);

// An answer file for these items: every value filled in (blank = false: the
// key an instructor publishes for a variant) or every value '?' (a template).
std::string answer_file_text(const std::vector<AnswerItem>& items, const std::string& title,
                             const std::string& note, const std::string& program, bool blank);

// Normalises a symbolic token: lower case; the weight spellings w12_3, w^{12}_3, w_{12,3}, w^{(12)}_3 and
// w_3^{12} all become w12_3; 0, 0.0 and -0 the same zero; trailing punctuation dropped ("Yes." -> yes).
std::string normalize_symbol(const std::string& s);
// Normalises a key for matching: lower case, letters and digits only (Delta3, delta_3, delta.3 -> delta3).
std::string normalize_key(const std::string& s);

}  // namespace gl::ex
