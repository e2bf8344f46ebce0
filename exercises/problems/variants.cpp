// Per-student variants (variants.h).
#include "exercises/problems/variants.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace gl::ex {
namespace {

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

struct SplitMix {  // a small, fully specified generator: the same stream on every platform
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  template <class T>
  T pick(std::initializer_list<T> choices) {
    return *(choices.begin() + next() % choices.size());
  }
};

}  // namespace

AssignmentVariant variant_for(const std::string& student) {
  AssignmentVariant v;
  v.student = student;
  if (student.empty()) return v;
  SplitMix r{fnv1a(student)};
  v.ex1.seed = r.next() % 100000;
  // Problem 2: Example 7.1's network with every weight moved by a multiple of 0.1, a new input and target.
  v.ex2.x = {r.pick({1.0, 1.5, 2.0, 2.5, 3.0})};
  v.ex2.y = r.pick({1.0, -1.0});
  for (auto& layer : v.ex2.W)
    for (auto& row : layer)
      for (auto& w : row) w = std::round((w + 0.1 * (static_cast<double>(r.next() % 5) - 2.0)) * 10.0) / 10.0;
  // Problem 3: channel counts and map size.
  v.ex3.standard_channels = r.pick<std::int64_t>({16, 32, 64});
  v.ex3.bottleneck_channels = r.pick<std::int64_t>({64, 128, 256});
  v.ex3.height = v.ex3.width = r.pick<std::int64_t>({8, 16, 32});
  // Problem 4: the shapes.
  v.ex4.N = r.pick<std::int64_t>({4, 6, 8, 10, 16});
  v.ex4.C = r.pick<std::int64_t>({2, 3, 4, 5, 6});
  v.ex4.H = r.pick<std::int64_t>({3, 4, 5, 6});
  v.ex4.W = r.pick<std::int64_t>({3, 4, 5, 6});
  v.ex4.seed = r.next() % 100000;
  // Problem 5: channels, length and kernel size (kernel <= length).
  v.ex5.in_channels = r.pick<std::int64_t>({1, 2, 3});
  v.ex5.out_channels = r.pick<std::int64_t>({1, 2, 3});
  v.ex5.length = r.pick<std::int64_t>({4, 5, 6});
  v.ex5.kernel = r.pick<std::int64_t>({2, 3});
  return v;
}

std::vector<Report> variant_reports(const AssignmentVariant& v) {
  return {run_ex1(v.ex1), run_ex2(v.ex2), run_ex3(v.ex3), run_ex4(v.ex4), run_ex5(v.ex5)};
}

Handout make_handout(const AssignmentVariant& v, const std::vector<Report>& reports) {
  Handout h;
  // The exact command that grades this student's variant, run in the folder holding the answer files.
  std::string id = v.student;
  if (id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@._-+") != std::string::npos) {
    std::string q = "'";
    for (char c : id) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    id = q + "'";
  }
  const std::string grade_command =
      v.student.empty() ? "exercises grade ." : fmt::format("exercises grade --student {} .", id);
  h.problems_markdown = fmt::format("# CSCE 636 Assignment 2, written problems{}\n\n",
                                    v.student.empty() ? "" : " (variant of student " + v.student + ")");
  h.problems_markdown += "Write your answers in the files ex1.txt .. ex5.txt beside this one (one `key = value` per "
                         "item, `?` until answered) and submit them together. To grade them, run `" + grade_command +
                         "` in that folder.\n";
  for (const Report& r : reports) {
    h.problems_markdown += fmt::format("\n## {}\n\n", r.title());
    if (!r.sections().empty())
      for (const Block& b : r.sections().front().blocks) {
        if (b.kind == BlockKind::paragraph) h.problems_markdown += (b.markdown.empty() ? b.text : b.markdown) + "\n\n";
        if (b.kind == BlockKind::equation) h.problems_markdown += "$$" + b.markdown + "$$\n\n";
      }
    if (r.id() == "ex2" && r.values.contains("network")) {  // the statement names the network; the data are here
      const auto& net = r.values["network"];
      h.problems_markdown += fmt::format("Data: x = {}, y = {}; weights in book notation (row 0 = bias weights):\n\n",
                                         net["x"].dump(), net["y"].dump());
      for (std::size_t l = 0; l < net["W"].size(); ++l)
        h.problems_markdown += fmt::format("- W({}) = {}\n", l + 1, net["W"][l].dump());
      h.problems_markdown += "\n";
    }
    h.templates.push_back({r.id() + ".txt", answer_file_text(r.expected, r.title(), r.answer_note, grade_command, true)});
  }
  return h;
}

}  // namespace gl::ex
