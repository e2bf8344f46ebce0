// export_notebooks' --exN "flags": the checkers' own problem flags
// (exercises/common/problem_flags.h) parsed from one string.
#include "notebooks_export/checker_flags.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "engine/core/error.h"
#include "exercises/common/problem_flags.h"

namespace gl::notebook {

namespace {

// Parses `flags` with the flags `add` puts on an app; errors name the checker.
template <class Target, class Add>
void parse(const std::string& checker, const std::string& flags, Target& target, Add add) {
  CLI::App app{checker + " flags"};
  add(app, target);
  try {
    app.parse(flags, /*program_name_included=*/false);
  } catch (const CLI::ParseError& e) {
    throw Error(fmt::format("export_notebooks: the flags for {} (\"{}\") do not parse: {}. Run `{} --help` for the "
                            "problem flags it accepts (--format, --answer and --output do not apply here).",
                            checker, flags, e.what(), checker));
  }
}

}  // namespace

gl::ex::Ex1Options parse_ex1_flags(const std::string& flags) {
  gl::ex::Ex1Options o;
  parse("ex1_tanh_gradient", flags, o, gl::ex::add_ex1_flags);
  return o;
}

gl::ex::Ex2Options parse_ex2_flags(const std::string& flags) {
  gl::ex::Ex2Flags f;
  parse("ex2_backprop_identity", flags, f, gl::ex::add_ex2_flags);
  try {
    return f.resolve();
  } catch (const Error& e) {
    throw Error(fmt::format("export_notebooks: ex2_backprop_identity {}", e.what()));
  }
}

gl::ex::Ex3Options parse_ex3_flags(const std::string& flags) {
  gl::ex::Ex3Options o;
  parse("ex3_resblock_params", flags, o, gl::ex::add_ex3_flags);
  return o;
}

gl::ex::Ex4Options parse_ex4_flags(const std::string& flags) {
  gl::ex::Ex4Options o;
  parse("ex4_batchnorm_shapes", flags, o, gl::ex::add_ex4_flags);
  return o;
}

gl::ex::Ex5Options parse_ex5_flags(const std::string& flags) {
  gl::ex::Ex5Options o;
  parse("ex5_conv1d_matrix", flags, o, gl::ex::add_ex5_flags);
  return o;
}

}  // namespace gl::notebook
