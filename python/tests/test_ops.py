# Every op of engine/ops/ops.h, forward and backward, against PyTorch in
# float64, on several shapes including odd sizes, strides and paddings.
import numpy as np
import pytest
torch = pytest.importorskip("torch")
F = torch.nn.functional
from hypothesis import given, settings, strategies as st

import gradlab
from conftest import compare_op

UNARY = {
    "exp": (gradlab.exp, torch.exp, None),
    "log": (gradlab.log, torch.log, "positive"),
    "sqrt": (gradlab.sqrt, torch.sqrt, "positive"),
    "tanh": (gradlab.tanh, torch.tanh, None),
    "sigmoid": (gradlab.sigmoid, torch.sigmoid, None),
    "relu": (gradlab.relu, torch.relu, "away_from_zero"),
    "neg": (gradlab.neg, torch.neg, None),
    "pow3": (lambda a: gradlab.pow(a, exponent=3.0), lambda a: a ** 3.0, None),
    "pow_half": (lambda a: gradlab.pow(a, 0.5), lambda a: a ** 0.5, "positive"),
    "add_scalar": (lambda a: gradlab.add_scalar(a, s=-1.25), lambda a: a - 1.25, None),
    "mul_scalar": (lambda a: gradlab.mul_scalar(a, 3.5), lambda a: a * 3.5, None),
}


def sample(rng, shape, domain=None):
    if domain == "positive":
        return rng.uniform(0.2, 3.0, shape)
    a = rng.standard_normal(shape)
    if domain == "away_from_zero":
        a = np.where(np.abs(a) < 0.05, 0.5, a)
    return a


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 1, 3, 3)])
def test_unary(name, shape, rng):
    g, t, domain = UNARY[name]
    compare_op(g, t, [sample(rng, shape, domain)], rng)


@given(st.lists(st.integers(1, 4), min_size=0, max_size=3), st.lists(st.booleans(), min_size=3, max_size=3),
       st.sampled_from(["add", "sub", "mul", "div"]))
@settings(max_examples=30, deadline=None)
def test_binary_broadcasting(shape, drop, op):
    rng = np.random.default_rng(len(shape) * 7 + sum(shape))
    other = [1 if d else s for s, d in zip(shape, drop)]  # some axes broadcast
    a, b = rng.standard_normal(shape), rng.uniform(0.5, 2, other)
    compare_op(getattr(gradlab, op), getattr(torch, op), [a, b], rng)


@pytest.mark.parametrize("shape,axes,keepdims", [((3, 4), None, False), ((3, 4), 1, True), ((2, 3, 5), (0, 2), False),
                                                 ((2, 3, 5), [-1], True), ((6,), 0, False)])
@pytest.mark.parametrize("op", ["sum", "mean", "var", "var_unbiased"])
def test_reductions(op, shape, axes, keepdims, rng):
    dims = None if axes is None else ([axes] if isinstance(axes, int) else list(axes))
    if op == "var_unbiased":
        g = lambda a: gradlab.var(a, axes=axes, keepdims=keepdims, unbiased=True)  # noqa: E731
        t = lambda a: torch.var(a, dim=dims, keepdim=keepdims, unbiased=True)  # noqa: E731
    elif op == "var":
        g = lambda a: gradlab.var(a, axes, keepdims)  # noqa: E731
        t = lambda a: torch.var(a, dim=dims, keepdim=keepdims, unbiased=False)  # noqa: E731
    else:
        g = lambda a: getattr(gradlab, op)(a, axis=axes, keepdims=keepdims)  # noqa: E731
        t = lambda a: getattr(torch, op)(a, dim=dims, keepdim=keepdims) if dims else getattr(torch, op)(a)  # noqa: E731
    compare_op(g, t, [rng.standard_normal(shape)], rng)


def test_tensor_methods(rng):
    compare_op(lambda a: a.sum(axes=1).exp().mean(), lambda a: a.sum(1).exp().mean(), [rng.standard_normal((3, 4))], rng)
    compare_op(lambda a: a.reshape(4, 3).T.relu(), lambda a: a.reshape(4, 3).T.relu(), [rng.standard_normal((3, 4))], rng)


