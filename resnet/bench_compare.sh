#!/usr/bin/env bash
# Side by side on the CPU: gradlab's `resnet bench` and PyTorch (Debian's
# python3-torch, resnet/bench_torch_cpu.py), same model (ResNet-20 v1 by
# default), batch, thread count and SGD. The two run in turns, ROUNDS times,
# because these shared machines drift by tens of percent within a minute:
# each round is a median over STEPS steps after a warm-up step; the summary
# gives the median and the best round of each and their ratio.
#   resnet/bench_compare.sh [build-dir] [size] [batch] [threads] [steps] [rounds]
set -euo pipefail
BUILD=${1:-build}
SIZE=${2:-3}
BATCH=${3:-128}
THREADS=${4:-2}
STEPS=${5:-5}
ROUNDS=${6:-6}
HERE=$(dirname "$0")
[[ -x "$BUILD/bin/resnet" ]] || { echo "bench_compare.sh: $BUILD/bin/resnet not found; build it first (cmake --build $BUILD --target resnet)" >&2; exit 1; }

ms() { grep -o '[0-9.]* ms/step' | tail -1 | cut -d' ' -f1; }
gradlab=() torch=()
for round in $(seq "$ROUNDS"); do
  g=$("$BUILD/bin/resnet" bench --device cpu --resnet-version 1 --resnet-size "$SIZE" \
        --batch-size "$BATCH" --threads "$THREADS" --steps "$STEPS" --warmup 1 | ms)
  t=$(/usr/bin/python3 "$HERE/bench_torch_cpu.py" --size "$SIZE" --batch "$BATCH" \
        --threads "$THREADS" --steps "$STEPS" --warmup 1 | ms)
  echo "round $round: gradlab $g ms/step, PyTorch $t ms/step"
  gradlab+=("$g") torch+=("$t")
done
printf '%s\n' "${gradlab[@]}" >/tmp/bench_compare_gradlab.$$
printf '%s\n' "${torch[@]}" >/tmp/bench_compare_torch.$$
/usr/bin/python3 - "$BATCH" /tmp/bench_compare_gradlab.$$ /tmp/bench_compare_torch.$$ <<'PY'
import statistics, sys
batch = int(sys.argv[1])
g = [float(v) for v in open(sys.argv[2])]
t = [float(v) for v in open(sys.argv[3])]
print(f"ResNet, batch {batch}, {len(g)} rounds (ms/step; images/s):")
for name, v in (("gradlab", g), ("PyTorch", t)):
    med, best = statistics.median(v), min(v)
    print(f"  {name:8s} median {med:8.1f} ({batch * 1000 / med:6.1f} img/s)   best {best:8.1f} ({batch * 1000 / best:6.1f} img/s)")
print(f"  speed ratio gradlab/PyTorch (> 1: gradlab faster): median {statistics.median(t) / statistics.median(g):.2f}, best {min(t) / min(g):.2f}")
PY
rm -f /tmp/bench_compare_gradlab.$$ /tmp/bench_compare_torch.$$
