#!/usr/bin/env bash
# Side by side on the CPU: gradlab's `resnet bench` and PyTorch
# (resnet/bench_torch_cpu.py), same model (ResNet-20 v1 by default), batch,
# thread count and SGD: Debian's PyTorch (/usr/bin/python3, python3-torch),
# and a current PyTorch from PyPI too when its venv exists (bench/torch_venv.sh;
# TORCH_VENV names another one). They run in turns, ROUNDS times, because these
# shared machines drift by tens of percent within a minute: each round is a
# median over STEPS steps after a warm-up step; the summary gives the median
# and the best round of each and the speed ratios.
#   resnet/bench_compare.sh [build-dir] [size] [batch] [threads] [steps] [rounds]
set -euo pipefail
BUILD=${1:-build}
SIZE=${2:-3}
BATCH=${3:-128}
THREADS=${4:-2}
STEPS=${5:-5}
ROUNDS=${6:-6}
HERE=$(dirname "$0")
TORCH_VENV=${TORCH_VENV:-$HOME/.cache/gradlab-torch-venv}
[[ -x "$BUILD/bin/resnet" ]] || { echo "bench_compare.sh: $BUILD/bin/resnet not found; build it first (cmake --build $BUILD --target resnet)" >&2; exit 1; }

pythons=(/usr/bin/python3)
[[ -x "$TORCH_VENV/bin/python" ]] && pythons+=("$TORCH_VENV/bin/python")
ms() { grep -o '[0-9.]* ms/step' | tail -1 | cut -d' ' -f1; }
version() { "$1" -c 'import torch; print(torch.__version__)'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "gradlab" >"$tmp/names"
for py in "${pythons[@]}"; do echo "PyTorch $(version "$py")" >>"$tmp/names"; done
for round in $(seq "$ROUNDS"); do
  line="round $round:"
  g=$("$BUILD/bin/resnet" bench --device cpu --resnet-version 1 --resnet-size "$SIZE" \
        --batch-size "$BATCH" --threads "$THREADS" --steps "$STEPS" --warmup 1 | ms)
  echo "$g" >>"$tmp/0"
  line+=" gradlab $g"
  i=1
  for py in "${pythons[@]}"; do
    t=$("$py" "$HERE/bench_torch_cpu.py" --size "$SIZE" --batch "$BATCH" \
          --threads "$THREADS" --steps "$STEPS" --warmup 1 | ms)
    echo "$t" >>"$tmp/$i"
    line+=", $(sed -n "$((i + 1))p" "$tmp/names") $t"
    i=$((i + 1))
  done
  echo "$line ms/step"
done
/usr/bin/python3 - "$BATCH" "$tmp" <<'PY'
import statistics, sys
batch, tmp = int(sys.argv[1]), sys.argv[2]
names = open(f"{tmp}/names").read().splitlines()
runs = [[float(v) for v in open(f"{tmp}/{i}")] for i in range(len(names))]
print(f"ResNet, batch {batch}, {len(runs[0])} rounds (ms/step; images/s):")
for name, v in zip(names, runs):
    med, best = statistics.median(v), min(v)
    print(f"  {name:22s} median {med:8.1f} ({batch * 1000 / med:6.1f} img/s)   best {best:8.1f} ({batch * 1000 / best:6.1f} img/s)")
g = runs[0]
for name, t in zip(names[1:], runs[1:]):
    print(f"  speed ratio gradlab / {name} (> 1: gradlab faster): median {statistics.median(t) / statistics.median(g):.2f}, best {min(t) / min(g):.2f}")
PY
