#!/usr/bin/python3
"""PyTorch CPU timings for the shapes in bench_shapes.h (run with Debian's
/usr/bin/python3, which has torch). Prints JSON {name: median seconds}.

Names match bench_ops without its "ops/" or "backend/" prefix:
  conv_fwd/cC_HxH       F.conv2d(x, w, padding=1), no grad
  conv_fwd_bwd/cC_HxH   forward + backward (dx and dw)
  conv_bwd/cC_HxH       aten.convolution_backward alone (dx and dw)
  matmul/MxKxN          a @ b
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

CONV_SHAPES = [(128, 16, 32), (128, 32, 16), (128, 64, 8)]  # (N, C, H); weight [C, C, 3, 3]
MATMUL_SHAPES = [(512, 512, 512), (128, 64, 10), (128, 576, 16), (1024, 256, 256)]


def median_seconds(fn, min_time=0.2, samples=7):
    """Median over `samples` of the mean time per call, each sample >= min_time / samples."""
    fn()  # warm-up (allocator, thread pool)
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < 0.05:
        fn()
        calls += 1
    per_call = (time.perf_counter() - start) / calls
    reps = max(1, int(min_time / samples / per_call))
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        times.append((time.perf_counter() - t0) / reps)
    return statistics.median(times)


def conv_benchmarks(results):
    gen = torch.Generator().manual_seed(1)
    for n, c, h in CONV_SHAPES:
        name = f"c{c}_{h}x{h}"
        x = torch.randn(n, c, h, h, generator=gen)
        w = torch.randn(c, c, 3, 3, generator=gen) * 0.1
        dy = torch.randn(n, c, h, h, generator=gen)

        def fwd():
            with torch.no_grad():
                F.conv2d(x, w, padding=1)

        xg, wg = x.clone().requires_grad_(), w.clone().requires_grad_()

        def fwd_bwd():
            F.conv2d(xg, wg, padding=1).backward(dy)
            xg.grad = None
            wg.grad = None

        def bwd():
            torch.ops.aten.convolution_backward(dy, x, w, None, [1, 1], [1, 1], [1, 1], False,
                                                [0, 0], 1, [True, True, False])

        results[f"conv_fwd/{name}"] = median_seconds(fwd)
        results[f"conv_fwd_bwd/{name}"] = median_seconds(fwd_bwd)
        results[f"conv_bwd/{name}"] = median_seconds(bwd)


def matmul_benchmarks(results):
    gen = torch.Generator().manual_seed(2)
    for m, k, n in MATMUL_SHAPES:
        a, b = torch.randn(m, k, generator=gen), torch.randn(k, n, generator=gen)
        results[f"matmul/{m}x{k}x{n}"] = median_seconds(lambda: a @ b)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = {}
    conv_benchmarks(results)
    matmul_benchmarks(results)
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(),
                      "median_seconds": results}, indent=1))


if __name__ == "__main__":
    main()
