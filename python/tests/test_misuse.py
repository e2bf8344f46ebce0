"""Misuse that must never take the interpreter down or corrupt memory.

Every case runs in a child interpreter: a crash (SIGSEGV, abort) fails that
case, with the child's output, instead of killing the whole suite. A child
passes when it prints OK; the expected exceptions are asserted inside it.
"""
import os
import signal
import subprocess
import sys
import textwrap

import pytest

PRELUDE = textwrap.dedent("""
    import sys, threading
    import numpy as np
    import gradlab as g

    def raises(kind, fn, *words):
        try:
            fn()
        except kind as e:
            text = str(e)
            for w in words:
                assert w in text, f"message {text!r} lacks {w!r}"
            return text
        except Exception as e:
            raise AssertionError(f"expected {kind.__name__}, got {type(e).__name__}: {e}")
        raise AssertionError(f"expected {kind.__name__}, nothing was raised")
""")


def run_child(body, timeout=300, env_extra=None):
    env = dict(os.environ)
    env.update(env_extra or {})
    code = PRELUDE + textwrap.dedent(body) + "\nprint('OK')\n"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)
    if proc.returncode < 0:
        name = signal.Signals(-proc.returncode).name
        pytest.fail(f"the child interpreter died with {name}\n--- stdout\n{proc.stdout[-3000:]}\n"
                    f"--- stderr\n{proc.stderr[-3000:]}")
    assert proc.returncode == 0 and proc.stdout.rstrip().endswith("OK"), \
        f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
    return proc


# ---- graphs released without backward --------------------------------------------------------------
@pytest.mark.parametrize("length", [150_000, 600_000])
def test_deleting_a_long_chain_does_not_overflow_the_stack(length):
    run_child(f"""
        x = g.tensor(1.0, requires_grad=True)
        y = x
        for i in range({length}):
            y = y + 0.0
        del y
    """)


def test_long_chains_of_every_shape_are_released_iteratively():
    run_child("""
        x = g.tensor(np.ones(3), requires_grad=True)
        # a chain through binary ops whose other input is a leaf
        y = x
        for i in range(200_000):
            y = y * x if i % 2 else y + x
        del y
        # a chain whose graph is released inside a function's frame
        def build():
            z = x
            for i in range(200_000):
                z = g.tanh(z) if i % 3 == 0 else z.reshape(3)
            return None
        build()
        # backward on a long chain still works, and the released graph is dropped
        w = x
        for i in range(200_000):
            w = w + 1.0
        w.sum().backward()
        assert np.allclose(x.grad.numpy(), 1.0), x.grad
    """)


# ---- shapes that overflow, and allocations that fail ---------------------------------------------
def test_shape_overflow_is_refused_with_the_shape_named():
    run_child("""
        raises(ValueError, lambda: g.arange(4).reshape(2**62 + 1, 4), "reshape")
        raises(ValueError, lambda: g.zeros(2**62 + 1, 4), "too many elements")
        raises(ValueError, lambda: g.ones(2**31, 2**31, 2**31))
        raises(ValueError, lambda: g.zeros(2**61, 8, dtype="float64"))
        raises(ValueError, lambda: g.zeros(-1, 3))
        raises(ValueError, lambda: g.arange(-3), "arange")
        raises(ValueError, lambda: g.arange(4).reshape(-1, 2**62), "reshape")
        raises((TypeError, OverflowError), lambda: g.zeros(2**64))
        raises(ValueError, lambda: g.conv2d_matrix(g.ones(4, 4, 3, 3), H=2**32, W=2**32), "conv2d_matrix")
        raises(ValueError, lambda: g.conv1d_matrix(g.ones(2, 2, 3), length=2**62), "conv1d_matrix")
        raises(ValueError, lambda: g.conv2d(g.ones(1, 1, 2, 2), g.ones(1, 1, 3, 3), padding=2**40), "conv2d")
        raises(ValueError, lambda: g.conv2d(g.ones(1, 1, 2, 2), g.ones(1, 1, 3, 3), padding=2**62), "conv2d")
        raises(ValueError, lambda: g.conv2d(g.ones(1, 1, 2, 2), g.ones(1, 1, 3, 3), stride=0))
        raises(ValueError, lambda: g.max_pool2d(g.ones(1, 1, 4, 4), 2, padding=2**62))
        raises(ValueError, lambda: g.avg_pool2d(g.ones(1, 1, 4, 4), 0))
        raises(ValueError, lambda: g.im2col(g.ones(1, 1, 4, 4), 3, 3, padding=2**61))
        a = g.arange(4)
        assert a.reshape(2, 2).shape == (2, 2)  # the tensor is unharmed
    """)


