// ex3_resblock_params: parameters of the standard and bottleneck residual blocks.
#include "exercises/common/cli.h"
#include "exercises/problems/problems.h"

int main(int argc, char** argv) {
  CLI::App app{"Problem 3: trainable parameters, MACs and activation memory of residual blocks"};
  gl::ex::Ex3Options o;
  app.add_option("--batch", o.batch, "batch size N")->check(CLI::PositiveNumber);
  app.add_option("--height", o.height, "feature map height H")->check(CLI::PositiveNumber);
  app.add_option("--width", o.width, "feature map width W")->check(CLI::PositiveNumber);
  app.add_option("--standard-channels", o.standard_channels, "channels C of the standard block")
      ->check(CLI::PositiveNumber);
  app.add_option("--bottleneck-channels", o.bottleneck_channels, "channels C of the bottleneck block (C/4 inside)")
      ->check(CLI::PositiveNumber);
  app.add_option("--bytes", o.bytes_per_value, "bytes per activation value (4: float32)")->check(CLI::PositiveNumber);
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] { return gl::ex::run_ex3(o); });
}
