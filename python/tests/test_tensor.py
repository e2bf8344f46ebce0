# Tensors from Python: numpy in and out (copies in, zero-copy views out),
# metadata, operators with broadcasting, indexing, repr, autograd fields.
import gc

import numpy as np
import pytest
torch = pytest.importorskip("torch")

import gradlab
from conftest import compare_op


@pytest.mark.parametrize("np_dtype,gl_dtype", [(np.float32, gradlab.float32), (np.float64, gradlab.float64),
                                               (np.int32, gradlab.int32)])
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4), (3, 1, 5, 2)])
def test_numpy_round_trip(np_dtype, gl_dtype, shape, rng):
    a = (rng.standard_normal(shape) * 100).astype(np_dtype)
    t = gradlab.tensor(a)
    assert t.dtype == gl_dtype and t.shape == shape and t.device == gradlab.Device.cpu
    back = t.numpy()
    assert back.dtype == np_dtype and back.shape == shape
    np.testing.assert_array_equal(back, a)
    np.testing.assert_array_equal(np.asarray(t), a)
    assert a.base is None or back.base is not a  # the tensor copied on the way in


def test_numpy_view_is_zero_copy():
    t = gradlab.tensor(np.zeros((2, 3)))
    v = t.numpy()
    v[1, 2] = 7.0
    assert t.numpy()[1, 2] == 7.0
    w = np.asarray(t)
    w[0, 0] = -1.0
    assert t.tolist()[0][0] == -1.0
    assert np.shares_memory(v, w)


def test_numpy_view_outlives_its_tensor():
    t = gradlab.tensor(np.arange(1000, dtype=np.float64))
    v = t.numpy()
    buf = np.asarray(gradlab.tensor(np.arange(5, dtype=np.float32)) * 2.0)
    del t
    gc.collect()
    junk = [gradlab.ones(1000, dtype="float64") for _ in range(50)]  # reuse freed blocks if any
    np.testing.assert_array_equal(v, np.arange(1000, dtype=np.float64))
    np.testing.assert_array_equal(buf, np.arange(5) * 2.0)
    assert len(junk) == 50


def test_non_contiguous_and_converted_inputs(rng):
    a = rng.standard_normal((4, 6))
    for view in (a.T, a[::2, 1::3], np.asfortranarray(a), a[:, ::-1]):
        np.testing.assert_array_equal(gradlab.tensor(view).numpy(), view)
    assert gradlab.tensor([[1.5, 2], [3, 4]]).dtype == gradlab.float32
    assert gradlab.tensor([1, 2, 3], dtype="int32").dtype == gradlab.int32
    assert gradlab.tensor(np.arange(3, dtype=np.int64)).dtype == gradlab.int64
    assert gradlab.tensor(np.arange(3, dtype=np.int32)).dtype == gradlab.int32
    assert gradlab.tensor(a, dtype=np.float32).dtype == gradlab.float32
    assert gradlab.tensor(2.5).shape == ()
    assert gradlab.tensor(np.array(3.0)).item() == 3.0


def test_metadata_and_conversions():
    t = gradlab.tensor(np.ones((2, 3), np.float32), requires_grad=True)
    assert (t.ndim, t.numel(), len(t), t.size(1), t.size()) == (2, 6, 2, 3, (2, 3))
    assert t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None
    d = t.to("float64")
    assert d.dtype == gradlab.float64 and not d.requires_grad
    assert t.to(gradlab.float64).dtype == gradlab.float64
    assert t.detach().requires_grad is False
    assert np.shares_memory(t.detach().numpy(), t.numpy())
    c = t.clone()
    assert not np.shares_memory(c.numpy(), t.numpy())
    if gradlab.cuda_available():
        g = t.to("cuda")
        assert g.device == gradlab.Device.cuda
        np.testing.assert_array_equal(g.numpy(), t.numpy())
    else:
        with pytest.raises(ValueError, match="cuda"):
            t.to("cuda")


