#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang++-14 and AddressSanitizer +
# UBSan, writes their seed corpus (made by code: fuzz_seeds), and runs each for
# FUZZ_SECONDS (default 40), two at a time. Prints the inputs each target ran;
# exits non-zero on any crash, leak, timeout or undefined behaviour, keeping
# the input that caused it in fuzz/regressions/<target>/ (replayed by the
# FuzzReplay tests of resnet_tests once it is committed).
#
#   bash scripts/fuzz.sh                  # all targets, 40 s each
#   FUZZ_SECONDS=10 FUZZ_TARGETS="safetensors cifar" bash scripts/fuzz.sh
#
# Environment: FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_BUILD (default build-fuzz),
# FUZZ_JOBS (build jobs, default 2), FUZZ_RSS_MB (default 2048), FUZZ_LOCK
# (default /tmp/gradlab-build.lock; "none" when the caller holds it).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${FUZZ_BUILD:-build-fuzz}
seconds=${FUZZ_SECONDS:-40}
rss=${FUZZ_RSS_MB:-2048}
targets=${FUZZ_TARGETS:-"safetensors checkpoint_metadata cifar train_flags image answer_file"}
# The whole script (build and fuzzing: both cores) runs under the shared build
# lock; FUZZ_LOCK=none when the caller already holds it.
lock_file=${FUZZ_LOCK:-/tmp/gradlab-build.lock}
if [ "$lock_file" != none ] && [ -z "${FUZZ_LOCKED:-}" ] && command -v flock >/dev/null; then
  FUZZ_LOCKED=1 exec flock "$lock_file" bash "$root/scripts/fuzz.sh" "$@"
fi
lock=()

command -v clang++-14 >/dev/null || { echo "fuzz.sh: clang++-14 not found (scripts/setup.sh installs clang-14 and libclang-rt-14-dev)" >&2; exit 1; }
start=$(date +%s)
# The whole tree is instrumented for coverage and checked by the sanitizers
# (-DGRADLAB_SANITIZE=ON -DGRADLAB_FUZZ=ON: -O1 -g1, file and line in every
# report); the fuzz targets add libFuzzer's main. scripts/test.sh passes its
# sanitizer build (FUZZ_BUILD=build-asan, tests included), so nothing is
# compiled twice; on its own this script configures a build without the tests.
if [ ! -f "$build/CMakeCache.txt" ]; then
  mkdir -p "$build"
  "${lock[@]}" cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DGRADLAB_SANITIZE=ON -DGRADLAB_FUZZ=ON \
    -DGRADLAB_CUDA=OFF -DGRADLAB_BENCH=OFF -DGRADLAB_TESTS=OFF \
    -DGRADLAB_PARTS="exercises;resnet" >"$build/configure.log" 2>&1 ||
    { cat "$build/configure.log" >&2; echo "fuzz.sh: configuring $build failed" >&2; exit 1; }
elif ! grep -q '^GRADLAB_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  echo "fuzz.sh: $build is not a fuzz build (configure it with clang++-14 -DGRADLAB_SANITIZE=ON -DGRADLAB_FUZZ=ON, or remove it)" >&2
  exit 1
fi
build_targets=(fuzz_seeds)
for t in $targets; do build_targets+=("fuzz_$t"); done
"${lock[@]}" cmake --build "$build" -j "${FUZZ_JOBS:-2}" --target "${build_targets[@]}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -40 "$build/fuzz-build.log" >&2; echo "fuzz.sh: building the fuzz targets failed" >&2; exit 1; }
built=$(date +%s)
echo "fuzz.sh: built in $((built - start)) s ($build, clang++-14, ASan + UBSan + libFuzzer)"

work="$build/fuzz-run"
rm -rf "$work"
mkdir -p "$work"
"$build/bin/fuzz_seeds" "$work/seeds" >/dev/null || { echo "fuzz.sh: fuzz_seeds failed" >&2; exit 1; }
# The answer-file parser also starts from the answer templates, the student-style
# test files and the example class.
for d in exercises/answers exercises/tests/data exercises/examples/class; do
  [ -d "$d" ] && find "$d" -maxdepth 2 -name '*.txt' -exec cp {} "$work/seeds/answer_file/" \;
done

run_one() {  # target -> $work/<target>.log, exit status in $work/<target>.rc
  local t=$1
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/bin/fuzz_$t" "$work/corpus/$t" "$work/seeds/$t" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb="$rss" -max_len=65536 \
    -artifact_prefix="$work/artifacts/$t/" -print_final_stats=1 >"$work/$t.log" 2>&1
  echo $? >"$work/$t.rc"
}

# Two at a time: the machine has two cores.
set -- $targets
while [ $# -gt 0 ]; do
  run_one "$1" & a=$!
  if [ $# -gt 1 ]; then run_one "$2" & b=$!; wait $b; shift; fi
  wait $a
  shift
done

status=0
for t in $targets; do
  rc=$(cat "$work/$t.rc")
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$' | tail -1)
  line=$(grep -E '^#[0-9]+.*(DONE|pulse)' "$work/$t.log" | tail -1)
  if [ "$rc" = 0 ]; then
    echo "fuzz_$t: ${runs:-?} inputs in ${seconds} s, no finding   [$line]"
  else
    status=1
    mkdir -p "fuzz/regressions/$t"
    for f in "$work/artifacts/$t"/*; do
      [ -f "$f" ] && cp "$f" "fuzz/regressions/$t/" && echo "fuzz_$t: kept $f as fuzz/regressions/$t/$(basename "$f")"
    done
    echo "fuzz_$t: FAILED (exit $rc) after ${runs:-?} inputs; log $work/$t.log:"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|deadly signal|timeout' "$work/$t.log" | head -12 | sed 's/^/    /'
  fi
done
echo "fuzz.sh: $(( $(date +%s) - start )) s in all (build $((built - start)) s)"
exit $status
