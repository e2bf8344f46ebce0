# gradlab.autograd.Function (custom ops with a hand-written backward), and gradlab.data.
import numpy as np
import pytest
torch = pytest.importorskip("torch")  # the reference; skipped where it is not installed

import gradlab
from gradlab.autograd import Function
from gradlab.data import DataLoader, TensorDataset


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


class ScaledMul(Function):
    """x * y * scale, with a non-tensor argument in the middle."""

    @staticmethod
    def forward(ctx, x, scale, y):
        ctx.save_for_backward(x, y)
        ctx.scale = scale
        return x * y * scale

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = grad * y * ctx.scale if ctx.needs_input_grad[0] else None
        gy = grad * x * ctx.scale if ctx.needs_input_grad[2] else None
        return gx, None, gy


def test_function_matches_autograd_and_gradcheck(rng):
    x = gradlab.tensor(rng.standard_normal((3, 4)), dtype="float64", requires_grad=True)
    y = Cube.apply(x)
    assert y.grad_fn == "Cube"
    np.testing.assert_allclose(y.numpy(), x.numpy() ** 3)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.numpy() ** 2)
    assert gradlab.gradcheck(Cube.apply, [gradlab.tensor(rng.standard_normal(5), dtype="float64")])
    a = gradlab.tensor(rng.standard_normal((2, 3)), dtype="float64")
    b = gradlab.tensor(rng.standard_normal((2, 3)), dtype="float64")
    assert gradlab.gradcheck(lambda p, q: ScaledMul.apply(p, 2.5, q), [a, b])
    jac = gradlab.jacobian(Cube.apply, gradlab.tensor(np.array([1.0, 2.0]), dtype="float64"))
    np.testing.assert_allclose(jac.numpy(), np.diag([3.0, 12.0]))


def test_needs_input_grad_and_no_graph_without_grad(rng):
    x = gradlab.tensor(rng.standard_normal(3), dtype="float64", requires_grad=True)
    y = gradlab.tensor(rng.standard_normal(3), dtype="float64")
    out = ScaledMul.apply(x, 2.0, y)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2.0 * y.numpy())
    assert y.grad is None
    plain = Cube.apply(gradlab.tensor([1.0, 2.0]))
    assert plain.grad_fn is None and not plain.requires_grad
    with gradlab.no_grad():
        assert Cube.apply(x).grad_fn is None


def test_function_inside_a_network_like_torch(rng):
    w = rng.standard_normal((4, 3))
    xv = rng.standard_normal((5, 4))
    gw = gradlab.tensor(w, dtype="float64", requires_grad=True)
    loss = Cube.apply(gradlab.tensor(xv, dtype="float64") @ gw).tanh().sum()
    loss.backward()
    tw = torch.tensor(w, requires_grad=True)
    ((torch.tensor(xv) @ tw) ** 3).tanh().sum().backward()
    np.testing.assert_allclose(gw.grad.numpy(), tw.grad.numpy(), rtol=1e-9)


