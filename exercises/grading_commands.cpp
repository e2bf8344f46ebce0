// `exercises grade` and `exercises grade-class` (grading_commands.h).
#include "exercises/grading_commands.h"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <iostream>
#include <nlohmann/json.hpp>

#include "exercises/common/class_grading.h"
#include "exercises/common/submission.h"
#include "exercises/problems/variants.h"
#ifdef GRADLAB_WITH_NOTEBOOKS
#include "notebooks_export/class_analysis.h"
#endif

#include <filesystem>

namespace gl::ex {
namespace {

// Writes `text` to `path` (stdout for "" or "-"), flushed and closed, every step checked: a full disk, a
// read-only folder or /dev/full is an error naming the file (exit status 3), never a silent success.
void write_file(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    if (!std::cout) throw AnswerFileError("cannot write to stdout (a closed pipe or a full disk)");
    return;
  }
  std::ofstream out(path, std::ios::binary);
  if (!out) throw AnswerFileError(fmt::format("{}: cannot write ({}; check the folder exists and is writable)", path,
                                              std::strerror(errno)));
  out << text;
  out.flush();
  if (!out) throw AnswerFileError(fmt::format("{}: writing failed ({}: the disk is full or read-only?)", path, std::strerror(errno)));
  out.close();
  if (out.fail()) throw AnswerFileError(fmt::format("{}: closing failed ({})", path, std::strerror(errno)));
}

// Two outputs that name the same file would overwrite each other: refused before anything is graded.
void refuse_same_outputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
  namespace fs = std::filesystem;
  for (std::size_t a = 0; a < outputs.size(); ++a)
    for (std::size_t b = a + 1; b < outputs.size(); ++b) {
      const auto& [na, pa] = outputs[a];
      const auto& [nb, pb] = outputs[b];
      if (pa.empty() || pb.empty() || pa == "-" || pb == "-") continue;
      std::error_code ea, eb;
      if (fs::weakly_canonical(pa, ea) == fs::weakly_canonical(pb, eb) || pa == pb)
        throw AnswerFileError(fmt::format("{} and {} name the same file '{}': one would overwrite the other; give two "
                                          "different files", na, nb, pa));
    }
}

GradeOptions grade_options(double tol, double rounding_tol, int rounding_decimals) {
  GradeOptions g;
  g.atol = g.rtol = tol;
  g.rounding = rounding_tol > 0;
  g.min_decimals = rounding_decimals;
  return g;
}

// Gradescope's /autograder/submission_metadata.json: the first user's id (or email). Throws naming the field.
std::string student_from_metadata(const std::string& path) {
  auto j = nlohmann::json::parse(read_text_file(path, 16u << 20), nullptr, false);
  if (j.is_discarded()) throw AnswerFileError(fmt::format("{}: not valid JSON", path));
  if (!j.is_object()) throw AnswerFileError(fmt::format("{}: expected a JSON object with users: [{{id, email, name}}]", path));
  if (!j.contains("users") || !j["users"].is_array())
    throw AnswerFileError(fmt::format("{}: the field 'users' is missing or not a list", path));
  if (j["users"].empty()) throw AnswerFileError(fmt::format("{}: the field 'users' is an empty list", path));
  const auto& u = j["users"][0];
  if (!u.is_object()) throw AnswerFileError(fmt::format("{}: users[0] is not an object", path));
  if (u.contains("id") && (u["id"].is_string() || u["id"].is_number_integer()) && !u["id"].dump().empty())
    return u["id"].is_string() ? u["id"].get<std::string>() : u["id"].dump();
  if (u.contains("email") && u["email"].is_string() && !u["email"].get<std::string>().empty()) return u["email"].get<std::string>();
  throw AnswerFileError(fmt::format("{}: users[0] has no usable 'id' (a number or a string) and no 'email'", path));
}

}  // namespace

