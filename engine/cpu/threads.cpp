// Thread count of the CPU backend: one knob for both OpenMP loops and Eigen's
// GEMM. 0 means "the default": OMP_NUM_THREADS when set, else every core.
#include <omp.h>

#include <Eigen/Core>
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
  Eigen::setNbThreads(n);
}

int num_threads() { return omp_get_max_threads(); }

}  // namespace gl
