#!/usr/bin/env bash
# Exports every notebook, validates it against the nbformat schema and executes
# it headless in a real Python kernel; then does the same for a training report
# built from a short synthetic training run.
#
#   run_notebook_tests.sh BIN_DIR WORK_DIR
#
# BIN_DIR holds export_notebooks, resnet_report and resnet (build/bin); the
# notebooks `import gradlab`, the Python module in BIN_DIR/../python (built by
# python/CMakeLists.txt when pybind11 is found): without it this test skips.
# Needs Debian's python3-nbformat, jupyter-nbconvert, python3-ipykernel,
# python3-numpy and python3-matplotlib (scripts/setup.sh installs them).
set -euo pipefail

bin=${1:?usage: run_notebook_tests.sh BIN_DIR WORK_DIR}
work=${2:?usage: run_notebook_tests.sh BIN_DIR WORK_DIR}
python=/usr/bin/python3
jupyter=/usr/bin/jupyter
packages="python3-nbformat jupyter-nbconvert python3-ipykernel python3-numpy python3-matplotlib"

fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- the Python side must be there (Debian's /usr/bin/python3, not a pyenv one) ----
[[ -x $python ]] || fail "$python not found; install: sudo apt-get install $packages"
$python -c "import nbformat, nbconvert, ipykernel, numpy, matplotlib" 2>/dev/null ||
  fail "$python lacks nbformat/nbconvert/ipykernel/numpy/matplotlib; install: sudo apt-get install $packages"
[[ -x $jupyter ]] || fail "$jupyter not found; install: sudo apt-get install $packages"
# The problem notebooks' live cells and the lab import gradlab's Python module.
module_dir=$(cd "$bin/.." && pwd)/python
export PYTHONPATH="$module_dir${PYTHONPATH:+:$PYTHONPATH}"
if ! $python -c "import gradlab" 2>/dev/null; then
  echo "SKIP: the gradlab Python module is not built in $module_dir (needs pybind11-dev and python3-dev;"
  echo "      cmake --build build --target gradlab_python); the notebooks import it, so none is executed"
  exit 77
fi
for program in export_notebooks resnet_report resnet; do
  [[ -x $bin/$program ]] || fail "$bin/$program not built (cmake --build build --target $program)"
done

export MPLBACKEND=Agg                       # no display; the notebooks switch to %matplotlib inline
export PYDEVD_DISABLE_FILE_VALIDATION=1     # quiets a debugger warning of ipykernel
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
# The kernel must be Debian's python3 with numpy and matplotlib; a user-level
# "python3" kernelspec could point elsewhere, so pin a private one.
export JUPYTER_PATH="$work/jupyter"
mkdir -p "$work/jupyter/kernels/python3"
$python - "$work/jupyter/kernels/python3/kernel.json" <<'PY'
import json, sys
json.dump({"argv": ["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
           "display_name": "Python 3 (ipykernel)", "language": "python"}, open(sys.argv[1], "w"))
PY

rm -rf "$work/notebooks" "$work/alone" "$work/variant" "$work/report" "$work/class" "$work/executed"
mkdir -p "$work/executed"

validate() {  # nbformat 4 schema
  $python -c "import sys, nbformat; nbformat.validate(nbformat.read(sys.argv[1], as_version=4)); print('valid  ', sys.argv[1])" "$1" ||
    fail "$1 does not validate against the nbformat 4 schema"
}
# execute NOTEBOOK TAG MIN_FIGURES: runs it in a real kernel (any exception, such as a
# failed assert, fails nbconvert), then checks that the plots were drawn.
execute() {
  local name
  name=$(basename "$1" .ipynb)
  $jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=120 \
    --ExecutePreprocessor.kernel_name=python3 --output-dir "$work/executed" --output "$name.$2" "$1" \
    >"$work/executed/$name.$2.log" 2>&1 || { cat "$work/executed/$name.$2.log" >&2; fail "$1 did not execute cleanly"; }
  validate "$work/executed/$name.$2.ipynb"
  $python - "$work/executed/$name.$2.ipynb" "$3" <<'PY' || fail "$1: its plots are missing from the executed notebook"
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
figures = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
print(f"ran     {sys.argv[1]}: {figures} figures")
sys.exit(0 if figures >= int(sys.argv[2]) and not errors else 1)
PY
}
# to_html EXECUTED_NOTEBOOK: converts it to an HTML page (Debian's nbconvert) beside it.
to_html() {
  $jupyter nbconvert --to html "$1" >"${1%.ipynb}.html.log" 2>&1 || { cat "${1%.ipynb}.html.log" >&2; fail "$1 does not convert to HTML"; }
  [[ -s ${1%.ipynb}.html ]] || fail "no HTML page for $1"
  echo "html    ${1%.ipynb}.html"
}
# The plots each notebook draws: ex1 1, ex3 1, ex5 2, lab 2, report 3 (+1 with an evaluation).
min_figures() {
  case $(basename "$1") in
    ex1_*|ex3_*) echo 1 ;;
    ex5_*|lab_*) echo 2 ;;
    *) echo 0 ;;
  esac
}

