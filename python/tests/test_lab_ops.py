# The lab operations against PyTorch (float64 forward and backward through compare_op), on
# several shapes: broadcasting, negative dims, keepdim, empty and 0-d inputs, and bad inputs.
import numpy as np
import pytest
torch = pytest.importorskip("torch")  # the reference; skipped where it is not installed
F = torch.nn.functional
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import gradlab
from conftest import compare_op

BROADCAST = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), (5,)), ((2, 1, 3), (4, 1)), ((0, 3), (3,))]


def gl_t(a, **kw):
    return gradlab.tensor(a, **kw)


# ---- comparisons ---------------------------------------------------------------------------------
@pytest.mark.parametrize("sa,sb", BROADCAST)
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparisons_broadcast_like_torch(name, sa, sb, rng):
    a = rng.integers(-2, 3, size=sa).astype(np.float64)
    b = rng.integers(-2, 3, size=sb).astype(np.float64)
    got = getattr(gradlab, name)(gl_t(a), gl_t(b))
    want = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
    assert got.dtype == gradlab.bool and got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    op = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__", "ge": "__ge__"}[name]
    np.testing.assert_array_equal(getattr(gl_t(a), op)(gl_t(b)).numpy(), want.numpy())


def test_equality_with_numpy_and_numbers_gives_tensors():
    x = gl_t(np.array([[0.1, 0.9], [0.8, 0.2]]))
    labels = np.array([1, 0])
    correct = x.argmax(1) == labels
    assert isinstance(correct, gradlab.Tensor) and correct.tolist() == [True, True]
    assert (x == 0.1).tolist() == [[True, False], [False, False]]
    assert isinstance(x == 3, gradlab.Tensor)
    assert (x > 0.5).sum().item() == 2 and (x > 0.5).float().mean().item() == 0.5
    assert (gl_t([1, 2, 3]) != np.array([1, 0, 3])).tolist() == [False, True, False]
    assert isinstance(hash(x), int)
    with pytest.raises(ValueError, match="ambiguous"):
        bool(x > 0)
    assert bool(gl_t(2.0) > 1)


def test_logical_ops_and_isnan(rng):
    a = rng.integers(0, 2, size=(3, 4)).astype(bool)
    b = rng.integers(0, 2, size=(4,)).astype(bool)
    for name, op in [("logical_and", np.logical_and), ("logical_or", np.logical_or), ("logical_xor", np.logical_xor)]:
        np.testing.assert_array_equal(getattr(gradlab, name)(gl_t(a), gl_t(b)).numpy(), op(a, b))
    np.testing.assert_array_equal((gl_t(a) & gl_t(b)).numpy(), a & b)
    np.testing.assert_array_equal((gl_t(a) | gl_t(b)).numpy(), a | b)
    np.testing.assert_array_equal((~gl_t(a)).numpy(), ~a)
    np.testing.assert_array_equal(gradlab.logical_not(gl_t(a)).numpy(), ~a)
    v = np.array([1.0, np.nan, np.inf, -np.inf, 0.0])
    np.testing.assert_array_equal(gradlab.isnan(gl_t(v)).numpy(), np.isnan(v))
    np.testing.assert_array_equal(gradlab.isfinite(gl_t(v)).numpy(), np.isfinite(v))
    np.testing.assert_array_equal(gradlab.isinf(gl_t(v)).numpy(), np.isinf(v))
    with pytest.raises(TypeError, match="bool tensors"):
        gl_t([1.0]) & gl_t([1.0])


@pytest.mark.parametrize("sc,sa,sb", [((3, 4), (3, 4), (3, 4)), ((4,), (3, 1), ()), ((2, 1, 3), (1, 4, 1), (3,)),
                                      ((0,), (0,), (1,))])
def test_where_like_torch(sc, sa, sb, rng):
    cond = rng.integers(0, 2, size=sc).astype(bool)
    compare_op(lambda a, b: gradlab.where(gl_t(cond), a, b), lambda a, b: torch.where(torch.tensor(cond), a, b),
               [rng.standard_normal(sa), rng.standard_normal(sb)], rng)
    got = gradlab.where(gl_t(cond), gl_t(np.ones(sa)), 0.0)
    np.testing.assert_array_equal(got.numpy(), np.where(cond, np.ones(sa), 0.0))


