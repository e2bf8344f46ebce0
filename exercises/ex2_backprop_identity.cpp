// ex2_backprop_identity: Learning From Data, Exercise 7.8 (see problems/ex2_backprop_identity.cpp).
// Variants: --x/--y/--W1.. (matrices as "a,b;c,d", rows separated by ';') or --network FILE
// (the flags are in exercises/common/problem_flags.cpp).
#include "exercises/common/cli.h"
#include "exercises/common/problem_flags.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 2 (LFD Exercise 7.8): forward and backward tables, identity vs tanh output"};
  gl::ex::Ex2Flags flags;
  gl::ex::add_ex2_flags(app, flags);
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex2(flags.resolve()); });
}