# ---- the five problem notebooks and the lab ----
"$bin/export_notebooks" --out "$work/notebooks"
count=$(ls "$work/notebooks"/*.ipynb | wc -l)
[[ $count -eq 6 ]] || fail "expected 6 notebooks (5 problems, the lab) in $work/notebooks, found $count"
# The checker's JSON travels inside each notebook (a collapsed cell): nothing
# beside it, and each runs from a folder of its own (as uploaded alone).
! compgen -G "$work/notebooks/*.json" >/dev/null || fail "side files beside the notebooks: $(ls "$work"/notebooks/*.json)"
for nb in "$work/notebooks"/ex*.ipynb; do
  grep -q "json.loads" "$nb" || fail "$nb does not carry the checker's JSON"
  alone="$work/alone/$(basename "${nb%.ipynb}")"
  mkdir -p "$alone" && cp "$nb" "$alone/"
done
# ex2 draws its computation graph live: the executed notebook must hold an SVG.
for nb in "$work/notebooks"/*.ipynb; do
  validate "$nb"
  name=$(basename "${nb%.ipynb}")
  if [[ -d $work/alone/$name ]]; then nb=$work/alone/$name/$name.ipynb; fi  # run where nothing else is
  execute "$nb" default "$(min_figures "$nb")"
  to_html "$work/executed/$name.default.ipynb"
done
$python - "$work/executed/ex2_backprop_identity.default.ipynb" <<'PY' || fail "ex2's live computation graph was not drawn (SVG + PNG)"
import sys, nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
outputs = [o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs]
graphs = [d for d in outputs if "image/svg+xml" in d]
ok = graphs and all("image/png" in d and not d["image/svg+xml"].lstrip().startswith("<?xml") for d in graphs)
print(f"graph   {sys.argv[1]}: {len(graphs)} drawings (SVG without XML declaration, with a PNG)")
sys.exit(0 if ok else 1)
PY
# The HTML page shows the graph as an image (an inline SVG would be emptied by nbconvert's sanitizer).
grep -q '<img alt="computation graph" src="data:image/svg+xml;base64,' "$work/executed/ex2_backprop_identity.default.html" ||
  fail "ex2's HTML page does not show the computation graph"

# ---- variants: the checkers' flags pass through ----
"$bin/export_notebooks" --out "$work/variant" --only ex1,ex2,ex5 \
  --ex1 "--N 12 --dim 4 --seed 3 --max-power 5" \
  --ex2 "--x 1.5 --y -1 --W3 0.5;-2" \
  --ex5 "--in-channels 3 --out-channels 2 --length 6 --kernel 2 --seed 9"
for nb in "$work/variant"/*.ipynb; do
  validate "$nb"
  execute "$nb" variant "$(min_figures "$nb")"
done

# ---- a training report from a short synthetic run ----
mkdir -p "$work/report"
"$bin/resnet" make-synthetic --out "$work/report/data" --train 500 --test 200 --seed 1
"$bin/resnet" train --data-dir "$work/report/data" --model-dir "$work/report/models" --resnet-size 1 \
  --first-num-filters 4 --batch-size 50 --epochs 2 --save-interval 1 --validation --threads 2 --quiet \
  --metrics "$work/report/metrics.jsonl"
checkpoint=$(ls "$work/report/models"/*.safetensors | sort | tail -n 1)
"$bin/resnet_report" --metrics "$work/report/metrics.jsonl" --out "$work/report/report.ipynb" \
  --checkpoint "$checkpoint" --data-dir "$work/report/data" --save-evaluation "$work/report/evaluation.json"
validate "$work/report/report.ipynb"
execute "$work/report/report.ipynb" run 4
# The same report from the saved evaluation, and one without any evaluation.
"$bin/resnet_report" --metrics "$work/report/metrics.jsonl" --out "$work/report/report_saved.ipynb" \
  --evaluation "$work/report/evaluation.json"
execute "$work/report/report_saved.ipynb" run 4
"$bin/resnet_report" --metrics "$work/report/metrics.jsonl" --out "$work/report/report_curves.ipynb"
execute "$work/report/report_curves.ipynb" run 3

# ---- a graded class's item analysis (exercises grade-class --notebook), with its histogram ----
if [[ -x $bin/exercises ]]; then
  src=$(cd "$(dirname "$0")/../.." && pwd)
  mkdir -p "$work/class"
  "$bin/exercises" grade-class "$src/exercises/examples/class" --csv "$work/class/grades.csv" \
    --notebook "$work/class/items.ipynb"
  validate "$work/class/items.ipynb"
  execute "$work/class/items.ipynb" run 1
else
  fail "$bin/exercises not built (cmake --build build --target exercises)"
fi

echo "PASS: every notebook validates and executes"
