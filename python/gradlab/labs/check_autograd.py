"""Lab 1's checks (autograd by hand): the student's Functions against gradlab's own ops and
float64 finite differences, and Exercise 7.8 against the book's recursion computed here in numpy."""
import numpy as np

import gradlab
from gradlab.labs.checks import LabCheckError, array, check_backward, compare, ok, tensor


def _x(shape, seed, scale=1.0):
    return tensor(np.random.default_rng(seed).normal(size=shape) * scale, requires_grad=True)


def forward(fn, ref, what, shape=(3, 4), seed=0):
    """fn(x) == ref(x) (a gradlab built-in) on a random float64 input."""
    x = _x(shape, seed)
    compare(fn(x), ref(x.detach()), f"your {what}.forward", f"gradlab's {what.lower()} gives")


def tanh(Tanh, seed=0, shape=(3, 4)):
    forward(Tanh.apply, gradlab.tanh, "Tanh", shape, seed)
    check_backward(Tanh.apply, [_x(shape, seed + 1)], ["x"], "Tanh")
    ok(f"Tanh: forward == gradlab.tanh, backward == finite differences on a {list(shape)} input")


def sigmoid(Sigmoid, seed=0, shape=(3, 4)):
    forward(Sigmoid.apply, gradlab.sigmoid, "Sigmoid", shape, seed)
    check_backward(Sigmoid.apply, [_x(shape, seed + 1, 2.0)], ["x"], "Sigmoid")
    ok(f"Sigmoid: forward == gradlab.sigmoid, backward == finite differences on a {list(shape)} input")


def matmul(MatMul, seed=0, n=3, k=4, m=2):
    a, b = _x((n, k), seed), _x((k, m), seed + 1)
    compare(MatMul.apply(a, b), array(a) @ array(b), "your MatMul.forward", "A @ B gives")
    check_backward(MatMul.apply, [a, b], ["A", "B"], "MatMul")
    ok(f"MatMul: forward == A @ B, backward for A [{n}, {k}] and B [{k}, {m}] == finite differences")


def _labels(n, c, seed):
    return np.random.default_rng(seed + 7).integers(0, c, size=n).astype(np.int64)


def softmax_cross_entropy(SoftmaxCrossEntropy, seed=0, n=4, c=5):
    z, y = _x((n, c), seed, 3.0), _labels(n, c, seed)
    want = gradlab.cross_entropy(z.detach(), gradlab.tensor(y.astype(np.int32)))
    compare(SoftmaxCrossEntropy.apply(z, y), want, "your SoftmaxCrossEntropy.forward (mean over the batch)",
            "gradlab.cross_entropy gives")
    big = tensor(array(z) + 1000.0)
    compare(SoftmaxCrossEntropy.apply(big, y), want, "your SoftmaxCrossEntropy.forward with logits + 1000",
            "the same loss (softmax ignores a shift) is")
    check_backward(SoftmaxCrossEntropy.apply, [z, y], ["logits", "labels"], "SoftmaxCrossEntropy")
    ok(f"SoftmaxCrossEntropy: loss == gradlab.cross_entropy (also for logits near 1000), backward for "
       f"logits [{n}, {c}] == finite differences")


EXAMPLE_7_1 = {"x": 2.0, "y": 1.0, "W1": [[0.1, 0.2], [0.3, 0.4]], "W2": [[0.2], [1.0], [-3.0]], "W3": [[1.0], [2.0]]}


def book_recursion(x, y, W1, W2, W3, output="identity"):
    """Example 7.1's forward and backward by the book's recursion (numpy, float64)."""
    W = [np.array(w, dtype=np.float64) for w in (W1, W2, W3)]
    xs, ss = [np.array([[1.0], [x]])], []
    for layer, w in enumerate(W, 1):
        s = w.T @ xs[-1]
        ss.append(s)
        last = layer == len(W)
        theta = s if (last and output == "identity") else np.tanh(s)
        xs.append(theta if last else np.vstack([[1.0], theta]))
    dtheta_last = np.ones_like(ss[-1]) if output == "identity" else 1 - xs[-1] ** 2
    deltas = [2 * (xs[-1] - y) * dtheta_last]
    for layer in range(len(W) - 1, 0, -1):
        deltas.insert(0, (1 - xs[layer][1:] ** 2) * (W[layer][1:] @ deltas[0]))
    return {"s": ss, "x": xs, "delta": deltas, "dW": [xs[i] @ deltas[i].T for i in range(len(W))]}


def exercise_7_8(fn, net=None):
    """fn(x, y, W1, W2, W3) returns {"s": [s1..], "x": [x0..], "delta": [...], "dW": [...]}."""
    net = net or EXAMPLE_7_1
    got = fn(net["x"], net["y"], *(tensor(net[k], requires_grad=True) for k in ("W1", "W2", "W3")))
    want = book_recursion(**net)
    tanh_out = book_recursion(**net, output="tanh")
    if not isinstance(got, dict):
        raise LabCheckError(f"your exercise_7_8 returns a {type(got).__name__}; return a dict with keys s, x, delta, dW")
    for key in ("s", "x", "delta", "dW"):
        if key not in got:
            raise LabCheckError(f"your exercise_7_8's dict has no key {key!r} (it has {sorted(got)})")
        if len(got[key]) != len(want[key]):
            raise LabCheckError(f"your exercise_7_8 gives {len(got[key])} values for {key!r}; expected "
                                f"{len(want[key])} ({key}({1 if key != 'x' else 0}) .. {key}(3))")
        first = 0 if key == "x" else 1
        for i, (g, w) in enumerate(zip(got[key], want[key])):
            label = f"{key}({i + first})"
            try:
                compare(g, w, f"your {label}", "the book's recursion gives")
            except LabCheckError as exc:
                t = tanh_out[key][i]
                if array(g).shape == t.shape and np.allclose(array(g), t, rtol=1e-5, atol=1e-9):
                    raise LabCheckError(f"your {label} is Example 7.1's value with a tanh output; Exercise 7.8's "
                                        f"output is the identity (x(3) = s(3), theta'(s) = 1)") from None
                raise exc
    ok("Exercise 7.8: every s(l), x(l), delta(l) and de/dW(l) == the book's recursion with an identity output")
