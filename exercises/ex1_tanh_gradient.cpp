// ex1_tanh_gradient: Learning From Data, Exercise 7.7 (see problems/ex1_tanh_gradient.cpp).
// The problem's flags are in exercises/common/problem_flags.cpp.
#include "exercises/common/cli.h"
#include "exercises/common/problem_flags.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 1 (LFD Exercise 7.7): derive and confirm grad E_in for h(x) = tanh(w^T x)"};
  gl::ex::Ex1Options o;
  gl::ex::add_ex1_flags(app, o);
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex1(o); });
}
