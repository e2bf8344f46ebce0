#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# (Release, with CUDA when nvcc is found) and runs every test with ctest; builds
# the pip wheel and tests it in fresh venvs from outside the clone
# (scripts/test_package.sh); builds
# a second copy with clang under AddressSanitizer + UndefinedBehaviorSanitizer,
# with the libFuzzer targets, and runs the suite again; then runs each fuzz
# target of that build for a bounded time. GPU tests skip, with a message,
# where there is no GPU. Every compile goes through ccache (cmake/ccache.cmake),
# so a second clone, or a second run, rebuilds from the cache, and targets are
# unity builds (GRADLAB_UNITY, cmake/unity.cmake). Each pass prints its time.
# Usage: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

bash scripts/setup.sh

# The tests run OpenMP on 2 threads (set per test by CMake) while ctest runs
# tests side by side: idle OpenMP threads should sleep, not spin (a ctest
# ENVIRONMENT list with two entries is split apart by gtest_discover_tests,
# so this one comes from here).
export OMP_WAIT_POLICY=PASSIVE

start=$SECONDS
pass_start=$SECONDS
timings=()
pass_done() {
  timings+=("$(printf '  %-34s %5d s' "$1" $((SECONDS - pass_start)))")
  pass_start=$SECONDS
}
ccache_stats() {
  local dir
  dir=$(sed -n 's/^GRADLAB_CCACHE_DIR:PATH=//p' "$1/CMakeCache.txt" 2>/dev/null || true)
  if [[ -n $dir ]] && command -v ccache >/dev/null; then
    CCACHE_DIR=$dir ccache --print-stats 2>/dev/null |
      awk -F'\t' '$1 == "direct_cache_hit" || $1 == "preprocessed_cache_hit" {h += $2}
                  $1 == "cache_miss" {m = $2}
                  END {if (h + m > 0) printf "ccache: %d hits, %d misses so far (%.0f%% hits)\n", h, m, 100 * h / (h + m)}'
  fi
}

echo "== Release build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
pass_done "Release build"
ccache_stats build
echo "== Tests (Release)"
(cd build && ctest --output-on-failure -j "$jobs")
pass_done "Release tests"

echo "== Python package (pip wheel ., fresh venvs, tests from outside the clone)"
bash scripts/test_package.sh
pass_done "Python package"

echo "== Sanitizer build (build-asan/: clang, ASan + UBSan + libFuzzer coverage, CPU only)"
# One clang build serves the sanitizer test pass and the fuzz targets (clang
# compiles the instrumented tree in about 60% of GCC's time). No benchmarks,
# no CUDA, no Python module (ASan and the interpreter do not mix: its tests run
# in the Release pass).
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DGRADLAB_SANITIZE=ON -DGRADLAB_FUZZ=ON -DGRADLAB_BENCH=OFF -DGRADLAB_PARTS="exercises;resnet;notebooks_export"
cmake --build build-asan -j "$jobs"
pass_done "Sanitizer build (with fuzz targets)"
ccache_stats build-asan
echo "== Tests (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$jobs" -LE notebook)
unset ASAN_OPTIONS UBSAN_OPTIONS
pass_done "ASan + UBSan tests"

echo "== Fuzz runs (the sanitizer build's libFuzzer targets, bounded time each)"
FUZZ_BUILD=build-asan FUZZ_LOCK=none bash scripts/fuzz.sh
pass_done "Fuzz runs"

echo "== Times"
printf '%s\n' "${timings[@]}"
printf '  %-34s %5d s\n' "all" $((SECONDS - start))
echo "test.sh: all tests passed (Release, ASan+UBSan, fuzz)."
