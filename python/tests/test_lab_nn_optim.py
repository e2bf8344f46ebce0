# Adam, AdamW and RMSprop against torch.optim (float64, several steps, weight-decay groups,
# state_dict round trips), and the Python layers LayerNorm, Dropout, Embedding, MaxPool2d, AvgPool2d.
import numpy as np
import pytest
torch = pytest.importorskip("torch")  # the reference; skipped where it is not installed
F = torch.nn.functional

import gradlab
from gradlab import nn, optim
from conftest import compare_op


def run_both(make_gl, make_torch, steps=5, seed=0):
    rng = np.random.default_rng(seed)
    w0, b0 = rng.standard_normal((4, 3)), rng.standard_normal(3)
    x = rng.standard_normal((6, 4))
    gw = gradlab.tensor(w0, dtype="float64", requires_grad=True)
    gb = gradlab.tensor(b0, dtype="float64", requires_grad=True)
    tw, tb = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    gopt, topt = make_gl(gw, gb), make_torch(tw, tb)
    for _ in range(steps):
        gopt.zero_grad()
        ((gradlab.tensor(x, dtype="float64") @ gw + gb).tanh() ** 2).sum().backward()
        gopt.step()
        topt.zero_grad()
        ((torch.tensor(x) @ tw + tb).tanh() ** 2).sum().backward()
        topt.step()
    np.testing.assert_allclose(gw.numpy(), tw.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gb.numpy(), tb.detach().numpy(), rtol=1e-10, atol=1e-12)
    return gopt, (gw, gb)


@pytest.mark.parametrize("kw", [{}, {"lr": 0.05, "betas": (0.8, 0.9), "eps": 1e-6}, {"weight_decay": 0.1}])
def test_adam_like_torch(kw):
    run_both(lambda w, b: optim.Adam([w, b], **kw), lambda w, b: torch.optim.Adam([w, b], **kw))


@pytest.mark.parametrize("kw", [{}, {"lr": 0.05, "weight_decay": 0.3}])
def test_adamw_like_torch(kw):
    run_both(lambda w, b: optim.AdamW([w, b], **kw), lambda w, b: torch.optim.AdamW([w, b], **kw))


@pytest.mark.parametrize("kw", [{}, {"lr": 0.02, "alpha": 0.9, "momentum": 0.5}, {"centered": True, "weight_decay": 0.1},
                                {"centered": True, "momentum": 0.3}])
def test_rmsprop_like_torch(kw):
    run_both(lambda w, b: optim.RMSprop([w, b], **kw), lambda w, b: torch.optim.RMSprop([w, b], **kw))


def test_weight_decay_groups_like_torch():
    run_both(lambda w, b: optim.AdamW([{"params": [w], "weight_decay": 0.5}, {"params": [b], "weight_decay": 0.0}],
                                      lr=0.03),
             lambda w, b: torch.optim.AdamW([{"params": [w], "weight_decay": 0.5}, {"params": [b], "weight_decay": 0.0}],
                                            lr=0.03))


@pytest.mark.parametrize("name", ["Adam", "AdamW", "RMSprop"])
def test_state_dict_round_trip_continues_identically(name):
    kw = {"momentum": 0.5, "centered": True} if name == "RMSprop" else {}
    opt, params = run_both(lambda w, b: getattr(optim, name)([w, b], lr=0.01, **kw),
                           lambda w, b: getattr(torch.optim, name)([w, b], lr=0.01, **kw), steps=3)
    state = opt.state_dict()
    copies = [gradlab.tensor(p.numpy().copy(), dtype="float64", requires_grad=True) for p in params]
    other = getattr(optim, name)(copies, lr=0.5, **kw)
    other.load_state_dict(state)
    assert other.lr == 0.01
    x = gradlab.tensor(np.ones((2, 4)), dtype="float64")
    for o, ps in ((opt, params), (other, copies)):
        o.zero_grad()
        ((x @ ps[0] + ps[1]) ** 2).sum().backward()
        o.step()
    for a, b in zip(params, copies):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    bad = dict(state)
    key = "exp_avg" if name != "RMSprop" else "square_avg"
    bad[key] = bad[key][:1]
    with pytest.raises(ValueError, match="entries"):
        other.load_state_dict(bad)


