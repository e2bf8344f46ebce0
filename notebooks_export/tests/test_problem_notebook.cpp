// The layout of the problem notebooks and the lab: the checker's JSON in a
// side file (or embedded when no file is given), `import gradlab` and the
// live cells present, the lab's training loop and plots.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/core/error.h"
#include "notebooks_export/problem_notebook.h"

using nlohmann::json;
using namespace gl::notebook;

namespace {

std::vector<std::string> code_sources(const Notebook& nb) {
  std::vector<std::string> out;
  const json j = nb.to_json();  // kept: a range-for over a temporary's member would dangle
  for (const auto& cell : j["cells"]) {
    if (cell["cell_type"] != "code") continue;
    std::string text;
    for (const auto& line : cell["source"]) text += line.get<std::string>();
    out.push_back(text);
  }
  return out;
}

int cells_containing(const std::vector<std::string>& cells, const std::string& what) {
  int n = 0;
  for (const auto& c : cells) n += c.find(what) != std::string::npos ? 1 : 0;
  return n;
}

const json kReport = {{"problem", "ex4"}, {"title", "Problem 4"}, {"ok", true},
                      {"values", {{"eps", 1e-5}}}, {"checks", json::array({{{"name", "shapes"}, {"ok", true}}})}};
const char* kMarkdown = "## Problem 4\n\nintro\n### Derivation\nthe shapes\n### Answer\n[C]\n";

}  // namespace

TEST(ProblemNotebook, CarriesTheCheckerJsonInACollapsedCell) {
  const Notebook nb = make_problem_notebook(kReport, kMarkdown, "ex4 --format json");
  const auto cells = code_sources(nb);
  EXPECT_EQ(cells_containing(cells, "results = json.loads(r'''"), 1);
  EXPECT_EQ(cells_containing(cells, "open("), 0) << "a side file would be needed";
  EXPECT_EQ(cells_containing(cells, "values = results[\"values\"]"), 1);
  int hidden = 0;
  const json doc = nb.to_json();  // kept alive over the loop
  for (const auto& cell : doc["cells"])
    if (cell["metadata"].contains("jupyter") && cell["metadata"]["jupyter"].value("source_hidden", false)) {
      ++hidden;
      std::string source;
      for (const auto& line : cell["source"]) source += line.get<std::string>();
      EXPECT_NE(source.find("json.loads"), std::string::npos);
    }
  EXPECT_EQ(hidden, 1);
}

TEST(ProblemNotebook, ImportsGradlabAndCarriesEveryProblemsLiveCells) {
  const std::vector<std::pair<std::string, std::string>> live = {
      {"ex1", "gradlab.gradcheck"}, {"ex2", "gradlab.to_dot"}, {"ex3", "gradlab.models.StandardBlock"},
      {"ex4", "gradlab.batch_norm"}, {"ex5", "gradlab.conv1d_matrix"}};
  for (const auto& [id, call] : live) {
    json report = kReport;
    report["problem"] = id;
    const auto cells = code_sources(make_problem_notebook(report, kMarkdown, id));
    EXPECT_EQ(cells_containing(cells, "import gradlab\n"), 1) << id;
    EXPECT_GE(cells_containing(cells, call), 1) << id << " lacks its live cell calling " << call;
  }
  EXPECT_THROW(live_steps("ex9"), gl::Error);
}

TEST(LabNotebook, TrainsAResNetFromPythonAndPlotsTheLoss) {
  const auto cells = code_sources(make_lab_notebook());
  EXPECT_EQ(cells_containing(cells, "class ResidualBlock(nn.Module):"), 1);
  EXPECT_EQ(cells_containing(cells, "models.ResNet("), 1);
  EXPECT_EQ(cells_containing(cells, "loss.backward()"), 1);
  EXPECT_GE(cells_containing(cells, "plt.show()"), 2);
  EXPECT_EQ(cells_containing(cells, "assert per_epoch[-1] < per_epoch[0]"), 1);
}
