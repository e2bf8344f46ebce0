#include "run_program.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>

#include "build_paths.h"

namespace gl::ex::test {

ProgramResult run_program(const std::string& program, const std::string& args, bool merge_stderr) {
  std::string cmd = std::string(build_paths::ex_bin_dir) + "/" + program + " " + args + (merge_stderr ? " 2>&1" : " 2>/dev/null");
  ProgramResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.out.append(buf.data(), n);
  int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

nlohmann::json run_json(const std::string& program, const std::string& args) {
  ProgramResult r = run_program(program, "--format json " + args);
  EXPECT_EQ(r.exit_code, 0) << program << " " << args << "\n" << r.out;
  try {
    return nlohmann::json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << program << " printed invalid JSON: " << e.what() << "\n" << r.out;
    return {};
  }
}

std::string answers_dir() { return build_paths::ex_answers_dir; }
std::string test_data_dir() { return build_paths::ex_test_data_dir; }

}  // namespace gl::ex::test
