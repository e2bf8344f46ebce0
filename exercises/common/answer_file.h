// The answer-file format a student writes by hand (templates in exercises/answers/):
//
//   # comment (to the end of the line; '//' too)
//   key = value
//
// key:   the template's names (dW1, standard.params, c.V_12); the grader matches
//        them ignoring case, '_' and '.' where that is unambiguous.
// value: a number (2, -0.5, 1e-3, 7/10, 18,560), a word (w12_3, w^{12}_3, yes, C),
//        a sentence (B is the transpose of A), or a list: [a, b] or [a b] or
//        (a, b), nested for matrices ([[a, b], [c, d]], np.array([[a, b], [c, d]])),
//        rows by ';' (MATLAB: [a b; c d]) or LaTeX (\begin{bmatrix} a & b \\ c & d
//        \end{bmatrix}), shapes as 1 x C. A list runs over lines until it closes.
//
// Parsing never gives up on the file: every line that cannot be read is listed in
// `problems` (its line, what was found) and the other entries are still read. A
// key given twice keeps the answered one (`key = ?` placeholders are dropped) or
// the later one, with a note. Only a file that cannot be opened throws.
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
  bool bracketed = false;  // lists: written with brackets (false: a bare sentence or "a, b")
  std::string token;
  std::vector<AnswerValue> items;
  int line = 0;  // where the value starts

  // Flattens a (possibly nested, rectangular) value to row-major tokens and its
  // shape ({} for a single token). Throws AnswerFileError if ragged.
  std::vector<std::string> flatten(std::vector<std::int64_t>& shape,
                                   const std::string& file) const;
  bool is_placeholder() const;  // every token is '?'
  std::string text() const;     // as the student wrote it, compactly: [1, 2]
};

struct LineProblem {
  int line = 0;
  std::string key;      // the entry's key when it had one
  std::string message;  // what was found and why it cannot be read
  std::string where(const std::string& path) const;  // "file:line"
};

struct AnswerFile {
  std::string path;
  std::map<std::string, AnswerValue> entries;  // by key as written
  std::map<std::string, int> key_lines;
  std::vector<LineProblem> problems;           // every unreadable line, in file order
  std::vector<std::string> notes;              // what was read leniently (BOM, CRLF, Unicode, duplicates)
};

AnswerFile parse_answer_text(const std::string& text, const std::string& path);
AnswerFile read_answer_file(const std::string& path);  // throws AnswerFileError if it cannot be opened

// The text of a file or of a string, split by "[ex1]" .. "[ex9]" section lines
// (other lines blanked, so line numbers stay the file's; a problem's sections merge).
// Linear in the text. UTF-16/32 is decoded and a JSON/YAML file with ex1 .. ex5 keys
// is split by those keys (structured_answers.h). Empty map: no sections.
std::map<std::string, std::string> split_sections(const std::string& text);

// Answer files larger than this are not read (a whole assignment's answers take a few KB).
inline constexpr std::uintmax_t kMaxAnswerFileBytes = 4u << 20;  // 4 MiB
// The whole file, checked: throws AnswerFileError naming the file when it cannot be opened or read
// (missing, a folder, no permission), is larger than `limit`, or the read comes back short.
std::string read_text_file(const std::string& path, std::uintmax_t limit = kMaxAnswerFileBytes);

// At most `max` characters of what a student wrote, for messages: "abc..." (never a whole line).
std::string excerpt(const std::string& s, std::size_t max = 60);

// Parses a token as a number: decimal or exponent form, or a fraction a/b
// (the whole token must be consumed); false if it is a word. nan and inf parse
// (as non-finite numbers), so that the grader can say what they are.
bool parse_number(const std::string& token, double& out);

}  // namespace gl::ex
