#!/usr/bin/env bash
# ctest: builds autograder.zip with scripts/make_autograder.sh, lays out a fake /autograder tree in a temporary
# folder (source/ = the zip's contents, submission/, submission_metadata.json, results/), runs the zip's
# run_autograder there with the grader built here, and validates results.json against Gradescope's documented
# fields (validate_results.py). Then once more with an empty submission: results.json must still be written.
#   autograder_fake_tree.sh REPO EXERCISES_BIN
set -euo pipefail
repo="$1"; bin="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$repo/scripts/make_autograder.sh" "$tmp/autograder.zip" > /dev/null
root="$tmp/autograder"
mkdir -p "$root/source" "$root/submission" "$root/results"
unzip -q "$tmp/autograder.zip" -d "$root/source"
for f in setup.sh run_autograder; do
  [ -f "$root/source/$f" ] || { echo "autograder.zip lacks $f at its root"; exit 1; }
done
[ -x "$root/source/run_autograder" ] || { echo "run_autograder is not executable in the zip"; exit 1; }
cp "$root/source/run_autograder" "$root/run_autograder"  # where Gradescope copies it
cp "$repo/exercises/examples/class/carol/"* "$root/submission/"
cat > "$root/submission_metadata.json" <<'JSON'
{"id": 123456, "created_at": "2026-10-01T14:22:32.365935-07:00", "assignment": {"title": "Assignment 2"},
 "users": [{"email": "carol@example.edu", "id": 4242, "name": "Carol Student"}], "previous_submissions": []}
JSON
(cd "$root" && AUTOGRADER_ROOT="$root" GRADLAB_EXERCISES_BIN="$bin" ./run_autograder)
/usr/bin/python3 "$repo/exercises/tests/validate_results.py" "$root/results/results.json" --expect-score 80
rm -rf "$root/submission"/* "$root/results"/*
(cd "$root" && AUTOGRADER_ROOT="$root" GRADLAB_EXERCISES_BIN="$bin" ./run_autograder)
/usr/bin/python3 "$repo/exercises/tests/validate_results.py" "$root/results/results.json" --expect-score 0
# results.json is written through a temporary file that never stays behind.
leftover="$(find "$root/results" -name '.results.*' | head -1)"
[ -z "$leftover" ] || { echo "run_autograder left a temporary file: $leftover"; exit 1; }
echo "fake /autograder tree: results.json valid"