@pytest.mark.parametrize("sa,sb", BROADCAST)
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_with_ties(name, sa, sb, rng):
    a = rng.integers(-2, 3, size=sa).astype(np.float64)  # many ties: torch splits the gradient in half
    b = rng.integers(-2, 3, size=sb).astype(np.float64)
    compare_op(getattr(gradlab, name), getattr(torch, name), [a, b], rng)


@pytest.mark.parametrize("lo,hi", [(-0.5, 0.5), (None, 0.0), (0.0, None), (1.0, 1.0)])
def test_clamp_and_clip_with_bounds_on_the_values(lo, hi, rng):
    x = np.round(rng.standard_normal((4, 5)), 1)
    x[0, :3] = [lo if lo is not None else 0.0, hi if hi is not None else 0.0, 0.5]
    compare_op(lambda a: gradlab.clamp(a, lo, hi), lambda a: torch.clamp(a, lo, hi), [x], rng)
    compare_op(lambda a: a.clip(min=lo, max=hi), lambda a: a.clip(min=lo, max=hi), [x], rng)
    compare_op(lambda a: gradlab.hardtanh(a, -0.5, 0.5), lambda a: F.hardtanh(a, -0.5, 0.5), [x], rng)
    with pytest.raises(ValueError, match="clamp"):
        gradlab.clamp(gl_t(x))


def test_clamp_with_tensor_bounds(rng):
    compare_op(lambda a, l, h: gradlab.clamp(a, l, h), lambda a, l, h: torch.clamp(a, l, h),
               [rng.standard_normal((3, 4)), rng.standard_normal((4,)) - 1, rng.standard_normal((3, 1)) + 1], rng)


# ---- pointwise ----------------------------------------------------------------------------------------
POINTWISE = [("abs", torch.abs, 0), ("sin", torch.sin, 0), ("cos", torch.cos, 0), ("tan", torch.tan, 0),
             ("expm1", torch.expm1, 0), ("exp2", torch.exp2, 0), ("log1p", torch.log1p, 1), ("log2", torch.log2, 1),
             ("log10", torch.log10, 1), ("rsqrt", torch.rsqrt, 1), ("silu", F.silu, 0), ("gelu", F.gelu, 0),
             ("leaky_relu", F.leaky_relu, 0), ("elu", F.elu, 0), ("softplus", F.softplus, 0),
             ("sign", torch.sign, 0), ("floor", torch.floor, 0), ("ceil", torch.ceil, 0), ("round", torch.round, 0)]


@pytest.mark.parametrize("shape", [(3, 4), (), (0, 2), (2, 3, 5)])
@pytest.mark.parametrize("name,torch_fn,positive", POINTWISE, ids=[p[0] for p in POINTWISE])
def test_pointwise_like_torch(name, torch_fn, positive, shape, rng):
    x = rng.uniform(0.1, 3.0, size=shape) if positive else rng.standard_normal(shape) * 2
    if name in ("round",):
        x = np.round(x * 2) / 2  # halves: round half to even
    compare_op(getattr(gradlab, name), torch_fn, [x], rng)


def test_activation_arguments(rng):
    x = rng.standard_normal((4, 6)) * 3
    compare_op(lambda a: gradlab.leaky_relu(a, 0.2), lambda a: F.leaky_relu(a, 0.2), [x], rng)
    compare_op(lambda a: gradlab.elu(a, alpha=0.5), lambda a: F.elu(a, alpha=0.5), [x], rng)
    compare_op(lambda a: gradlab.gelu(a, approximate="tanh"), lambda a: F.gelu(a, approximate="tanh"), [x], rng)
    compare_op(lambda a: gradlab.softplus(a, beta=2, threshold=3), lambda a: F.softplus(a, beta=2, threshold=3), [x], rng)
    compare_op(gradlab.relu6, F.relu6, [x], rng)
    x0 = np.array([0.0, -0.0, 1.0, -1.0])  # kinks: PyTorch's choices
    for name, fn in [("abs", torch.abs), ("leaky_relu", F.leaky_relu), ("elu", F.elu)]:
        compare_op(getattr(gradlab, name), fn, [x0], rng)


