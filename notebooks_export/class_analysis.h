// A graded class's item analysis as a notebook (`exercises grade-class
// --notebook FILE`): the histogram of totals drawn with matplotlib from the
// totals themselves, then the analysis (per item: share of full credit, mean
// points, the most common wrong answers with their diagnoses) as Markdown.
// Engine-free: it takes the numbers and the Markdown the grader wrote.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "notebooks_export/notebook.h"

namespace gl::notebook {

struct ClassTotals {
  std::vector<std::pair<std::string, double>> students;  // (student, total), in the CSV's order
  double max_score = 0;
};

Notebook item_analysis_notebook(const ClassTotals& totals, const std::string& analysis_markdown);

}  // namespace gl::notebook
