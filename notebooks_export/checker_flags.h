// The checkers' problem flags, accepted by export_notebooks so that an
// instructor can export a variant: `--ex1 "--N 50 --seed 3"` means what
// `ex1_tanh_gradient --N 50 --seed 3` means: both use the flag definitions of
// exercises/common/problem_flags.h.
#pragma once
#include <string>

#include "exercises/problems/problems.h"

namespace gl::notebook {

// Each throws gl::Error naming the checker and the flag when `flags` does not
// parse (unknown flag, bad number, value out of range).
gl::ex::Ex1Options parse_ex1_flags(const std::string& flags);
gl::ex::Ex2Options parse_ex2_flags(const std::string& flags);
gl::ex::Ex3Options parse_ex3_flags(const std::string& flags);
gl::ex::Ex4Options parse_ex4_flags(const std::string& flags);
gl::ex::Ex5Options parse_ex5_flags(const std::string& flags);

}  // namespace gl::notebook
