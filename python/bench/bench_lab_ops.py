"""Benchmark (not a test): the lab reductions and integer indexing, gradlab beside PyTorch.

max(dim=1), argmax(dim=1), logsumexp(dim=1) and logits[range(N), y] (forward, and forward +
backward for the differentiable ones) at the sizes a lab uses: [128, 10], [128, 1000],
[50000, 10], float32, CPU. The two libraries run in turns in one process; each number is the
median of --rounds rounds of --reps calls. Prints microseconds per call and gradlab / PyTorch.

    PYTHONPATH=build/python /usr/bin/python3 python/bench/bench_lab_ops.py [--rounds 7] [--threads 2]
"""
import argparse
import statistics
import time

import numpy as np
import torch

import gradlab


def timed(fn, reps):
    start = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - start) / reps * 1e6


def cases(n, k, rng):
    x = rng.standard_normal((n, k)).astype(np.float32)
    y = rng.integers(0, k, size=n)
    g, gy = gradlab.tensor(x), gradlab.tensor(y)
    gg = gradlab.tensor(x, requires_grad=True)
    t, ty = torch.tensor(x), torch.tensor(y)
    tg = torch.tensor(x, requires_grad=True)
    rows = range(n)

    def gl_bw(f):
        def run():
            f(gg).sum().backward()
            gg.grad = None
        return run

    def th_bw(f):
        def run():
            f(tg).sum().backward()
            tg.grad = None
        return run

    return [
        ("max(dim=1)", lambda: gradlab.max(g, 1), lambda: torch.max(t, 1)),
        ("argmax(dim=1)", lambda: gradlab.argmax(g, 1), lambda: torch.argmax(t, 1)),
        ("logsumexp(dim=1)", lambda: gradlab.logsumexp(g, 1), lambda: torch.logsumexp(t, 1)),
        ("x[range(N), y]", lambda: g[rows, gy], lambda: t[rows, ty]),
        ("max(dim=1) +bw", gl_bw(lambda a: gradlab.max(a, 1).values), th_bw(lambda a: torch.max(a, 1).values)),
        ("logsumexp +bw", gl_bw(lambda a: gradlab.logsumexp(a, 1)), th_bw(lambda a: torch.logsumexp(a, 1))),
        ("x[range(N), y] +bw", gl_bw(lambda a: a[rows, gy]), th_bw(lambda a: a[rows, ty])),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gradlab.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f"{'op':<20} {'shape':<12} {'gradlab us':>11} {'torch us':>10} {'gradlab/torch':>14}")
    for n, k in [(128, 10), (128, 1000), (50000, 10)]:
        reps = max(3, int(2e6 // (n * k)))  # about the same work per round
        reps = min(reps, 2000)
        for name, gl_fn, th_fn in cases(n, k, rng):
            gl_fn(), th_fn()  # warm up
            gl_t, th_t = [], []
            for _ in range(args.rounds):
                gl_t.append(timed(gl_fn, reps))
                th_t.append(timed(th_fn, reps))
            g, t = statistics.median(gl_t), statistics.median(th_t)
            print(f"{name:<20} {str([n, k]):<12} {g:11.1f} {t:10.1f} {g / t:14.2f}")


if __name__ == "__main__":
    main()
