#!/usr/bin/env bash
# The main job, from a fresh clone: installs what is missing, builds, runs the
# five exercise checkers, then trains a ResNet briefly on the CPU: on CIFAR-10
# if the binary files are in data/cifar-10-batches-bin (or $CIFAR_DIR), else on
# a generated synthetic data set (and says so).
# Usage: bash scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)"

echo
echo "================ exercises: the five written problems ================"
build/bin/exercises

echo
echo "================ resnet: a brief training run on the CPU ================"
data=${CIFAR_DIR:-data/cifar-10-batches-bin}
if [ -f "$data/data_batch_1.bin" ]; then
  echo "Using the CIFAR-10 files in $data: ResNet-20 v1, 1 epoch on the first 5,000 training images."
  build/bin/resnet train --data-dir "$data" --resnet-version 1 --resnet-size 3 --epochs 1 \
    --train-limit 5000 --model-dir build/run_checkpoints --metrics build/run_metrics.jsonl
else
  echo "No CIFAR-10 files in $data (see README: 'Getting CIFAR-10'); using a synthetic data set instead."
  build/bin/resnet make-synthetic --out build/synthetic --train 2000 --test 500
  build/bin/resnet train --data-dir build/synthetic --resnet-version 1 --resnet-size 1 --first-num-filters 8 \
    --epochs 3 --batch-size 64 --lr 0.05 --schedule cosine --warmup-epochs 1 \
    --model-dir build/run_checkpoints --metrics build/run_metrics.jsonl
fi
