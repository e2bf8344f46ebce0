// ex3_resblock_params: parameters of the standard and bottleneck residual blocks.
// The command line is in exercises/common/checker_mains.cpp, the problem's
// flags in exercises/common/problem_flags.cpp.
#include "exercises/common/checker_mains.h"

int main(int argc, char** argv) { return gl::ex::ex3_main(argc, argv); }
