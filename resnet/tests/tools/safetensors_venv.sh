#!/usr/bin/env bash
# Prints the path of a Python with the official `safetensors` package, making
# it once: a virtual environment over Debian's Python (numpy comes from the
# system site packages) at ${GRADLAB_VENV:-~/.cache/gradlab-venv}, outside the
# clone, reused by every later run. Test-only (resnet/tests/test_safetensors_python.cpp).
# Exits non-zero with the reason on stderr when the package cannot be had
# (no python3-venv, no network to PyPI).
set -euo pipefail
venv="${GRADLAB_VENV:-$HOME/.cache/gradlab-venv}"
py="$venv/bin/python"
if "$py" -c 'import safetensors, numpy' 2>/dev/null; then echo "$py"; exit 0; fi
mkdir -p "$(dirname "$venv")"
# One creator at a time (ctest runs tests in parallel).
exec 9>"$venv.lock"
flock 9
if ! "$py" -c 'import safetensors, numpy' 2>/dev/null; then
  if [ ! -x "$py" ]; then
    /usr/bin/python3 -m venv --system-site-packages "$venv" >&2 ||
      { echo "cannot create a venv at $venv (install python3-venv)" >&2; exit 1; }
  fi
  "$py" -m pip install --quiet --disable-pip-version-check safetensors >&2 ||
    { echo "pip could not install safetensors from PyPI into $venv (no network?)" >&2; exit 1; }
fi
"$py" -c 'import safetensors, numpy' >&2 || { echo "safetensors or numpy does not import in $venv" >&2; exit 1; }
echo "$py"
