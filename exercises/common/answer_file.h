// The answer-file format a student writes by hand (templates in exercises/answers/):
//
//   # comment (to the end of the line)
//   key = value
//
// key:   letters, digits, '_' and '.', e.g. dW1, standard.params, c.V_12
// value: a number (2, -0.5, 1e-3), a word (w12_3, yes, C), or a bracketed list
//        of values, nested for matrices: [[0.1, 0.2], [0.3, 0.4]]. Commas
//        between items are optional; a list may run over several lines until
//        its brackets close.
//
// Parse errors throw AnswerFileError naming the file, the line and what was expected.
#pragma once
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace gl::ex {

struct AnswerFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One value: a word/number (is_list false) or a list of values.
struct AnswerValue {
  bool is_list = false;
  std::string token;
  std::vector<AnswerValue> items;
  int line = 0;  // where the value starts

  // Flattens a (possibly nested, rectangular) value to row-major tokens and its
  // shape ({} for a single token). Throws AnswerFileError if ragged.
  std::vector<std::string> flatten(std::vector<std::int64_t>& shape,
                                   const std::string& file) const;
};

struct AnswerFile {
  std::string path;
  std::map<std::string, AnswerValue> entries;
  std::map<std::string, int> key_lines;
};

AnswerFile parse_answer_text(const std::string& text, const std::string& path);
AnswerFile read_answer_file(const std::string& path);  // throws AnswerFileError if unreadable

// Parses a token as a number (whole token must be consumed); false if it is a word.
bool parse_number(const std::string& token, double& out);

}  // namespace gl::ex
