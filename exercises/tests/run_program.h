// Runs a checker program and captures its output, for the tests.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace gl::ex::test {

struct ProgramResult {
  int exit_code = -1;
  std::string out;  // stdout (and stderr when merged)
};

// `program` is a name in the checker programs' folder (build_paths::ex_bin_dir); `args` is appended as is.
ProgramResult run_program(const std::string& program, const std::string& args, bool merge_stderr = false);
// Runs with --format json and parses stdout (the test fails on bad JSON).
nlohmann::json run_json(const std::string& program, const std::string& args = "");
std::string answers_dir();
std::string test_data_dir();

}  // namespace gl::ex::test