@pytest.mark.parametrize("src,dst", [((2, 3, 4), (3, 1)), ((5, 4), (4,)), ((3, 3), (1, 3)), ((2, 2), ())])
def test_sum_to(src, dst, rng):
    compare_op(lambda a: gradlab.sum_to(a, shape=list(dst)), lambda a: a.sum_to_size(dst) if dst else a.sum(),
               [rng.standard_normal(src)], rng)


def test_shape_ops(rng):
    a = rng.standard_normal((2, 3, 4))
    compare_op(lambda x: gradlab.reshape(x, [4, -1]), lambda x: x.reshape(4, -1), [a], rng)
    compare_op(lambda x: gradlab.flatten(x, start_axis=1), lambda x: x.flatten(1), [a], rng)
    compare_op(lambda x: gradlab.permute(x, order=[2, 0, 1]), lambda x: x.permute(2, 0, 1), [a], rng)
    compare_op(lambda x: gradlab.transpose(x, 0, 2), lambda x: x.transpose(0, 2), [a], rng)
    compare_op(lambda x: gradlab.transpose(x), lambda x: x.transpose(-2, -1), [a], rng)
    compare_op(lambda x: gradlab.slice(x, axis=2, start=1, end=4, step=2), lambda x: x[:, :, 1:4:2], [a], rng)
    compare_op(lambda x: gradlab.slice(x, 1, -2, 3), lambda x: x[:, -2:3], [a], rng)
    compare_op(lambda x: gradlab.expand(x[:, :1], [2, 5, 4]), lambda x: x[:, :1].expand(2, 5, 4), [a], rng)
    compare_op(lambda x: gradlab.pad2d(x, pad_h=1, pad_w=2), lambda x: F.pad(x, (2, 2, 1, 1)), [a], rng)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_concat(axis, rng):
    arrays = [rng.standard_normal((2, 3, 2)) for _ in range(3)]
    compare_op(lambda *xs: gradlab.concat(list(xs), axis=axis), lambda *xs: torch.cat(xs, dim=axis), arrays, rng)


@pytest.mark.parametrize("sa,sb", [((3, 5), (5, 2)), ((1, 7), (7, 1)), ((4, 3, 5), (4, 5, 2)), ((2, 3, 5), (5, 4))])
def test_matmul(sa, sb, rng):
    compare_op(lambda a, b: gradlab.matmul(a, b), torch.matmul, [rng.standard_normal(sa), rng.standard_normal(sb)], rng)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("n,i,o", [(4, 3, 5), (1, 7, 2)])
def test_linear(n, i, o, bias, rng):
    arrays = [rng.standard_normal((n, i)), rng.standard_normal((o, i))] + ([rng.standard_normal(o)] if bias else [])
    compare_op(lambda x, w, b=None: gradlab.linear(x, weight=w, bias=b), lambda x, w, b=None: F.linear(x, w, b),
               arrays, rng)


CONV2D = [  # N, C, H, W, K, R, S, stride, padding, bias
    (2, 3, 5, 5, 4, 3, 3, 1, 0, True),
    (1, 2, 7, 6, 3, 3, 3, 2, 1, False),
    (2, 1, 8, 5, 2, 1, 1, 1, 0, True),
    (1, 3, 6, 7, 2, 3, 2, (2, 1), (1, 2), True),
    (3, 2, 9, 9, 5, 5, 5, 3, 2, False),
]


@pytest.mark.parametrize("n,c,h,w,k,r,s,stride,padding,bias", CONV2D)
def test_conv2d(n, c, h, w, k, r, s, stride, padding, bias, rng):
    arrays = [rng.standard_normal((n, c, h, w)), rng.standard_normal((k, c, r, s))] + ([rng.standard_normal(k)] if bias else [])
    compare_op(lambda x, wt, b=None: gradlab.conv2d(x, wt, bias=b, stride=stride, padding=padding),
               lambda x, wt, b=None: F.conv2d(x, wt, b, stride=stride, padding=padding), arrays, rng)


