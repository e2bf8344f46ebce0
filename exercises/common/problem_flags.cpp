// The problems' flags (problem_flags.h).
#include "exercises/common/problem_flags.h"

#include <fmt/format.h>

#include <sstream>

#include "engine/core/error.h"
#include "exercises/common/answer_file.h"

namespace gl::ex {

namespace {

// "0.1,0.2;0.3,0.4" -> {{0.1, 0.2}, {0.3, 0.4}}
std::vector<std::vector<double>> parse_matrix(const std::string& flag, const std::string& text) {
  std::vector<std::vector<double>> m;
  std::stringstream rows(text);
  std::string row;
  while (std::getline(rows, row, ';')) {
    std::vector<double> values;
    std::stringstream items(row);
    std::string item;
    while (std::getline(items, item, ',')) {
      double v;
      if (!parse_number(item, v))
        throw Error(fmt::format("{}: '{}' is not a number (expected rows like \"0.1,0.2;0.3,0.4\")", flag, item));
      values.push_back(v);
    }
    m.push_back(values);
  }
  GL_CHECK(!m.empty() && !m[0].empty(), "{}: empty matrix '{}' (expected rows like \"0.1,0.2;0.3,0.4\")", flag, text);
  return m;
}

}  // namespace

void add_ex1_flags(CLI::App& app, Ex1Options& o) {
  app.add_option("--N", o.N, "number of random data points")->check(CLI::PositiveNumber);
  app.add_option("--dim", o.dim, "input dimension d")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "random seed for the data and w");
  app.add_option("--max-power", o.max_power, "scale table: w * 10^0 .. w * 10^max_power")->check(CLI::Range(1, 12));
}

void add_ex2_flags(CLI::App& app, Ex2Flags& f) {
  app.add_option("--network", f.network, "file with x = ..., y = ..., W1 = [[...]], W2 = ... (any depth)");
  app.add_option("--x", f.x, "input x (comma-separated, without the bias coordinate), e.g. 2");
  app.add_option("--y", f.y, "target y");
  for (int l = 0; l < 3; ++l)
    app.add_option(fmt::format("--W{}", l + 1), f.W[l],
                   fmt::format("W({}) in book notation, rows ';'-separated, row 0 = bias weights", l + 1));
}

Ex2Options Ex2Flags::resolve() const {
  Ex2Options o;
  if (!network.empty()) o = read_ex2_network(network);
  if (!x.empty()) o.x = parse_matrix("--x", x).at(0);
  if (y) o.y = *y;
  for (int l = 0; l < 3; ++l)
    if (!W[l].empty()) o.W.at(l) = parse_matrix(fmt::format("--W{}", l + 1), W[l]);
  return o;
}

void add_ex3_flags(CLI::App& app, Ex3Options& o) {
  app.add_option("--batch", o.batch, "batch size N")->check(CLI::PositiveNumber);
  app.add_option("--height", o.height, "feature map height H")->check(CLI::PositiveNumber);
  app.add_option("--width", o.width, "feature map width W")->check(CLI::PositiveNumber);
  app.add_option("--standard-channels", o.standard_channels, "channels C of the standard block")
      ->check(CLI::PositiveNumber);
  app.add_option("--bottleneck-channels", o.bottleneck_channels, "channels C of the bottleneck block (C/4 inside)")
      ->check(CLI::PositiveNumber);
  app.add_option("--bytes", o.bytes_per_value, "bytes per activation value (4: float32)")->check(CLI::PositiveNumber);
}

void add_ex4_flags(CLI::App& app, Ex4Options& o) {
  app.add_option("--N", o.N, "batch size (>= 2)")->check(CLI::Range(2, 1 << 20));
  app.add_option("--C", o.C, "channels")->check(CLI::PositiveNumber);
  app.add_option("--H", o.H, "height")->check(CLI::PositiveNumber);
  app.add_option("--W", o.W, "width")->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed, "random seed");
}

void add_ex5_flags(CLI::App& app, Ex5Options& o) {
  app.add_option("--in-channels", o.in_channels, "input channels")->check(CLI::Range(1, 64));
  app.add_option("--out-channels", o.out_channels, "output channels")->check(CLI::Range(1, 64));
  app.add_option("--length", o.length, "input length L")->check(CLI::Range(1, 256));
  app.add_option("--kernel", o.kernel, "kernel size S (<= L)")->check(CLI::Range(1, 64));
  app.add_option("--seed", o.seed, "random seed for the numeric confirmations");
}

}  // namespace gl::ex
