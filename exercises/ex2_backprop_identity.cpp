// ex2_backprop_identity: Learning From Data, Exercise 7.8 (see problems/ex2_backprop_identity.cpp).
// Variants: --x/--y/--W1.. (matrices as "a,b;c,d", rows separated by ';') or --network FILE
// (the flags are in exercises/common/problem_flags.cpp, the command line in
// exercises/common/checker_mains.cpp).
#include "exercises/common/checker_mains.h"

int main(int argc, char** argv) { return gl::ex::ex2_main(argc, argv); }