def test_allocation_failures_reach_python_as_memory_error():
    run_child("""
        # representable but far larger than memory: the output allocation fails
        raises(MemoryError, lambda: g.zeros(2**40))
        raises(MemoryError, lambda: g.conv2d(g.ones(1, 1, 2, 2), g.ones(1, 1, 3, 3), padding=2**17))
        # a small output whose im2col scratch buffer (inside the OpenMP loop) cannot be allocated:
        # cols = 1000*1000 taps x 100*100 positions of float64 = 80 GB
        x = g.ones(1, 1, 1099, 1099, dtype="float64")
        w = g.ones(1, 1, 1000, 1000, dtype="float64")
        raises(MemoryError, lambda: g.conv2d(x, w))
        # the engine still works afterwards
        y = g.conv2d(g.ones(1, 1, 5, 5), g.ones(1, 1, 3, 3))
        assert y.shape == (1, 1, 3, 3) and float(y.sum()) == 81.0
    """)


# ---- threads ---------------------------------------------------------------------------------------
def test_module_to_while_another_thread_runs_forward_never_aborts():
    run_child("""
        g.manual_seed(0)
        lin = g.nn.Linear(256, 256)
        x = g.ones(64, 256)
        stop = False
        errors = []
        def work():
            while not stop:
                try:
                    lin(x.to(lin.weight.dtype))
                except ValueError as e:   # a dtype mismatch right after a move is a clean error
                    pass
        t = threading.Thread(target=work)
        t.start()
        refused = 0
        for i in range(300):
            try:
                lin.to("float64" if i % 2 == 0 else "float32")
            except ValueError as e:
                assert "another thread" in str(e), e
                refused += 1
        stop = True
        t.join()
        print("refused", refused)
    """)


def test_module_calls_from_threads_while_python_allocates():
    """Every Python object a call makes is made with the GIL held (a result built while the GIL
    was released raced with other threads' allocations and crashed a notebook kernel at times)."""
    run_child("""
        g.manual_seed(0)
        net = g.nn.Sequential(g.nn.Linear(8, 8), g.nn.ReLU(), g.nn.Linear(8, 4))
        x = g.ones(16, 8)
        stop = False
        def churn():
            junk = []
            while not stop:
                junk = [{"k": [i, str(i)]} for i in range(200)]
        def calls():
            for _ in range(3000):
                y = net(x)
                assert y.shape == (16, 4)
        threads = [threading.Thread(target=churn)] + [threading.Thread(target=calls) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads[1:]:
            t.join()
        stop = True
        threads[0].join()
    """)


# ---- memory handed to numpy ------------------------------------------------------------------------
def test_numpy_view_keeps_its_storage_alive_after_module_to():
    run_child("""
        g.manual_seed(0)
        lin = g.nn.Linear(512, 512)
        v = np.asarray(lin.weight)
        w_before = v.copy()
        lin.to("float64")
        other = g.zeros(512, 512)
        v[:] = 7
        assert float(other.numpy().max()) == 0.0, "a stale view wrote into another tensor"
        assert np.allclose(lin.weight.numpy(), w_before)  # the module kept its (converted) values
        v2 = lin.weight.numpy()
        del lin
        v2[:] = 1.0  # the view owns the storage: no use after free
        assert float(v2.sum()) == v2.size
        raises(TypeError, lambda: memoryview(g.ones(3)))
    """)