@pytest.mark.parametrize("sa,sb", [((3, 4), (3, 4)), ((3, 4), (4,)), ((), (3,)), ((2, 1), (1, 3))])
def test_pow_with_tensor_exponent(sa, sb, rng):
    compare_op(lambda a, b: a ** b, lambda a, b: a ** b, [rng.uniform(0.5, 2, size=sa), rng.standard_normal(sb)], rng)
    compare_op(lambda b: 2.5 ** b, lambda b: 2.5 ** b, [rng.standard_normal(sb)], rng)
    compare_op(lambda a, b: gradlab.pow(a, b), torch.pow, [rng.uniform(0.5, 2, size=sa), rng.standard_normal(sb)], rng)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_zero_exponent_gradient_is_zero_at_zero(dtype):
    x = gl_t(np.array([0.0, 1.5, -2.0]), dtype=dtype, requires_grad=True)
    (x ** 0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    base = gl_t(np.array([0.0, 2.0]), dtype=dtype, requires_grad=True)
    expo = gl_t(np.array([0.0, 0.0]), dtype=dtype, requires_grad=True)
    (base ** expo).sum().backward()
    tb, te = torch.tensor([0.0, 2.0], requires_grad=True), torch.tensor([0.0, 0.0], requires_grad=True)
    (tb ** te).sum().backward()
    np.testing.assert_allclose(base.grad.numpy(), tb.grad.numpy())
    np.testing.assert_allclose(expo.grad.numpy(), te.grad.numpy(), rtol=1e-6)


def test_isclose(rng):
    a = rng.standard_normal(10)
    b = a + rng.choice([0, 1e-9, 1e-3], size=10)
    np.testing.assert_array_equal(gradlab.isclose(gl_t(a), gl_t(b)).numpy(),
                                  torch.isclose(torch.tensor(a), torch.tensor(b)).numpy())


# ---- reductions -------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim,keepdim", [((4, 5), 1, False), ((4, 5), -1, True), ((2, 3, 4), 0, False),
                                               ((2, 3, 4), -2, True), ((6,), 0, False), ((), 0, False),
                                               ((3, 0), 0, False)])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim_like_torch(name, shape, dim, keepdim, rng):
    x = rng.integers(-3, 4, size=shape).astype(np.float64)  # ties: the gradient goes to torch's index
    got = getattr(gradlab, name)(gl_t(x), dim, keepdim)
    want = getattr(torch, name)(torch.tensor(x), dim, keepdim)
    np.testing.assert_array_equal(got.values.numpy(), want.values.numpy())
    np.testing.assert_array_equal(got.indices.numpy(), want.indices.numpy())
    assert got.indices.dtype == gradlab.int64
    compare_op(lambda a: getattr(gradlab, name)(a, dim, keepdim)[0],
               lambda a: getattr(torch, name)(a, dim, keepdim)[0], [x], rng)
    compare_op(lambda a: getattr(a, name)(dim=dim, keepdim=keepdim).values,
               lambda a: getattr(a, name)(dim=dim, keepdim=keepdim).values, [x], rng)


@pytest.mark.parametrize("shape", [(4, 5), (7,), (), (2, 3, 2)])
def test_full_max_min_share_ties_evenly(shape, rng):
    x = rng.integers(-1, 2, size=shape).astype(np.float64)
    compare_op(gradlab.max, torch.max, [x], rng)
    compare_op(gradlab.min, torch.min, [x], rng)
    compare_op(lambda a: gradlab.amax(a, (0,) if a.ndim else None), lambda a: torch.amax(a, (0,) if a.ndim else ()),
               [x], rng)


def test_empty_max_and_argmax_are_refused():
    for call in (lambda: gradlab.max(gradlab.zeros(3, 0), 1), lambda: gradlab.argmax(gradlab.zeros(0)),
                 lambda: gradlab.max(gradlab.zeros(0))):
        with pytest.raises(ValueError, match="empty"):
            call()


