// exercises: runs the five checkers with their default data and prints a summary
// table (problem, confirmation, verdict). --full prints every derivation too.
// Subcommands for instructors: `grade SUBMISSION` (one student's five problems)
// and `grade-class DIR --csv grades.csv` (a whole class), in grading_commands.cpp.
#include <fmt/format.h>

#include <iostream>

#include "exercises/common/cli.h"
#include "exercises/grading_commands.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Run the five written-problem checkers and summarise every confirmation"};
  std::string format = "text", output;
  bool full = false;
  app.add_option("--format", format, "text, json (every report) or markdown (every derivation)")
      ->check(CLI::IsMember({"text", "json", "markdown"}));
  app.add_option("--output", output, "write to this file instead of stdout");
  app.add_flag("--full", full, "text: print each problem's derivation before the summary");
  gl::ex::GradeCommand grade_cmd;
  gl::ex::GradeClassCommand class_cmd;
  CLI::App* grade_app = gl::ex::add_grade_command(app, grade_cmd);
  CLI::App* class_app = gl::ex::add_grade_class_command(app, class_cmd);
  gl::ex::HandoutCommand handout_cmd;
  CLI::App* handout_app = gl::ex::add_handout_command(app, handout_cmd);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 3;
  }
  if (grade_app->parsed()) return gl::ex::run_grade_command(grade_cmd);
  if (class_app->parsed()) return gl::ex::run_grade_class_command(class_cmd);
  if (handout_app->parsed()) return gl::ex::run_handout_command(handout_cmd);

  std::vector<gl::ex::Report> reports;
  try {
    reports.push_back(gl::ex::run_ex1({}));
    reports.push_back(gl::ex::run_ex2({}));
    reports.push_back(gl::ex::run_ex3({}));
    reports.push_back(gl::ex::run_ex4({}));
    reports.push_back(gl::ex::run_ex5({}));
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
  bool all_ok = true;
  for (const auto& r : reports) all_ok = all_ok && r.all_ok();

  std::string out;
  if (format == "json") {
    nlohmann::json j = {{"ok", all_ok}, {"problems", nlohmann::json::array()}};
    for (const auto& r : reports) j["problems"].push_back(r.to_json());
    out = j.dump(2) + "\n";
  } else if (format == "markdown") {
    for (const auto& r : reports) out += r.to_markdown() + "\n";
  } else {
    if (full)
      for (const auto& r : reports) out += r.to_text() + "\n";
    std::vector<std::vector<std::string>> rows;
    int total = 0, passed = 0;
    for (const auto& r : reports)
      for (const auto& c : r.checks()) {
        rows.push_back({r.id(), c.name, c.ok ? "ok" : "FAIL"});
        ++total;
        passed += c.ok;
      }
    out += "Exercise checkers: summary\n";
    out += gl::ex::text_table({"problem", "confirmation", "verdict"}, rows);
    out += fmt::format("{} of {} confirmations hold across {} problems: {}\n", passed, total, reports.size(),
                       all_ok ? "all checks pass" : "FAILED");
  }
  gl::ex::CommonOptions o;
  o.output = output;
  gl::ex::emit(out, o);
  return all_ok ? 0 : 1;
}
