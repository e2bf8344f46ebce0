# nn, optim and the ResNets from Python: named parameters/buffers, layers
# against PyTorch, state_dict through numpy, SGD and schedules, a training loop.
import numpy as np
import pytest
torch = pytest.importorskip("torch")
F = torch.nn.functional

import gradlab
from gradlab import nn, optim, models


def test_layers_forward_like_torch(rng):
    x = rng.standard_normal((4, 3, 6, 6))
    conv = nn.Conv2d(3, 5, 3, stride=2, padding=1, seed=1)
    conv.to("float64")
    y = conv(gradlab.tensor(x))
    ref = F.conv2d(torch.tensor(x), torch.tensor(conv.weight.numpy()), torch.tensor(conv.bias.numpy()), 2, 1)
    np.testing.assert_allclose(y.numpy(), ref.numpy(), rtol=1e-10)
    lin = nn.Linear(6, 2, bias=False)
    assert lin.bias is None and lin.weight.shape == (2, 6)
    c1 = nn.Conv1d(2, 3, 3, padding=1)
    assert c1(gradlab.randn(2, 2, 7)).shape == (2, 3, 7)


def test_sequential_named_parameters_and_buffers():
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm(4), nn.ReLU(), nn.GlobalAvgPool(),
                        nn.Linear(4, 2))
    names = [n for n, _ in net.named_parameters()]
    assert names == ["0.weight", "1.gamma", "1.beta", "4.weight", "4.bias"]
    assert [n for n, _ in net.named_buffers()] == ["1.running_mean", "1.running_var"]
    assert net.parameter_count() == 4 * 3 * 9 + 4 + 4 + 4 * 2 + 2
    assert len(net) == 5 and net[1].type_name() == "BatchNorm" and net[-1].type_name() == "Linear"
    assert net(gradlab.randn(2, 3, 5, 5)).shape == (2, 2)
    net.eval()
    assert not net.training and not net[1].training
    assert "Sequential(" in repr(net) and "(1): BatchNorm(8 parameters)" in repr(net)


def test_python_module_subclass_is_a_module(rng):
    class Residual(nn.Module):
        def __init__(self, c):
            super().__init__()
            self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm(c)
            self.scale = self.register_parameter("scale", gradlab.ones(1))

        def forward(self, x):
            return gradlab.relu(self.bn(self.conv(x)) * self.scale + x)

    block = Residual(3)
    assert [n for n, _ in block.named_parameters()] == ["scale", "conv.weight", "bn.gamma", "bn.beta"]
    assert block.type_name() == "Residual"
    net = nn.Sequential(block, nn.GlobalAvgPool())
    del block
    out = net(gradlab.randn(2, 3, 4, 4))  # the Python block is still alive inside the Sequential
    out.sum().backward()
    assert all(t.grad is not None for _, t in net.named_parameters())


