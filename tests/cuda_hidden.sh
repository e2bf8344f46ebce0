#!/usr/bin/env bash
# The CPU programs and the Python module never need CUDA: no libcu* in their
# dependencies, and they run with the CUDA toolkit hidden (a mount namespace
# puts an empty folder over /usr/local/cuda, LD_LIBRARY_PATH cleared). Where the
# CUDA plugin was built, --device cuda and .to("cuda") then say that it could not
# be loaded; with the toolkit visible the plugin loads and, without a GPU, says
# there is no device.
# Usage: cuda_hidden.sh BUILD_DIR PYTHON      (ctest: engine.cuda_hidden)
# Exit 77 (ctest: skipped) where mount namespaces are refused (not root).
set -uo pipefail
build=$1
python=${2:-/usr/bin/python3}
fail=0
check() {  # check DESCRIPTION COMMAND...: runs it, reports, remembers a failure
  local what=$1
  shift
  if "$@"; then echo "ok    $what"; else echo "FAIL  $what"; fail=1; fi
}
no_cuda_deps() {
  local deps
  deps=$(ldd "$1" | grep -E 'libcu|libnv' || true)
  [[ -z $deps ]] || { echo "  $1 needs: $deps"; return 1; }
}

for f in "$build"/bin/exercises "$build"/bin/resnet "$build"/lib/libgradlab_engine.so "$build"/python/gradlab/_core*.so; do
  [[ -e $f ]] && check "no CUDA library among the dependencies of ${f#"$build"/}" no_cuda_deps "$f"
done

plugin=$build/lib/libgradlab_cuda.so
if [[ -e $plugin ]]; then
  out=$("$build"/bin/resnet bench --device cuda 2>&1)
  check "with the toolkit visible the plugin loads and reports no device" \
    grep -q -e "no CUDA device" -e "images/s" <<<"$out"
fi

if [[ $(id -u) -ne 0 ]] || ! unshare -m true 2>/dev/null; then
  echo "SKIP: hiding /usr/local/cuda needs a mount namespace (root and unshare -m); the ldd checks above ran"
  [[ $fail -eq 0 ]] && exit 77 || exit 1
fi
hidden() {  # runs a command with /usr/local/cuda empty and no LD_LIBRARY_PATH
  unshare -m bash -c 'mount -t tmpfs none /usr/local/cuda && shift && exec env -u LD_LIBRARY_PATH "$@"' _ x "$@"
}
quiet() { "$@" >/dev/null; }
check "the checkers run with the toolkit hidden" quiet hidden "$build"/bin/exercises
check "the trainer runs with the toolkit hidden" quiet hidden "$build"/bin/resnet bench --resnet-size 1 --batch-size 4 --steps 1 --warmup 0
if [[ -e $plugin ]]; then
  out=$(hidden "$build"/bin/resnet bench --device cuda 2>&1)
  check "--device cuda says the plugin could not be loaded" grep -q "could not be loaded" <<<"$out"
fi
if compgen -G "$build/python/gradlab/_core*.so" >/dev/null; then
  check "import gradlab works with the toolkit hidden" hidden env PYTHONPATH="$build/python" "$python" -c '
import gradlab
print(gradlab.ones(2))
assert not gradlab.cuda_available()
reason = gradlab.cuda_unavailable_reason()
assert reason, "no reason given"
try:
    gradlab.ones(2).to("cuda")
except ValueError as e:
    assert reason in str(e), e
else:
    raise AssertionError("to(cuda) worked without CUDA")
print("reason:", reason)
'
fi
exit $fail
