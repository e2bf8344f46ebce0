// ex2_backprop_identity: Learning From Data, Exercise 7.8 (see problems/ex2_backprop_identity.cpp).
// Variants: --x/--y/--W1.. (matrices as "a,b;c,d", rows separated by ';') or --network FILE.
#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "engine/core/error.h"

#include "exercises/common/cli.h"
#include "exercises/problems/problems.h"

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
      if (!gl::ex::parse_number(item, v))
        throw gl::Error(fmt::format("{}: '{}' is not a number (expected rows like \"0.1,0.2;0.3,0.4\")", flag, item));
      values.push_back(v);
    }
    m.push_back(values);
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Problem 2 (LFD Exercise 7.8): forward and backward tables, identity vs tanh output"};
  gl::ex::Ex2Options o;
  std::string network, x_text, w_text[3];
  std::optional<double> y;
  app.add_option("--network", network, "file with x = ..., y = ..., W1 = [[...]], W2 = ... (any depth)");
  app.add_option("--x", x_text, "input x (comma-separated, without the bias coordinate), e.g. 2");
  app.add_option("--y", y, "target y");
  for (int l = 0; l < 3; ++l)
    app.add_option(fmt::format("--W{}", l + 1), w_text[l],
                   fmt::format("W({}) in book notation, rows ';'-separated, row 0 = bias weights", l + 1));
  gl::ex::CommonOptions common;
  return gl::ex::run_checker(argc, argv, app, common, [&] {
    if (!network.empty()) o = gl::ex::read_ex2_network(network);
    if (!x_text.empty()) o.x = parse_matrix("--x", x_text).at(0);
    if (y) o.y = *y;
    for (int l = 0; l < 3; ++l)
      if (!w_text[l].empty()) o.W.at(l) = parse_matrix(fmt::format("--W{}", l + 1), w_text[l]);
    return gl::ex::run_ex2(o);
  });
}
