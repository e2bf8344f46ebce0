// ex3_resblock_params: parameters of the standard and bottleneck residual blocks.
// The problem's flags are in exercises/common/problem_flags.cpp.
#include "exercises/common/cli.h"
#include "exercises/common/problem_flags.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 3: trainable parameters, MACs and activation memory of residual blocks"};
  gl::ex::Ex3Options o;
  gl::ex::add_ex3_flags(app, o);
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex3(o); });
}
