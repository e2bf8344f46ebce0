#!/usr/bin/env bash
# Prepares what one call to the GPU machine carries, on this (CPU) machine:
#   .gpu/bin/   gradlab_tests and resnet, built for sm_90 (build-cuda/) and stripped
#   .gpu/lib/   libgradlab_engine.so and the CUDA plugin libgradlab_cuda.so (the
#               programs find them through their run path, $ORIGIN/../lib)
#   .gpu/data/  the CIFAR-10 JPEG archive, its converter and PyTorch's reference script
#               (copied from ../shared, which does not travel)
# then lists every file with its size and checks that the checkout plus the
# carried folder fit in the 64 MiB a call may take. Exits 1 when they do not.
# Usage: bash scripts/gpu_pack.sh            (then: run scripts/gpu_check.sh there,
#                                              with carry [".gpu"])
set -euo pipefail
cd "$(dirname "$0")/.."
limit_bytes=$((64 * 1024 * 1024))
shared=${SHARED_DIR:-../shared}
carry=.gpu

command -v /usr/local/cuda/bin/nvcc >/dev/null || { echo "gpu_pack: nvcc not found in /usr/local/cuda/bin" >&2; exit 1; }

# Only what the GPU run needs: the engine with the CUDA backend, the tests and
# the trainer. No exercises, notebooks, Python module or benchmarks.
cmake -S . -B build-cuda -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
  -DGRADLAB_PARTS=resnet -DGRADLAB_BENCH=OFF -DGRADLAB_FUZZ=OFF >/dev/null
cmake --build build-cuda -j "$(nproc)" --target gradlab_tests resnet gradlab_cuda

rm -rf "$carry"
mkdir -p "$carry/bin" "$carry/lib" "$carry/data"
for b in gradlab_tests resnet; do
  strip -o "$carry/bin/$b" "build-cuda/bin/$b"
done
for l in libgradlab_engine.so libgradlab_cuda.so; do
  strip --strip-unneeded -o "$carry/lib/$l" "build-cuda/lib/$l"
done
for f in "$shared/data/cifar10-jpeg.tar.gz" "$shared/tools/cifar10_from_jpeg.py" "$shared/tools/torch_reference.py"; do
  if [[ -f $f ]]; then cp "$f" "$carry/data/"; else echo "gpu_pack: $f not found: the run will train on generated data" >&2; fi
done

echo "gpu_pack: files to carry (carry [\"$carry\"]):"
find "$carry" -type f -printf '%s %p\n' | sort -k2 | awk '{printf "  %10d  %s\n", $1, $2}'
carried=$(find "$carry" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
tracked=$(git ls-files -z | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
untracked=$(git ls-files -z --others --exclude-standard | xargs -0 -r stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}')
total=$((carried + tracked + untracked))
mib() { awk -v b="$1" 'BEGIN {printf "%.1f MiB", b / 1048576}'; }
echo "gpu_pack: carried $(mib "$carried") + checkout $(mib "$tracked") + untracked $(mib "$untracked") = $(mib "$total") of $(mib "$limit_bytes")"
if ((total > limit_bytes)); then
  echo "gpu_pack: too large for one call; drop the archive (the run then trains on generated data) or trim" >&2
  exit 1
fi
echo "gpu_pack: fits. Needed libraries (resolved on the GPU machine by scripts/gpu_check.sh):"
ldd "$carry/bin/resnet" "$carry/lib/libgradlab_cuda.so" | awk '/gradlab|cuda|cublas|cudnn|gomp|stdc\+\+/ {print "  " $1}' | sort -u
