// `exercises grade` and `exercises grade-class` (grading_commands.h).
#include "exercises/grading_commands.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
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

void write_file(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return;
  }
  std::ofstream out(path);
  if (!out) throw AnswerFileError(fmt::format("{}: cannot write (check the folder exists and is writable)", path));
  out << text;
}

GradeOptions grade_options(double tol, double rounding_tol) {
  GradeOptions g;
  g.atol = g.rtol = tol;
  g.round_rel = rounding_tol;
  g.round_abs = rounding_tol > 0 ? 0.01 : 0.0;
  return g;
}

// Gradescope's /autograder/submission_metadata.json: the first user's id (or email).
std::string student_from_metadata(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw AnswerFileError(fmt::format("{}: cannot open the submission metadata", path));
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.contains("users") || !j["users"].is_array() || j["users"].empty())
    throw AnswerFileError(fmt::format("{}: expected a JSON object with users: [{{id, email, name}}]", path));
  const auto& u = j["users"][0];
  if (u.contains("id")) return u["id"].is_string() ? u["id"].get<std::string>() : u["id"].dump();
  return u.value("email", "");
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
  g->add_option("--rounding-tol", c.rounding_tol, "relative slack for two-decimal rounding (problem 2)")
      ->check(CLI::NonNegativeNumber);
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
  g->add_option("--rounding-tol", c.rounding_tol, "relative slack for two-decimal rounding")->check(CLI::NonNegativeNumber);
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
    std::string student = !c.student.empty() ? c.student : !c.metadata.empty() ? student_from_metadata(c.metadata) : "";
    bool variant = !c.student.empty() || (c.variants && !student.empty());
    auto reports = variant ? variant_reports(variant_for(student)) : assignment_reports();
    SubmissionResult s = grade_submission(c.submission, reports, rubric, grade_options(c.tol, c.rounding_tol));
    s.student = student;
    std::string out;
    if (c.format == "gradescope") out = submission_gradescope(s, reveal).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    else if (c.format == "json") out = submission_json(s, reveal).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    else if (c.format == "markdown") out = submission_markdown(s, reveal);
    else out = submission_text(s, reveal);
    write_file(c.output, out);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    if (c.format == "gradescope" && !c.output.empty()) {  // the student still gets a results.json that says why
      try {
        write_file(c.output, nlohmann::json({{"score", 0.0}, {"output", fmt::format("The grader could not run: {}", e.what())},
                                             {"tests", nlohmann::json::array()}}).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
      } catch (const std::exception&) {
      }
    }
    return 3;
  }
}

int run_grade_class_command(const GradeClassCommand& c) {
  try {
    Rubric rubric = c.rubric.empty() ? default_rubric() : read_rubric(c.rubric);
    GradeOptions options = grade_options(c.tol, c.rounding_tol);
    auto start = std::chrono::steady_clock::now();
    auto reports = assignment_reports();  // one answer key for the class
    std::vector<SubmissionResult> results;
    for (const auto& sub : find_class_submissions(c.dir)) {
      SubmissionResult s = grade_submission(sub.path, c.variants ? variant_reports(variant_for(sub.student)) : reports,
                                            rubric, options);
      s.student = sub.student;
      results.push_back(std::move(s));
    }
    std::string csv = class_csv(results);
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
    std::cerr << fmt::format("graded {} submissions in {:.3f} s (answer key included); grades in {}\n", results.size(),
                             seconds, c.csv);
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace gl::ex