# ---- gradcheck never passes a NaN ------------------------------------------------------------------
def test_gradcheck_fails_on_nan_or_inf():
    run_child("""
        a = g.tensor([0.0], dtype="float64")
        r = g.gradcheck(lambda a: g.sqrt(a * a) * 0.0, a)
        assert not r.ok, r
        assert "non-finite" in r.message and "nan" in r.message.lower(), r.message
        b = g.tensor([0.0, 1.0], dtype="float64")
        r = g.gradcheck(lambda b: g.log(b * b).sum(), b)
        assert not r.ok, r
        raises(RuntimeError, lambda: g.gradcheck(lambda a: g.sqrt(a * a) * 0.0, a, raise_exception=True), "gradcheck")
        c = g.tensor([0.5, 2.0], dtype="float64")
        assert g.gradcheck(lambda c: (c * c).sum(), c).ok
    """)


# ---- in-place writes between forward and backward ------------------------------------------------------
def test_writes_between_forward_and_backward_are_refused():
    run_child("""
        # through a numpy view taken before the forward pass
        x = g.tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
        view = x.numpy()
        y = (x * x).sum()
        view[0] = 100.0
        raises(RuntimeError, lambda: y.backward(), "mul", "numpy")
        # through a numpy view taken after the forward pass
        x = g.tensor([1.0, 2.0, 3.0], dtype="float64", requires_grad=True)
        y = (g.tanh(x) * x).sum()
        x.numpy()[1] = -5.0
        raises(RuntimeError, lambda: y.backward(), "mul", "numpy")
        # an op's saved output written through a view (exp keeps exp(x) for its gradient)
        x = g.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
        e = g.exp(x)
        s = e.sum()
        np.asarray(e)[0] = 0.0
        raises(RuntimeError, lambda: s.backward(), "exp")
        # reading (printing) a view between forward and backward is fine
        x = g.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
        y = (x * x).sum()
        print(x.numpy(), repr(x))
        y.backward()
        assert np.allclose(x.grad.numpy(), [2.0, 4.0])
        # an optimizer step between forward and backward
        w = g.tensor(np.ones((2, 2)), dtype="float64", requires_grad=True)
        loss = (w @ w).sum()
        loss.backward(retain_graph=True)
        g.optim.SGD([w], lr=0.1).step()
        raises(RuntimeError, lambda: loss.backward(), "matmul", "modified in place")
        # writes before the forward pass are fine
        x = g.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
        x.numpy()[:] = [3.0, 4.0]
        (x * x).sum().backward()
        assert np.allclose(x.grad.numpy(), [6.0, 8.0])
        # ops that read no saved data (add) do not care
        x = g.tensor([1.0, 2.0], dtype="float64", requires_grad=True)
        y = (x + 1.0).sum()
        x.numpy()[:] = 0.0
        y.backward()
        assert np.allclose(x.grad.numpy(), [1.0, 1.0])
        # labels changed between a cross-entropy forward and its backward
        logits = g.tensor(np.zeros((2, 3)), dtype="float64", requires_grad=True)
        labels = g.tensor(np.array([0, 1], dtype=np.int32))
        loss = g.cross_entropy(logits, labels)
        labels.numpy()[0] = 2
        raises(RuntimeError, lambda: loss.backward(), "cross_entropy")
    """)


