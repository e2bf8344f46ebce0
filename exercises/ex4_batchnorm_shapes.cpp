// ex4_batchnorm_shapes: shapes of batch-norm statistics.
// The command line is in exercises/common/checker_mains.cpp, the problem's
// flags in exercises/common/problem_flags.cpp.
#include "exercises/common/checker_mains.h"

int main(int argc, char** argv) { return gl::ex::ex4_main(argc, argv); }
