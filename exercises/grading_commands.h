// The instructor's subcommands of `exercises`:
//   exercises grade SUBMISSION [--format text|json|markdown|gradescope] [--reveal ...] [--rubric FILE] [--output FILE]
//   exercises grade-class DIR --csv grades.csv [--analysis items.md] [--previous old.csv] [--regrade diff.md]
// Exit status: 0 whenever results were written (whatever the student's score);
// 3 when the grader itself failed (no such submission, bad rubric, unwritable output).
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace gl::ex {

struct GradeCommand {
  std::string submission, format = "text", output, reveal = "diagnosis", rubric, student, metadata;
  double tol = 1e-6, rounding_tol = 0.05;
};
struct GradeClassCommand {
  std::string dir, csv, analysis, previous, regrade, rubric;
  double tol = 1e-6, rounding_tol = 0.05;
};

CLI::App* add_grade_command(CLI::App& app, GradeCommand& c);
CLI::App* add_grade_class_command(CLI::App& app, GradeClassCommand& c);
int run_grade_command(const GradeCommand& c);
int run_grade_class_command(const GradeClassCommand& c);

}  // namespace gl::ex
