"""Lab 3's checks (batch normalization): forward, running statistics and eval against
gradlab.batch_norm (float64), the hand-written backward against the engine's autograd of
gradlab.batch_norm, the Function against finite differences, and problem 4's shapes."""
import numpy as np

import gradlab
from gradlab.labs.checks import LabCheckError, array, check_backward, compare, ok, tensor


def _data(shape, seed):
    rng = np.random.default_rng(seed)
    C = shape[1]
    x = rng.normal(size=shape) * 2 + 1
    return x, rng.normal(size=C) + 1, rng.normal(size=C)


def stats_shape(fn):
    for shape, layout, want in (((128, 64), "NC", (1, 64)), ((8, 16, 16, 32), "NHWC", (1, 1, 1, 32)),
                                ((8, 32, 16, 16), "NCHW", (1, 32, 1, 1)), ((5, 3), "NC", (1, 3))):
        got = fn(shape, layout)
        if tuple(got) != want:
            raise LabCheckError(f"your stats_shape({shape}, {layout!r}) is {tuple(got)}; the mean and variance of "
                                f"batch norm have one value per channel: {want} with kept dimensions (one mean per "
                                f"channel, averaged over the batch{' and the spatial positions' if len(shape) == 4 else ''})")
    ok("stats_shape: one statistic per channel, [1, C] for N x C, [1, 1, 1, C] for N x H x W x C, [1, C, 1, 1] for NCHW")


def forward_train(fn, shape=(6, 3), seed=0, steps=2, momentum=0.1, eps=1e-5):
    """Training-mode output and running statistics after `steps` batches, against gradlab.batch_norm."""
    x, g, b = _data(shape, seed)
    C = shape[1]
    rm, rv = np.zeros(C), np.ones(C)
    trm, trv = tensor(np.zeros(C)), tensor(np.ones(C))
    for step in range(steps):
        xs = x + step
        out = fn(xs, g, b, rm, rv, True, momentum, eps)
        if not isinstance(out, tuple) or len(out) != 2:
            raise LabCheckError("your batchnorm_forward must return a pair (y, cache)")
        want = gradlab.batch_norm(tensor(xs), tensor(g), tensor(b), trm, trv, True, momentum, eps)
        compare(out[0], want, f"your batchnorm_forward (training, x {list(shape)}, batch {step + 1}) output",
                "gradlab.batch_norm gives", atol=1e-8)
    compare(rm, trm, f"your running_mean after {steps} batches", "gradlab.batch_norm's is", atol=1e-8)
    try:
        compare(rv, trv, f"your running_var after {steps} batches", "gradlab.batch_norm's is", atol=1e-8)
    except LabCheckError as exc:
        n = x.size // C
        biased = np.ones(C)
        for step in range(steps):
            biased = (1 - momentum) * biased + momentum * array(x + step).swapaxes(0, 1).reshape(C, -1).var(axis=1)
        if np.allclose(rv, biased, rtol=1e-6):
            raise LabCheckError(f"{exc}: you update running_var with the biased batch variance (divided by N = {n}); "
                                f"the running estimate uses the unbiased one (divided by N - 1), as PyTorch and "
                                f"gradlab do, while the normalization itself uses the biased one") from None
        raise
    return rm, rv


def forward_eval(fn, shape=(6, 3), seed=0):
    x, g, b = _data(shape, seed)
    C = shape[1]
    rm, rv = np.random.default_rng(seed + 1).normal(size=C), np.random.default_rng(seed + 2).uniform(0.5, 2, size=C)
    rm0, rv0 = rm.copy(), rv.copy()
    y, _ = fn(x, g, b, rm, rv, False, 0.1, 1e-5)
    want = gradlab.batch_norm(tensor(x), tensor(g), tensor(b), tensor(rm0), tensor(rv0), False, 0.1, 1e-5)
    compare(y, want, f"your batchnorm_forward's eval-mode output (x {list(shape)}; eval normalizes with the running statistics)",
            "gradlab.batch_norm gives", atol=1e-8)
    if not (np.array_equal(rm, rm0) and np.array_equal(rv, rv0)):
        raise LabCheckError("your batchnorm_forward in eval mode changed the running statistics; only training updates them")


def forward(fn, shape=(6, 3), seed=0):
    forward_train(fn, shape, seed)
    forward_eval(fn, shape, seed)
    ok(f"batchnorm_forward: training output, running mean/var (unbiased) and eval output == gradlab.batch_norm "
       f"for x {list(shape)}")


def backward(fwd, bwd, shape=(6, 3), seed=0):
    """The compact backward (dx, dgamma, dbeta) against autograd through gradlab.batch_norm."""
    x, g, b = _data(shape, seed)
    C = shape[1]
    dy = np.random.default_rng(seed + 3).normal(size=shape)
    y, cache = fwd(x, g, b, np.zeros(C), np.ones(C), True, 0.1, 1e-5)
    got = bwd(dy, cache)
    if not isinstance(got, tuple) or len(got) != 3:
        raise LabCheckError("your batchnorm_backward must return (dx, dgamma, dbeta)")
    tx, tg, tb = (tensor(v, requires_grad=True) for v in (x, g, b))
    (gradlab.batch_norm(tx, tg, tb, None, None, True, 0.1, 1e-5) * tensor(dy)).sum().backward()
    for name, mine, ref in (("dx", got[0], tx.grad), ("dgamma", got[1], tg.grad), ("dbeta", got[2], tb.grad)):
        compare(mine, ref, f"your batchnorm_backward's {name} (x {list(shape)})", "autograd through gradlab.batch_norm gives")
    ok(f"batchnorm_backward: dx, dgamma, dbeta == autograd of gradlab.batch_norm for x {list(shape)}")


def function(BatchNormFn, shape=(4, 3), seed=0):
    x, g, b = _data(shape, seed)
    check_backward(lambda a, c, d: BatchNormFn.apply(a, c, d), [tensor(x, True), tensor(g, True), tensor(b, True)],
                   ["x", "gamma", "beta"], "BatchNormFn")
    ok(f"BatchNormFn: backward == finite differences for x, gamma, beta (x {list(shape)})")
