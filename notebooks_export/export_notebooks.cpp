// export_notebooks --out DIR [--only ex1,ex5] [--ex1 "FLAGS"] ... [--ex5 "FLAGS"]
//
// Runs the five exercise checkers in-process (library gradlab_exercises) and
// writes one Jupyter notebook per written problem into DIR, named after the
// checker (ex1_tanh_gradient.ipynb, ...), each carrying its checker's JSON
// result in a collapsed cell (nothing beside it is needed), plus the lab notebook
// (lab_resnet_python.ipynb, id "lab"). --exN passes the checker's own flags
// through, to export a variant. Exit status: 0 written; 1 a gradlab
// confirmation failed (the notebook is still written, its assert cell fails);
// 3 bad options or an error; 74 a notebook could not be written.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "engine/core/error.h"
#include "exercises/problems/problems.h"
#include "notebooks_export/checker_flags.h"
#include "notebooks_export/problem_notebook.h"

namespace {

struct Problem {
  std::string id, checker, example_flags;
  std::function<gl::ex::Report(const std::string& flags)> run;
};

std::vector<Problem> problems() {
  using namespace gl::notebook;
  return {
      {"ex1", "ex1_tanh_gradient", "--N 50 --seed 3",
       [](const std::string& f) { return gl::ex::run_ex1(parse_ex1_flags(f)); }},
      {"ex2", "ex2_backprop_identity", "--x 1 --y -1",
       [](const std::string& f) { return gl::ex::run_ex2(parse_ex2_flags(f)); }},
      {"ex3", "ex3_resblock_params", "--standard-channels 64",
       [](const std::string& f) { return gl::ex::run_ex3(parse_ex3_flags(f)); }},
      {"ex4", "ex4_batchnorm_shapes", "--C 8",
       [](const std::string& f) { return gl::ex::run_ex4(parse_ex4_flags(f)); }},
      {"ex5", "ex5_conv1d_matrix", "--length 6 --kernel 2",
       [](const std::string& f) { return gl::ex::run_ex5(parse_ex5_flags(f)); }},
  };
}

std::set<std::string> parse_only(const std::string& only) {
  std::set<std::string> ids;
  std::stringstream items(only);
  std::string id;
  while (std::getline(items, id, ','))
    if (!id.empty()) ids.insert(id);
  return ids;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Export every written problem as a Jupyter notebook (nbformat 4) that recomputes gradlab's "
               "results with numpy and asserts that they agree"};
  std::string out_dir, only;
  std::map<std::string, std::string> flags;
  app.add_option("--out", out_dir, "folder for the .ipynb files (created if missing)")->required();
  app.add_option("--only", only, "comma-separated notebooks to export, e.g. ex1,ex5,lab (default: all five and the lab)");
  for (const Problem& p : problems())
    app.add_option("--" + p.id, flags[p.id],
                   fmt::format("flags for {}, quoted, e.g. --{} \"{}\" (see {} --help)", p.checker, p.id,
                               p.example_flags, p.checker));
  CLI11_PARSE(app, argc, argv);

  try {
    std::set<std::string> wanted = parse_only(only);
    for (const std::string& id : wanted)
      GL_CHECK(id == "lab" || (id.size() == 3 && id.rfind("ex", 0) == 0 && id[2] >= '1' && id[2] <= '5'),
               "export_notebooks: --only names '{}'; expected ex1 ... ex5 or lab", id);
    std::filesystem::create_directories(out_dir);
    bool all_ok = true;
    for (const Problem& p : problems()) {
      if (!wanted.empty() && !wanted.count(p.id)) continue;
      gl::ex::Report report = p.run(flags[p.id]);
      std::string command = fmt::format("{}{}{} --format json", p.checker, flags[p.id].empty() ? "" : " ", flags[p.id]);
      gl::notebook::Notebook nb = gl::notebook::make_problem_notebook(report.to_json(), report.to_markdown(), command);
      std::filesystem::path path = std::filesystem::path(out_dir) / (p.checker + ".ipynb");
      nb.write(path);
      all_ok = all_ok && report.all_ok();
      std::cout << fmt::format("{}  ({} cells, gradlab confirmations {})\n", path.string(), nb.cell_count(),
                               report.all_ok() ? "hold" : "FAILED");
    }
    if (wanted.empty() || wanted.count("lab")) {
      std::filesystem::path path = std::filesystem::path(out_dir) / "lab_resnet_python.ipynb";
      gl::notebook::Notebook lab = gl::notebook::make_lab_notebook();
      lab.write(path);
      std::cout << fmt::format("{}  ({} cells, the lab: gradlab from Python)\n", path.string(), lab.cell_count());
    }
    return all_ok ? 0 : 1;
  } catch (const gl::notebook::WriteError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 74;  // input/output error (sysexits.h EX_IOERR), as resnet's
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 3;
  }
}