CLI::App* add_grade_command(CLI::App& app, GradeCommand& c) {
  CLI::App* g = app.add_subcommand("grade", "grade one submission: a folder of ex1.txt .. ex5.txt or one file with "
                                            "[ex1] .. [ex5] sections");
  g->add_option("submission", c.submission, "the submission folder or file")->required();
  g->add_option("--format", c.format, "text, json, markdown, or gradescope (results.json)")
      ->check(CLI::IsMember({"text", "json", "markdown", "gradescope"}));
  g->add_option("--output", c.output, "write there instead of stdout");
  g->add_option("--reveal", c.reveal, "none, diagnosis (default: what is wrong, never the value), answers")
      ->check(CLI::IsMember({"none", "diagnosis", "answers"}));
  g->add_option("--rubric", c.rubric, "rubric file (points and policies; default the assignment's 10/10/20/20/50)");
  g->add_option("--student", c.student, "the student's id: grade that student's variant (see handout)");
  g->add_option("--metadata", c.metadata, "Gradescope's submission_metadata.json (the student's id)");
  g->add_flag("--variants", c.variants, "with --metadata: grade the variant of the student it names");
  g->add_option("--tol", c.tol, "tolerance of an exact match")->check(CLI::NonNegativeNumber);
  g->add_option("--rounding-tol", c.rounding_tol, "0: no credit for rounded values (problem 2); otherwise on, the slack "
                                                  "derived from the decimals written")
      ->check(CLI::NonNegativeNumber);
  g->add_option("--rounding-decimals", c.rounding_decimals, "the fewest decimals a rounded value is credited with")
      ->check(CLI::Range(0, 12));
  return g;
}

CLI::App* add_grade_class_command(CLI::App& app, GradeClassCommand& c) {
  CLI::App* g = app.add_subcommand("grade-class", "grade every submission in a folder (Gradescope's export, or one "
                                                  "folder or sectioned file per student)");
  g->add_option("dir", c.dir, "the folder of submissions")->required();
  g->add_option("--csv", c.csv, "write the grades here: one row per student, a column per item")->required();
  g->add_option("--analysis", c.analysis, "write the item analysis (Markdown) here");
#ifdef GRADLAB_WITH_NOTEBOOKS
  g->add_option("--notebook", c.notebook, "write the item analysis as a Jupyter notebook with a histogram here");
#endif
  g->add_option("--previous", c.previous, "an earlier grades CSV: report what changed");
  g->add_option("--regrade", c.regrade, "with --previous: write the regrade report here (default stdout)");
  g->add_option("--rubric", c.rubric, "rubric file");
  g->add_flag("--variants", c.variants, "grade each student's own variant (problem data derived from the id)");
  g->add_option("--tol", c.tol, "tolerance of an exact match")->check(CLI::NonNegativeNumber);
  g->add_option("--rounding-tol", c.rounding_tol, "0: no credit for rounded values; otherwise on (derived slack)")
      ->check(CLI::NonNegativeNumber);
  g->add_option("--rounding-decimals", c.rounding_decimals, "the fewest decimals a rounded value is credited with")
      ->check(CLI::Range(0, 12));
  return g;
}

CLI::App* add_handout_command(CLI::App& app, HandoutCommand& c) {
  CLI::App* g = app.add_subcommand("handout", "write a student's problem statements (problems.md) and answer templates");
  g->add_option("--student", c.student, "the student's id (empty: the assignment's own data)");
  g->add_option("--out", c.out, "the folder to write")->required();
  return g;
}

