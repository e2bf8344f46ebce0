#!/usr/bin/env python3
"""Python overhead of gradlab, side by side with PyTorch, in one run (a benchmark, not a test).

  1. small ops: N adds of [8, 8] tensors, each followed by backward (y = a + b; y.backward(g));
  2. a ResNet-20 v1 training step (forward, cross-entropy, backward, SGD with momentum 0.9,
     Nesterov, weight decay 5e-4 on kernels) on random data, driven from Python;
  3. the C++ trainer's own step (`resnet bench`), when --resnet points at the binary.

Rounds alternate between gradlab and PyTorch so that load on the machine hits both alike;
medians are reported, with the ratios. Run with Debian's /usr/bin/python3:

  PYTHONPATH=build/python /usr/bin/python3 python/bench/bench_python.py --resnet build/bin/resnet
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import gradlab
from gradlab import models, optim

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "resnet"))
from bench_torch_cpu import ResNet as TorchResNet  # noqa: E402  (the reference ResNet of resnet/)


def small_ops_gradlab(n):
    a = gradlab.randn(8, 8, requires_grad=True)
    b = gradlab.randn(8, 8, requires_grad=True)
    g = gradlab.ones(8, 8)
    t0 = time.perf_counter()
    for _ in range(n):
        y = a + b
        y.backward(g)
    return time.perf_counter() - t0


def small_ops_torch(n):
    a = torch.randn(8, 8, requires_grad=True)
    b = torch.randn(8, 8, requires_grad=True)
    g = torch.ones(8, 8)
    t0 = time.perf_counter()
    for _ in range(n):
        y = a + b
        y.backward(g)
    return time.perf_counter() - t0


class GradlabStep:
    def __init__(self, batch):
        self.model = models.ResNet(version=1, size=3, projection_first_block=False, seed=0)
        self.opt = optim.SGD(optim.decay_groups(self.model, 5e-4), lr=0.01, momentum=0.9, nesterov=True)
        rng = np.random.default_rng(0)
        self.x = gradlab.tensor(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32))
        self.y = gradlab.tensor(rng.integers(0, 10, batch), dtype="int32")

    def __call__(self):
        t0 = time.perf_counter()
        loss = gradlab.cross_entropy(self.model(self.x), self.y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return time.perf_counter() - t0


class TorchStep:
    def __init__(self, batch):
        torch.manual_seed(0)
        self.model = TorchResNet(n=3).float()
        decay = [p for n, p in self.model.named_parameters() if p.ndim > 1]
        rest = [p for n, p in self.model.named_parameters() if p.ndim <= 1]
        self.opt = torch.optim.SGD([{"params": decay, "weight_decay": 5e-4}, {"params": rest, "weight_decay": 0}],
                                   lr=0.01, momentum=0.9, nesterov=True)
        self.x = torch.randn(batch, 3, 32, 32)
        self.y = torch.randint(0, 10, (batch,))

    def __call__(self):
        t0 = time.perf_counter()
        loss = F.cross_entropy(self.model(self.x), self.y)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return time.perf_counter() - t0


def cpp_step_ms(resnet, batch, steps, threads):
    out = subprocess.run([resnet, "bench", "--resnet-size", "3", "--batch-size", str(batch), "--steps", str(steps),
                          "--warmup", "2", "--threads", str(threads)], capture_output=True, text=True, check=True)
    m = re.search(r"([0-9.]+) ms/step", out.stdout)
    return float(m.group(1)) if m else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adds", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the small-op loop, each framework")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=6, help="timed ResNet-20 steps, each framework (after 2 warm-up)")
    ap.add_argument("--threads", type=int, default=int(os.environ.get("OMP_NUM_THREADS", "2")))
    ap.add_argument("--resnet", help="path of the resnet binary, for the C++ trainer's step")
    args = ap.parse_args()
    gradlab.set_num_threads(args.threads)
    torch.set_num_threads(args.threads)
    print(f"threads {args.threads}, torch {torch.__version__}, numpy {np.__version__}, python {sys.version.split()[0]}")

    gl_small, th_small = [], []
    small_ops_gradlab(500), small_ops_torch(500)
    for _ in range(args.rounds):
        gl_small.append(small_ops_gradlab(args.adds))
        th_small.append(small_ops_torch(args.adds))
    g, t = statistics.median(gl_small), statistics.median(th_small)
    print(f"\n{args.adds} adds of [8, 8] + backward, median of {args.rounds} rounds:")
    print(f"  gradlab {g * 1e3:8.1f} ms  ({g / args.adds * 1e6:5.2f} us per add+backward)")
    print(f"  PyTorch {t * 1e3:8.1f} ms  ({t / args.adds * 1e6:5.2f} us per add+backward)")
    print(f"  gradlab / PyTorch = {g / t:.2f}")

    gl_step, th_step = GradlabStep(args.batch), TorchStep(args.batch)
    for _ in range(2):
        gl_step(), th_step()
    gl_times, th_times = [], []
    for _ in range(args.steps):
        gl_times.append(gl_step())
        th_times.append(th_step())
    g, t = statistics.median(gl_times) * 1e3, statistics.median(th_times) * 1e3
    print(f"\nResNet-20 v1 training step, batch {args.batch}, median of {args.steps} (in turns):")
    print(f"  gradlab from Python {g:8.1f} ms")
    print(f"  PyTorch from Python {t:8.1f} ms   gradlab / PyTorch = {g / t:.2f}")
    if args.resnet:
        # Against the C++ trainer, both run alone (no PyTorch thread pool spinning between steps).
        alone = statistics.median([gl_step() for _ in range(args.steps)]) * 1e3
        c = cpp_step_ms(args.resnet, args.batch, args.steps, args.threads)
        print(f"  gradlab from Python {alone:8.1f} ms   (steps back to back, no PyTorch in between)")
        print(f"  gradlab C++ trainer {c:8.1f} ms   (resnet bench)   Python / C++ = {alone / c:.3f}")


if __name__ == "__main__":
    main()
