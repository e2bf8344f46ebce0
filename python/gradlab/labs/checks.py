"""Checks that teach: each compares the student's result with a reference and, when they differ,
says where and guesses why, in terms of the student's code:

    your backward for x is off at index (2, 1): you return 0.31, finite differences give -0.31 (a sign error?)

Every lab's public checks and hidden tests are built from these. A failure raises LabCheckError
(an AssertionError) whose message is the diagnosis; a pass prints one "ok:" line.
"""
import numpy as np

import gradlab


class LabCheckError(AssertionError):
    """A check failed; the message says what, where and (when it can tell) why."""


def array(x):
    """A float64 numpy copy of a Tensor, an array, a list or a number."""
    if isinstance(x, gradlab.Tensor):
        x = x.detach().numpy()
    return np.array(x, dtype=np.float64)


def tensor(a, requires_grad=False):
    return gradlab.tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def ok(message):
    print(f"ok: {message}")


def _index(idx):
    return "(" + ", ".join(str(int(i)) for i in idx) + ")"


def _guess(got, want, n_hint=None):
    """A likely cause of got != want (same shape), or ''."""
    scale = np.max(np.abs(want)) or 1.0
    close = lambda a, b: np.allclose(a, b, rtol=1e-5, atol=1e-7 * scale)  # noqa: E731
    if not np.any(got) and np.any(want):
        return " (all zeros: is the result computed, or a placeholder?)"
    if close(got, -want):
        return " (a sign error?)"
    if np.any((want == 0) & (got < 0)) and close(np.maximum(got, 0), want):
        return " (the expected value is max(yours, 0) everywhere: a missing ReLU?)"
    if got.ndim == 2 and got.shape[0] == got.shape[1] and close(got, want.T):
        return " (transposed?)"
    mask = np.abs(want) > 1e-9 * scale
    if mask.any():
        ratio = got[mask] / want[mask]
        r = float(np.median(ratio))
        if np.allclose(ratio, r, rtol=1e-4) and abs(r - 1) > 1e-6:
            if n_hint and np.isclose(r, n_hint / (n_hint - 1), rtol=1e-6):
                return f" (off by N/(N-1) = {r:.4g}: the unbiased variance where the biased one is needed?)"
            if n_hint and np.isclose(r, (n_hint - 1) / n_hint, rtol=1e-6):
                return f" (off by (N-1)/N = {r:.4g}: the biased variance where the unbiased one is needed?)"
            return f" (off by a constant factor {r:.4g}: a missing or extra scale, such as 1/N or 2?)"
    return ""


def compare(got, want, what, reference="expected", atol=1e-6, rtol=1e-5, n_hint=None):
    """Raises LabCheckError unless `got` matches `want` in shape and values.

    what: how to name the student's value ("your backward for x"); reference: how to name the
    expected one ("finite differences give", "gradlab.conv2d gives")."""
    if got is None:
        raise LabCheckError(f"{what} is None: return a value")
    try:
        g = array(got)
    except (TypeError, ValueError) as exc:
        raise LabCheckError(f"{what} is a {type(got).__name__}, not an array or Tensor ({exc})") from None
    w = array(want)
    if g.shape != w.shape:
        hint = ""
        if g.shape == w.shape[::-1] and g.ndim == 2:
            hint = " (transposed?)"
        elif g.size == w.size:
            hint = " (the right number of entries in the wrong layout: a reshape or transpose?)"
        raise LabCheckError(f"{what} has shape {list(g.shape)}; {reference} shape {list(w.shape)}{hint}")
    if not np.all(np.isfinite(g)):
        idx = np.argwhere(~np.isfinite(g))[0]
        raise LabCheckError(f"{what} has a non-finite value {g[tuple(idx)]} at index {_index(idx)}")
    err = np.abs(g - w) - (atol + rtol * np.abs(w))
    if np.all(err <= 0):
        return
    idx = np.unravel_index(int(np.argmax(err)), err.shape)
    bad = int(np.sum(err > 0))
    raise LabCheckError(f"{what} is off at index {_index(idx)}: you return {g[idx]:.6g}, {reference} {w[idx]:.6g}"
                        f"{_guess(g, w, n_hint)} [{bad} of {g.size} entries differ]")


def numerical_grads(fn, inputs, weights, h=1e-6):
    """Central differences of sum(fn(*inputs) * weights) with respect to each float input."""
    grads = []
    base = [array(x) if isinstance(x, (gradlab.Tensor, np.ndarray)) else x for x in inputs]
    for k, x in enumerate(base):
        if not (isinstance(x, np.ndarray) and x.dtype == np.float64 and
                isinstance(inputs[k], gradlab.Tensor) and inputs[k].requires_grad):
            grads.append(None)
            continue
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            vals = []
            for step in (h, -h):
                xs = [tensor(b) if isinstance(b, np.ndarray) and i == k else inputs[i] for i, b in enumerate(base)]
                xs[k] = tensor(x + step * np.eye(1, x.size, np.ravel_multi_index(j, x.shape)).reshape(x.shape))
                with gradlab.no_grad():
                    vals.append(float(np.sum(array(fn(*xs)) * weights)))
            g[j] = (vals[0] - vals[1]) / (2 * h)
        grads.append(g)
    return grads


def check_backward(fn, inputs, names, what, atol=1e-6, rtol=1e-4, seed=0):
    """Checks fn's backward (fn: e.g. MyFunction.apply) against float64 central differences, for every
    input Tensor that requires grad, through a fixed random projection of the output."""
    out = fn(*inputs)
    if not isinstance(out, gradlab.Tensor):
        raise LabCheckError(f"{what} returned a {type(out).__name__}; it must return a Tensor")
    weights = np.random.default_rng(seed).normal(size=out.shape)
    for x in inputs:
        if isinstance(x, gradlab.Tensor) and x.requires_grad:
            x.grad = None
    if out.grad_fn is None:
        raise LabCheckError(f"{what}'s output is not connected to its inputs (no grad_fn): call it as {what}.apply(...)")
    (out * tensor(weights)).sum().backward()
    numeric = numerical_grads(fn, inputs, weights)
    for x, name, num in zip(inputs, names, numeric):
        if num is None:
            continue
        if x.grad is None:
            raise LabCheckError(f"your backward of {what} gives no gradient for {name}")
        compare(x.grad, num, f"your backward of {what} for {name}", "finite differences give", atol, rtol)
