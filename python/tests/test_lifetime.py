# Lifetimes: numpy views, graphs and modules in loops of 10,000 iterations
# must not leak references or memory.
import gc
import sys

import numpy as np

import gradlab


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_no_reference_or_memory_growth_over_10000_iterations():
    data = np.ones((8, 8), dtype=np.float32)
    x = gradlab.tensor(data, requires_grad=True)
    refs_data, refs_x = sys.getrefcount(data), sys.getrefcount(x)

    def one_round():
        y = x + gradlab.tensor(data)
        view = (y * 2.0).numpy()
        y.sum().backward()
        x.grad = None
        assert view[0, 0] == 4.0
        a = np.asarray(y)
        return a.shape

    for _ in range(500):  # warm-up: allocator caches, interned objects
        one_round()
    gc.collect()
    objects, rss = len(gc.get_objects()), rss_bytes()
    for _ in range(10_000):
        one_round()
    gc.collect()
    assert sys.getrefcount(data) == refs_data and sys.getrefcount(x) == refs_x
    assert len(gc.get_objects()) - objects < 100
    assert rss_bytes() - rss < 8 * 2**20, "resident memory grew by more than 8 MiB over 10,000 rounds"


def test_views_keep_storage_alive_after_everything_else_is_gone():
    views = []
    for i in range(200):
        t = gradlab.full((16,), float(i), dtype="float64")
        views.append(t.numpy())
        del t
    gc.collect()
    _ = [gradlab.zeros(16, dtype="float64") for _ in range(200)]
    for i, v in enumerate(views):
        assert (v == i).all()


def test_modules_and_graphs_released():
    net = gradlab.nn.Sequential(gradlab.nn.Linear(4, 4), gradlab.nn.ReLU())
    refs = sys.getrefcount(net)
    for _ in range(2000):
        net(gradlab.ones(2, 4)).sum().backward()
        net.zero_grad()
    assert sys.getrefcount(net) == refs
