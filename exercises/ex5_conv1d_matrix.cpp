// ex5_conv1d_matrix: 1-D convolution as Y~ = A X~ and back-propagation as B.
// The problem's flags are in exercises/common/problem_flags.cpp.
#include "exercises/common/cli.h"
#include "exercises/common/problem_flags.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 5: a 1-D convolution as a matrix, its back-propagation, and (c)"};
  gl::ex::Ex5Options o;
  gl::ex::add_ex5_flags(app, o);
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex5(o); });
}
