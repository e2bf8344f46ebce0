// Per-student variants of the assignment: each problem's data derived
// deterministically from the student's id (FNV-1a hash -> SplitMix64 stream),
// so that a handout and the grading of that student's submission use the same
// numbers. The empty id is the assignment's own data (the book's network, the
// stated sizes). The checkers derive every answer, so every variant is graded
// with the same confidence as the default.
#pragma once
#include <string>
#include <vector>

#include "exercises/problems/problems.h"

namespace gl::ex {

struct AssignmentVariant {
  std::string student;  // "" = the assignment's data
  Ex1Options ex1;
  Ex2Options ex2;
  Ex3Options ex3;
  Ex4Options ex4;
  Ex5Options ex5;
};

AssignmentVariant variant_for(const std::string& student);
std::vector<Report> variant_reports(const AssignmentVariant& v);  // run_ex1 .. run_ex5 on the variant

// The student's handout: the five problem statements (Markdown) and one answer template per problem.
struct Handout {
  std::string problems_markdown;
  std::vector<std::pair<std::string, std::string>> templates;  // file name (ex1.txt ..) -> text
};
Handout make_handout(const AssignmentVariant& v, const std::vector<Report>& reports);

}  // namespace gl::ex