@pytest.mark.parametrize("shape,dim,keepdim", [((4, 5), 1, False), ((4, 5), -1, True), ((2, 3, 4), 0, True),
                                               ((6,), None, False), ((4, 5), None, False), ((), None, False)])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_like_torch(name, shape, dim, keepdim, rng):
    x = rng.integers(-2, 3, size=shape).astype(np.float64)
    got = getattr(gradlab, name)(gl_t(x), dim=dim, keepdim=keepdim)
    want = getattr(torch, name)(torch.tensor(x), dim=dim, keepdim=keepdim)
    assert got.dtype == gradlab.int64 and got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    np.testing.assert_array_equal(getattr(gl_t(x.astype(np.int64)), name)(dim=dim, keepdim=keepdim).numpy(), want.numpy())


@pytest.mark.parametrize("shape,dim,keepdim", [((4, 5), 1, False), ((4, 5), -1, True), ((2, 3, 4), (0, 2), False),
                                               ((6,), None, False), ((3, 0), 1, False), ((), None, False)])
def test_logsumexp_like_torch(shape, dim, keepdim, rng):
    x = rng.standard_normal(shape) * 3
    tdim = dim if dim is not None else tuple(range(len(shape)))
    compare_op(lambda a: gradlab.logsumexp(a, dim, keepdim), lambda a: torch.logsumexp(a, tdim, keepdim), [x], rng)


def test_logsumexp_is_stable():
    x = np.array([[1000.0, 1000.0, -1000.0], [-np.inf, -np.inf, -np.inf]])
    np.testing.assert_allclose(gradlab.logsumexp(gl_t(x), 1).numpy(), torch.logsumexp(torch.tensor(x), 1).numpy())


@pytest.mark.parametrize("shape,dim,keepdim", [((3, 4), 1, False), ((3, 4), -2, True), ((5,), None, False),
                                               ((2, 0), 1, False), ((), None, False)])
def test_prod_like_torch(shape, dim, keepdim, rng):
    x = rng.standard_normal(shape)
    if x.size > 2:
        x.flat[1] = 0.0  # a zero: exact gradients
    if dim is None:
        compare_op(gradlab.prod, torch.prod, [x], rng)
    else:
        compare_op(lambda a: gradlab.prod(a, dim, keepdim), lambda a: torch.prod(a, dim, keepdim), [x], rng)


@pytest.mark.parametrize("name", ["any", "all"])
@pytest.mark.parametrize("shape,dim", [((3, 4), 1), ((3, 4), None), ((0, 3), 0), ((), None)])
def test_any_all_like_torch(name, shape, dim, rng):
    x = rng.integers(0, 2, size=shape).astype(bool)
    got = getattr(gradlab, name)(gl_t(x), dim) if dim is not None else getattr(gradlab, name)(gl_t(x))
    want = getattr(torch, name)(torch.tensor(x), dim) if dim is not None else getattr(torch, name)(torch.tensor(x))
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("shape,dim,keepdim", [((4, 5), 1, False), ((4, 5), None, False), ((2, 3, 4), (0, 2), True)])
def test_std_norm_cumsum_like_torch(shape, dim, keepdim, rng):
    x = rng.standard_normal(shape)
    compare_op(lambda a: gradlab.std(a, dim, keepdim=keepdim),
               lambda a: torch.std(a, dim, keepdim=keepdim) if dim is not None else torch.std(a), [x], rng)
    for p in (2, 1, float("inf"), 3):
        compare_op(lambda a: gradlab.norm(a, p, dim, keepdim), lambda a: torch.norm(a, p, dim, keepdim), [x], rng)
    for d in range(len(shape)):
        compare_op(lambda a: gradlab.cumsum(a, d), lambda a: torch.cumsum(a, d), [x], rng)
        compare_op(lambda a: gradlab.cumsum(a, -1 - d), lambda a: torch.cumsum(a, -1 - d), [x], rng)


