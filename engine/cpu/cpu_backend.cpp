// The one CpuBackend instance. Its methods live in the per-family files.
#include "engine/cpu/cpu_backend.h"

namespace gl {

Backend& cpu_backend() {
  static cpu::CpuBackend instance;
  return instance;
}

}  // namespace gl
