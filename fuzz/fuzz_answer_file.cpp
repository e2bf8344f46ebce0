// libFuzzer target: the exercises' answer-file reader (exercises/common/answer_file.h) and the grader
// behind it (grade.h). Every input is parsed (never throws: unreadable lines are recorded), every value
// flattened, the text split into [exN] sections (linear: each section's body is parsed and graded too),
// read as a whole-file format (JSON, Python dict, YAML: structured_answers.h; also with a '{' or a YAML
// key put in front, so that those readers see every input), and the file graded against one item of each
// kind, with the diagnoses, follow-through, rounding and B = A^T that touch the student's values, rendered
// in every format.
#include <cstddef>
#include <cstdint>
#include <string>

#include "exercises/common/answer_file.h"
#include "exercises/common/grade.h"
#include "exercises/common/structured_answers.h"

namespace {

std::vector<gl::ex::AnswerItem> items_of_every_kind() {
  using namespace gl::ex;
  std::vector<AnswerItem> items = {
      numeric_item("s1", "a vector", {2}, {0.7, 1.0}, true),
      numeric_item("dW1", "a matrix", {2, 2}, {-0.86, 1.7, -1.71, 3.4}, true),
      conventions_item("standard.params", "a count", {{"weights only", 18432}, {"weights + BN scale/shift", 18560}}),
      symbolic_item("A", "symbols", {2, 2}, {"w11_1", "0", "w12_1", "w21_2"}),
      shape_item("fc.mean_shape", "a shape", {"C"}, {3}, false, {"1", "C"}, {1, 3}),
      shape_item("fc.mean_shape_keepdims", "optional", {"1", "C"}, {1, 3}, true),
      choice_item("b.relation", "a word", {"transpose"}, {"equal"}),
      symbolic_item("B", "the transpose", {2, 2}, {"w11_1", "w12_1", "0", "w21_2"}),
  };
  items.back().transpose_of = "A";
  items[1].mistakes.push_back({"transposed", {-0.86, -1.71, 1.7, 3.4}, {}, {}});
  items[3].mistakes.push_back({"B = A", {}, {"w11_1", "w12_1", "0", "w21_2"}, {2, 2}});
  items[1].follows = "s1";
  items[1].follow_through = [](const gl::ex::StudentValues& v) -> std::optional<std::vector<double>> {
    auto it = v.find("s1");
    if (it == v.end() || it->second.size() != 2) return std::nullopt;
    return std::vector<double>{it->second[0], it->second[1], it->second[0], it->second[1]};
  };
  for (auto& i : items) i.partial_credit = true;
  return items;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<gl::ex::AnswerItem> items = items_of_every_kind();
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const gl::ex::AnswerFile file = gl::ex::parse_answer_text(text, "fuzz.txt");
    for (const auto& [key, value] : file.entries) {
      std::vector<std::int64_t> shape;
      try {
        (void)value.flatten(shape, file.path);
      } catch (const gl::ex::AnswerFileError&) {  // a ragged matrix: the grader reports it per item
      }
    }
    const gl::ex::GradeResult g = gl::ex::grade(items, file, gl::ex::GradeOptions{});
    for (auto reveal : {gl::ex::Reveal::none, gl::ex::Reveal::diagnosis, gl::ex::Reveal::answers}) {
      (void)gl::ex::grade_to_text(g, "ex2", reveal);
      (void)gl::ex::grade_to_gradescope(g, "ex2", reveal).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    (void)g.exit_code();
    for (const auto& [id, body] : gl::ex::split_sections(text))
      (void)gl::ex::grade(items, gl::ex::parse_answer_text(body, id), gl::ex::GradeOptions{});
    for (const std::string& wrapped : {text, "{" + text, "answers = {" + text + "}", "standard:\n  " + text, "- " + text}) {
      if (auto st = gl::ex::convert_structured(wrapped); st && st->problem.empty())
        (void)gl::ex::grade(items, gl::ex::parse_answer_text(st->text, "fuzz.json"), gl::ex::GradeOptions{});
    }
  } catch (const gl::ex::AnswerFileError&) {  // documented for unopenable files only; parse_answer_text does not throw
  }
  return 0;
}