def test_optimizer_argument_errors():
    w = gradlab.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="learning rate"):
        optim.Adam([w], lr=-1)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam([w], betas=(1.0, 0.9))
    with pytest.raises(ValueError, match="twice"):
        optim.RMSprop([w, w])


# ---- layers -------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape,normalized", [((4, 6), (6,)), ((2, 3, 4), (3, 4)), ((5,), 5)])
def test_layer_norm_like_torch(shape, normalized, rng):
    ns = (normalized,) if isinstance(normalized, int) else normalized
    compare_op(lambda x, w, b: gradlab.layer_norm(x, normalized, w, b), lambda x, w, b: F.layer_norm(x, ns, w, b),
               [rng.standard_normal(shape), rng.standard_normal(ns), rng.standard_normal(ns)], rng)
    layer = nn.LayerNorm(normalized)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(layer(gradlab.tensor(x)).numpy(), F.layer_norm(torch.tensor(x), ns).numpy(), atol=1e-5)


def test_dropout_trains_and_evaluates():
    layer = nn.Dropout(0.25, seed=0)
    x = gradlab.ones(1000, requires_grad=True)
    y = layer(x)
    kept = y.numpy() != 0
    assert 650 < kept.sum() < 850 and np.allclose(y.numpy()[kept], 1 / 0.75)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.75)
    layer.eval()
    assert layer(x).numpy().tolist() == x.numpy().tolist()
    with pytest.raises(ValueError, match="p must be"):
        nn.Dropout(1.5)


def test_embedding_like_torch(rng):
    w = rng.standard_normal((10, 3))
    idx = rng.integers(0, 10, size=(4, 5))
    compare_op(lambda a: gradlab.embedding(gradlab.tensor(idx), a), lambda a: F.embedding(torch.tensor(idx), a), [w], rng)
    assert nn.Embedding(7, 2)(gradlab.tensor([[1, 6]])).shape == (1, 2, 2)
    with pytest.raises(ValueError, match="out of range"):
        nn.Embedding(7, 2)(gradlab.tensor([7]))


@pytest.mark.parametrize("kernel,stride,padding", [(2, None, 0), (3, 1, 1), (3, 2, 1)])
def test_pool_modules_like_torch(kernel, stride, padding, rng):
    x = rng.standard_normal((2, 3, 7, 7))
    compare_op(lambda a: nn.MaxPool2d(kernel, stride, padding)(a),
               lambda a: torch.nn.MaxPool2d(kernel, stride, padding)(a), [x], rng)
    compare_op(lambda a: nn.AvgPool2d(kernel, stride, padding)(a),
               lambda a: torch.nn.AvgPool2d(kernel, stride, padding)(a), [x], rng)
    compare_op(lambda a: nn.MaxPool2d((3, 2), (2, 1), (1, 0), ceil_mode=True)(a),
               lambda a: torch.nn.MaxPool2d((3, 2), (2, 1), (1, 0), ceil_mode=True)(a), [x], rng)
    compare_op(lambda a: nn.AvgPool2d((3, 2), (2, 1), (1, 1))(a), lambda a: torch.nn.AvgPool2d((3, 2), (2, 1), (1, 1))(a),
               [x], rng)


def test_layers_nest_in_sequential_and_train_with_adam(rng):
    gradlab.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.LayerNorm(16), nn.ReLU(), nn.Dropout(0.1, seed=1), nn.Linear(16, 3))
    opt = optim.Adam(model.parameters(), lr=0.01)
    x = gradlab.tensor(rng.standard_normal((32, 4)).astype(np.float32))
    y = gradlab.tensor(rng.integers(0, 3, size=32))
    first = None
    for _ in range(60):
        loss = gradlab.cross_entropy(model(x), y)
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first * 0.7
    assert "LayerNorm" in repr(model) or len(model) == 5