@pytest.mark.parametrize("n,c,length,k,s,stride,padding,bias", [(2, 2, 4, 2, 3, 1, 0, False), (1, 3, 11, 4, 3, 2, 1, True),
                                                                (3, 1, 5, 2, 5, 1, 2, True)])
def test_conv1d(n, c, length, k, s, stride, padding, bias, rng):
    arrays = [rng.standard_normal((n, c, length)), rng.standard_normal((k, c, s))] + ([rng.standard_normal(k)] if bias else [])
    compare_op(lambda x, wt, b=None: gradlab.conv1d(x, wt, b, stride=stride, padding=padding),
               lambda x, wt, b=None: F.conv1d(x, wt, b, stride=stride, padding=padding), arrays, rng)


@pytest.mark.parametrize("r,s,stride,padding", [(3, 3, 1, 0), (2, 3, 2, 1), (1, 1, 1, 0)])
def test_im2col(r, s, stride, padding, rng):
    compare_op(lambda x: gradlab.im2col(x, R=r, S=s, stride=stride, padding=padding),
               lambda x: F.unfold(x, (r, s), stride=stride, padding=padding), [rng.standard_normal((2, 3, 5, 6))], rng)


def conv_matrix_torch(conv, w, spatial, stride, padding):
    """A with vec(y) = A vec(x): the convolution applied to every unit input (linear, differentiable in w)."""
    c = w.shape[1]
    size = c * int(np.prod(spatial))
    basis = torch.eye(size).reshape(size, c, *spatial)
    return conv(basis, w, stride=stride, padding=padding).reshape(size, -1).T


@pytest.mark.parametrize("k,c,s,length,stride,padding", [(2, 2, 3, 4, 1, 0), (3, 1, 2, 7, 2, 1), (1, 2, 3, 5, 1, 2)])
def test_conv1d_matrix(k, c, s, length, stride, padding, rng):
    compare_op(lambda w: gradlab.conv1d_matrix(w, length=length, stride=stride, padding=padding),
               lambda w: conv_matrix_torch(F.conv1d, w, (length,), stride, padding), [rng.standard_normal((k, c, s))], rng)


@pytest.mark.parametrize("k,c,r,s,h,w,stride,padding", [(2, 2, 3, 3, 4, 4, 1, 0), (1, 3, 2, 2, 5, 3, 2, 1)])
def test_conv2d_matrix(k, c, r, s, h, w, stride, padding, rng):
    compare_op(lambda wt: gradlab.conv2d_matrix(wt, H=h, W=w, stride=stride, padding=padding),
               lambda wt: conv_matrix_torch(F.conv2d, wt, (h, w), stride, padding), [rng.standard_normal((k, c, r, s))],
               rng)


@pytest.mark.parametrize("fused", [False, True])
@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(shape, training, fused, rng):
    c = shape[1]
    stats = [rng.standard_normal(c), rng.uniform(0.5, 2, c)]
    g_stats = [gradlab.tensor(s.copy(), dtype="float64") for s in stats]
    t_stats = [torch.tensor(s.copy()) for s in stats]
    gl_op = gradlab.batch_norm_relu if fused else gradlab.batch_norm
    post = torch.relu if fused else (lambda y: y)
    compare_op(lambda x, g, b: gl_op(x, g, b, running_mean=g_stats[0], running_var=g_stats[1], training=training,
                                     momentum=0.3, eps=1e-4),
               lambda x, g, b: post(F.batch_norm(x, t_stats[0], t_stats[1], g, b, training=training, momentum=0.3,
                                                 eps=1e-4)),
               [rng.standard_normal(shape) * 2 + 1, rng.standard_normal(c), rng.standard_normal(c)], rng, rtol=1e-8)
    for g, t in zip(g_stats, t_stats):
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-12)


