// The five checker programs (ex1_tanh_gradient ... ex5_conv1d_matrix): each
// program's main() calls its function here, which builds the command line
// (the problem's flags from problem_flags.h and the common options of cli.h),
// parses argv, runs the checker and returns the exit status. Kept out of the
// programs' own files so that CLI11, a heavy header, is compiled once in the
// library rather than once a program.
#pragma once

namespace gl::ex {

int ex1_main(int argc, char** argv);
int ex2_main(int argc, char** argv);
int ex3_main(int argc, char** argv);
int ex4_main(int argc, char** argv);
int ex5_main(int argc, char** argv);

}  // namespace gl::ex