def test_repr_looks_like_numpy():
    t = gradlab.tensor([[1.0, 2.5], [3.0, 4.0]])
    assert repr(t) == "tensor([[1. , 2.5],\n        [3. , 4. ]])"
    t64 = gradlab.tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert repr(t64) == "tensor([1., 2.], dtype=float64, requires_grad=True)"
    assert repr(t64 * 2.0).endswith("grad_fn=<mul_scalar>)")


BROADCAST_PAIRS = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 5), (3, 1)), ((1,), (7,)), ((), (2, 3)),
                   ((5, 1), (1, 6))]


@pytest.mark.parametrize("sa,sb", BROADCAST_PAIRS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "truediv"])
def test_operators_broadcast_like_torch(op, sa, sb, rng):
    a = rng.standard_normal(sa)
    b = rng.uniform(0.5, 2.0, sb) * rng.choice([-1, 1], sb)
    import operator
    f = getattr(operator, op)
    compare_op(f, f, [a, b], rng)


@pytest.mark.parametrize("expr", [lambda x: 2.0 + x, lambda x: x - 3, lambda x: 1.5 - x, lambda x: x * -2,
                                  lambda x: 3 * x, lambda x: x / 4, lambda x: 2 / x, lambda x: -x,
                                  lambda x: x ** 3, lambda x: +x, lambda x: x @ x.T])
def test_scalar_operators_like_torch(expr, rng):
    compare_op(expr, expr, [rng.uniform(0.5, 2, (3, 3))], rng)


def test_numpy_operands_and_numpy_on_the_left(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(3)
    t = gradlab.tensor(a)
    for r in (t + b, b + t, b * t, b - t, t / (b + 5)):
        assert isinstance(r, gradlab.Tensor)
    np.testing.assert_allclose((b - t).numpy(), b - a)
    np.testing.assert_allclose((t @ np.eye(3)).numpy(), a)


INDEXES = [1, -1, (0, 2), slice(1, 3), (slice(None), 2), (Ellipsis, 1), (1, Ellipsis, slice(0, 4, 2)),
           (None, 1), (slice(None, None, 3), None, slice(1, None)), slice(5, 2), (slice(-3, None), -2)]


@pytest.mark.parametrize("key", INDEXES)
def test_indexing_like_torch(key, rng):
    a = rng.standard_normal((4, 5, 6))
    g = compare_op(lambda x: x[key], lambda x: x[key], [a], rng)
    np.testing.assert_array_equal(g.numpy(), a[key])


def test_iteration_and_tolist():
    t = gradlab.tensor(np.arange(6.0).reshape(2, 3))
    rows = [r.tolist() for r in t]
    assert rows == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_backward_accumulates_and_grad_reset(rng):
    x = gradlab.tensor(rng.standard_normal(4), requires_grad=True)
    (x * x).sum().backward()
    first = x.grad.numpy().copy()
    np.testing.assert_allclose(first, 2 * x.numpy(), rtol=1e-6)
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-6)
    x.grad = None
    assert x.grad is None


def test_no_grad_and_detach(rng):
    x = gradlab.tensor(rng.standard_normal(3), requires_grad=True)
    with gradlab.no_grad():
        assert not gradlab.is_grad_enabled()
        y = x * 2.0
        with gradlab.no_grad():
            pass
        assert not gradlab.is_grad_enabled()
    assert gradlab.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    z = (x * 2.0).detach()
    assert z.grad_fn is None and not z.requires_grad


def test_retain_grad_and_seeded_backward(rng):
    x = gradlab.tensor(rng.standard_normal((2, 2)), dtype="float64", requires_grad=True)
    h = x * 3.0
    h.retain_grad()
    y = h.tanh()
    seed = rng.standard_normal((2, 2))
    y.backward(seed)
    tx = torch.tensor(x.numpy(), requires_grad=True)
    (tx * 3.0).tanh().backward(torch.tensor(seed))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(h.grad.numpy(), seed * (1 - y.numpy() ** 2), rtol=1e-12)
