// Thread count of the CPU backend. Every parallel loop is ours (OpenMP);
// Eigen always runs single-threaded inside them (gemm_eigen.h), because its
// own GEMM threads spin-wait on each other and collapse on a loaded machine.
// 0 means "the default": OMP_NUM_THREADS when set, else every core.
#include <omp.h>

#include <cstdlib>

#include "engine/core/backend.h"
#include "engine/core/error.h"

namespace gl {

void set_num_threads(int n) {
  GL_CHECK(n >= 0, "set_num_threads: got {}, expected >= 0 (0 = OMP_NUM_THREADS or all cores)", n);
  if (n == 0) {
    const char* env = std::getenv("OMP_NUM_THREADS");
    n = env != nullptr ? std::atoi(env) : 0;
    if (n <= 0) n = omp_get_num_procs();
  }
  omp_set_num_threads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace gl