@pytest.mark.parametrize("shape", [(5, 3), (4, 2, 3, 5)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_add_relu(shape, training, rng):
    c = shape[1]
    stats = [rng.standard_normal(c), rng.uniform(0.5, 2, c)]
    g_stats = [gradlab.tensor(s.copy(), dtype="float64") for s in stats]
    t_stats = [torch.tensor(s.copy()) for s in stats]
    compare_op(lambda x, g, b, r: gradlab.batch_norm_add_relu(x, g, b, r, running_mean=g_stats[0],
                                                              running_var=g_stats[1], training=training,
                                                              momentum=0.3, eps=1e-4),
               lambda x, g, b, r: torch.relu(F.batch_norm(x, t_stats[0], t_stats[1], g, b, training=training,
                                                          momentum=0.3, eps=1e-4) + r),
               [rng.standard_normal(shape) * 2 + 1, rng.standard_normal(c), rng.standard_normal(c),
                rng.standard_normal(shape)], rng, rtol=1e-8)
    for g, t in zip(g_stats, t_stats):
        np.testing.assert_allclose(g.numpy(), t.numpy(), rtol=1e-12)


def test_batch_norm_without_running_stats(rng):
    compare_op(lambda x, g, b: gradlab.batch_norm(x, g, b), lambda x, g, b: F.batch_norm(x, None, None, g, b, True),
               [rng.standard_normal((6, 4)), rng.standard_normal(4), rng.standard_normal(4)], rng, rtol=1e-8)


@pytest.mark.parametrize("kernel,stride,padding,shape", [(2, 0, 0, (2, 3, 6, 6)), (3, 2, 1, (1, 2, 7, 5)),
                                                         (3, 1, 0, (2, 1, 5, 5))])
def test_pools(kernel, stride, padding, shape, rng):
    a = rng.permutation(np.prod(shape)).reshape(shape) / 10.0  # distinct values: no max ties
    compare_op(lambda x: gradlab.max_pool2d(x, kernel=kernel, stride=stride, padding=padding),
               lambda x: F.max_pool2d(x, kernel, stride or kernel, padding), [a], rng)
    compare_op(lambda x: gradlab.avg_pool2d(x, kernel, stride, padding),
               lambda x: F.avg_pool2d(x, kernel, stride or kernel, padding, count_include_pad=True), [a], rng)
    compare_op(gradlab.global_avg_pool2d, lambda x: x.mean((2, 3)), [a], rng)


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 7), (1, 1)])
def test_softmax(shape, rng):
    compare_op(gradlab.softmax, lambda x: torch.softmax(x, -1), [rng.standard_normal(shape) * 3], rng)
    compare_op(gradlab.log_softmax, lambda x: torch.log_softmax(x, -1), [rng.standard_normal(shape) * 3], rng)


@pytest.mark.parametrize("n,k", [(5, 3), (1, 10), (8, 2)])
def test_losses(n, k, rng):
    labels = rng.integers(0, k, n)
    g_labels = gradlab.tensor(labels, dtype="int32")
    compare_op(lambda x: gradlab.cross_entropy(x, labels=g_labels),
               lambda x: F.cross_entropy(x, torch.tensor(labels, dtype=torch.int64)), [rng.standard_normal((n, k))], rng)
    compare_op(lambda p, t: gradlab.mse_loss(p, target=t), F.mse_loss,
               [rng.standard_normal((n, k)), rng.standard_normal((n, k))], rng)


def test_count_correct(rng):
    logits = rng.standard_normal((20, 4))
    labels = rng.integers(0, 4, 20)
    counter = gradlab.zeros(1, dtype="float64")
    gradlab.count_correct(gradlab.tensor(logits), gradlab.tensor(labels, dtype="int32"), counter)
    gradlab.count_correct(gradlab.tensor(logits), gradlab.tensor(labels, dtype="int32"), counter)
    assert counter.numpy()[0] == 2 * int((logits.argmax(1) == labels).sum())
