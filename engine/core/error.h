// Errors. API misuse throws gl::Error whose message starts with the function
// name and names the shapes/dtypes involved and what was expected, e.g.
//   "matmul: inner dimensions differ: a is [2, 3], b is [4, 5] (need a.shape[1] == b.shape[0])"
#pragma once
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <stdexcept>
#include <string>

namespace gl {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace gl

// GL_CHECK(cond, "fmt string", args...): throw gl::Error(fmt::format(...)) when !cond.
#define GL_CHECK(cond, ...)                                   \
  do {                                                        \
    if (!(cond)) throw ::gl::Error(::fmt::format(__VA_ARGS__)); \
  } while (0)
