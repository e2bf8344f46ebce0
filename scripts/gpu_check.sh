#!/usr/bin/env bash
# The GPU machine's checklist, run from the repository root with binaries
# prebuilt here in build-cuda/bin (carried over):
#   1. nvidia-smi -L
#   2. gradlab_tests: the GPU parity tests first, then everything else
#   3. resnet bench --device cuda: ResNet-20 v1, ResNet-110 v1, ResNet-164 v2
#   4. a short training run (CIFAR-10 if a copy is found, else synthetic data)
# and prints a summary table last. A failing stage is reported and the next
# one runs anyway. Logs go to $OUT (or ./gpu_check_logs). Each stage has a
# time limit; together (limits 120+90+40+50+50+100 s) they stay under ~8 minutes.
#
# Environment: BIN (default build-cuda/bin), OUT, DATA_DIR (a folder with
# cifar-10-batches-bin/ or the .bin files), TRAIN_EPOCHS (default 2).
set -u
BIN=${BIN:-build-cuda/bin}
LOGS=${OUT:-gpu_check_logs}
mkdir -p "$LOGS"
TRAIN_EPOCHS=${TRAIN_EPOCHS:-2}
# recipe30 warms up for one epoch, which needs at least two.
WARMUP=1
(( TRAIN_EPOCHS < 2 )) && WARMUP=0
SUMMARY=()

# run_stage NAME LIMIT_S LOG COMMAND...: runs with a time limit, records the outcome.
run_stage() {
  local name=$1 limit=$2 log=$3
  shift 3
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
  local note
  note=$(stage_note "$name" "$log")
  [[ -z $note ]] && note=$(grep -v '^\s*$' "$log" | tail -n 1 | cut -c1-100)  # e.g. the error message
  SUMMARY+=("$(printf '%-28s %-16s %5ss  %s' "$name" "$status" "$((end - start))" "$note")")
}

# One line of the log worth showing in the table.
stage_note() {
  local name=$1 log=$2
  case $name in
    tests*) grep -oE '^\[  PASSED  \] [0-9]+ tests?|^\[  SKIPPED \] [0-9]+ tests?|[0-9]+ FAILED TESTS?' "$log" |
            sed -E 's/^\[ +//; s/ +\]//' | paste -sd',' - ;;
    bench*) grep -oE '[0-9.]+ ms/step, [0-9.]+ images/s' "$log" | tail -n 1
            grep -oE 'peak device memory: [0-9.]+ MiB' "$log" | tail -n 1 | sed 's/^/  /' ;;
    train*) grep -E '^epoch ' "$log" | tail -n 1 | cut -c1-110 ;;
    *) tail -n 1 "$log" | cut -c1-90 ;;
  esac | paste -sd' ' -
}

skip_stage() {
  SUMMARY+=("$(printf '%-28s %-16s %5s   %s' "$1" "skipped" "-" "$2")")
}

echo "=== nvidia-smi -L"
nvidia-smi -L 2>&1 | tee "$LOGS/nvidia-smi.log" || true

if [[ -x $BIN/gradlab_tests ]]; then
  run_stage "tests (GPU parity)" 120 "$LOGS/tests_gpu.log" \
    "$BIN/gradlab_tests" --gtest_filter='Gpu*' --gtest_output="xml:$LOGS/tests_gpu.xml"
  run_stage "tests (all others)" 90 "$LOGS/tests_rest.log" \
    "$BIN/gradlab_tests" --gtest_filter='-Gpu*' --gtest_output="xml:$LOGS/tests_rest.xml"
else
  skip_stage "tests" "$BIN/gradlab_tests not found"
fi

if [[ -x $BIN/resnet ]]; then
  run_stage "bench ResNet-20 v1" 40 "$LOGS/bench_resnet20.log" \
    "$BIN/resnet" bench --device cuda --resnet-version 1 --resnet-size 3 --batch-size 128 --steps 20 --warmup 5
  run_stage "bench ResNet-110 v1" 50 "$LOGS/bench_resnet110.log" \
    "$BIN/resnet" bench --device cuda --resnet-version 1 --resnet-size 18 --batch-size 128 --steps 10 --warmup 3
  run_stage "bench ResNet-164 v2" 50 "$LOGS/bench_resnet164.log" \
    "$BIN/resnet" bench --device cuda --resnet-version 2 --resnet-size 18 --batch-size 128 --steps 10 --warmup 3

  # Training data: a real CIFAR-10 copy if one was carried, else synthetic gratings.
  data=""
  for d in "${DATA_DIR:-}" "${DATA_DIR:-}/cifar-10-batches-bin" data/cifar-10-batches-bin \
           gpu_data/cifar-10-batches-bin; do
    if [[ -n $d && -f $d/data_batch_1.bin ]]; then data=$d; break; fi
  done
  work=$(mktemp -d)
  if [[ -z $data ]]; then
    if "$BIN/resnet" make-synthetic --out "$work/synthetic" --train 10000 --test 2000 >"$LOGS/synthetic.log" 2>&1; then
      data=$work/synthetic
    fi
  fi
  if [[ -n $data ]]; then
    run_stage "train ResNet-20 ($(basename "$data"))" 100 "$LOGS/train.log" \
      "$BIN/resnet" train --data-dir "$data" --device cuda --preset recipe30 --epochs "$TRAIN_EPOCHS" --warmup-epochs "$WARMUP" \
      --quiet --model-dir "$work/checkpoints" --metrics "$LOGS/train_metrics.jsonl"
  else
    skip_stage "train" "no data (see $LOGS/synthetic.log)"
  fi
  rm -rf "$work"
else
  skip_stage "bench / train" "$BIN/resnet not found"
fi

echo
echo "=== summary (logs in $LOGS)"
printf '%-28s %-16s %6s  %s\n' "stage" "status" "time" "note"
printf '%s\n' "${SUMMARY[@]}" | tee "$LOGS/summary.txt"
