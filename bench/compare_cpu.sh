#!/usr/bin/env bash
# Times conv2d (ResNet-20 shapes, batch 128) and matmul in gradlab (bench_ops)
# and in PyTorch CPU (torch_cpu_reference.py) with the same thread count, and
# prints a table of medians with the ratio gradlab / PyTorch (< 1: gradlab faster):
# Debian's PyTorch, and a current PyTorch from PyPI too when its venv exists
# (bench/torch_venv.sh; TORCH_VENV names another one).
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
TORCH_VENV=${TORCH_VENV:-$HOME/.cache/gradlab-torch-venv}
pythons=(/usr/bin/python3)
[[ -x "$TORCH_VENV/bin/python" ]] && pythons+=("$TORCH_VENV/bin/python")
refs=()
for py in "${pythons[@]}"; do
  echo "== PyTorch ($py, $OMP_NUM_THREADS threads) =="
  "$py" bench/torch_cpu_reference.py --threads "$OMP_NUM_THREADS" >"$tmp/torch${#refs[@]}.json"
  refs+=("$tmp/torch${#refs[@]}.json")
done

/usr/bin/python3 - "$tmp/gradlab.json" "${refs[@]}" <<'PY'
import json, sys
UNIT = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
gradlab = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    if b.get("aggregate_name") == "median":
        name = b["run_name"].removesuffix("/real_time")
        gradlab[name] = b["real_time"] * UNIT[b["time_unit"]]
refs = [json.load(open(path)) for path in sys.argv[2:]]
# gradlab name -> PyTorch name: drop the "ops/" or "backend/" prefix.
print(f"\n{refs[0]['threads']} threads; medians in ms; ratio = gradlab / PyTorch time")
header = f"{'benchmark':36s} {'gradlab':>10s}"
for ref in refs:
    header += f" {'torch ' + ref['torch'][:10]:>17s} {'ratio':>6s}"
print(header)
for name, t in gradlab.items():
    key = name.split("/", 1)[1]
    line = f"{name:36s} {t * 1e3:10.3f}"
    for ref in refs:
        theirs = ref["median_seconds"].get(key)
        line += f" {theirs * 1e3:17.3f} {t / theirs:6.2f}" if theirs else f" {'-':>17s} {'-':>6s}"
    print(line)
PY
