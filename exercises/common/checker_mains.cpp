// The five checker programs' command lines: see checker_mains.h.
#include "exercises/common/checker_mains.h"

#include "exercises/common/cli.h"
#include "exercises/common/problem_flags.h"
#include "exercises/problems/problems.h"

namespace gl::ex {
namespace {

// One checker's command line: `about` for --help, the problem's flags (added
// by `add_flags` into a Flags), the common options; `run` makes the report
// from the parsed flags.
template <class Flags, class AddFlags, class Run>
int checker_main(int argc, char** argv, const char* about, AddFlags add_flags, Run run) {
  CLI::App app{about};
  Flags flags;
  add_flags(app, flags);
  CommonOptions common;
  return run_checker(argc, argv, app, common, [&] { return run(flags); });
}

}  // namespace

int ex1_main(int argc, char** argv) {  // ex1_tanh_gradient
  return checker_main<Ex1Options>(argc, argv,
      "Problem 1 (LFD Exercise 7.7): derive and confirm grad E_in for h(x) = tanh(w^T x)",
      add_ex1_flags, [](auto& f) { return run_ex1(f); });
}

int ex2_main(int argc, char** argv) {  // ex2_backprop_identity
  return checker_main<Ex2Flags>(argc, argv,
      "Problem 2 (LFD Exercise 7.8): forward and backward tables, identity vs tanh output",
      add_ex2_flags, [](auto& f) { return run_ex2(f.resolve()); });
}

int ex3_main(int argc, char** argv) {  // ex3_resblock_params
  return checker_main<Ex3Options>(argc, argv,
      "Problem 3: trainable parameters, MACs and activation memory of residual blocks",
      add_ex3_flags, [](auto& f) { return run_ex3(f); });
}

int ex4_main(int argc, char** argv) {  // ex4_batchnorm_shapes
  return checker_main<Ex4Options>(argc, argv,
      "Problem 4: shapes of batch-norm statistics for N x C and N x H x W x C inputs",
      add_ex4_flags, [](auto& f) { return run_ex4(f); });
}

int ex5_main(int argc, char** argv) {  // ex5_conv1d_matrix
  return checker_main<Ex5Options>(argc, argv,
      "Problem 5: a 1-D convolution as a matrix, its back-propagation, and (c)",
      add_ex5_flags, [](auto& f) { return run_ex5(f); });
}

}  // namespace gl::ex
