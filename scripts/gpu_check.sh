#!/usr/bin/env bash
# The GPU machine's checklist: ONE call that tests, benchmarks and trains, with
# binaries prebuilt on the CPU machine (build for sm_90, carry build-cuda/bin).
# Run from the repository root:
#   1. nvidia-smi -L
#   2. gradlab_tests --gtest_filter='Gpu*': every CUDA op against the CPU backend
#   3. resnet bench --device cuda: ResNet-20 v1, ResNet-110 v1, ResNet-164 v2 (batch 128)
#   4. resnet train --preset recipe30 on CIFAR-10 (rebuilt from the carried JPEG
#      archive while the tests run), else on synthetic data; time-boxed to the budget
#   5. PyTorch's reference throughput (shared/tools/torch_reference.py), same GPU, same call
# and prints a summary table last. A failing stage is reported and the next one
# runs anyway. Logs go to $OUT (or ./gpu_check_logs).
#
# Environment: BIN (build-cuda/bin), OUT, BUDGET_S (total seconds, default 540),
# TRAIN_EPOCHS (30 on CIFAR-10, 2 on synthetic data), DATA_DIR (cifar-10-batches-bin),
# CIFAR_TARBALL (.data/cifar10-jpeg.tar.gz), TORCH_REF (.data/torch_reference.py),
# GRADLAB_TF32 (1: TF32 tensor cores for GEMMs, as cuDNN's default for PyTorch's convs),
# STAGES (default "tests bench train torch": which stages to run).
set -u
STAGES=" ${STAGES:-tests bench train torch} "
want() { [[ $STAGES == *" $1 "* ]]; }
BIN=${BIN:-build-cuda/bin}
LOGS=${OUT:-gpu_check_logs}
BUDGET_S=${BUDGET_S:-540}
CIFAR_TARBALL=${CIFAR_TARBALL:-.data/cifar10-jpeg.tar.gz}
TORCH_REF=${TORCH_REF:-.data/torch_reference.py}
mkdir -p "$LOGS"
T0=$(date +%s)
SUMMARY=()
left() { echo $((BUDGET_S - ($(date +%s) - T0))); }

# run_stage NAME LIMIT_S LOG COMMAND...: runs with a time limit, records the outcome.
run_stage() {
  local name=$1 limit=$2 log=$3
  shift 3
  if ((limit < 5)); then
    skip_stage "$name" "no time left in the ${BUDGET_S}s budget"
    return
  fi
  local start end status rc
  start=$(date +%s)
  echo "=== $name: $* (limit ${limit}s, log $log)"
  timeout --kill-after=10 "$limit" "$@" >"$log" 2>&1
  rc=$?
  end=$(date +%s)
  case $rc in
    0) status=ok ;;
    124 | 137) status="TIMEOUT(${limit}s)" ;;
    *) status="FAIL(rc=$rc)" ;;
  esac
  tail -n 5 "$log"
  SUMMARY+=("$(printf '%-26s %-15s %5ss  %s' "$name" "$status" "$((end - start))" "$(stage_note "$name" "$log" "$rc")")")
}

# One line of the log worth showing in the table.
stage_note() {
  local name=$1 log=$2 rc=$3
  if [[ $rc != 0 && $rc != 124 && $rc != 137 ]]; then
    grep -m1 -iE 'error|what\(\)|failed|fatal' "$log" | cut -c1-100
    return
  fi
  case $name in
    tests*) grep -E '^\[  (PASSED|FAILED|SKIPPED) +\] [0-9]+ test' "$log" | tr -s ' ' | paste -sd';' - | cut -c1-90 ;;
    bench*) { grep -oE '[0-9.]+ ms/step, [0-9.]+ images/s' "$log" | tail -n 1
              grep -oE 'peak device memory: [0-9.]+ MiB' "$log" | tail -n 1; } | paste -sd' ' - ;;
    train*) grep -E '^epoch ' "$log" | tail -n 1 | cut -c1-120 ;;
    torch*) grep -E '^throughput' "$log" | sed 's/throughput //' | paste -sd';' - | cut -c1-160 ;;
    *) tail -n 1 "$log" | cut -c1-90 ;;
  esac
}

skip_stage() { SUMMARY+=("$(printf '%-26s %-15s %5s   %s' "$1" "skipped" "-" "$2")"); }

