// ex4_batchnorm_shapes: shapes of batch-norm statistics.
#include "exercises/common/cli.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 4: shapes of batch-norm statistics for N x C and N x H x W x C inputs"};
  gl::ex::Ex4Options o;
  app.add_option("--N", o.N, "batch size (>= 2)")->check(CLI::Range(2, 1 << 20));
  app.add_option("--C", o.C, "channels")->check(CLI::PositiveNumber);
  app.add_option("--H", o.H, "height")->check(CLI::PositiveNumber);
  app.add_option("--W", o.W, "width")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "random seed");
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex4(o); });
}
