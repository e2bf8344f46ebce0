#!/usr/bin/env bash
# Installs what gradlab needs from Debian's packages, only what is missing.
# As root it runs apt-get; otherwise it prints the exact command to run.
# Usage: bash scripts/setup.sh            (build + test dependencies)
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config ccache
  libeigen3-dev libfmt-dev nlohmann-json3-dev libcli11-dev libstb-dev
  # resnet predict: strict PNG and JPEG decoding
  libpng-dev libjpeg62-turbo-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-numpy python3-matplotlib python3-nbformat jupyter-nbconvert python3-ipykernel
  # the Python module (python/) and its tests; PyTorch is the tests' reference
  python3-dev pybind11-dev python3-pybind11 python3-pytest python3-hypothesis
  graphviz python3-graphviz python3-torch python3-venv
  # python/examples/mlp_lab.py: scikit-learn's digits data set
  python3-sklearn
  # fuzz targets (libFuzzer)
  clang-14 libclang-rt-14-dev libomp-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} Debian packages gradlab needs are installed."
  exit 0
fi

echo "setup: missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: not root; install them with:"
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: installed ${missing[*]}"
