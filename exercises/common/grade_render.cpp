// Grading results rendered for a terminal, as JSON, and as Gradescope tests;
// answer files and templates for a problem's items.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "exercises/common/grade.h"
#include "exercises/common/report.h"

namespace gl::ex {
namespace {

// The feedback line of one item at a reveal level. Unreadable lines and missing keys are about the student's
// own text, so they are always explained.
std::string item_feedback(const ItemResult& r, Reveal reveal) {
  bool always = r.verdict == Verdict::unreadable || r.verdict == Verdict::missing;
  std::string out = reveal == Reveal::none && !always ? "" : r.feedback;
  if (reveal == Reveal::answers && !is_correct(r.verdict))
    out += (out.empty() ? "" : "; ") + fmt::format("expected {}", r.answer);
  return out;
}


std::string points(double x) { return num(x, 4); }

}  // namespace

std::string answer_file_text(const std::vector<AnswerItem>& items, const std::string& title,
                             const std::string& note, const std::string& program, bool blank) {
  std::string out = fmt::format(
      "# {}\n"
      "# Answer file: one 'key = value' per item; '#' starts a comment. Values: numbers (0.25, -1e-3),\n"
      "# words (w12_3, yes, C), or [lists], nested for matrices ([[a, b], [c, d]]), which may span lines.\n"
      "# '?' marks an item not answered yet. {}\n",
      title, program.rfind("exercises grade", 0) == 0
                 ? fmt::format("Grade with (in the folder holding this file): {}", program)
                 : fmt::format("Grade with: {} --answer this_file.txt", program));
  std::string rest = note;
  while (!rest.empty()) {  // the note, one comment line per line
    auto nl = rest.find('\n');
    out += "# " + rest.substr(0, nl) + "\n";
    rest = nl == std::string::npos ? "" : rest.substr(nl + 1);
  }
  for (const AnswerItem& item : items) {
    out += fmt::format("\n# {}{}\n", item.description, item.optional ? " (optional)" : "");
    auto value = [&](std::size_t i) -> std::string {
      if (blank) return "?";
      if (item.kind == ItemKind::numeric) return num(item.numbers[i], 10);
      return item.symbols[i];
    };
    if (item.kind == ItemKind::choice || !item.alternatives.empty()) {
      out += fmt::format("{} = {}\n", item.key,
                         blank ? "?" : (item.alternatives.empty() ? item.symbols.front() : num(item.alternatives.front().value, 10)));
    } else if (item.kind == ItemKind::shape) {
      std::vector<std::string> dims;
      for (std::size_t i = 0; i < item.symbols.size(); ++i) dims.push_back(blank ? "?" : item.symbols[i]);
      out += fmt::format("{} = [{}]\n", item.key, fmt::join(dims, ", "));
    } else if (item.shape.empty()) {
      out += fmt::format("{} = {}\n", item.key, value(0));
    } else if (item.shape.size() == 1) {
      std::vector<std::string> v;
      for (std::int64_t i = 0; i < item.shape[0]; ++i) v.push_back(value(i));
      out += fmt::format("{} = [{}]\n", item.key, fmt::join(v, ", "));
    } else {  // a matrix: one row per line, columns aligned
      std::size_t width = 1;
      for (std::size_t i = 0; i < static_cast<std::size_t>(item.shape[0] * item.shape[1]); ++i)
        width = std::max(width, value(i).size());
      out += fmt::format("{} = [", item.key);
      std::string pad(item.key.size() + 4, ' ');
      for (std::int64_t r = 0; r < item.shape[0]; ++r) {
        std::vector<std::string> row;
        for (std::int64_t c = 0; c < item.shape[1]; ++c) row.push_back(fmt::format("{:>{}}", value(r * item.shape[1] + c), width));
        out += fmt::format("{}[{}]{}", r ? pad : "", fmt::join(row, ", "), r + 1 < item.shape[0] ? ",\n" : "]\n");
      }
    }
  }
  return out;
}

std::string grade_to_text(const GradeResult& g, const std::string& problem, Reveal reveal, bool show_status) {
  std::string out = fmt::format("Grading {} for {}\n", g.file, problem);
  std::size_t width = 4;
  for (const auto& r : g.items) width = std::max(width, r.key.size());
  int good = 0;
  for (const auto& r : g.items) {
    out += fmt::format("  {:<{}}  {:<18}  {}\n", r.key, width, verdict_name(r.verdict), item_feedback(r, reveal));
    good += is_correct(r.verdict) && r.max_score > 0;
  }
  for (const auto& n : g.notes) out += "  note: " + n + "\n";
  for (const auto& w : g.warnings) out += "  warning: " + w + "\n";
  int required = static_cast<int>(std::count_if(g.items.begin(), g.items.end(), [](const ItemResult& r) { return r.max_score > 0; }));
  out += fmt::format("Score: {} / {} items correct, {} / {} points{}\n", good, required, points(g.score()),
                     points(g.max_score()), show_status && g.exit_code() ? fmt::format(" (exit status {})", g.exit_code()) : "");
  return out;
}

nlohmann::json grade_to_json(const GradeResult& g, Reveal reveal) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : g.items) {
    nlohmann::json j = {{"key", r.key},          {"verdict", verdict_name(r.verdict)},
                        {"feedback", item_feedback(r, reveal)}, {"score", r.score},
                        {"max_score", r.max_score}, {"line", r.line}, {"written", r.written}};
    if (reveal == Reveal::answers) j["expected"] = r.answer;
    items.push_back(j);
  }
  return {{"file", g.file},        {"all_correct", g.all_correct()}, {"score", g.score()},
          {"max_score", g.max_score()}, {"items", items}, {"warnings", g.warnings}, {"notes", g.notes}};
}

