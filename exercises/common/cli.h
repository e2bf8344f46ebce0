// The command line every checker shares, and the end of every checker's main:
// render the report (text / json / markdown), write the graph, grade an answer.
//
// Exit status: 0 every confirmation holds (and, with --answer, every item is
// correct); 1 a confirmation failed, or an answer item is wrong or missing;
// 2 the answer file cannot be opened, or some of its lines or items cannot be read
// (every other line is still graded, the results are written in every format, and
// every unreadable line is named on stderr); 3 bad options, an engine error, or the
// output cannot be written. The "(exit status N)" a grading prints is this status.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "exercises/common/grade.h"
#include "exercises/common/report.h"

namespace gl::ex {

struct CommonOptions {
  // text | json | markdown | gradescope (with --answer) | answers (a correct
  // answer file for this variant) | template (the same with every value '?')
  std::string format = "text";
  std::string graph;            // --graph FILE: Graphviz DOT of the checker's graph
  std::string answer;           // --answer FILE: grade a student's answer file
  std::string output;           // --output FILE: write there instead of stdout
  double tol = 1e-6;            // exact-match tolerance (absolute and relative)
  double rounding_tol = 0.05;   // 0: no credit for rounded values; any other value: on (the slack is derived, grade.h)
  int rounding_decimals = 2;    // the fewest decimals a rounded value is credited with
  bool show_derivation = false; // with --answer: print the derivation too
  std::string reveal = "diagnosis";  // none | diagnosis | answers (grade.h)
  std::string rubric;           // --rubric FILE: points and policies (rubric.h); default the assignment's
};

void add_common_options(CLI::App& app, CommonOptions& options);

// Parses argv, runs `make_report`, renders, grades; returns the exit status.
int run_checker(int argc, char** argv, CLI::App& app, CommonOptions& options,
                const std::function<Report()>& make_report);

// Writes `text` to options.output (or stdout), flushed and checked; throws naming the file when the write fails.
void emit(const std::string& text, const CommonOptions& options);

// The Markdown/JSON/text of a report, by format name.
// `program` names the checker in answer-file headers.
std::string render(const Report& report, const std::string& format, const std::string& program = "");

}  // namespace gl::ex
