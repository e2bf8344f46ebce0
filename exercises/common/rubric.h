// Points and grading policies for the assignment (the instructor's rubric).
//
// The default is the assignment's own: problems 10 / 10 / 20 / 20 / 50, with
// problem 4 split 8 (a) + 12 (b) and problem 5 split 15 (a) + 15 (b) + 20 (c);
// A and B of problem 5 earn credit per matrix entry; problem 2 gives
// follow-through credit (an item right given the student's own earlier values);
// problem 3 accepts every counting convention and says which one matched.
//
// A rubric file uses the answer-file syntax, every line optional:
//   ex2 = 10                          # a problem's total, split evenly over its items without their own points
//   ex5.A = 15                        # one item's points
//   partial = [ex5.A, ex5.B]          # items with credit per matrix entry
//   follow_through = yes              # problem 2 (no: an item must be right on its own)
//   transpose_of_a = yes              # problem 5: B written as A^T, A.T, transpose(A) or A' earns B's credit when A is right
//   ex3.conventions = [with_bn, weights_only, with_bias, with_bias_and_bn]   # the counts that earn credit
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "exercises/common/grade.h"

namespace gl::ex {

struct Rubric {
  std::map<std::string, double> problem_points;  // "ex2" -> 10
  std::map<std::string, double> item_points;     // "ex5.A" -> 15
  std::set<std::string> partial;                 // "ex5.A"
  bool follow_through = true;
  bool transpose_of_a = true;                    // problem 5's B may be written as the transpose of the student's A
  std::set<std::string> conventions;             // problem 3: accepted conventions (names below)
};

Rubric default_rubric();
// Reads a rubric file over the defaults; throws AnswerFileError naming the line of anything it cannot use.
Rubric read_rubric(const std::string& path);
// Problem 3's convention names in a rubric, and the labels the checker gives them.
const std::map<std::string, std::string>& convention_names();

// Sets each item's points, partial credit and policies for `problem` (ex1..ex5).
void apply_rubric(const Rubric& rubric, const std::string& problem, std::vector<AnswerItem>& items);

}  // namespace gl::ex
