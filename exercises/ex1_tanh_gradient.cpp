// ex1_tanh_gradient: Learning From Data, Exercise 7.7 (see problems/ex1_tanh_gradient.cpp).
#include "exercises/common/cli.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 1 (LFD Exercise 7.7): derive and confirm grad E_in for h(x) = tanh(w^T x)"};
  gl::ex::Ex1Options o;
  app.add_option("--N", o.N, "number of random data points")->check(CLI::PositiveNumber);
  app.add_option("--dim", o.dim, "input dimension d")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "random seed for the data and w");
  app.add_option("--max-power", o.max_power, "scale table: w * 10^0 .. w * 10^max_power")->check(CLI::Range(1, 12));
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex1(o); });
}
