// One answer value, read from the text after '=' (possibly several lines): a
// tokenizer (numbers and words, brackets, separators, LaTeX matrix commands) and
// a reader that builds the nested list, in the forms answer_file.h lists.
#pragma once
#include <string>

#include "exercises/common/answer_file.h"

namespace gl::ex {

struct ValueError {
  int line = 0;
  std::string message;  // what was found, and what would have been read
};

// Throws ValueError. `first_line` is the line of the '='.
AnswerValue read_value(const std::string& text, int first_line);

}  // namespace gl::ex