echo "=== nvidia-smi -L"
nvidia-smi -L 2>&1 | tee "$LOGS/nvidia-smi.log" || true

# CIFAR-10 rebuilt on the CPU cores while the GPU tests run (about 15 s).
work=$(mktemp -d)
data=""
for d in "${DATA_DIR:-}" data/cifar-10-batches-bin; do
  if [[ -n $d && -f $d/data_batch_1.bin ]]; then data=$d; break; fi
done
convert_pid=""
if [[ -z $data && -f $CIFAR_TARBALL && -f $(dirname "$CIFAR_TARBALL")/cifar10_from_jpeg.py ]]; then
  python3 "$(dirname "$CIFAR_TARBALL")/cifar10_from_jpeg.py" "$CIFAR_TARBALL" "$work/cifar" >"$LOGS/cifar_convert.log" 2>&1 &
  convert_pid=$!
fi

if ! want tests; then
  :
elif [[ -x $BIN/gradlab_tests ]]; then
  run_stage "tests (GPU parity)" 120 "$LOGS/tests_gpu.log" \
    "$BIN/gradlab_tests" --gtest_filter='Gpu*' --gtest_output="xml:$LOGS/tests_gpu.xml"
else
  skip_stage "tests" "$BIN/gradlab_tests not found"
fi

if [[ -x $BIN/resnet ]] && want bench; then
  run_stage "bench ResNet-20 v1" 40 "$LOGS/bench_resnet20.log" \
    "$BIN/resnet" bench --device cuda --resnet-version 1 --resnet-size 3 --batch-size 128 --steps 30 --warmup 10
  run_stage "bench ResNet-110 v1" 40 "$LOGS/bench_resnet110.log" \
    "$BIN/resnet" bench --device cuda --resnet-version 1 --resnet-size 18 --batch-size 128 --steps 10 --warmup 3
  run_stage "bench ResNet-164 v2" 40 "$LOGS/bench_resnet164.log" \
    "$BIN/resnet" bench --device cuda --resnet-version 2 --resnet-size 18 --batch-size 128 --steps 10 --warmup 3
fi

if [[ -x $BIN/resnet ]] && { want train || want torch; }; then
  if [[ -n $convert_pid ]]; then
    wait "$convert_pid" && [[ -f $work/cifar/cifar-10-batches-bin/data_batch_1.bin ]] && data=$work/cifar/cifar-10-batches-bin
  fi
  epochs=${TRAIN_EPOCHS:-30}
  if [[ -z $data ]]; then
    "$BIN/resnet" make-synthetic --out "$work/synthetic" --train 10000 --test 2000 >"$LOGS/synthetic.log" 2>&1 &&
      data=$work/synthetic
    epochs=${TRAIN_EPOCHS:-2}
  fi
  if [[ -n $data ]] && want train; then
    # Leave about 75 s for PyTorch's reference figures when they run.
    reserve=5; want torch && reserve=75
    run_stage "train ResNet-20 recipe30" $(($(left) - reserve)) "$LOGS/train.log" \
      "$BIN/resnet" train --data-dir "$data" --device cuda --preset recipe30 --epochs "$epochs" \
      --quiet --model-dir "$work/checkpoints" --metrics "$LOGS/train_metrics.jsonl"
  elif want train; then
    skip_stage "train" "no data (see $LOGS/synthetic.log)"
  fi
elif ! [[ -x $BIN/resnet ]]; then
  skip_stage "bench / train" "$BIN/resnet not found"
fi

if ! want torch; then
  :
elif [[ -f $TORCH_REF && -n $data && -f $data/test_batch.bin ]]; then
  # Throughput only (--epochs 0): eager fp32 batch 128 and 512, bf16, ResNet-56/110.
  run_stage "torch reference" $(($(left) - 5)) "$LOGS/torch_reference.log" \
    python3 "$TORCH_REF" --data "$data" --epochs 0 --tp-steps 60 --budget-s 0
else
  skip_stage "torch reference" "no $TORCH_REF or no CIFAR-10 copy"
fi
rm -rf "$work"

echo
echo "=== summary (logs in $LOGS; $(($(date +%s) - T0)) s in all)"
printf '%-26s %-15s %6s  %s\n' "stage" "status" "time" "note"
printf '%s\n' "${SUMMARY[@]}" | tee "$LOGS/summary.txt"