# ---- integer dtypes and arithmetic -------------------------------------------------------------------
def test_dtypes_from_python_and_numpy():
    assert gl_t([[1, 2], [3, 4]]).dtype == gradlab.int64
    assert gl_t(np.array([1, 2], dtype=np.int32)).dtype == gradlab.int32
    assert gl_t(np.array([1, 2])).dtype == gradlab.int64
    assert gl_t(np.array([True, False])).dtype == gradlab.bool
    assert gl_t([True]).dtype == gradlab.bool
    assert gl_t([1.5]).dtype == gradlab.float32
    assert gl_t([1, 2], dtype=gradlab.int64).numpy().dtype == np.int64
    assert gl_t(np.array([True])).numpy().dtype == np.bool_
    assert gl_t([2**40]).item() == 2**40
    for d in ("int64", "bool", "int32"):
        with pytest.raises(ValueError, match=d):
            gl_t([1, 0], dtype=d, requires_grad=True)
        with pytest.raises(ValueError, match=d):
            gl_t([1, 0], dtype=d).requires_grad = True


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_integer_arithmetic_like_torch(dtype, rng):
    a = rng.integers(-9, 10, size=(3, 4))
    b = rng.integers(1, 5, size=(4,)) * rng.choice([-1, 1], size=4)
    ga, gb = gl_t(a, dtype=dtype), gl_t(b, dtype=dtype)
    tdt = getattr(torch, dtype)
    ta, tb = torch.tensor(a, dtype=tdt), torch.tensor(b, dtype=tdt)
    for op in ("__add__", "__sub__", "__mul__", "__floordiv__", "__mod__"):
        got, want = getattr(ga, op)(gb), getattr(ta, op)(tb)
        assert got.dtype == getattr(gradlab, dtype), op
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=op)
    np.testing.assert_array_equal((ga + 3).numpy(), (ta + 3).numpy())
    np.testing.assert_array_equal((7 - ga).numpy(), (7 - ta).numpy())
    np.testing.assert_allclose((ga / gb).numpy(), (ta / tb).numpy(), rtol=1e-6)
    assert (ga / gb).dtype == gradlab.float32
    assert (ga * 0.5).dtype == gradlab.float32
    np.testing.assert_array_equal((ga ** 2).numpy(), (ta ** 2).numpy())
    np.testing.assert_array_equal(abs(ga).numpy(), abs(ta).numpy())
    with pytest.raises(ValueError, match="division by zero"):
        ga // gl_t([0], dtype=dtype)
    assert (gl_t([True, False]) + 1).dtype == gradlab.int64


def test_bool_and_int_sums_count():
    mask = gl_t(np.array([[True, False], [True, True]]))
    assert mask.sum().item() == 3 and mask.sum().dtype == gradlab.int64
    assert mask.sum(dim=0).tolist() == [2, 1]
    assert mask.float().mean().item() == 0.75


def test_count_correct_with_integer_counters(rng):
    logits = rng.standard_normal((20, 5))
    labels = rng.integers(0, 5, size=20)
    expected = int((logits.argmax(1) == labels).sum())
    for dtype in ("int32", "int64", "float32", "float64"):
        counter = gradlab.zeros(1, dtype=dtype)
        gradlab.count_correct(gl_t(logits), gl_t(labels), counter)
        gradlab.count_correct(gl_t(logits), gl_t(labels, dtype="int32"), counter)
        assert counter.item() == 2 * expected, dtype


# ---- index arrays --------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,dim,index", [((4, 5), 0, [3, 0, 3]), ((4, 5), 1, [4, 4, 0, 1]), ((2, 3, 4), -1, [1]),
                                             ((3, 4), 0, [])])
def test_index_select_like_torch(shape, dim, index, rng):
    idx = np.array(index, dtype=np.int64)
    compare_op(lambda a: gradlab.index_select(a, dim, gl_t(idx)),
               lambda a: torch.index_select(a, dim, torch.tensor(idx)), [rng.standard_normal(shape)], rng)
    with pytest.raises(ValueError, match="out of range"):
        gradlab.index_select(gl_t(rng.standard_normal(shape)), dim, gl_t([shape[dim]]))


@pytest.mark.parametrize("shape,dim", [((3, 4), 0), ((3, 4), 1), ((2, 3, 4), -1), ((2, 3, 4), 1)])
def test_gather_scatter_add_like_torch(shape, dim, rng):
    idx_shape = list(shape)
    idx_shape[dim] = 5
    idx = rng.integers(0, shape[dim], size=idx_shape)
    compare_op(lambda a: gradlab.gather(a, dim, gl_t(idx)), lambda a: torch.gather(a, dim, torch.tensor(idx)),
               [rng.standard_normal(shape)], rng)
    compare_op(lambda a, s: gradlab.scatter_add(a, dim, gl_t(idx), s),
               lambda a, s: torch.scatter_add(a, dim, torch.tensor(idx), s),
               [rng.standard_normal(shape), rng.standard_normal(idx_shape)], rng)


