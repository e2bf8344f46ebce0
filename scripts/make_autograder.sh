#!/usr/bin/env bash
# Builds autograder.zip for Gradescope (gradescope-autograders.readthedocs.io/en/latest/specs/):
# setup.sh and run_autograder at the zip root, with the source needed to build the exercises'
# grader under gradlab/ (setup.sh builds it on Gradescope's Ubuntu 22.04 image).
#   scripts/make_autograder.sh [OUT.zip] [--rubric FILE] [--variants]   (default: autograder.zip here)
# --variants: grade each student's own variant (derived from the Gradescope user id).
#   scripts/make_autograder.sh --lab labs/lab1_autograd.py [OUT.zip]
# --lab: a Python lab's autograder instead (python -m gradlab.labs build; labs/README.md), with
# the installed gradlab, or the build's package (build/python) when none is installed.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="autograder.zip"
rubric=""
variants=0
lab=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rubric) rubric="$2"; shift 2 ;;
    --variants) variants=1; shift ;;
    --lab) lab="$2"; shift 2 ;;
    -h|--help) sed -n 2,11p "$0"; exit 0 ;;
    *) out="$1"; shift ;;
  esac
done
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
if [ -n "$lab" ]; then
  [ -f "$lab" ] || { echo "make_autograder: no lab source $lab (see labs/*.py)" >&2; exit 2; }
  python=python3
  if ! $python -c "import gradlab.labs" 2>/dev/null; then
    python=/usr/bin/python3
    export PYTHONPATH="$repo/build/python${PYTHONPATH:+:$PYTHONPATH}"
    $python -c "import gradlab.labs" 2>/dev/null ||
      { echo "make_autograder: gradlab is not installed (pip install .) nor built in $repo/build/python" >&2; exit 2; }
  fi
  $python -m gradlab.labs build "$lab" --out "$stage/lab" >/dev/null
  zip_built=$(find "$stage/lab" -name '*.zip' | head -n 1)
  [ -n "$zip_built" ] || { echo "make_autograder: gradlab.labs build wrote no zip for $lab" >&2; exit 1; }
  cp "$zip_built" "$out"
  echo "wrote $out ($(du -h "$out" | cut -f1)): the autograder of $(basename "$lab")"
  exit 0
fi
cp "$repo/exercises/autograder/setup.sh" "$repo/exercises/autograder/run_autograder" "$stage/"
[ -n "$rubric" ] && cp "$rubric" "$stage/rubric.txt"
[ "$variants" = 1 ] && : > "$stage/variants"
mkdir -p "$stage/gradlab"
# The tracked files the exercises need: the top-level build, the engine, the exercises.
(cd "$repo" && git ls-files -z CMakeLists.txt cmake engine exercises | \
  tar --null -T - -cf - | tar -xf - -C "$stage/gradlab")
# Files another change added but has not committed yet are needed too when they are part of the build.
for extra in cmake engine/fmt; do
  [ -e "$repo/$extra" ] && [ ! -e "$stage/gradlab/$extra" ] && cp -r "$repo/$extra" "$stage/gradlab/$extra"
done
rm -f "$out"
(cd "$stage" && zip -qr -X "$out" setup.sh run_autograder gradlab $(ls rubric.txt variants 2>/dev/null))
echo "wrote $out ($(du -h "$out" | cut -f1)): setup.sh, run_autograder at the root"
