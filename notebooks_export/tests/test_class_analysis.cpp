// notebooks_export/class_analysis.h: a graded class's item analysis as a
// notebook. Its execution (histogram drawn) is checked by run_notebook_tests.sh.
#include <gtest/gtest.h>

#include "notebooks_export/class_analysis.h"

namespace gl::notebook {
namespace {

std::string all_sources(const nlohmann::json& nb, const std::string& type) {
  std::string out;
  for (const auto& cell : nb["cells"])
    if (cell["cell_type"] == type)
      for (const auto& line : cell["source"]) out += line.get<std::string>();
  return out;
}

TEST(ClassAnalysisNotebook, CarriesTheTotalsAHistogramAndTheAnalysis) {
  ClassTotals totals;
  totals.max_score = 110;
  totals.students = {{"alice", 110}, {"bob", 48.2083}, {"o'brien", 80}};
  const nlohmann::json nb = item_analysis_notebook(totals, "# Item analysis: 3 submissions\n\n| ex2.x1 | ...").to_json();
  EXPECT_EQ(nb["nbformat"], 4);
  const std::string code = all_sources(nb, "code"), text = all_sources(nb, "markdown");
  EXPECT_NE(code.find("ax.hist(totals"), std::string::npos) << code;
  EXPECT_NE(code.find("48.2083"), std::string::npos) << code;
  // The apostrophe travels escaped inside the JSON string (python_embed's rule).
  EXPECT_NE(code.find("o\\u0027brien"), std::string::npos) << code;
  EXPECT_NE(text.find("3 graded submissions, out of 110 points"), std::string::npos) << text;
  EXPECT_NE(text.find("| ex2.x1 |"), std::string::npos) << text;
}

TEST(ClassAnalysisNotebook, AnEmptyClassStillMakesANotebook) {
  const nlohmann::json nb = item_analysis_notebook(ClassTotals{}, "# Item analysis: 0 submissions\n").to_json();
  EXPECT_NE(all_sources(nb, "markdown").find("0 graded submissions"), std::string::npos);
  EXPECT_NE(all_sources(nb, "code").find("max(len(totals), 1)"), std::string::npos);  // no division by zero
}

}  // namespace
}  // namespace gl::notebook
