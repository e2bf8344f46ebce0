#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu 22.04 base image, with this zip extracted in
# /autograder/source. It builds the grader from source: a binary built elsewhere would need the same
# glibc/libstdc++ as the image, and building here takes a few minutes once per autograder upload.
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends build-essential ninja-build python3-pip \
  libeigen3-dev libfmt-dev nlohmann-json3-dev libcli11-dev
pip3 install 'cmake>=3.25'   # Ubuntu 22.04 ships CMake 3.22; the project needs 3.25
cmake -S gradlab -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DGRADLAB_CUDA=OFF -DGRADLAB_TESTS=OFF \
  -DGRADLAB_BENCH=OFF -DGRADLAB_PARTS=exercises
cmake --build build --target exercises -j "$(nproc)"
ln -sf /autograder/source/build/bin/exercises /autograder/source/exercises
