# jacobian / gradcheck over Python callables (the engine's one-hot backward
# passes and float64 central differences), and the graph as DOT / SVG.
import numpy as np
import pytest
torch = pytest.importorskip("torch")

import gradlab


def test_jacobian_of_a_callable_matches_torch(rng):
    a = rng.standard_normal((3, 4))
    w = gradlab.tensor(rng.standard_normal((2, 4)), dtype="float64")
    J = gradlab.jacobian(lambda x: gradlab.linear(x, w).tanh(), gradlab.tensor(a))
    tj = torch.autograd.functional.jacobian(lambda x: torch.tanh(x @ torch.tensor(w.numpy()).T), torch.tensor(a))
    assert J.shape == (6, 12)
    np.testing.assert_allclose(J.numpy(), tj.reshape(6, 12).numpy(), rtol=1e-12, atol=1e-14)


def test_jacobian_of_several_inputs_and_of_an_output(rng):
    x = gradlab.tensor(rng.standard_normal(3), requires_grad=True)
    y = gradlab.tensor(rng.standard_normal(3), requires_grad=True)
    Jx, Jy = gradlab.jacobian(lambda a, b: a * b, [x, y])
    np.testing.assert_allclose(Jx.numpy(), np.diag(y.numpy()))
    np.testing.assert_allclose(Jy.numpy(), np.diag(x.numpy()))
    out = x * 2.0
    np.testing.assert_allclose(gradlab.jacobian(out, x).numpy(), 2 * np.eye(3))
    assert x.grad is None  # jacobian leaves .grad as it was


def test_conv_matrix_transpose_is_the_input_gradient(rng):
    # Problem 5: dL/dx = A^T dL/dy, so the Jacobian of the convolution is A itself.
    w = gradlab.tensor(rng.standard_normal((2, 2, 3)), dtype="float64")
    A = gradlab.conv1d_matrix(w, length=4)
    J = gradlab.jacobian(lambda x: gradlab.conv1d(gradlab.reshape(x, [1, 2, 4]), w), gradlab.tensor(rng.standard_normal(8)))
    np.testing.assert_allclose(J.numpy(), A.numpy(), atol=1e-14)


def test_gradcheck_passes_and_fails(rng):
    x = gradlab.tensor(rng.standard_normal((3, 3)))
    w = gradlab.tensor(rng.standard_normal((2, 1, 2, 2)))
    r = gradlab.gradcheck(lambda a, b: gradlab.conv2d(gradlab.reshape(a, [1, 1, 3, 3]), b).tanh().sum(), [x, w])
    assert r and r.ok and r.checked == 9 + 8 and r.max_abs_error < 1e-6
    vec = gradlab.gradcheck(lambda a: a.sigmoid() * a, x)  # vector output: projected
    assert vec.ok and vec.checked == 9

    class Wrong:  # a "gradient" that is off by a factor: detach half of the graph
        def __call__(self, a):
            return (a * a.detach()).sum()
    bad = gradlab.gradcheck(Wrong(), [x])
    assert not bad and "expected" in bad.message
    with pytest.raises(RuntimeError, match="gradcheck failed"):
        gradlab.gradcheck(Wrong(), [x], raise_exception=True)


def test_gradcheck_needs_float64():
    with pytest.raises(ValueError, match="float64"):
        gradlab.gradcheck(lambda a: a.sum(), [gradlab.ones(3)])


def test_numerical_jacobian(rng):
    x = gradlab.tensor(rng.standard_normal(4))
    N = gradlab.numerical_jacobian(lambda a: a.exp(), x)
    np.testing.assert_allclose(N.numpy(), np.diag(np.exp(x.numpy())), rtol=1e-7)


def test_graph_draws_itself():
    x = gradlab.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    g = gradlab.to_dot((x * x).sum())
    assert g.source.startswith("digraph") and "mul" in g.source and "sum" in g.source and "x\\n" in g.source
    assert str(g) == g.source
    svg = g._repr_svg_()
    try:
        import graphviz  # noqa: F401
        assert svg is not None and "<svg" in svg
    except ImportError:
        assert svg is None
