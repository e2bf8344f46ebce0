// ex4_batchnorm_shapes: shapes of batch-norm statistics.
// The problem's flags are in exercises/common/problem_flags.cpp.
#include "exercises/common/cli.h"
#include "exercises/common/problem_flags.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 4: shapes of batch-norm statistics for N x C and N x H x W x C inputs"};
  gl::ex::Ex4Options o;
  gl::ex::add_ex4_flags(app, o);
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex4(o); });
}
