#!/usr/bin/python3
"""Reference values for tests/test_reference.cpp, produced once by an independent
implementation (PyTorch, Debian's python3-torch) and committed as JSON.

A small residual convolutional network in float64 on fixed inputs:
  h1  = relu(bn1(conv1(x)))                      conv1: 2->4, 3x3, stride 1, pad 1, bias
  out = relu(bn2(conv2(h1)) + shortcut(h1))      conv2: 4->4, 3x3, stride 2, pad 1, no bias
                                                 shortcut: 4->4, 1x1, stride 2, no bias
  logits = fc(global_avg_pool(out))              fc: 4->3
  loss = cross_entropy(logits, labels)
Batch norm in training mode (momentum 0.1, eps 1e-5). Then STEPS steps of SGD
(lr 0.1, momentum 0.9, Nesterov, weight decay 5e-4 on conv/linear weights only)
on the same batch.

Every initial value comes from the formula in `init_values` and is also stored
in the JSON, so the C++ test reads its inputs from the same file it checks.

Run:  /usr/bin/python3 tests/reference/make_reference.py
Writes tests/data/reference_small_net.json.
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

STEPS = 3
LR, MOMENTUM, WEIGHT_DECAY, NESTEROV = 0.1, 0.9, 5e-4, True
BN_MOMENTUM, BN_EPS = 0.1, 1e-5
X_SHAPE = [4, 2, 6, 6]  # N, C, H, W
LABELS = [0, 2, 1, 2]


def init_values(k, n, scale, offset=0.0):
    """n deterministic values for tensor number k: offset + scale * sin(0.7 i + 1.3 k + 0.2)."""
    return [offset + scale * math.sin(0.7 * i + 1.3 * k + 0.2) for i in range(n)]


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 4, 3, stride=1, padding=1, bias=True)
        self.bn1 = nn.BatchNorm2d(4, momentum=BN_MOMENTUM, eps=BN_EPS)
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(4, momentum=BN_MOMENTUM, eps=BN_EPS)
        self.shortcut = nn.Conv2d(4, 4, 1, stride=2, padding=0, bias=False)
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        h1 = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(h1)) + self.shortcut(h1))
        return self.fc(out.mean(dim=(2, 3)))


def named_tensors(net):
    """Our parameter names (batch norm: gamma, beta) -> the torch tensors."""
    return {
        "conv1.weight": net.conv1.weight, "conv1.bias": net.conv1.bias,
        "bn1.gamma": net.bn1.weight, "bn1.beta": net.bn1.bias,
        "conv2.weight": net.conv2.weight,
        "bn2.gamma": net.bn2.weight, "bn2.beta": net.bn2.bias,
        "shortcut.weight": net.shortcut.weight,
        "fc.weight": net.fc.weight, "fc.bias": net.fc.bias,
    }


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def main():
    torch.set_default_dtype(torch.float64)
    net = SmallNet().double()
    params = named_tensors(net)
    initial = {}
    with torch.no_grad():
        for k, (name, p) in enumerate(params.items()):
            if name.endswith("gamma"):
                values = init_values(k, p.numel(), 0.2, 1.0)
            elif name.endswith("beta") or name.endswith("bias"):
                values = init_values(k, p.numel(), 0.1)
            else:  # kernels: scaled by 1 / sqrt(fan_in)
                fan_in = p[0].numel()
                values = init_values(k, p.numel(), 1.0 / math.sqrt(fan_in))
            p.copy_(torch.tensor(values).reshape(p.shape))
            initial[name] = {"shape": list(p.shape), "values": values}

    n_x = math.prod(X_SHAPE)
    x_values = [math.sin(0.1 * i) + 0.3 * math.cos(0.37 * i) for i in range(n_x)]
    x = torch.tensor(x_values).reshape(X_SHAPE).requires_grad_(True)
    labels = torch.tensor(LABELS, dtype=torch.long)

    decay = [p for n, p in params.items() if n.endswith("weight")]
    no_decay = [p for n, p in params.items() if not n.endswith("weight")]
    opt = torch.optim.SGD([{"params": decay, "weight_decay": WEIGHT_DECAY},
                           {"params": no_decay, "weight_decay": 0.0}],
                          lr=LR, momentum=MOMENTUM, nesterov=NESTEROV)

    steps = []
    first_grads = None
    net.train()
    for step in range(STEPS):
        opt.zero_grad()
        x.grad = None
        logits = net(x)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        steps.append({"logits": flat(logits), "loss": float(loss)})
        if step == 0:
            first_grads = {name: flat(p.grad) for name, p in params.items()}
            first_grads["input"] = flat(x.grad)
        opt.step()

    net.eval()
    with torch.no_grad():
        eval_logits = flat(net(x))

    out = {
        "generator": "tests/reference/make_reference.py with torch " + torch.__version__,
        "config": {"steps": STEPS, "lr": LR, "momentum": MOMENTUM, "weight_decay": WEIGHT_DECAY,
                   "nesterov": NESTEROV, "bn_momentum": BN_MOMENTUM, "bn_eps": BN_EPS},
        "input": {"shape": X_SHAPE, "values": x_values},
        "labels": LABELS,
        "initial_parameters": initial,
        "steps": steps,
        "first_step_gradients": first_grads,
        "final_parameters": {name: flat(p) for name, p in params.items()},
        "final_running_stats": {
            "bn1.running_mean": flat(net.bn1.running_mean), "bn1.running_var": flat(net.bn1.running_var),
            "bn2.running_mean": flat(net.bn2.running_mean), "bn2.running_var": flat(net.bn2.running_var),
        },
        "eval_logits": eval_logits,
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data",
                        "reference_small_net.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path), "losses", [s["loss"] for s in steps])


if __name__ == "__main__":
    main()
