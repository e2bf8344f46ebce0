#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu 22.04 image, with the zip extracted in
# /autograder/source: it installs gradlab from the source under gradlab/ with pip (the engine is
# compiled there; a wheel built on another system would need its glibc).
set -euo pipefail
cd /autograder/source
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends build-essential ninja-build python3-pip python3-dev \
  pybind11-dev libeigen3-dev libfmt-dev nlohmann-json3-dev libcli11-dev
pip3 install --upgrade pip
pip3 install 'cmake>=3.25' numpy
pip3 install ./gradlab
