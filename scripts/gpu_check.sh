#!/usr/bin/env bash
# The GPU machine's checklist: ONE call that tests, benchmarks and trains, with
# binaries prebuilt on the CPU machine by scripts/gpu_pack.sh (carry [".gpu"]).
# Run from the repository root:
#   0. the CUDA libraries: LD_LIBRARY_PATH for a standard CUDA 13 layout, then
#      `ldd | grep "not found"` on every binary, so a missing library shows in seconds
#   1. nvidia-smi -L
#   2. gradlab_tests --gtest_filter='Gpu*': every CUDA op against the CPU backend in
#      the same binary, and a whole ResNet-20 step (GRADLAB_TF32 is removed here:
#      TF32 is accurate to ~1e-3 and the float32 tolerances assume full FP32)
#   3. resnet bench --device cuda at batch 128: ResNet-20/56/110 v1 and ResNet-164 v2,
#      then ResNet-20 again with TF32 on; images/s and peak device memory
#   4. resnet train --preset recipe30 on CIFAR-10 (rebuilt from the carried JPEG
#      archive while the tests run), else on generated data; TRAIN_EPOCHS (default
#      3 for a first call; the full recipe is a second call with TRAIN_EPOCHS=30)
#   5. only when STAGES names it: PyTorch's reference (shared/device.md already has
#      its figures), same GPU, same call
# and prints a summary table last. A failing stage is reported and the next one
# runs anyway. Logs go to $OUT (or ./gpu_check_logs). On a machine without a GPU
# (a dry run) every stage that needs one fails or skips, saying so.
#
# Environment: BIN (.gpu/bin), OUT, BUDGET_S (total seconds, default 330),
# TRAIN_EPOCHS (3; 2 on generated data), DATA_DIR (cifar-10-batches-bin),
# CIFAR_TARBALL (.gpu/data/cifar10-jpeg.tar.gz), TORCH_REF (.gpu/data/torch_reference.py),
# STAGES (default "tests bench train"; add "torch" for PyTorch's figures),
# TRAIN_TF32 (1: the training run uses TF32 GEMMs, as PyTorch's cuDNN convolutions do by default).
set -u
STAGES=" ${STAGES:-tests bench train} "
want() { [[ $STAGES == *" $1 "* ]]; }
BIN=${BIN:-.gpu/bin}
LOGS=${OUT:-gpu_check_logs}
BUDGET_S=${BUDGET_S:-330}
CIFAR_TARBALL=${CIFAR_TARBALL:-.gpu/data/cifar10-jpeg.tar.gz}
TORCH_REF=${TORCH_REF:-.gpu/data/torch_reference.py}
# A standard CUDA 13 install keeps its libraries in lib64 and targets/x86_64-linux/lib.
cuda_libs=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda/lib; do
  [[ -d $d ]] && cuda_libs="$cuda_libs${cuda_libs:+:}$d"
done
export LD_LIBRARY_PATH="$cuda_libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
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

echo "=== libraries (LD_LIBRARY_PATH=$LD_LIBRARY_PATH)"
# The programs need the engine library (.gpu/lib); the CUDA plugin beside it
# needs cuBLAS and is opened by the engine on first use of the GPU.
LIB=${LIB:-$(dirname "$BIN")/lib}
for b in "$BIN"/gradlab_tests "$BIN"/resnet "$LIB"/libgradlab_engine.so "$LIB"/libgradlab_cuda.so; do
  if [[ ! -x $b ]]; then
    echo "  $b: not found (run scripts/gpu_pack.sh and carry .gpu)"
  elif missing=$(ldd "$b" 2>&1 | grep "not found"); then
    echo "  $b: MISSING LIBRARIES:"; echo "$missing" | sed 's/^/    /'
    skip_stage "libraries $(basename "$b")" "missing: $(echo "$missing" | awk '{print $1}' | paste -sd' ' -)"
  else
    echo "  $b: all libraries found"
  fi
done

echo "=== nvidia-smi -L"
nvidia-smi -L 2>&1 | tee "$LOGS/nvidia-smi.log" || true
if [[ -x $BIN/resnet ]]; then  # the plugin loads and finds the GPU (or says why not)
  echo "=== CUDA plugin: $("$BIN"/resnet bench --device cuda --resnet-size 1 --batch-size 2 --steps 1 --warmup 0 2>&1 | head -1)"
fi

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
    env -u GRADLAB_TF32 "$BIN/gradlab_tests" --gtest_filter='Gpu*' --gtest_output="xml:$LOGS/tests_gpu.xml"
else
  skip_stage "tests" "$BIN/gradlab_tests not found"
fi

if [[ -x $BIN/resnet ]] && want bench; then
  # name version size steps warmup tf32
  while read -r name version size steps warmup tf32; do
    run_stage "bench $name" 40 "$LOGS/bench_${name// /_}.log" \
      env GRADLAB_TF32="$tf32" "$BIN/resnet" bench --device cuda --resnet-version "$version" \
      --resnet-size "$size" --batch-size 128 --steps "$steps" --warmup "$warmup"
  done <<'BENCHES'
ResNet-20_v1 1 3 30 10 0
ResNet-56_v1 1 9 20 5 0
ResNet-110_v1 1 18 10 3 0
ResNet-164_v2 2 18 10 3 0
ResNet-20_v1_TF32 1 3 30 10 1
BENCHES
fi

if [[ -x $BIN/resnet ]] && { want train || want torch; }; then
  if [[ -n $convert_pid ]]; then
    if wait "$convert_pid" && [[ -f $work/cifar/cifar-10-batches-bin/data_batch_1.bin ]]; then
      data=$work/cifar/cifar-10-batches-bin
    else
      skip_stage "CIFAR-10 rebuild" "failed ($(tail -n 1 "$LOGS/cifar_convert.log" | cut -c1-60)): generated data instead"
    fi
  fi
  epochs=${TRAIN_EPOCHS:-3}
  if [[ -z $data ]]; then
    "$BIN/resnet" make-synthetic --out "$work/synthetic" --train 10000 --test 2000 >"$LOGS/synthetic.log" 2>&1 &&
      data=$work/synthetic
    epochs=${TRAIN_EPOCHS:-2}
  fi
  if [[ -n $data ]] && want train; then
    # Leave about 75 s for PyTorch's reference figures when they run.
    reserve=5; want torch && reserve=75
    run_stage "train ResNet-20 recipe30" $(($(left) - reserve)) "$LOGS/train.log" \
      env GRADLAB_TF32="${TRAIN_TF32:-1}" "$BIN/resnet" train --data-dir "$data" --device cuda --preset recipe30 --epochs "$epochs" \
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