nlohmann::json gradescope_tests(const GradeResult& g, const std::string& problem, Reveal reveal) {
  nlohmann::json tests = nlohmann::json::array();
  std::string number = problem.substr(problem.find_first_of("0123456789"));
  for (const auto& r : g.items) {
    if (r.verdict == Verdict::skipped && r.max_score == 0) continue;
    std::string fb = item_feedback(r, reveal);
    tests.push_back({{"name", fmt::format("{} {}", problem, r.key)},
                     {"number", fmt::format("{}.{}", number, r.key)},
                     {"score", r.score},
                     {"max_score", r.max_score},
                     {"status", is_correct(r.verdict) ? "passed" : "failed"},
                     {"output", fmt::format("{}{}{}", verdict_name(r.verdict), fb.empty() ? "" : ": ", fb)},
                     {"output_format", "text"},
                     {"tags", {problem, verdict_name(r.verdict)}},
                     {"visibility", "visible"}});
  }
  if (reveal == Reveal::answers) {  // the key itself, only once the due date has passed
    std::vector<std::string> lines;
    for (const auto& r : g.items) lines.push_back(fmt::format("{} = {}", r.key, r.answer));
    tests.push_back({{"name", fmt::format("{} answer key", problem)},
                     {"number", fmt::format("{}.key", number)},
                     {"score", 0.0},
                     {"max_score", 0.0},
                     {"status", "passed"},
                     {"output", fmt::format("{}", fmt::join(lines, "\n"))},
                     {"output_format", "text"},
                     {"tags", {problem, "answer key"}},
                     {"visibility", "after_due_date"}});
  }
  return tests;
}

nlohmann::json grade_to_gradescope(const GradeResult& g, const std::string& problem, Reveal reveal) {
  std::string output = fmt::format("{}: {} of {} points.", problem, points(g.score()), points(g.max_score()));
  for (const auto& n : g.notes) output += "\nnote: " + n;
  for (const auto& w : g.warnings) output += "\n" + w;
  return {{"score", g.score()},
          {"max_score", g.max_score()},
          {"output", output},
          {"output_format", "text"},
          {"execution_time", 0},
          {"visibility", "visible"},
          {"stdout_visibility", "hidden"},
          {"tests", gradescope_tests(g, problem, reveal)}};
}

}  // namespace gl::ex
