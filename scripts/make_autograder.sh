#!/usr/bin/env bash
# Builds autograder.zip for Gradescope (gradescope-autograders.readthedocs.io/en/latest/specs/):
# setup.sh and run_autograder at the zip root, with the source needed to build the exercises'
# grader under gradlab/ (setup.sh builds it on Gradescope's Ubuntu 22.04 image).
#   scripts/make_autograder.sh [OUT.zip] [--rubric FILE] [--variants]   (default: autograder.zip here)
# --variants: grade each student's own variant (derived from the Gradescope user id).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
out="autograder.zip"
rubric=""
variants=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rubric) rubric="$2"; shift 2 ;;
    --variants) variants=1; shift ;;
    -h|--help) sed -n 2,7p "$0"; exit 0 ;;
    *) out="$1"; shift ;;
  esac
done
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
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
