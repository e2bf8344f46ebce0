#!/bin/sh
# Side by side on the CPU: gradlab's `resnet bench` and PyTorch (Debian's
# python3-torch), same model (ResNet-20 v1 by default), batch and thread count.
#   resnet/bench_compare.sh [build-dir] [size] [batch] [threads] [steps]
set -e
BUILD=${1:-build}
SIZE=${2:-3}
BATCH=${3:-128}
THREADS=${4:-2}
STEPS=${5:-20}
HERE=$(dirname "$0")
echo "== gradlab"
"$BUILD/bin/resnet" bench --device cpu --resnet-version 1 --resnet-size "$SIZE" \
  --batch-size "$BATCH" --threads "$THREADS" --steps "$STEPS" --warmup 3
echo "== pytorch"
/usr/bin/python3 "$HERE/bench_torch_cpu.py" --size "$SIZE" --batch "$BATCH" \
  --threads "$THREADS" --steps "$STEPS" --warmup 3
