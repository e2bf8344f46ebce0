# Shared helpers: the module under test, PyTorch as the reference (float64),
# and one forward+backward comparison used by every op test.
import os
import sys

import numpy as np
import pytest

try:
    import gradlab  # noqa: F401  (the installed package, or PYTHONPATH=<build>/python as ctest sets)
except ImportError as e:  # pragma: no cover - a setup problem, said plainly
    raise SystemExit(f"cannot import gradlab ({e}); `pip install .` from a clone, or build the module "
                     f"(target gradlab_python) and set PYTHONPATH=<build>/python. sys.path = {sys.path}")

# PyTorch is the reference of the op tests; the files that need it skip without it
# (a venv with pip's numpy 2 and no torch still runs the rest).
try:
    import torch
except ImportError:  # pragma: no cover
    torch = None
if torch is not None:
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


def compare_op(gl_fn, torch_fn, arrays, rng, grad_inputs=None, rtol=1e-9, atol=1e-10):
    """Runs gl_fn on gradlab tensors and torch_fn on torch tensors made from the same float64
    arrays, compares the outputs, then seeds both backward passes with the same random gradient
    and compares every input's gradient. grad_inputs: indices of inputs that need gradients."""
    grad_inputs = range(len(arrays)) if grad_inputs is None else grad_inputs
    g_in = [gradlab.tensor(a, dtype="float64", requires_grad=i in grad_inputs) for i, a in enumerate(arrays)]
    t_in = [torch.tensor(a, dtype=torch.float64, requires_grad=i in grad_inputs) for i, a in enumerate(arrays)]
    g_out = gl_fn(*g_in)
    t_out = torch_fn(*t_in)
    assert g_out.shape == tuple(t_out.shape), (g_out.shape, tuple(t_out.shape))
    np.testing.assert_allclose(g_out.numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    if not list(grad_inputs):
        return g_out
    seed = rng.standard_normal(t_out.shape)
    g_out.backward(gradlab.tensor(seed, dtype="float64"))
    t_out.backward(torch.tensor(seed))
    for i in grad_inputs:
        assert g_in[i].grad is not None, f"input {i} got no gradient"
        np.testing.assert_allclose(g_in[i].grad.numpy(), t_in[i].grad.numpy(), rtol=rtol, atol=atol,
                                   err_msg=f"gradient of input {i}")
    return g_out
