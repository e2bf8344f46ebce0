#!/usr/bin/env bash
# The pip route, as a student takes it: builds the wheel (pip wheel ., which
# drives the project's CMake build through scikit-build-core, in build-wheel/
# with the compiler cache), installs it into fresh venvs and, from a folder
# outside the clone with no PYTHONPATH:
#   1. venv with Debian's numpy 1.24 and torch (--system-site-packages): the
#      pytest suite against the installed package, the labs' suite (build,
#      execute and grade each lab), a console program, the exported notebooks
#      executed and converted to HTML;
#   2. venv with pip's numpy 2.x only: the suite (the torch comparisons skip);
#   3. import gradlab and run the checkers with /usr/local/cuda hidden (a mount
#      namespace, as root; skipped with a message elsewhere).
# Prints the wheel's size and each step's time. Usage: bash scripts/test_package.sh [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${1:-$root/build-wheel/package-test}
python=/usr/bin/python3
step_start=$SECONDS
step() { printf '  %-52s %4d s\n' "$1" $((SECONDS - step_start)); step_start=$SECONDS; }

rm -rf "$work"
mkdir -p "$work/dist" "$work/outside"
echo "== wheel (pip wheel .)"
$python -m venv "$work/venv-build"
"$work/venv-build/bin/pip" install -q --upgrade pip >/dev/null
"$work/venv-build/bin/pip" wheel -q --no-deps -w "$work/dist" "$root"
wheel=$(ls "$work"/dist/gradlab-*.whl)
echo "wheel: $(basename "$wheel"), $(du -k "$wheel" | cut -f1) KiB"
step "pip wheel ."

echo "== venv 1: Debian's numpy and torch, the wheel installed"
$python -m venv --system-site-packages "$work/venv-system"
"$work/venv-system/bin/pip" install -q "$wheel"
step "venv + pip install the wheel"
cd "$work/outside"  # nothing of the clone is importable from here
env -u PYTHONPATH "$work/venv-system/bin/python" -c \
  'import gradlab, numpy; print("gradlab from", gradlab.__file__, "| numpy", numpy.__version__); print(gradlab.ones(2))'
# What an editor and help() see: type stubs, py.typed, signatures, docstrings.
env -u PYTHONPATH "$work/venv-system/bin/python" - <<'PY'
import inspect, pathlib, gradlab
root = pathlib.Path(gradlab.__file__).parent
for f in ("py.typed", "_core/__init__.pyi", "_core/nn.pyi"):
    assert (root / f).is_file(), f"the package lacks {f}"
print("signature of conv2d:", inspect.signature(gradlab.conv2d))
assert gradlab.nn.Linear.__doc__ and gradlab.conv2d.__doc__, "docstrings missing"
PY
env -u PYTHONPATH OMP_NUM_THREADS=2 "$work/venv-system/bin/python" -m pytest -q -p no:cacheprovider \
  "$root/python/tests"
step "pytest against the installed package (numpy 1.24)"
env -u PYTHONPATH OMP_NUM_THREADS=2 "$work/venv-system/bin/python" -m pytest -q -p no:cacheprovider \
  "$root/labs/tests"
step "the labs (build, execute, grade) from the installed package"
env -u PYTHONPATH "$work/venv-system/bin/gradlab-exercises" | tail -1
env -u PYTHONPATH "$work/venv-system/bin/python" -m gradlab exercises | tail -1
step "console programs (gradlab-exercises, python -m gradlab)"
PATH="$work/venv-system/bin:$PATH" bash "$root/python/tests/package_notebooks.sh" "$work/venv-system/bin/python" \
  "$work/notebooks"
step "notebooks exported, executed and converted to HTML"

echo "== venv 2: pip's numpy 2.x, the wheel installed"
$python -m venv "$work/venv-numpy2"
"$work/venv-numpy2/bin/pip" install -q "$wheel" pytest hypothesis
env -u PYTHONPATH "$work/venv-numpy2/bin/python" -c 'import numpy; assert numpy.__version__ >= "2", numpy.__version__; print("numpy", numpy.__version__)'
env -u PYTHONPATH OMP_NUM_THREADS=2 "$work/venv-numpy2/bin/python" -m pytest -q -p no:cacheprovider \
  "$root/python/tests"
step "pytest against the installed package (numpy 2)"

echo "== the CUDA toolkit hidden"
if [[ $(id -u) -eq 0 ]] && unshare -m true 2>/dev/null; then
  unshare -m bash -c 'mount -t tmpfs none /usr/local/cuda && exec env -u LD_LIBRARY_PATH -u PYTHONPATH "$@"' _ \
    "$work/venv-system/bin/python" -c '
import gradlab
print(gradlab.ones(2, 2).sum(), "| cuda:", gradlab.cuda_available(), "|", gradlab.cuda_unavailable_reason())
assert not gradlab.cuda_available()
'
  unshare -m bash -c 'mount -t tmpfs none /usr/local/cuda && exec env -u LD_LIBRARY_PATH "$@"' _ \
    "$work/venv-system/bin/gradlab-exercises" | tail -1
else
  echo "SKIP: hiding /usr/local/cuda needs root and mount namespaces (unshare -m)"
fi
step "import and checkers with /usr/local/cuda hidden"
echo "test_package.sh: the wheel installs and works in fresh venvs."
