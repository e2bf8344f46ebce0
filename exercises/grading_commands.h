// The instructor's subcommands of `exercises`:
//   exercises grade SUBMISSION [--format text|json|markdown|gradescope] [--reveal ...] [--rubric FILE] [--output FILE]
//   exercises grade-class DIR --csv grades.csv [--analysis items.md] [--previous old.csv] [--regrade diff.md]
//   exercises handout --student ID --out DIR      (that student's problem statements and answer templates)
// With --student ID (or --metadata submission_metadata.json, or --variants for a class) each student's
// problem data are derived from the id (exercises/problems/variants.h), for the handout and the grading alike.
// Exit status: 0 whenever results were written (whatever the student's score; entries not read are named in
// the results and, for a class, in the CSV's flags column); 3 when the grader itself failed (no such
// submission, bad rubric, bad metadata with --variants, an output that cannot be written, two outputs naming
// the same file), with an "error:" line naming the file.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace gl::ex {

struct GradeCommand {
  std::string submission, format = "text", output, reveal = "diagnosis", rubric, student, metadata;
  bool variants = false;  // with --metadata: grade the student's variant
  double tol = 1e-6, rounding_tol = 0.05;
  int rounding_decimals = 2;
};
struct GradeClassCommand {
  std::string dir, csv, analysis, notebook, previous, regrade, rubric;
  bool variants = false;  // each student's own variant (derived from the student id)
  double tol = 1e-6, rounding_tol = 0.05;
  int rounding_decimals = 2;
};

CLI::App* add_grade_command(CLI::App& app, GradeCommand& c);
CLI::App* add_grade_class_command(CLI::App& app, GradeClassCommand& c);
struct HandoutCommand {
  std::string student, out;
};
CLI::App* add_handout_command(CLI::App& app, HandoutCommand& c);
int run_handout_command(const HandoutCommand& c);
int run_grade_command(const GradeCommand& c);
int run_grade_class_command(const GradeClassCommand& c);

}  // namespace gl::ex
