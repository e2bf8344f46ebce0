// Whole-file answer formats students hand in instead of 'key = value' lines: one JSON object,
// a Python dict literal (answers = {'grad_limit': 0, ...}) or YAML in the simple nested form
//
//   standard:
//     params: 18560          (or  standard: {params: 18560})
//   dW1:
//     - [-0.86, 1.70]
//     - [-1.71, 3.40]
//
// Each is rewritten into the answer-file syntax (answer_file.h): nested keys joined by '.'
// (standard.params), lists as [a, b], top-level ex1 .. ex5 keys as [exN] sections. YAML keeps
// the file's line numbers (a parent line becomes blank). A file that looks like one of these
// formats but cannot be read gets a problem that names the format and how to write it.
#pragma once
#include <optional>
#include <string>

namespace gl::ex {

struct StructuredText {
  std::string text;     // answer-file syntax
  std::string note;     // "read as a JSON object", for the feedback
  std::string problem;  // non-empty: the format was recognised but not read (what to do instead)
};

// nullopt: the text is not a whole-file format (plain answer-file lines, read as they are).
std::optional<StructuredText> convert_structured(const std::string& text);

}  // namespace gl::ex
