// One student's whole submission, all five problems: found in a folder of answer
// files (ex1.txt .. ex5.txt, or the template names answers_ex2.txt,
// template_ex3.txt, problem4.txt ...) or in one file with [ex1] .. [ex5]
// sections; graded against each problem's report with the rubric's points.
// A problem with no answer scores 0 with a message saying which names are read.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exercises/common/grade.h"
#include "exercises/common/report.h"
#include "exercises/common/rubric.h"

namespace gl::ex {

struct ProblemResult {
  std::string problem;  // ex1 .. ex5
  std::string title;
  std::string source;   // the file graded ("" when none was found)
  std::string message;  // why nothing was graded, or which other files were ignored
  GradeResult result;
};

struct SubmissionResult {
  std::string submission;  // the folder or file
  std::string student;     // id, when known
  std::vector<ProblemResult> problems;
  // Entries not read, each with why (a link out of the folder, a broken or looping link, no permission, too large,
  // not a file); the rest is graded. grade-class marks the student's row.
  std::vector<std::string> skipped;
  double seconds = 0;      // grading time
  double score() const;
  double max_score() const;
};

// The five default reports (run_exN with default data): the answer key of the assignment.
std::vector<Report> assignment_reports();

// Reads a submission safely: a symbolic link is followed only when its real path stays inside the submission
// folder; an entry that cannot be read is skipped with a message naming it; files over kMaxAnswerFileBytes are
// not read. Throws AnswerFileError only when `path` itself does not exist (missing_ok: graded as empty, with a message).
SubmissionResult grade_submission(const std::string& path, const std::vector<Report>& reports, const Rubric& rubric,
                                  const GradeOptions& options, bool missing_ok = false);

std::string submission_text(const SubmissionResult& s, Reveal reveal);
std::string submission_markdown(const SubmissionResult& s, Reveal reveal);
nlohmann::json submission_json(const SubmissionResult& s, Reveal reveal);
// Gradescope's results.json (gradescope-autograders.readthedocs.io/en/latest/specs/): score, execution_time,
// output, visibility, stdout_visibility and tests[] (one per item: name, number, score, max_score, status, output,
// output_format, tags, visibility).
nlohmann::json submission_gradescope(const SubmissionResult& s, Reveal reveal);
// A minimal valid results.json (it passes exercises/tests/validate_results.py) saying the autograder failed and why.
nlohmann::json failure_results_json(const std::string& why);

}  // namespace gl::ex