class WrongShape(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad.sum()


class WrongCount(Function):
    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        return grad


class NoneGrad(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return None


class NotATensor(Function):
    @staticmethod
    def forward(ctx, x):
        return 3.0


@pytest.mark.parametrize("fn,message", [(lambda x: WrongShape.apply(x), r"WrongShape.backward returned a gradient of shape \[\] for input 0 of shape \[3\]"),
                                        (lambda x: WrongCount.apply(x, x), "WrongCount.backward returned 1 gradient"),
                                        (lambda x: NoneGrad.apply(x), "NoneGrad.backward returned None for input 0")])
def test_wrong_backwards_name_the_function_and_input(fn, message):
    x = gradlab.ones(3, requires_grad=True)
    with pytest.raises(ValueError, match=message):
        fn(x).sum().backward()


def test_forward_must_return_a_tensor():
    with pytest.raises(TypeError, match="NotATensor.forward returned float"):
        NotATensor.apply(gradlab.ones(2, requires_grad=True))
    with pytest.raises(TypeError, match="save_for_backward"):
        Function.apply.__func__  # noqa: B018  (exists)
        from gradlab.autograd import FunctionCtx
        FunctionCtx(()).save_for_backward(3)


# ---- data -------------------------------------------------------------------------------------------
def test_tensor_dataset_and_loader(rng):
    x = rng.standard_normal((10, 3)).astype(np.float32)
    y = rng.integers(0, 4, size=10)
    ds = TensorDataset(x, y)
    assert len(ds) == 10
    xi, yi = ds[3]
    assert xi.shape == (3,) and yi.item() == y[3]
    loader = DataLoader(ds, batch_size=4)
    assert len(loader) == 3
    batches = list(loader)
    assert [b[0].shape for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert batches[0][1].dtype == gradlab.int64
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x)
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    assert [b[0].shape[0] for b in DataLoader(ds, batch_size=4, drop_last=True)] == [4, 4]


def test_loader_shuffles_with_a_seed(rng):
    x = np.arange(20, dtype=np.float64).reshape(10, 2)
    ds = TensorDataset(gradlab.tensor(x), np.arange(10))
    order1 = [b[1].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, seed=3)]
    order2 = [b[1].tolist() for b in DataLoader(ds, batch_size=5, shuffle=True, seed=3)]
    assert order1 == order2 and sorted(sum(order1, [])) == list(range(10))
    loader = DataLoader(ds, batch_size=10, shuffle=True, seed=3)
    e1, e2 = next(iter(loader))[1].tolist(), next(iter(loader))[1].tolist()
    assert e1 != e2  # a new order each epoch
    for xb, yb in DataLoader(ds, batch_size=3, shuffle=True, seed=1):
        np.testing.assert_array_equal(xb.numpy(), x[yb.numpy()])
        assert xb.dtype == gradlab.float64


def test_loader_with_a_plain_dataset_and_collate():
    class Squares(gradlab.data.Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([i, i * i], dtype=np.float32), i

    batches = list(DataLoader(Squares(), batch_size=2))
    assert batches[0][0].tolist() == [[0.0, 0.0], [1.0, 1.0]] and batches[0][1].tolist() == [0, 1]
    assert batches[2][1].tolist() == [4]
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(Squares(), batch_size=0)
    with pytest.raises(ValueError, match="first dim"):
        TensorDataset(np.ones(3), np.ones(4))


def test_cifar10_dataset_over_binary_files(tmp_path):
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, size=(6, 3, 32, 32), dtype=np.uint8)
    labels = np.arange(6) % 10
    records = np.concatenate([labels[:, None].astype(np.uint8), images.reshape(6, -1)], axis=1).tobytes()
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        (tmp_path / name).write_bytes(records)
    test = gradlab.data.CIFAR10(tmp_path, train=False)
    assert len(test) == 6
    x, y = test[2]
    assert x.shape == (3, 32, 32) and y.item() == 2
    img = images[2].astype(np.float64)  # per-image standardization, as `resnet train` does
    expected = (img - img.mean()) / max(img.std(), 1 / np.sqrt(img.size))
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-4, atol=1e-4)
    train = gradlab.data.CIFAR10(tmp_path, train=True, seed=1)
    assert len(train) == 30 and train.augment
    xb, yb = next(iter(DataLoader(train, batch_size=8, shuffle=True, seed=0)))
    assert xb.shape == (8, 3, 32, 32) and yb.dtype == gradlab.int64
    chan = gradlab.data.CIFAR10(tmp_path, train=False, standardize="channel")
    assert abs(chan[0][0].numpy().mean()) < 2
    with pytest.raises(ValueError):
        gradlab.data.CIFAR10(tmp_path / "missing")


class SinCos(Function):
    """Two outputs: sin(x) and cos(x) * y."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x.sin(), x.cos() * y

    @staticmethod
    def backward(ctx, g_sin, g_cos):
        x, y = ctx.saved_tensors
        return g_sin * x.cos() - g_cos * x.sin() * y, g_cos * x.cos()


def test_function_with_two_outputs_like_torch(rng):
    xv, yv = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    x = gradlab.tensor(xv, dtype="float64", requires_grad=True)
    y = gradlab.tensor(yv, dtype="float64", requires_grad=True)
    s, c = SinCos.apply(x, y)
    assert s.shape == (2, 3) and c.shape == (2, 3)
    (s * 2 + c.tanh()).sum().backward()
    tx, ty = torch.tensor(xv, requires_grad=True), torch.tensor(yv, requires_grad=True)
    (tx.sin() * 2 + (tx.cos() * ty).tanh()).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(y.grad.numpy(), ty.grad.numpy(), rtol=1e-10)
    x2 = gradlab.tensor(xv, dtype="float64", requires_grad=True)
    SinCos.apply(x2, gradlab.tensor(yv, dtype="float64"))[0].sum().backward()  # the unused output's gradient is 0
    np.testing.assert_allclose(x2.grad.numpy(), np.cos(xv), rtol=1e-10)
    assert gradlab.gradcheck(lambda a, b: SinCos.apply(a, b)[1], [gradlab.tensor(xv, dtype="float64"),
                                                                 gradlab.tensor(yv, dtype="float64")])


def test_register_hook_sees_and_replaces_gradients(rng):
    x = gradlab.tensor(rng.standard_normal(3), dtype="float64", requires_grad=True)
    h = x * 2
    seen = []
    handle = h.register_hook(lambda g: seen.append(g.numpy().copy()))
    (h * h).sum().backward(retain_graph=True)
    np.testing.assert_allclose(seen[0], 2 * (2 * x.numpy()))
    np.testing.assert_allclose(x.grad.numpy(), 8 * x.numpy())
    x.grad = None
    h2 = x * 3
    h2.register_hook(lambda g: g * 0)  # replace the gradient
    (h2 * h2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 0 * x.numpy())
    handle.remove()
    x.grad = None
    (h * 1).sum().backward()
    assert len(seen) == 1
    with pytest.raises(RuntimeError, match="leaf"):
        x.register_hook(print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        gradlab.ones(2).register_hook(print)