# ---- optimizers ------------------------------------------------------------------------------------------
def test_duplicated_parameters_are_refused():
    run_child("""
        w = g.tensor(np.ones(3), requires_grad=True)
        raises(ValueError, lambda: g.optim.SGD([w, w], lr=0.1), "appears twice")
        raises(ValueError, lambda: g.optim.SGD([{"params": [w]}, {"params": [w], "weight_decay": 0.1}], lr=0.1),
               "appears twice")
        net = g.nn.Sequential(g.nn.Linear(3, 2), g.nn.ReLU(), g.nn.Linear(2, 1))
        groups = g.optim.decay_groups(net, 1e-4)
        raises(ValueError, lambda: g.optim.SGD(groups + g.optim.decay_groups(net, 1e-4), lr=0.1), "appears twice",
               "weight")
        g.optim.SGD(groups, lr=0.1)  # once is fine
        opt = g.optim.SGD([w], lr=0.1, momentum=0.9)
        raises(ValueError, lambda: opt.load_state_dict({"lr": 0.5, "velocities": [np.ones(4)]}), "nothing was loaded")
        assert opt.lr == 0.1
        raises(ValueError, lambda: opt.load_state_dict({"lr": float("nan"), "velocities": [None]}))
        assert opt.lr == 0.1
    """)


# ---- state dicts -----------------------------------------------------------------------------------------
def test_load_state_dict_changes_nothing_when_it_fails():
    run_child("""
        g.manual_seed(1)
        net = g.nn.Sequential(g.nn.Linear(3, 4), g.nn.BatchNorm(4), g.nn.Linear(4, 2))
        before = {k: v.copy() for k, v in net.state_dict().items()}
        def unchanged():
            for k, v in net.state_dict().items():
                assert np.array_equal(v, before[k]), k
        bad_last = {k: np.zeros_like(v) for k, v in before.items()}
        last = list(bad_last)[-1]
        bad_last[last] = np.zeros(7)
        raises(ValueError, lambda: net.load_state_dict(bad_last), last, "nothing was loaded")
        unchanged()
        extra = {k: np.zeros_like(v) for k, v in before.items()}
        extra["surprise"] = np.zeros(1)
        raises(ValueError, lambda: net.load_state_dict(extra), "unexpected 'surprise'")
        unchanged()
        bad_value = {k: np.zeros_like(v) for k, v in before.items()}
        bad_value[last] = "text"
        raises(ValueError, lambda: net.load_state_dict(bad_value), last)
        unchanged()
        raises(TypeError, lambda: net.load_state_dict([1, 2]), "dict")
        unchanged()
        net.load_state_dict(extra, strict=False)  # what matches loads
        assert all(float(np.abs(v).sum()) == 0 for v in net.state_dict().values())
    """)


# ---- grad mode ------------------------------------------------------------------------------------------
def test_one_no_grad_object_entered_twice_restores_recording():
    run_child("""
        ng = g.no_grad()
        with ng:
            with ng:
                assert not g.is_grad_enabled()
            assert not g.is_grad_enabled()
        assert g.is_grad_enabled()
        with g.no_grad():
            with g.enable_grad():
                assert g.is_grad_enabled()
            assert not g.is_grad_enabled()
        assert g.is_grad_enabled()
        with g.set_grad_enabled(False):
            assert not g.is_grad_enabled()
        assert g.is_grad_enabled()
        g.set_grad_enabled(False)
        assert not g.is_grad_enabled()
        g.set_grad_enabled(True)
        @g.no_grad()
        def f(x):
            return g.is_grad_enabled()
        assert f(1) is False and g.is_grad_enabled()
        try:
            with g.no_grad():
                raise KeyError("inside")
        except KeyError:
            pass
        assert g.is_grad_enabled()
        raises(ValueError, lambda: g.no_grad().__exit__(None, None, None), "__enter__")
    """)


# ---- modules written in Python ----------------------------------------------------------------------------
def test_module_assigned_before_super_init_is_an_error():
    run_child("""
        class Early(g.nn.Module):
            def __init__(self):
                self.fc = g.nn.Linear(2, 2)
                super().__init__()
            def forward(self, x):
                return self.fc(x)
        raises(AttributeError, Early, "before Module.__init__()")
        class Fine(g.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = g.nn.Linear(2, 2)
            def forward(self, x):
                return self.fc(x)
        assert Fine().parameter_count() == 6
    """)


