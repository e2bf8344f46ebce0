// Each problem's own flags, in one place for the checker programs
// (exercises/exN_*.cpp) and for export_notebooks, which accepts the same
// flags per problem (`--ex1 "--N 50 --seed 3"`). add_exN_flags adds them to a
// CLI11 app, writing into the problem's options; problem 2's matrices and
// network file are read after parsing, by resolve().
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "exercises/problems/problems.h"

namespace gl::ex {

void add_ex1_flags(CLI::App& app, Ex1Options& o);

// Problem 2: --network FILE, then --x, --y, --W1..--W3 override parts of it
// (matrices as "a,b;c,d": rows ';'-separated, row 0 = bias weights).
struct Ex2Flags {
  std::string network, x, W[3];
  std::optional<double> y;
  // The options these flags describe, on top of the textbook defaults.
  // Throws gl::Error naming the flag for a malformed matrix or network file.
  Ex2Options resolve() const;
};
void add_ex2_flags(CLI::App& app, Ex2Flags& f);

void add_ex3_flags(CLI::App& app, Ex3Options& o);
void add_ex4_flags(CLI::App& app, Ex4Options& o);
void add_ex5_flags(CLI::App& app, Ex5Options& o);

}  // namespace gl::ex