int run_handout_command(const HandoutCommand& c) {
  try {
    AssignmentVariant v = variant_for(c.student);
    Handout h = make_handout(v, variant_reports(v));
    std::filesystem::create_directories(c.out);
    write_file(c.out + "/problems.md", h.problems_markdown);
    for (const auto& [name, text] : h.templates) write_file(c.out + "/" + name, text);
    std::cerr << fmt::format("wrote {}/problems.md and {} answer templates{}\n", c.out, h.templates.size(),
                             c.student.empty() ? "" : " for student " + c.student);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
}

int run_grade_command(const GradeCommand& c) {
  try {
    Rubric rubric = c.rubric.empty() ? default_rubric() : read_rubric(c.rubric);
    Reveal reveal = parse_reveal(c.reveal);
    std::string student = c.student, metadata_note;
    if (student.empty() && !c.metadata.empty()) {
      try {
        student = student_from_metadata(c.metadata);
      } catch (const AnswerFileError& e) {
        if (c.variants) throw AnswerFileError(fmt::format("the student's variant cannot be chosen: {}", e.what()));
        metadata_note = fmt::format("{}; the metadata is not needed without variants, so the assignment's data were used",
                                    e.what());
      }
    }
    bool variant = !c.student.empty() || (c.variants && !student.empty());
    auto reports = variant ? variant_reports(variant_for(student)) : assignment_reports();
    SubmissionResult s = grade_submission(c.submission, reports, rubric,
                                          grade_options(c.tol, c.rounding_tol, c.rounding_decimals));
    s.student = student;
    if (!metadata_note.empty()) s.skipped.push_back(metadata_note);
    std::string out;
    auto dump = [](const nlohmann::json& j) { return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"; };
    if (c.format == "gradescope") out = dump(submission_gradescope(s, reveal));
    else if (c.format == "json") out = dump(submission_json(s, reveal));
    else if (c.format == "markdown") out = submission_markdown(s, reveal);
    else out = submission_text(s, reveal);
    write_file(c.output, out);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    if (c.format == "gradescope" && !c.output.empty()) {  // the student still gets a results.json that says why
      try {
        write_file(c.output, failure_results_json(e.what()).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
      } catch (const std::exception& w) {
        std::cerr << "error: " << w.what() << "\n";
      }
    }
    return 3;
  }
}

int run_grade_class_command(const GradeClassCommand& c) {
  try {
    refuse_same_outputs({{"--csv", c.csv}, {"--analysis", c.analysis}, {"--notebook", c.notebook},
                         {"--regrade", c.regrade}, {"--previous", c.previous}});
    Rubric rubric = c.rubric.empty() ? default_rubric() : read_rubric(c.rubric);
    GradeOptions options = grade_options(c.tol, c.rounding_tol, c.rounding_decimals);
    auto start = std::chrono::steady_clock::now();
    auto reports = assignment_reports();  // one answer key for the class
    std::vector<SubmissionResult> results;
    std::vector<std::string> flags;
    std::map<std::string, std::size_t> graded;  // path -> its first result (a group's members share it without variants)
    for (const auto& sub : find_class_submissions(c.dir)) {
      SubmissionResult s;
      auto same = graded.find(sub.path);
      if (!c.variants && same != graded.end()) {
        s = results[same->second];
      } else {
        s = grade_submission(sub.path, c.variants ? variant_reports(variant_for(sub.student)) : reports, rubric, options,
                             /*missing_ok=*/true);  // an entry that vanished or cannot be examined: its row says so
        graded.emplace(sub.path, results.size());
      }
      s.student = sub.student;
      results.push_back(std::move(s));
      flags.push_back(sub.note);
    }
    std::string csv = class_csv(results, flags);
    write_file(c.csv, csv);
    if (!c.analysis.empty() || !c.notebook.empty()) {
      const std::string analysis = item_analysis_markdown(results);
      if (!c.analysis.empty()) write_file(c.analysis, analysis);
#ifdef GRADLAB_WITH_NOTEBOOKS
      if (!c.notebook.empty()) {
        notebook::ClassTotals totals;
        totals.max_score = results.empty() ? 0 : results.front().max_score();
        for (const auto& s : results) totals.students.emplace_back(s.student, s.score());
        notebook::item_analysis_notebook(totals, analysis).write(c.notebook);
      }
#endif
    }
    if (!c.previous.empty()) write_file(c.regrade, regrade_report(c.previous, csv));
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::size_t marked = 0;
    for (std::size_t i = 0; i < results.size(); ++i) marked += !results[i].skipped.empty() || !flags[i].empty();
    std::cerr << fmt::format("graded {} submissions in {:.3f} s (answer key included); grades in {}{}\n", results.size(),
                             seconds, c.csv,
                             marked ? fmt::format("; {} rows flagged (see the CSV's flags column)", marked) : "");
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace gl::ex
