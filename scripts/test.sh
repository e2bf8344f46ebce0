#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing, builds
# (Release, with CUDA when nvcc is found) and runs every test with ctest, then
# builds a second copy under AddressSanitizer + UndefinedBehaviorSanitizer and
# runs the suite again. GPU tests skip, with a message, where there is no GPU.
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

echo "== Release build (build/)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$jobs"
echo "== Tests (Release)"
(cd build && ctest --output-on-failure -j "$jobs")

echo "== Sanitizer build (build-asan/: ASan + UBSan, CPU only)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGRADLAB_SANITIZE=ON -DGRADLAB_BENCH=OFF \
  -DGRADLAB_PARTS="exercises;resnet;notebooks_export"
cmake --build build-asan -j "$jobs"
echo "== Tests (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j "$jobs" -LE notebook)
echo "test.sh: all tests passed (Release and ASan+UBSan)."
