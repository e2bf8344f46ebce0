// libFuzzer target: the exercises' answer-file parser (exercises/common/answer_file.h),
// written against its public function parse_answer_text; every value is also
// flattened, as the graders do. A parse error (AnswerFileError) is a normal outcome.
#include <cstddef>
#include <cstdint>
#include <string>

#include "exercises/common/answer_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const gl::ex::AnswerFile file = gl::ex::parse_answer_text(text, "fuzz.txt");
    for (const auto& [key, value] : file.entries) {
      std::vector<std::int64_t> shape;
      try {
        (void)value.flatten(shape, file.path);
      } catch (const gl::ex::AnswerFileError&) {
      }
    }
  } catch (const gl::ex::AnswerFileError&) {
  }
  return 0;
}