def test_one_hot_like_torch(rng):
    y = rng.integers(0, 6, size=(3, 4))
    np.testing.assert_array_equal(gradlab.one_hot(gl_t(y), 7).numpy(), F.one_hot(torch.tensor(y), 7).numpy())
    np.testing.assert_array_equal(gradlab.one_hot(gl_t(y)).numpy(), F.one_hot(torch.tensor(y)).numpy())
    with pytest.raises(ValueError, match="out of range"):
        gradlab.one_hot(gl_t([7]), 3)


# ---- shape ---------------------------------------------------------------------------------------
def test_shape_helpers_like_torch(rng):
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    for dim in (0, 1, 2, -1):
        compare_op(lambda x, y: gradlab.stack([x, y], dim), lambda x, y: torch.stack([x, y], dim), [a, b], rng)
    compare_op(lambda x, y: gradlab.cat([x, y], 1), lambda x, y: torch.cat([x, y], 1), [a, b], rng)
    for size in (1, 2, [1, 2]):
        got = gradlab.split(gl_t(a), size, 1)
        want = torch.split(torch.tensor(a), size, 1)
        assert [g.shape for g in got] == [tuple(w.shape) for w in want]
    assert [c.shape for c in gradlab.chunk(gl_t(a), 2, 1)] == [tuple(c.shape) for c in torch.chunk(torch.tensor(a), 2, 1)]
    compare_op(lambda x: gradlab.squeeze(gradlab.unsqueeze(x, -1)), lambda x: x.unsqueeze(-1).squeeze(), [a], rng)
    compare_op(lambda x: x.unsqueeze(1).squeeze(1), lambda x: x.unsqueeze(1).squeeze(1), [a], rng)
    compare_op(lambda x: gradlab.flip(x, (0, 1)), lambda x: torch.flip(x, (0, 1)), [a], rng)
    compare_op(lambda x: x.repeat(2, 1, 3), lambda x: x.repeat(2, 1, 3), [a], rng)
    compare_op(lambda x: gradlab.tile(x, (2,)), lambda x: torch.tile(x, (2,)), [a], rng)
    for pad, value in [((1, 2), 0.0), ((1, 0, 0, 2), 3.0), ((-1, 1, 2, -1), 0.0)]:
        compare_op(lambda x: gradlab.pad(x, pad, value=value), lambda x: F.pad(x, pad, value=value), [a], rng)


