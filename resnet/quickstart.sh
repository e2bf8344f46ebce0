#!/bin/sh
# Trains a small ResNet briefly: on the real CIFAR-10 files when DIR holds them
# (DIR/data_batch_1.bin or DIR/cifar-10-batches-bin/data_batch_1.bin), otherwise
# on a generated stand-in, and says which.
#   resnet/quickstart.sh [DIR]        (DIR defaults to data/cifar10)
# RESNET=path/to/resnet overrides the binary (default build/bin/resnet).
set -e
BIN=${RESNET:-build/bin/resnet}
DATA=${1:-data/cifar10}
WORK=${TMPDIR:-/tmp}/gradlab-quickstart
if [ ! -x "$BIN" ]; then
  echo "no $BIN yet: build first with"
  echo "  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j2 --target resnet"
  exit 1
fi
if [ -f "$DATA/data_batch_1.bin" ] || [ -f "$DATA/cifar-10-batches-bin/data_batch_1.bin" ]; then
  echo "quickstart: training ResNet-8 on the CIFAR-10 files in $DATA (2 epochs on the first 5,000 images)"
  exec "$BIN" train --data-dir "$DATA" --model-dir "$WORK/models" --resnet-size 1 \
    --epochs 2 --train-limit 5000 --batch-size 64 --schedule cosine --warmup-epochs 0.2 \
    --nesterov --standardize per-channel
fi
echo "quickstart: no CIFAR-10 files in $DATA (get them with: $BIN download --data-dir $DATA);"
echo "quickstart: training on a generated data set instead (10 classes of periodic patterns)"
"$BIN" make-synthetic --out "$WORK/synthetic" --train 1000 --test 200
exec "$BIN" train --data-dir "$WORK/synthetic" --model-dir "$WORK/models" --resnet-size 1 \
  --first-num-filters 8 --epochs 3 --batch-size 50 --schedule cosine --warmup-epochs 0.5 \
  --nesterov --weight-decay 5e-4 --standardize per-channel
