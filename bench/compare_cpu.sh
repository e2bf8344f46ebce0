#!/usr/bin/env bash
# Times conv2d (ResNet-20 shapes, batch 128) and matmul in gradlab (bench_ops)
# and in PyTorch CPU (torch_cpu_reference.py) with the same thread count, and
# prints a table of medians with the ratio gradlab / PyTorch (< 1: gradlab faster).
#
# Usage: bench/compare_cpu.sh [build-dir]     (default: build; needs build/bin/bench_ops)
#   OMP_NUM_THREADS sets the threads of both (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${1:-build}"
bench="$build_dir/bin/bench_ops"
[[ -x "$bench" ]] || { echo "compare_cpu.sh: $bench not found; build it: cmake --build $build_dir --target bench_ops" >&2; exit 1; }
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== gradlab bench_ops ($OMP_NUM_THREADS threads) =="
"$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_out="$tmp/gradlab.json" --benchmark_out_format=json >/dev/null
echo "== PyTorch ($OMP_NUM_THREADS threads) =="
/usr/bin/python3 bench/torch_cpu_reference.py --threads "$OMP_NUM_THREADS" >"$tmp/torch.json"

/usr/bin/python3 - "$tmp/gradlab.json" "$tmp/torch.json" <<'PY'
import json, sys
UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
gradlab = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        name = b["run_name"].removesuffix("/real_time")
        gradlab[name] = b["real_time"] * UNIT[b["time_unit"]]
ref = json.load(open(sys.argv[2]))
torch = ref["median_seconds"]
# gradlab name -> PyTorch name: drop the "ops/" or "backend/" prefix.
print(f"\nPyTorch {ref['torch']}, {ref['threads']} threads; medians in ms")
print(f"{'benchmark':36s} {'gradlab':>10s} {'pytorch':>10s} {'ratio':>7s}")
for name, t in gradlab.items():
    key = name.split("/", 1)[1]
    if key in torch:
        print(f"{name:36s} {t * 1e3:10.3f} {torch[key] * 1e3:10.3f} {t / torch[key]:7.2f}")
    else:
        print(f"{name:36s} {t * 1e3:10.3f} {'-':>10s} {'-':>7s}")
PY