@pytest.mark.parametrize("sa,sb", [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((5, 2, 3), (3, 4)),
                                   ((2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((2, 0), (0, 3))])
def test_matmul_like_numpy(sa, sb, rng):
    compare_op(lambda x, y: x @ y, lambda x, y: x @ y, [rng.standard_normal(sa), rng.standard_normal(sb)], rng)
    compare_op(gradlab.matmul, torch.matmul, [rng.standard_normal(sa), rng.standard_normal(sb)], rng)


@pytest.mark.parametrize("eq,shapes", [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
                                       ("i,i->", [(5,), (5,)]), ("ij->ji", [(2, 3)]), ("ij,j->i", [(2, 3), (3,)]),
                                       ("i,j->ij", [(2,), (3,)]), ("ij->", [(2, 3)])])
def test_einsum_like_torch(eq, shapes, rng):
    arrays = [rng.standard_normal(s) for s in shapes]
    compare_op(lambda *t: gradlab.einsum(eq, *t), lambda *t: torch.einsum(eq, *t), arrays, rng)


# ---- losses ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_options_like_torch(reduction, smoothing, rng):
    x = rng.standard_normal((6, 4))
    y = rng.integers(0, 4, size=6)
    y[2] = -100
    yt = torch.tensor(y)
    compare_op(lambda a: gradlab.cross_entropy(a, gl_t(y), reduction=reduction, label_smoothing=smoothing),
               lambda a: F.cross_entropy(a, yt, reduction=reduction, label_smoothing=smoothing), [x], rng)
    y1 = np.where(y < 0, 0, y)
    compare_op(lambda a: gradlab.cross_entropy(a, gl_t(y1), reduction=reduction, ignore_index=1),
               lambda a: F.cross_entropy(a, torch.tensor(y1), reduction=reduction, ignore_index=1), [x], rng)
    p = rng.uniform(size=(6, 4))
    p /= p.sum(1, keepdims=True)
    compare_op(lambda a: gradlab.cross_entropy(a, gl_t(p), reduction=reduction, label_smoothing=smoothing),
               lambda a: F.cross_entropy(a, torch.tensor(p), reduction=reduction, label_smoothing=smoothing), [x], rng)
    x3, y3 = rng.standard_normal((2, 4, 3)), rng.integers(0, 4, size=(2, 3))
    compare_op(lambda a: gradlab.cross_entropy(a, gl_t(y3), reduction=reduction),
               lambda a: F.cross_entropy(a, torch.tensor(y3), reduction=reduction), [x3], rng)
    compare_op(lambda a: gradlab.nll_loss(gradlab.log_softmax(a), gl_t(y), reduction=reduction),
               lambda a: F.nll_loss(F.log_softmax(a, 1), yt, reduction=reduction), [x], rng)


def test_cross_entropy_takes_int64_labels_and_refuses_bad_ones(rng):
    x = rng.standard_normal((4, 3))
    compare_op(lambda a: gradlab.cross_entropy(a, gl_t(np.array([0, 2, 1, 1]))),
               lambda a: F.cross_entropy(a, torch.tensor([0, 2, 1, 1])), [x], rng)
    with pytest.raises(ValueError):
        gradlab.cross_entropy(gl_t(x), gl_t([0, 3, 1, 1]), reduction="sum")
    with pytest.raises(ValueError, match="reduction"):
        gradlab.cross_entropy(gl_t(x), gl_t([0, 1, 1, 1]), reduction="avg")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_binary_cross_entropy_like_torch(reduction, rng):
    p, t = rng.uniform(0.05, 0.95, size=(4, 3)), rng.uniform(size=(4, 3))
    compare_op(lambda a: gradlab.binary_cross_entropy(a, gl_t(t, dtype="float64"), reduction=reduction),
               lambda a: F.binary_cross_entropy(a, torch.tensor(t), reduction=reduction), [p], rng)
    x = rng.standard_normal((4, 3)) * 3
    compare_op(lambda a, b: gradlab.binary_cross_entropy_with_logits(a, b, reduction=reduction),
               lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction), [x, t], rng)


# ---- broadcasting drawn by hypothesis ------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
def test_where_maximum_comparisons_on_drawn_shapes(shapes):
    rng = np.random.default_rng(0)
    sa, sb = shapes.input_shapes
    a, b = rng.integers(-2, 3, size=sa).astype(np.float64), rng.integers(-2, 3, size=sb).astype(np.float64)
    compare_op(gradlab.maximum, torch.maximum, [a, b], rng)
    np.testing.assert_array_equal((gl_t(a) <= gl_t(b)).numpy(), a <= b)
    cond = a > 0
    compare_op(lambda x, y: gradlab.where(gl_t(cond), x, y), lambda x, y: torch.where(torch.tensor(cond), x, y),
               [a, b], rng)


@settings(max_examples=30, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), st.integers(-3, 2), st.booleans())
def test_max_logsumexp_on_drawn_shapes(shape, dim, keepdim):
    dim = dim % len(shape)
    rng = np.random.default_rng(1)
    x = rng.standard_normal(shape)
    compare_op(lambda a: gradlab.max(a, dim, keepdim)[0], lambda a: torch.max(a, dim, keepdim)[0], [x], rng)
    compare_op(lambda a: gradlab.logsumexp(a, dim, keepdim), lambda a: torch.logsumexp(a, dim, keepdim), [x], rng)


# ---- convolution options ----------------------------------------------------------------------------
@pytest.mark.parametrize("stride,padding,dilation,groups", [(1, 0, 1, 1), (2, 1, 1, 2), ((2, 1), (1, 2), (2, 1), 1),
                                                            (1, "same", 2, 2), (1, "valid", 1, 1), (1, (2, 0, 1, 1), 1, 1),
                                                            (1, (1, -1, 0, 1), 1, 2)])
