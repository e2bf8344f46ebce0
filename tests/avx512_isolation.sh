#!/usr/bin/env bash
# The engine runs on CPUs without AVX-512: only the kernels built twice (files
# *_avx512.cpp, compiled with -march=x86-64-v4, called after a CPU check) may
# hold AVX-512 instructions. A template those files instantiate that the rest
# of the engine also uses (std::vector's members, say) is a weak symbol, and
# the linker keeps one copy: if it kept the AVX-512 one, AVX2 machines would
# die with SIGILL. This checks the built library: every function that uses an
# EVEX-only register (zmm, xmm/ymm16-31, mask registers k1-k7) must have
# "avx512" in its name (gl::cpu::avx512::..., gl_eigen_avx512::..., *_avx512).
# Usage: avx512_isolation.sh LIBRARY      (ctest: engine.avx512_isolation)
set -euo pipefail
lib=$1
command -v objdump >/dev/null || { echo "avx512_isolation.sh: objdump not found (binutils); skipped"; exit 77; }
# Only weak (vague-linkage) functions can be merged across files; functions
# with internal linkage (anonymous namespaces) are private to their file.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm --defined-only "$lib" | awk '$2 ~ /^[WVu]$/ { print $3 }' | sort -u >"$tmp/weak"
objdump -d --no-show-raw-insn "$lib" >"$tmp/disassembly"
leaks=$(awk '
  NR == FNR { is_weak[$0] = 1; next }
  /^[0-9a-f]+ <.*>:$/ { name = $0; sub(/^[0-9a-f]+ </, "", name); sub(/>:$/, "", name); next }
  /%zmm|%[xy]mm(1[6-9]|2[0-9]|3[01])|%k[1-7]/ { if ((name in is_weak) && name !~ /avx512/) bad[name] = 1 }
  END { for (n in bad) print n }' "$tmp/weak" "$tmp/disassembly" | c++filt)
if [[ -n "$leaks" ]]; then
  echo "avx512_isolation.sh: AVX-512 instructions outside the AVX-512 kernels of $lib:"
  echo "$leaks" | head -20
  exit 1
fi
echo "avx512_isolation.sh: $(grep -c . "$tmp/weak") weak functions in $lib; none outside the AVX-512 kernels uses AVX-512"
