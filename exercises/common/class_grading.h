// A whole class: every submission in a folder, graded against one answer key.
//
// Layouts read: Gradescope's "export submissions" folder (submission_metadata.yml
// beside submission_<id>/ folders; the student is the submitter's sid or email),
// or one folder (or one sectioned file) per student, named by the student.
// Output: a CSV with one row per student and a column per item; an item
// analysis (percent correct per item, the most common wrong answers with their
// diagnoses, a histogram of totals) in Markdown; a regrade report against an
// earlier CSV (every student whose total or any item changed).
#pragma once
#include <string>
#include <vector>

#include "exercises/common/submission.h"

namespace gl::ex {

struct ClassSubmission {
  std::string student;
  std::string path;
  std::string note;  // what was odd about the entry or its metadata (goes to the CSV's flags column)
};

// The submissions in `dir`, in a stable order: one per submitter (a group submission gives every member a row).
// Entries that cannot be examined (broken or looping links) are still listed, so that their row says why;
// metadata that cannot be read names its submissions by their folders, with a note. Never throws for an entry.
std::vector<ClassSubmission> find_class_submissions(const std::string& dir);

// RFC 4180: one row per student, a column per problem and item, and a last column "flags" naming what was not
// read; fields with a comma, quote, CR or LF are quoted (quotes doubled), so every name round-trips.
std::string class_csv(const std::vector<SubmissionResult>& results, const std::vector<std::string>& flags = {});
std::string item_analysis_markdown(const std::vector<SubmissionResult>& results);
// Differences between an earlier CSV (same layout) and this one, as Markdown; throws AnswerFileError if unreadable.
std::string regrade_report(const std::string& previous_csv_path, const std::string& current_csv);

}  // namespace gl::ex
