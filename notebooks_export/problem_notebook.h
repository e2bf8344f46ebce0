// One notebook per written problem, built from the checker's own Report.
//
// Layout of every problem notebook:
//   1. the title and how to use the notebook (markdown);
//   2. imports (numpy, matplotlib and `import gradlab`, the engine's Python
//      module), then a collapsed cell that holds the checker's JSON result
//      (values, checks, answers; keys in exercises/README.md), so no wall of
//      numbers opens the notebook and a copy of it alone still runs;
//   3. the checker's sections (problem, derivation in LaTeX, matrices as
//      bmatrix, tables), one markdown cell per section, each followed by the
//      problem's numpy cells for that section (they recompute the result
//      independently and assert it equals gradlab's), then the live cells
//      that reproduce the same numbers with `import gradlab` (live_cells.cpp);
//   4. a "try it" cell where a student changes a number and reruns.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "notebooks_export/notebook.h"

namespace gl::notebook {

// Code that follows a section of the checker's report. The step goes after the
// first section whose heading starts with `after_heading` (or at the end of
// the notebook if no heading matches, so no check is ever dropped).
struct CodeStep {
  std::string after_heading;
  std::string explanation;  // markdown shown above the code
  std::string python;
};

struct ProblemCode {
  std::vector<CodeStep> steps;
  std::string try_it_explanation;  // markdown
  std::string try_it_python;
};

// The numpy cells of each problem (ex1_notebook.cpp ... ex5_notebook.cpp).
ProblemCode ex1_code();
ProblemCode ex2_code();
ProblemCode ex3_code();
ProblemCode ex4_code();
ProblemCode ex5_code();
// The live `import gradlab` cells of each problem (live_cells.cpp).
std::vector<CodeStep> live_steps(const std::string& problem_id);
// By the report's "problem" id ("ex1" ... "ex5"); throws gl::Error otherwise.
ProblemCode problem_code(const std::string& problem_id);

// report_json: Report::to_json(); report_markdown: Report::to_markdown()
// ("## title" then "### section" blocks). export_command: the command that
// produced the notebook, shown so an instructor can regenerate a variant.
// report_json travels inside the notebook, in a collapsed cell.
Notebook make_problem_notebook(const nlohmann::json& report_json, const std::string& report_markdown,
                               const std::string& export_command);

// The lab notebook (lab_notebook.cpp): a residual block written in Python with
// gradlab.nn, its parameter count, and a small ResNet trained on generated
// images for a few epochs with a progress display and a loss plot.
Notebook make_lab_notebook();

// "## t\n\nintro\n### A\n...\n### B\n..." -> {"## t\n\nintro", "### A\n...", "### B\n..."}.
std::vector<std::string> split_markdown_sections(const std::string& markdown);

}  // namespace gl::notebook
