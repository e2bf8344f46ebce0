#include "notebooks_export/problem_notebook.h"

#include <fmt/format.h>

#include "engine/core/error.h"
#include "notebooks_export/python_embed.h"

namespace gl::notebook {

using nlohmann::json;

namespace {

constexpr const char* kImports = R"py(# numpy recomputes every result independently, matplotlib plots; gradlab is the engine itself
# (its Python module: `pip install .` from a clone of gradlab, see python/README.md), for the live cells.
import json
import numpy as np
import gradlab
import matplotlib.pyplot as plt
from IPython.display import Markdown, display
%matplotlib inline

np.set_printoptions(precision=6, suppress=False, linewidth=110))py";

std::string trim_trailing_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The first word(s) of a section's markdown: "### Derivation\n..." -> "Derivation".
std::string section_heading(const std::string& section) {
  if (section.rfind("### ", 0) != 0) return {};
  return section.substr(4, section.find('\n') - 4);
}

std::string intro_markdown(const json& report, const std::string& export_command) {
  return fmt::format(
      "Exported by gradlab's `export_notebooks`; the numbers are those of `{}` (problem {}).\n\n"
      "How to use it:\n"
      "1. Read the problem and the derivation below; every number in them was computed by gradlab's C++ "
      "autograd engine.\n"
      "2. Run all cells (*Run > Run All Cells*, or Shift+Enter cell by cell). `results` holds the checker's "
      "output; the cells after each section recompute it independently with numpy, and the *Live* cells "
      "reproduce it with `import gradlab`, the engine from Python; each `assert`s agreement, so a run "
      "without errors means the derivation checks out.\n"
      "3. At the end, change a number in the *Try it* cell and run it again.\n\n"
      "gradlab's own confirmations: {} of {} hold.",
      export_command, report.value("problem", std::string("?")),
      [&] {
        int ok = 0;
        for (const auto& c : report.at("checks")) ok += c.value("ok", false) ? 1 : 0;
        return ok;
      }(),
      report.at("checks").size());
}

constexpr const char* kChecksCode = R"py(# gradlab's own confirmations (engine autograd vs formula, finite differences, ...).
for c in results["checks"]:
    print(("ok  " if c["ok"] else "FAIL"), c["name"])
assert results["ok"], "a gradlab confirmation failed: see the list above"
values = results["values"])py";

}  // namespace

std::vector<std::string> split_markdown_sections(const std::string& markdown) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start < markdown.size()) {
    std::size_t next = markdown.find("\n### ", start);
    std::size_t end = next == std::string::npos ? markdown.size() : next + 1;
    std::string part = trim_trailing_newlines(markdown.substr(start, end - start));
    if (!part.empty()) parts.push_back(part);
    start = end;
  }
  return parts;
}

ProblemCode problem_code(const std::string& id) {
  if (id == "ex1") return ex1_code();
  if (id == "ex2") return ex2_code();
  if (id == "ex3") return ex3_code();
  if (id == "ex4") return ex4_code();
  if (id == "ex5") return ex5_code();
  throw Error(fmt::format("problem_code: unknown problem id '{}' (expected ex1 ... ex5)", id));
}

Notebook make_problem_notebook(const json& report, const std::string& report_markdown,
                               const std::string& export_command) {
  GL_CHECK(report.contains("problem") && report.contains("values") && report.contains("checks"),
           "make_problem_notebook: the checker JSON lacks 'problem', 'values' or 'checks' (got keys of {})",
           report.dump().substr(0, 200));
  const std::string id = report.at("problem").get<std::string>();
  ProblemCode code = problem_code(id);
  for (CodeStep& live : live_steps(id)) code.steps.push_back(std::move(live));
  Notebook nb(report.value("title", id));

  std::vector<std::string> sections = split_markdown_sections(report_markdown);
  GL_CHECK(!sections.empty(), "make_problem_notebook: the checker's markdown for {} is empty", id);
  // The first part is "## title" (and anything before the first section).
  nb.markdown(sections.front() + "\n\n" + intro_markdown(report, export_command));
  nb.code(kImports);
  // The results travel inside the notebook (a collapsed cell), so a copy
  // uploaded alone (Colab, an LMS) still runs.
  nb.hidden_code("# gradlab's results for this problem, exactly as the checker computed them (--format json).\n" +
                 python_json_assignment("results", report));
  nb.code(kChecksCode);

  std::vector<bool> used(code.steps.size(), false);
  auto emit_steps_after = [&](const std::string& heading) {
    for (std::size_t i = 0; i < code.steps.size(); ++i) {
      if (used[i] || heading.rfind(code.steps[i].after_heading, 0) != 0) continue;
      used[i] = true;
      if (!code.steps[i].explanation.empty()) nb.markdown(code.steps[i].explanation);
      nb.code(code.steps[i].python);
    }
  };
  for (std::size_t s = 1; s < sections.size(); ++s) {
    nb.markdown(sections[s]);
    emit_steps_after(section_heading(sections[s]));
  }
  for (std::size_t i = 0; i < code.steps.size(); ++i) {  // headings that did not match: still run
    if (used[i]) continue;
    if (!code.steps[i].explanation.empty()) nb.markdown(code.steps[i].explanation);
    nb.code(code.steps[i].python);
  }
  nb.markdown("### Try it\n\n" + code.try_it_explanation);
  nb.code(code.try_it_python);
  nb.code("print(\"All recomputations agree with gradlab.\")");
  return nb;
}

}  // namespace gl::notebook