def test_conv2d_options_like_torch(stride, padding, dilation, groups, rng):
    x, w, b = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 4 // groups, 3, 2)), rng.standard_normal(6)
    if isinstance(padding, tuple) and len(padding) == 4:
        tf = lambda a, c, d: F.conv2d(F.pad(a, padding), c, d, stride, 0, dilation, groups)  # noqa: E731
    else:
        tf = lambda a, c, d: F.conv2d(a, c, d, stride, padding, dilation, groups)  # noqa: E731
    compare_op(lambda a, c, d: gradlab.conv2d(a, c, d, stride=stride, padding=padding, dilation=dilation, groups=groups),
               tf, [x, w, b], rng)


@pytest.mark.parametrize("stride,padding,dilation,groups", [(1, 0, 1, 1), (2, 1, 1, 2), (1, "same", 2, 1),
                                                            (1, (2, 0), 1, 1)])
def test_conv1d_options_like_torch(stride, padding, dilation, groups, rng):
    x, w = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 4 // groups, 3))
    if isinstance(padding, tuple):
        tf = lambda a, c: F.conv1d(F.pad(a, padding), c, None, stride, 0, dilation, groups)  # noqa: E731
    else:
        tf = lambda a, c: F.conv1d(a, c, None, stride, padding, dilation, groups)  # noqa: E731
    compare_op(lambda a, c: gradlab.conv1d(a, c, stride=stride, padding=padding, dilation=dilation, groups=groups),
               tf, [x, w], rng)


@pytest.mark.parametrize("stride,padding,output_padding,groups,dilation",
                         [(1, 0, 0, 1, 1), (2, 1, 1, 1, 1), ((2, 3), (1, 0), (1, 2), 2, 1), (1, 1, 0, 1, 2)])
def test_conv_transpose2d_like_torch(stride, padding, output_padding, groups, dilation, rng):
    x, w, b = rng.standard_normal((2, 4, 5, 4)), rng.standard_normal((4, 6 // groups, 3, 2)), rng.standard_normal(6)
    compare_op(lambda a, c, d: gradlab.conv_transpose2d(a, c, d, stride, padding, output_padding, groups, dilation),
               lambda a, c, d: F.conv_transpose2d(a, c, d, stride, padding, output_padding, groups, dilation),
               [x, w, b], rng)
    compare_op(lambda a, c: gradlab.conv_transpose1d(a, c, None, 2, 1, 1),
               lambda a, c: F.conv_transpose1d(a, c, None, 2, 1, 1), [x[:, :, 0], w[:, :, :, 0]], rng)


def test_conv_transpose_is_the_input_gradient_of_conv(rng):
    x = gradlab.tensor(rng.standard_normal((1, 3, 8, 8)), dtype="float64", requires_grad=True)
    w = gradlab.tensor(rng.standard_normal((5, 3, 3, 3)), dtype="float64")
    y = gradlab.conv2d(x, w, stride=2, padding=1)
    g = gradlab.tensor(rng.standard_normal(y.shape), dtype="float64")
    y.backward(g)
    np.testing.assert_allclose(gradlab.conv_transpose2d(g, w, stride=2, padding=1, output_padding=1).numpy(),
                               x.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("kernel,stride,padding,ceil_mode", [((3, 2), None, 0, False), ((3, 2), (2, 1), (1, 1), False),
                                                             (3, 2, 1, True), ((2, 3), (3, 2), (1, 0), True)])
def test_max_pool2d_options_like_torch(kernel, stride, padding, ceil_mode, rng):
    compare_op(lambda a: gradlab.max_pool2d(a, kernel, stride, padding, ceil_mode),
               lambda a: F.max_pool2d(a, kernel, stride, padding, ceil_mode=ceil_mode),
               [rng.standard_normal((2, 3, 7, 8))], rng)


def test_convolution_option_errors(rng):
    x, w = gradlab.ones(1, 4, 5, 5), gradlab.ones(2, 3, 3, 3)
    with pytest.raises(ValueError, match="groups"):
        gradlab.conv2d(x, w, groups=2)
    with pytest.raises(ValueError, match="same"):
        gradlab.conv2d(x, gradlab.ones(2, 4, 3, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match="output_padding"):
        gradlab.conv_transpose2d(x, gradlab.ones(4, 2, 3, 3), output_padding=2)
