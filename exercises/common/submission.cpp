// Grading a whole submission (submission.h).
#include "exercises/common/submission.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>
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
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
  return e == ".txt" || e == ".md" || e == ".text" || e == ".json" || e == ".yaml" || e == ".yml" || e == ".py" || e.empty();
}

// `inner` is `root` or below it (both real paths).
bool inside(const fs::path& inner, const fs::path& root) {
  auto r = root.begin(), i = inner.begin();
  for (; r != root.end(); ++r, ++i)
    if (i == inner.end() || *i != *r) return false;
  return true;
}

// The answer files under `dir` (4 levels deep), never through a link that leaves it; what is skipped, and why.
std::vector<fs::path> files_under(const fs::path& dir, std::vector<std::string>& skipped) {
  std::vector<fs::path> out;
  std::error_code ec;
  fs::path root = fs::canonical(dir, ec);
  if (ec) {
    skipped.push_back(fmt::format("{}: cannot be resolved ({})", dir.string(), ec.message()));
    return out;
  }
  auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) skipped.push_back(fmt::format("{}: cannot be listed ({})", dir.string(), ec.message()));
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string(), shown = p.lexically_relative(dir).string();
    if (it.depth() > 3) { it.disable_recursion_pending(); continue; }
    if (name.empty() || name[0] == '.') { it.disable_recursion_pending(); continue; }
    fs::file_status link = it->symlink_status(ec);
    if (ec) { skipped.push_back(fmt::format("{}: skipped: cannot be examined ({})", shown, ec.message())); ec.clear(); continue; }
    if (fs::is_directory(link)) continue;  // a real folder: the iterator goes in (it never follows linked folders)
    if (!answer_like(p)) continue;
    fs::path real = fs::canonical(p, ec);
    if (ec) {
      skipped.push_back(fmt::format("{}: skipped: {} ({})", shown,
                                    fs::is_symlink(link) ? "a symbolic link whose target is missing or loops" : "cannot be resolved",
                                    ec.message()));
      ec.clear();
      continue;
    }
    if (!inside(real, root)) {
      skipped.push_back(fmt::format("{}: skipped: a symbolic link to a file outside the submission folder", shown));
      continue;
    }
    fs::file_status st = fs::status(real, ec);
    if (ec || !fs::is_regular_file(st)) {
      if (!fs::is_directory(st)) skipped.push_back(fmt::format("{}: skipped: not a regular file", shown));
      ec.clear();
      continue;
    }
    out.push_back(p);
  }
  if (ec) skipped.push_back(fmt::format("{}: listing stopped early ({})", dir.string(), ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

// The file's text, or "" with a message in `skipped` (no permission, too large, a short read).
std::optional<std::string> read_or_skip(const fs::path& file, const fs::path& base, std::vector<std::string>& skipped) {
  try {
    return read_text_file(file.string());
  } catch (const AnswerFileError& e) {
    std::string shown = base.empty() ? file.string() : file.lexically_relative(base).string();
    std::string why = e.what();
    if (why.rfind(file.string() + ": ", 0) == 0) why = why.substr(file.string().size() + 2);
    skipped.push_back(fmt::format("{}: skipped: {}", shown.empty() ? file.string() : shown, excerpt(why, 200)));
    return std::nullopt;
  }
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
                                  const GradeOptions& options, bool missing_ok) {
  auto start = std::chrono::steady_clock::now();
  SubmissionResult s;
  s.submission = path;
  // Each problem's text and the file it came from.
  std::vector<std::string> texts(reports.size()), sources(reports.size()), messages(reports.size());
  std::error_code ec;
  fs::path base = fs::is_directory(path, ec) ? fs::path(path) : fs::path();
  auto take_sections = [&](const fs::path& file) {
    auto read = read_or_skip(file, base, s.skipped);
    if (!read) return true;  // reported; not read again as a problem's own file
    auto sections = split_sections(*read);
    for (std::size_t p = 0; p < reports.size(); ++p)
      if (sections.count(reports[p].id()) && sources[p].empty()) {
        texts[p] = sections[reports[p].id()];
        sources[p] = file.string();
      }
    return !sections.empty();
  };
  if (fs::is_directory(path, ec)) {
    auto files = files_under(path, s.skipped);
    for (const auto& f : files) {
      int p = problem_of(f);
      if (p < 1 || p > static_cast<int>(reports.size())) continue;
      if (sources[p - 1].empty()) {
        auto read = read_or_skip(f, base, s.skipped);
        if (!read) continue;
        texts[p - 1] = std::move(*read);
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
        if (auto read = read_or_skip(path, base, s.skipped)) {
          texts[p - 1] = std::move(*read);
          sources[p - 1] = path;
        }
      }
    }
  } else if (fs::exists(fs::symlink_status(path, ec))) {
    s.skipped.push_back(fmt::format("{}: skipped: not a folder or a regular file (a broken or looping link?)", path));
  } else if (missing_ok) {
    s.skipped.push_back(fmt::format("{}: no such folder or file", path));
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
  for (const auto& k : s.skipped) out += "not read: " + k + "\n";
  for (const auto& p : s.problems) {
    out += "\n";
    if (!p.message.empty()) out += p.message + "\n";
    out += grade_to_text(p.result, p.problem, reveal, /*show_status=*/false);  // `exercises grade` exits 0
  }
  out += fmt::format("\nTotal: {} / {} points\n", num(s.score(), 4), num(s.max_score(), 4));
  return out;
}

std::string submission_markdown(const SubmissionResult& s, Reveal reveal) {
  std::string out = fmt::format("# Grading of {}\n\n**Total: {} / {} points**\n\n| problem | points | file |\n| --- | --- | --- |\n",
                                s.submission, num(s.score(), 4), num(s.max_score(), 4));
  for (const auto& k : s.skipped) out = out + "- not read: " + k + "\n";
  if (!s.skipped.empty()) out += "\n";
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
  return {{"submission", s.submission}, {"student", s.student}, {"score", s.score()}, {"max_score", s.max_score()},
          {"seconds", s.seconds}, {"skipped", s.skipped}, {"problems", problems}};
}

nlohmann::json submission_gradescope(const SubmissionResult& s, Reveal reveal) {
  nlohmann::json tests = nlohmann::json::array();
  std::string output = fmt::format("Total: {} / {} points.", num(s.score(), 4), num(s.max_score(), 4));
  for (const auto& k : s.skipped) output += "\nnot read: " + k;
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

nlohmann::json failure_results_json(const std::string& why) {
  std::string message = fmt::format("The autograder could not grade this submission: {}. Your instructor has been told; "
                                    "resubmit, or ask them.", excerpt(why, 500));
  return {{"score", 0.0},
          {"execution_time", 0.0},
          {"output", message},
          {"output_format", "text"},
          {"visibility", "visible"},
          {"stdout_visibility", "hidden"},
          {"tests", nlohmann::json::array({{{"name", "autograder"},
                                            {"number", "0"},
                                            {"score", 0.0},
                                            {"max_score", 0.0},
                                            {"status", "failed"},
                                            {"output", message},
                                            {"output_format", "text"},
                                            {"tags", {"autograder failed"}},
                                            {"visibility", "visible"}}})}};
}

}  // namespace gl::ex
