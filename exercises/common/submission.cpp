// Grading a whole submission (submission.h).
#include "exercises/common/submission.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <regex>

#include "exercises/problems/problems.h"

namespace gl::ex {
namespace fs = std::filesystem;
namespace {

const char* kNames = "ex1.txt .. ex5.txt (also answers_exN.txt, template_exN.txt, problemN.txt), or one file with "
                     "[ex1] .. [ex5] sections";

// The problem a file name is for (1..5), or 0: ex2.txt, answers_ex2.txt, Problem_2.txt, p2.md, q2.txt.
int problem_of(const fs::path& p) {
  std::string stem = p.stem().string();
  std::transform(stem.begin(), stem.end(), stem.begin(), [](unsigned char c) { return std::tolower(c); });
  if (stem.size() > 60) return 0;
  static const std::regex name(R"((^|[^a-z0-9])(ex|exercise|problem|prob|p|q|question)[ _-]?0*([1-5])([^0-9]|$))");
  std::smatch m;
  if (!std::regex_search(stem, m, name)) return 0;
  return m[3].str()[0] - '0';
}

bool answer_like(const fs::path& p) {
  std::string e = p.extension().string();
  return e == ".txt" || e == ".md" || e == ".text" || e.empty();
}

std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 3) { it.disable_recursion_pending(); continue; }
    if (it->is_regular_file() && answer_like(it->path()) && it->path().filename().string()[0] != '.') out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

double SubmissionResult::score() const {
  double s = 0;
  for (const auto& p : problems) s += p.result.score();
  return s;
}
double SubmissionResult::max_score() const {
  double s = 0;
  for (const auto& p : problems) s += p.result.max_score();
  return s;
}

std::vector<Report> assignment_reports() {
  return {run_ex1({}), run_ex2({}), run_ex3({}), run_ex4({}), run_ex5({})};
}

SubmissionResult grade_submission(const std::string& path, const std::vector<Report>& reports, const Rubric& rubric,
                                  const GradeOptions& options) {
  auto start = std::chrono::steady_clock::now();
  SubmissionResult s;
  s.submission = path;
  // Each problem's text and the file it came from.
  std::vector<std::string> texts(reports.size()), sources(reports.size()), messages(reports.size());
  auto take_sections = [&](const fs::path& file) {
    std::string text = read_text_file(file.string());
    auto sections = split_sections(text);
    for (std::size_t p = 0; p < reports.size(); ++p)
      if (sections.count(reports[p].id()) && sources[p].empty()) {
        texts[p] = sections[reports[p].id()];
        sources[p] = file.string();
      }
    return !sections.empty();
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    auto files = files_under(path);
    for (const auto& f : files) {
      int p = problem_of(f);
      if (p < 1 || p > static_cast<int>(reports.size())) continue;
      if (sources[p - 1].empty()) {
        texts[p - 1] = read_text_file(f.string());
        sources[p - 1] = f.string();
      } else {
        messages[p - 1] += fmt::format("{}also found {}, not graded (one file per problem). ",
                                       messages[p - 1].empty() ? "" : " ", f.filename().string());
      }
    }
    for (const auto& f : files)
      if (!problem_of(f)) take_sections(f);
  } else if (fs::is_regular_file(path, ec)) {
    if (!take_sections(path)) {
      int p = problem_of(path);  // one problem's file on its own
      if (p >= 1 && p <= static_cast<int>(reports.size())) {
        texts[p - 1] = read_text_file(path);
        sources[p - 1] = path;
      }
    }
  } else {
    throw AnswerFileError(fmt::format("{}: no such folder or file (expected a submission: {})", path, kNames));
  }
  for (std::size_t p = 0; p < reports.size(); ++p) {
    ProblemResult r;
    r.problem = reports[p].id();
    r.title = reports[p].title();
    r.source = sources[p];
    r.message = messages[p];
    std::vector<AnswerItem> items = reports[p].expected;
    apply_rubric(rubric, r.problem, items);
    AnswerFile file;
    file.path = "(no file)";
    if (!sources[p].empty()) {
      file = parse_answer_text(texts[p], sources[p]);
    } else {
      r.message = fmt::format("no answer file for {}: 0 points. Files read: {}", r.problem, kNames);
    }
    r.result = grade(items, file, options);
    if (sources[p].empty())
      for (auto& item : r.result.items)
        if (item.verdict == Verdict::missing) item.feedback = "no answer file for this problem";
    s.problems.push_back(std::move(r));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return s;
}

std::string submission_text(const SubmissionResult& s, Reveal reveal) {
  std::string out = fmt::format("Submission {}{}\n", s.submission, s.student.empty() ? "" : " (student " + s.student + ")");
  for (const auto& p : s.problems) {
    out += "\n";
    if (!p.message.empty()) out += p.message + "\n";
    out += grade_to_text(p.result, p.problem, reveal);
  }
  out += fmt::format("\nTotal: {} / {} points\n", num(s.score(), 4), num(s.max_score(), 4));
  return out;
}

std::string submission_markdown(const SubmissionResult& s, Reveal reveal) {
  std::string out = fmt::format("# Grading of {}\n\n**Total: {} / {} points**\n\n| problem | points | file |\n| --- | --- | --- |\n",
                                s.submission, num(s.score(), 4), num(s.max_score(), 4));
  for (const auto& p : s.problems)
    out += fmt::format("| {} | {} / {} | {} |\n", p.problem, num(p.result.score(), 4), num(p.result.max_score(), 4),
                       p.source.empty() ? "(none)" : p.source);
  auto j = submission_json(s, reveal);
  for (const auto& p : j["problems"]) {
    out += fmt::format("\n## {}\n\n", p["title"].get<std::string>());
    if (!p["message"].get<std::string>().empty()) out += p["message"].get<std::string>() + "\n\n";
    out += "| item | verdict | points | feedback |\n| --- | --- | --- | --- |\n";
    for (const auto& i : p["items"]) {
      std::string fb = i["feedback"];
      std::replace(fb.begin(), fb.end(), '|', '/');
      out += fmt::format("| `{}` | {} | {} / {} | {} |\n", i["key"].get<std::string>(), i["verdict"].get<std::string>(),
                         num(i["score"].get<double>(), 4), num(i["max_score"].get<double>(), 4), fb);
    }
    for (const auto& n : p["notes"]) out += "\n- note: " + n.get<std::string>();
    for (const auto& w : p["warnings"]) out += "\n- warning: " + w.get<std::string>();
    if (!p["notes"].empty() || !p["warnings"].empty()) out += "\n";
  }
  return out;
}

nlohmann::json submission_json(const SubmissionResult& s, Reveal reveal) {
  nlohmann::json problems = nlohmann::json::array();
  for (const auto& p : s.problems) {
    nlohmann::json j = grade_to_json(p.result, reveal);
    j["problem"] = p.problem;
    j["title"] = p.title;
    j["source"] = p.source;
    j["message"] = p.message;
    problems.push_back(j);
  }
  return {{"submission", s.submission}, {"student", s.student}, {"score", s.score()},
          {"max_score", s.max_score()}, {"seconds", s.seconds}, {"problems", problems}};
}

nlohmann::json submission_gradescope(const SubmissionResult& s, Reveal reveal) {
  nlohmann::json tests = nlohmann::json::array();
  std::string output = fmt::format("Total: {} / {} points.", num(s.score(), 4), num(s.max_score(), 4));
  for (const auto& p : s.problems) {
    for (auto& t : gradescope_tests(p.result, p.problem, reveal)) tests.push_back(t);
    output += fmt::format("\n{}: {} / {}", p.problem, num(p.result.score(), 4), num(p.result.max_score(), 4));
    if (!p.message.empty()) output += " (" + p.message + ")";
    for (const auto& n : p.result.notes) output += "\n  note: " + n;
    for (const auto& w : p.result.warnings) output += "\n  " + w;
  }
  return {{"score", s.score()},
          {"execution_time", std::max(0.0, s.seconds)},
          {"output", output},
          {"output_format", "text"},
          {"visibility", "visible"},
          {"stdout_visibility", "hidden"},
          {"tests", tests}};
}

}  // namespace gl::ex
