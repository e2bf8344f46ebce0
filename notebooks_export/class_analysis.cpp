#include "notebooks_export/class_analysis.h"

#include <fmt/format.h>

#include "notebooks_export/python_embed.h"

namespace gl::notebook {

Notebook item_analysis_notebook(const ClassTotals& totals, const std::string& analysis_markdown) {
  nlohmann::json data = {{"max_score", totals.max_score}, {"students", nlohmann::json::array()}};
  for (const auto& [student, total] : totals.students) data["students"].push_back({student, total});
  Notebook nb("Item analysis");
  nb.markdown(fmt::format("# Item analysis\n\n{} graded submissions, out of {} points each. The totals below come "
                          "from the grader (`exercises grade-class`); the histogram is drawn from them.",
                          totals.students.size(), totals.max_score));
  nb.code("import json\n"
          "import matplotlib.pyplot as plt\n"
          "%matplotlib inline\n" +
          python_json_assignment("grades", data) +
          "totals = [t for _, t in grades['students']]\n"
          "print(f\"{len(totals)} submissions; mean {sum(totals) / max(len(totals), 1):.2f} of {grades['max_score']:g}\")");
  nb.code("fig, ax = plt.subplots(figsize=(6, 3))\n"
          "ax.hist(totals, bins=10, range=(0, grades['max_score'] or 1), edgecolor='black')\n"
          "ax.set_xlabel('total points')\n"
          "ax.set_ylabel('students')\n"
          "ax.set_title('Totals')\n"
          "plt.show()");
  nb.markdown(analysis_markdown);
  return nb;
}

}  // namespace gl::notebook