def test_state_dict_round_trip_through_numpy():
    a, b = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm(4)), nn.Sequential(nn.Linear(3, 4), nn.BatchNorm(4))
    a(gradlab.randn(8, 3))  # moves the running statistics
    state = a.state_dict()
    assert set(state) == {"0.weight", "0.bias", "1.gamma", "1.beta", "1.running_mean", "1.running_var"}
    assert all(isinstance(v, np.ndarray) for v in state.values())
    b.load_state_dict(state)
    for k, v in b.state_dict().items():
        np.testing.assert_array_equal(v, state[k])
    state["0.weight"][:] = 0  # a copy: the module is untouched
    assert np.abs(a[0].weight.numpy()).sum() > 0
    with pytest.raises(ValueError, match="missing '1.gamma'"):
        b.load_state_dict({k: v for k, v in state.items() if k != "1.gamma"})
    with pytest.raises(ValueError, match="shape"):
        b.load_state_dict({**state, "0.bias": np.zeros(5)})
    b.load_state_dict({"0.bias": np.ones(4)}, strict=False)
    np.testing.assert_array_equal(b[0].bias.numpy(), np.ones(4))


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd_matches_torch(momentum, nesterov, rng):
    w0, b0 = rng.standard_normal((3, 4)), rng.standard_normal(3)
    w, b = gradlab.tensor(w0, requires_grad=True), gradlab.tensor(b0, requires_grad=True)
    tw, tb = torch.tensor(w0, requires_grad=True), torch.tensor(b0, requires_grad=True)
    opt = optim.SGD([{"params": [w], "weight_decay": 0.01}, {"params": [b]}], lr=0.1, momentum=momentum,
                    nesterov=nesterov)
    topt = torch.optim.SGD([{"params": [tw], "weight_decay": 0.01}, {"params": [tb]}], lr=0.1, momentum=momentum,
                           nesterov=nesterov)
    for step in range(4):
        x = rng.standard_normal((5, 4))
        opt.zero_grad()
        gradlab.mse_loss(gradlab.linear(gradlab.tensor(x), w, b), gradlab.zeros(5, 3, dtype="float64")).backward()
        opt.step()
        topt.zero_grad()
        F.mse_loss(F.linear(torch.tensor(x), tw, tb), torch.zeros(5, 3)).backward()
        topt.step()
    np.testing.assert_allclose(w.numpy(), tw.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(b.numpy(), tb.detach().numpy(), rtol=1e-10)
    state = opt.state_dict()
    assert state["lr"] == 0.1 and len(state["velocities"]) == 2
    opt.load_state_dict(state)


def test_decay_groups_and_schedules():
    net = models.ResNet(version=1, size=1, first_filters=4, seed=0)
    groups = optim.decay_groups(net, 2e-4)
    assert [g.weight_decay for g in groups] == [2e-4, 0.0]
    assert sum(len(g.params) for g in groups) == len(net.parameters())
    s = optim.PiecewiseConstant(0.1, [10, 20], [1, 0.1, 0.01])
    assert [s(0), s(10), s.at(25)] == pytest.approx([0.1, 0.01, 0.001])
    c = optim.CosineWarmup(1.0, warmup_steps=2, total_steps=10)
    assert c(1) == pytest.approx(1.0) and c(10) == pytest.approx(0.0) and 0 < c(6) < 1


def test_resnets_and_blocks():
    r20 = models.ResNet(version=1, size=3, projection_first_block=False, seed=0)
    assert r20.parameter_count() == 272474  # the PyTorch reference ResNet-20
    assert r20.config.depth == 20 and "ResNet-20" in r20.config.describe()
    v2 = models.ResNet(models.ModelConfig(version=2, size=1, first_filters=4), seed=0)
    assert v2(gradlab.randn(2, 3, 32, 32)).shape == (2, 10)
    std = models.StandardBlock(32, 32, seed=0)
    assert std.parameter_count() == 2 * (32 * 32 * 9) + 4 * 32  # Problem 3: two 3x3 convs, two BN
    bott = models.BottleneckBlock(128, 32, seed=0)
    assert bott(gradlab.randn(1, 128, 4, 4)).shape == (1, 128, 4, 4)
    with pytest.raises(ValueError):
        models.ModelConfig(version=3)


def test_training_loop_over_numpy_batches_lowers_the_loss():
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((3, 3, 8, 8)).astype(np.float32)
    net = models.ResNet(version=1, size=1, first_filters=4, num_classes=3, seed=1)
    opt = optim.SGD(optim.decay_groups(net, 1e-4), lr=0.05, momentum=0.9)
    losses = []
    for step in range(30):
        labels = rng.integers(0, 3, 16)
        x = centers[labels] + 0.3 * rng.standard_normal((16, 3, 8, 8)).astype(np.float32)
        loss = gradlab.cross_entropy(net(gradlab.tensor(x)), gradlab.tensor(labels, dtype="int32"))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert np.mean(losses[-5:]) < 0.5 * np.mean(losses[:5])