def test_a_module_that_calls_itself():
    run_child("""
        class Forever(g.nn.Module):
            def forward(self, x):
                return self(x)
        raises(RecursionError, lambda: Forever()(g.ones(2)))
        class Depth(g.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = g.nn.Linear(2, 2, seed=0)
            def forward(self, x, depth=3):
                return x if depth == 0 else self(self.fc(x), depth=depth - 1)
        y = Depth()(g.ones(1, 2))
        assert y.shape == (1, 2)
        class NoForward(g.nn.Module):
            pass
        raises(TypeError, lambda: g.nn.Sequential(NoForward())(g.ones(1, 2)), "forward")
        class NotATensor(g.nn.Module):
            def forward(self, x):
                return 3
        raises(TypeError, lambda: g.nn.Sequential(NotATensor())(g.ones(1, 2)), "gradlab.Tensor")
    """)


# ---- integers ---------------------------------------------------------------------------------------------
def test_casts_to_integer_refuse_values_without_one():
    run_child("""
        raises(ValueError, lambda: int(g.tensor(float("nan"))))
        raises(OverflowError, lambda: int(g.tensor(float("inf"))))
        assert int(g.tensor(1e30, dtype="float64")) == int(1e30)
        assert int(g.tensor(-2.7)) == -2
        raises(ValueError, lambda: g.tensor([float("nan"), float("inf"), 3e9], dtype="int32"), "int32")
        raises(ValueError, lambda: g.tensor([0.9, 2.5], dtype="int32"), "whole number")
        raises(ValueError, lambda: g.tensor(np.array([3e9]), dtype="int32"), "int32")
        raises(ValueError, lambda: g.tensor(np.array([2**40]), dtype="int32"), "int32")
        raises(ValueError, lambda: g.tensor([float("nan")]).to("int32"), "int32")
        raises(ValueError, lambda: g.full((2,), float("nan"), dtype="int32"), "int32")
        assert g.tensor([1.0, 2.0], dtype="int32").tolist() == [1, 2]
        assert g.tensor([1.7, -1.7]).to("int32").tolist() == [1, -1]  # .to truncates, as PyTorch does
    """)


# ---- everything public, called with garbage ---------------------------------------------------------------
def test_every_public_callable_survives_bad_arguments():
    """Calls each public function and Tensor method with wrong types and extreme values:
    every call must return or raise a Python exception. The child prints each call first, so a
    crash names the call that caused it."""
    proc = run_child("""
        import itertools
        bad = [None, "x", -1, 0, 2**62, 2**64, float("nan"), float("inf"), [], [[1], [1, 2]], object(),
               np.zeros((0, 3)), np.array(["a"]), g.ones(2, 3), g.ones(0), g.tensor(1.0), g.ones(2, 2, dtype="int32")]
        skip = {"set_num_threads", "manual_seed"}
        funcs = [(n, getattr(g, n)) for n in dir(g) if not n.startswith("_") and callable(getattr(g, n))
                 and n not in skip and not isinstance(getattr(g, n), type)]
        t = g.ones(2, 3)
        methods = [(f"Tensor.{n}", getattr(t, n)) for n in dir(t) if not n.startswith("_") and callable(getattr(t, n))
                   and n not in ("backward",)]
        calls = 0
        for name, fn in funcs + methods:
            arg_lists = [()] + [(b,) for b in bad] + [(a, b) for a, b in itertools.product(bad[:8], bad[-5:])]
            for args in arg_lists:
                print(name, [type(a).__name__ for a in args], flush=True)
                try:
                    fn(*args)
                except Exception:
                    pass
                calls += 1
        print("calls", calls)
    """, timeout=600, env_extra={"OMP_NUM_THREADS": "1"})
    assert "calls" in proc.stdout
