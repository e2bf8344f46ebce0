#!/usr/bin/env bash
# The notebooks from an installed package (scripts/test_package.sh runs this
# inside the venv): gradlab-export-notebooks writes them, each is copied into a
# folder of its own (as a student uploads it), executed in a kernel that is the
# venv's Python (no PYTHONPATH), and converted to HTML.
# Usage: package_notebooks.sh VENV_PYTHON WORK_DIR
set -euo pipefail
python=${1:?usage: package_notebooks.sh VENV_PYTHON WORK_DIR}
work=${2:?usage: package_notebooks.sh VENV_PYTHON WORK_DIR}
bin=$(dirname "$python")
rm -rf "$work"
mkdir -p "$work/exported" "$work/jupyter/kernels/python3"
export MPLBACKEND=Agg PYDEVD_DISABLE_FILE_VALIDATION=1 JUPYTER_PATH="$work/jupyter"
unset PYTHONPATH
"$python" - "$work/jupyter/kernels/python3/kernel.json" "$python" <<'PY'
import json, sys
json.dump({"argv": [sys.argv[2], "-m", "ipykernel_launcher", "-f", "{connection_file}"],
           "display_name": "Python 3 (gradlab venv)", "language": "python"}, open(sys.argv[1], "w"))
PY
"$bin/gradlab-export-notebooks" --out "$work/exported" >/dev/null
count=0
for nb in "$work/exported"/*.ipynb; do
  name=$(basename "${nb%.ipynb}")
  mkdir -p "$work/$name"
  cp "$nb" "$work/$name/"
  "$python" -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=180 \
    --ExecutePreprocessor.kernel_name=python3 --output "$name.executed" "$work/$name/$name.ipynb" \
    >"$work/$name/execute.log" 2>&1 || { cat "$work/$name/execute.log" >&2; echo "FAIL: $name did not execute" >&2; exit 1; }
  "$python" -m nbconvert --to html "$work/$name/$name.executed.ipynb" >"$work/$name/html.log" 2>&1 ||
    { cat "$work/$name/html.log" >&2; echo "FAIL: $name does not convert to HTML" >&2; exit 1; }
  [[ -s $work/$name/$name.executed.html ]] || { echo "FAIL: no HTML page for $name" >&2; exit 1; }
  echo "  $name: executed alone, HTML $(du -k "$work/$name/$name.executed.html" | cut -f1) KiB"
  count=$((count + 1))
done
[[ $count -ge 6 ]] || { echo "FAIL: expected 6 notebooks, exported $count" >&2; exit 1; }
echo "package_notebooks: $count notebooks executed from the installed package and converted to HTML"
