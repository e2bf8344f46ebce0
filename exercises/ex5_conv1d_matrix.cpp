// ex5_conv1d_matrix: 1-D convolution as Y~ = A X~ and back-propagation as B.
// The command line is in exercises/common/checker_mains.cpp, the problem's
// flags in exercises/common/problem_flags.cpp.
#include "exercises/common/checker_mains.h"

int main(int argc, char** argv) { return gl::ex::ex5_main(argc, argv); }
