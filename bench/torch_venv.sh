#!/usr/bin/env bash
# A current PyTorch from PyPI in its own venv, for the speed comparisons only
# (resnet/bench_compare.sh and bench/compare_cpu.sh add a column for it when the
# venv exists). gradlab does not depend on it; the tests use Debian's PyTorch.
#   bench/torch_venv.sh [venv-dir]     (default ~/.cache/gradlab-torch-venv)
# PyPI's Linux wheel pulls in the CUDA runtime packages (several GB); the CPU
# benchmarks do not use them, but `import torch` needs them present.
set -euo pipefail
venv="${1:-$HOME/.cache/gradlab-torch-venv}"
if [[ ! -x "$venv/bin/python" ]]; then
  /usr/bin/python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --upgrade torch numpy
"$venv/bin/python" -c "import torch; print('bench/torch_venv.sh: PyTorch', torch.__version__, 'in $venv')"
