#include "notebooks_export/checker_flags.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "engine/core/error.h"

namespace gl::notebook {

namespace {

void parse(CLI::App& app, const std::string& checker, const std::string& flags) {
  try {
    app.parse(flags, /*program_name_included=*/false);
  } catch (const CLI::ParseError& e) {
    throw Error(fmt::format("export_notebooks: the flags for {} (\"{}\") do not parse: {}. Run `{} --help` for the "
                            "problem flags it accepts (--format, --answer and --output do not apply here).",
                            checker, flags, e.what(), checker));
  }
}

// "0.1,0.2;0.3,0.4" -> {{0.1, 0.2}, {0.3, 0.4}}, as ex2_backprop_identity reads --x and --W<l>.
std::vector<std::vector<double>> parse_rows(const std::string& flag, const std::string& text) {
  std::vector<std::vector<double>> rows;
  std::stringstream row_stream(text);
  std::string row;
  while (std::getline(row_stream, row, ';')) {
    std::vector<double> entries;
    std::stringstream entry_stream(row);
    std::string entry;
    while (std::getline(entry_stream, entry, ',')) {
      std::size_t used = 0;
      double value = 0;
      try {
        value = std::stod(entry, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      GL_CHECK(used > 0 && entry.find_first_not_of(" \t", used) == std::string::npos,
               "export_notebooks: ex2 {}: '{}' is not a number (expected rows like \"0.1,0.2;0.3,0.4\")", flag, entry);
      entries.push_back(value);
    }
    rows.push_back(entries);
  }
  GL_CHECK(!rows.empty() && !rows[0].empty(), "export_notebooks: ex2 {}: empty matrix '{}'", flag, text);
  return rows;
}

}  // namespace

gl::ex::Ex1Options parse_ex1_flags(const std::string& flags) {
  gl::ex::Ex1Options o;
  CLI::App app{"ex1_tanh_gradient flags"};
  app.add_option("--N", o.N)->check(CLI::PositiveNumber);
  app.add_option("--dim", o.dim)->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed);
  app.add_option("--max-power", o.max_power)->check(CLI::Range(1, 12));
  parse(app, "ex1_tanh_gradient", flags);
  return o;
}

gl::ex::Ex2Options parse_ex2_flags(const std::string& flags) {
  gl::ex::Ex2Options o;
  CLI::App app{"ex2_backprop_identity flags"};
  std::string network, x_text, w_text[3];
  std::optional<double> y;
  app.add_option("--network", network);
  app.add_option("--x", x_text);
  app.add_option("--y", y);
  for (int l = 0; l < 3; ++l) app.add_option(fmt::format("--W{}", l + 1), w_text[l]);
  parse(app, "ex2_backprop_identity", flags);
  if (!network.empty()) o = gl::ex::read_ex2_network(network);
  if (!x_text.empty()) o.x = parse_rows("--x", x_text).at(0);
  if (y) o.y = *y;
  for (int l = 0; l < 3; ++l)
    if (!w_text[l].empty()) o.W.at(l) = parse_rows(fmt::format("--W{}", l + 1), w_text[l]);
  return o;
}

gl::ex::Ex3Options parse_ex3_flags(const std::string& flags) {
  gl::ex::Ex3Options o;
  CLI::App app{"ex3_resblock_params flags"};
  app.add_option("--batch", o.batch)->check(CLI::PositiveNumber);
  app.add_option("--height", o.height)->check(CLI::PositiveNumber);
  app.add_option("--width", o.width)->check(CLI::PositiveNumber);
  app.add_option("--standard-channels", o.standard_channels)->check(CLI::PositiveNumber);
  app.add_option("--bottleneck-channels", o.bottleneck_channels)->check(CLI::PositiveNumber);
  app.add_option("--bytes", o.bytes_per_value)->check(CLI::PositiveNumber);
  parse(app, "ex3_resblock_params", flags);
  return o;
}

gl::ex::Ex4Options parse_ex4_flags(const std::string& flags) {
  gl::ex::Ex4Options o;
  CLI::App app{"ex4_batchnorm_shapes flags"};
  app.add_option("--N", o.N)->check(CLI::Range(2, 1 << 20));
  app.add_option("--C", o.C)->check(CLI::PositiveNumber);
  app.add_option("--H", o.H)->check(CLI::PositiveNumber);
  app.add_option("--W", o.W)->check(CLI::PositiveNumber);
  app.add_option("--seed", o.seed);
  parse(app, "ex4_batchnorm_shapes", flags);
  return o;
}

gl::ex::Ex5Options parse_ex5_flags(const std::string& flags) {
  gl::ex::Ex5Options o;
  CLI::App app{"ex5_conv1d_matrix flags"};
  app.add_option("--in-channels", o.in_channels)->check(CLI::Range(1, 64));
  app.add_option("--out-channels", o.out_channels)->check(CLI::Range(1, 64));
  app.add_option("--length", o.length)->check(CLI::Range(1, 256));
  app.add_option("--kernel", o.kernel)->check(CLI::Range(1, 64));
  app.add_option("--seed", o.seed);
  parse(app, "ex5_conv1d_matrix", flags);
  return o;
}

}  // namespace gl::notebook
