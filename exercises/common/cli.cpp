#include "exercises/common/cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "engine/core/error.h"
#include "exercises/common/rubric.h"
#include "exercises/common/submission.h"

namespace gl::ex {

void add_common_options(CLI::App& app, CommonOptions& o) {
  app.add_option("--format", o.format,
                 "output: text, json, markdown; gradescope (with --answer); answers (the answer file of this\n"
                 "variant, for instructors) or template (the same, values '?')")
      ->check(CLI::IsMember({"text", "json", "markdown", "gradescope", "answers", "template"}));
  app.add_option("--graph", o.graph, "write the computation graph the checker built (Graphviz DOT)");
  app.add_option("--answer", o.answer, "grade this answer file (see exercises/answers/template_*.txt)");
  app.add_option("--output", o.output, "write the output to this file instead of stdout");
  app.add_option("--tol", o.tol, "tolerance for an exact match (absolute and relative)")->check(CLI::NonNegativeNumber);
  app.add_option("--rounding-tol", o.rounding_tol,
                 "0 turns off credit for rounded values (problem 2); otherwise the slack is derived from the decimals\n"
                 "written, carried through the recursion")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--rounding-decimals", o.rounding_decimals, "the fewest decimals a rounded value is credited with (default 2)")
      ->check(CLI::Range(0, 12));
  app.add_option("--reveal", o.reveal,
                 "feedback when grading: none (verdicts and points), diagnosis (what is wrong, never the expected\n"
                 "value; default), answers (the expected values too)")
      ->check(CLI::IsMember({"none", "diagnosis", "answers"}));
  app.add_option("--rubric", o.rubric, "rubric file: points per item and grading policies (exercises/README.md)");
  app.add_flag("--show-derivation", o.show_derivation, "with --answer (text format): print the derivation too");
}

void emit(const std::string& text, const CommonOptions& o) {
  if (o.output.empty()) {
    std::cout << text << std::flush;
    GL_CHECK(std::cout.good(), "cannot write the output to stdout (a closed pipe or a full disk)");
    return;
  }
  std::ofstream out(o.output, std::ios::binary);
  GL_CHECK(out.good(), "--output: cannot write '{}' (check the folder exists and is writable)", o.output);
  out << text;
  out.flush();
  GL_CHECK(out.good(), "--output: writing '{}' failed (the disk is full or the file system is read-only)", o.output);
  out.close();
  GL_CHECK(!out.fail(), "--output: closing '{}' failed (the disk is full?)", o.output);
}

std::string render(const Report& report, const std::string& format, const std::string& program) {
  if (format == "json") return report.to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (format == "markdown") return report.to_markdown();
  if (format == "answers" || format == "template")
    return answer_file_text(report.expected, report.title(), report.answer_note, program, format == "template");
  return report.to_text();
}

namespace {

int grade_answer(const Report& report, const CommonOptions& o) {
  GradeOptions g;
  g.atol = g.rtol = o.tol;
  g.rounding = o.rounding_tol > 0;
  g.min_decimals = o.rounding_decimals;
  Reveal reveal = parse_reveal(o.reveal);
  std::vector<AnswerItem> items = report.expected;
  apply_rubric(o.rubric.empty() ? default_rubric() : read_rubric(o.rubric), report.id(), items);
  AnswerFile file;
  try {
    file = read_answer_file(o.answer);
  } catch (const AnswerFileError& e) {
    std::cerr << "error: " << e.what() << "\n";
    if (o.format == "gradescope") {  // the student still sees why they got no score
      emit(failure_results_json(fmt::format("{}: the answer file could not be read: {}", report.id(), e.what()))
               .dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", o);
    }
    return 2;
  }
  GradeResult result = grade(items, file, g);
  if (o.format == "gradescope") {
    emit(grade_to_gradescope(result, report.id(), reveal).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", o);
  } else if (o.format == "json") {
    nlohmann::json j = grade_to_json(result, reveal);
    j["problem"] = report.id();
    j["checks_ok"] = report.all_ok();
    emit(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", o);
  } else {
    std::string text = o.show_derivation ? render(report, o.format) + "\n" : "";
    emit(text + grade_to_text(result, report.id(), reveal), o);
  }
  for (const auto& p : file.problems) std::cerr << "error: " << p.where(file.path) << ": " << excerpt(p.message, 300) << "\n";
  for (const auto& r : result.items)  // items unreadable without a line problem (rows of different lengths)
    if (r.verdict == Verdict::unreadable &&
        std::none_of(file.problems.begin(), file.problems.end(), [&](const LineProblem& p) { return p.line == r.line; }))
      std::cerr << "error: " << file.path << ":" << r.line << ": " << r.key << ": " << excerpt(r.feedback, 300) << "\n";
  return result.exit_code();
}

}  // namespace

int run_checker(int argc, char** argv, CLI::App& app, CommonOptions& o,
                const std::function<Report()>& make_report) {
  add_common_options(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 3;
  }
  try {
    if (o.format == "gradescope" && o.answer.empty()) {
      std::cerr << "error: --format gradescope writes grading results; give --answer FILE too\n";
      return 3;
    }
    Report report = make_report();
    if (!o.graph.empty()) {
      std::ofstream dot(o.graph);
      GL_CHECK(dot.good(), "--graph: cannot write '{}'", o.graph);
      GL_CHECK(!report.graph_dot.empty(), "--graph: {} builds no graph", report.id());
      dot << report.graph_dot;
      dot.flush();
      GL_CHECK(dot.good(), "--graph: writing '{}' failed (the disk is full?)", o.graph);
    }
    if (!report.all_ok())
      std::cerr << "error: a confirmation failed: the checker's derivation and the engine disagree\n";
    if (!o.answer.empty()) {
      int rc = grade_answer(report, o);
      return report.all_ok() ? rc : std::max(rc, 1);
    }
    std::string program = argv[0];
    program = program.substr(program.find_last_of('/') + 1);
    emit(render(report, o.format, program), o);
    return report.all_ok() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace gl::ex
