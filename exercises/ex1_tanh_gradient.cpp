// ex1_tanh_gradient: Learning From Data, Exercise 7.7 (see problems/ex1_tanh_gradient.cpp).
// The command line is in exercises/common/checker_mains.cpp, the problem's
// flags in exercises/common/problem_flags.cpp.
#include "exercises/common/checker_mains.h"

int main(int argc, char** argv) { return gl::ex::ex1_main(argc, argv); }
