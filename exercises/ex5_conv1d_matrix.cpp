// ex5_conv1d_matrix: 1-D convolution as Y~ = A X~ and back-propagation as B.
#include "exercises/common/cli.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 5: a 1-D convolution as a matrix, its back-propagation, and (c)"};
  gl::ex::Ex5Options o;
  app.add_option("--in-channels", o.in_channels, "input channels")->check(CLI::Range(1, 64));
  app.add_option("--out-channels", o.out_channels, "output channels")->check(CLI::Range(1, 64));
  app.add_option("--length", o.length, "input length L")->check(CLI::Range(1, 256));
  app.add_option("--kernel", o.kernel, "kernel size S (<= L)")->check(CLI::Range(1, 64));
  app.add_option("--seed", o.seed, "random seed for the numeric confirmations");
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex5(o); });
}
