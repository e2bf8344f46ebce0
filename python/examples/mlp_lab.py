"""Lab: a 2-layer MLP on handwritten digits, written as a student would with gradlab.

The data set is scikit-learn's digits (1,797 8x8 images, 10 classes; Debian: python3-sklearn,
installed by scripts/setup.sh). The lab:
  1. implements its own op, a ReLU-squared activation, as a gradlab.autograd.Function with a
     hand-written backward, and gradchecks it;
  2. trains x -> Linear(64, 64) -> ReLU^2 -> Linear(64, 10) with cross-entropy and Adam,
     batches from a DataLoader;
  3. reports the loss per epoch and the argmax accuracy on a held-out split, with logits[range(N), y]
     and `==` against numpy labels (no workarounds);
  4. optionally plots the loss curve (--plot FILE, matplotlib).

    PYTHONPATH=build/python /usr/bin/python3 python/examples/mlp_lab.py [--epochs 30] [--plot loss.png]

It exits non-zero when the gradcheck fails or the test accuracy stays below --min-accuracy (CI runs it).
"""
import argparse
import sys

import numpy as np

import gradlab
from gradlab import nn, optim
from gradlab.autograd import Function
from gradlab.data import DataLoader, TensorDataset


class ReLUSquared(Function):
    """y = max(x, 0)^2; dy/dx = 2 max(x, 0)."""

    @staticmethod
    def forward(ctx, x):                       # x: [N, H]
        r = gradlab.clamp(x, min=0.0)          # [N, H]
        ctx.save_for_backward(r)
        return r * r                           # [N, H]

    @staticmethod
    def backward(ctx, grad):                   # grad: [N, H]
        (r,) = ctx.saved_tensors
        return grad * 2 * r                    # [N, H]


class MLP(nn.Module):
    def __init__(self, inputs, hidden, classes):
        super().__init__()
        self.fc1 = nn.Linear(inputs, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):                      # x: [N, 64]
        return self.fc2(ReLUSquared.apply(self.fc1(x)))  # [N, 10]


def load_data(seed):
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("mlp_lab: needs scikit-learn's digits (Debian: apt-get install python3-sklearn, which "
                 "scripts/setup.sh installs)")
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)   # [1797, 64] in [0, 1]
    y = digits.target                              # [1797] int64
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = order[:360], order[360:]
    return x[train], y[train], x[test], y[test]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-accuracy", type=float, default=0.9)
    parser.add_argument("--plot", help="write the loss curve to this image file (needs matplotlib)")
    args = parser.parse_args()

    # 1. the hand-written backward against central differences (float64)
    x_check = gradlab.tensor(np.random.default_rng(1).normal(size=(4, 5)) + 0.05, dtype="float64")
    check = gradlab.gradcheck(ReLUSquared.apply, [x_check])
    print(f"gradcheck of ReLUSquared.backward: {check}")
    if not check:
        sys.exit("mlp_lab: the custom backward disagrees with finite differences")

    # 2. train
    gradlab.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_data(args.seed)
    model = MLP(64, 64, 10)
    opt = optim.Adam(model.parameters(), lr=args.lr)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=args.batch_size, shuffle=True, seed=args.seed)
    losses = []
    for epoch in range(args.epochs):
        total, count = 0.0, 0
        for xb, yb in loader:                  # xb [B, 64] float32, yb [B] int64
            logits = model(xb)                 # [B, 10]
            # cross-entropy by hand: the log-probability of each row's label
            loss = -gradlab.log_softmax(logits)[range(len(yb)), yb].mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(yb)
            count += len(yb)
        losses.append(total / count)
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:3d}  loss {losses[-1]:.4f}")

    # 3. accuracy: argmax of the logits against the numpy labels
    model.eval()
    with gradlab.no_grad():
        logits = model(gradlab.tensor(x_test))
        correct = (logits.argmax(dim=1) == y_test).sum().item()
        same = gradlab.cross_entropy(logits, y_test).item()
        by_hand = (-gradlab.log_softmax(logits)[range(len(y_test)), y_test].mean()).item()
    accuracy = correct / len(y_test)
    print(f"test accuracy {accuracy:.3f} ({correct} of {len(y_test)}); test loss {by_hand:.4f} "
          f"(gradlab.cross_entropy: {same:.4f})")
    if abs(same - by_hand) > 1e-4:
        sys.exit("mlp_lab: the hand-written cross-entropy disagrees with gradlab.cross_entropy")

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.plot(losses)
        plt.xlabel("epoch")
        plt.ylabel("training loss")
        plt.savefig(args.plot)
        print(f"wrote {args.plot}")
    if accuracy < args.min_accuracy:
        sys.exit(f"mlp_lab: accuracy {accuracy:.3f} is below {args.min_accuracy}")


if __name__ == "__main__":
    main()
