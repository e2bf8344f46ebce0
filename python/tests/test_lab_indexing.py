# Indexing with NumPy's rules against torch (float64 forward and backward): integer arrays,
# boolean masks, negative steps, mixed basic/advanced keys, assignment, and the errors.
import numpy as np
import pytest
torch = pytest.importorskip("torch")  # the reference; skipped where it is not installed

import gradlab
from conftest import compare_op

KEYS = [
    (slice(None, None, -1),),
    (slice(4, 0, -2), slice(None)),
    (Ellipsis, slice(None, None, -3)),
    ([0, 2, 2],),
    (np.array([[0, 1], [3, 3]]),),
    (slice(None), [1, 0, 1]),
    ([0, 1, 3], [2, 0, 2]),
    ([-1, 0], slice(1, 3)),
    (1, [0, 2]),
    ([1, 2], None, slice(None, None, 2)),
    (np.array([2, 0]), Ellipsis),
    (slice(None), None, [0, 0]),
]


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_advanced_and_negative_step_keys_like_numpy(key, rng):
    """NumPy defines these keys (torch has no negative steps); gradients scatter-add back (np.add.at)."""
    x = rng.standard_normal((5, 4))
    want = x[key]
    got = gradlab.tensor(x)[key]
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.numpy(), want)
    t = gradlab.tensor(x, dtype="float64", requires_grad=True)
    seed = rng.standard_normal(want.shape)
    t[key].backward(gradlab.tensor(seed, dtype="float64"))
    expected = np.zeros_like(x)
    np.add.at(expected, key, seed)
    np.testing.assert_allclose(t.grad.numpy(), expected)


@pytest.mark.parametrize("key", [([0, 2, 2],), (slice(None), [1, 0, 1]), ([0, 1, 3], [2, 0, 2]), (1, [0, 2]),
                                 ([-1, 0], slice(1, 3)), (slice(None), None, [0, 0])])
def test_integer_array_keys_like_torch(key, rng):
    tkey = tuple(torch.tensor(k) if isinstance(k, list) else k for k in key)
    compare_op(lambda a: a[key], lambda a: a[tkey], [rng.standard_normal((5, 4))], rng)


def test_lab_cross_entropy_by_hand(rng):
    logits = rng.standard_normal((8, 10))
    y = rng.integers(0, 10, size=8)
    yt = gradlab.tensor(y)
    compare_op(lambda a: -gradlab.log_softmax(a)[range(8), y].mean(),
               lambda a: -torch.log_softmax(a, 1)[range(8), torch.tensor(y)].mean(), [logits], rng)
    compare_op(lambda a: -gradlab.log_softmax(a)[gradlab.arange(8, dtype="int64"), yt].sum(),
               lambda a: -torch.log_softmax(a, 1)[torch.arange(8), torch.tensor(y)].sum(), [logits], rng)


def test_boolean_masks_like_torch(rng):
    x = rng.standard_normal((4, 3))
    m = x > 0
    compare_op(lambda a: a[gradlab.tensor(m)], lambda a: a[torch.tensor(m)], [x], rng)
    compare_op(lambda a: a[a > 0], lambda a: a[a > 0], [x], rng)
    rows = np.array([True, False, True, True])
    compare_op(lambda a: a[rows], lambda a: a[torch.tensor(rows)], [x], rng)
    compare_op(lambda a: a[:, np.array([False, True, True])], lambda a: a[:, torch.tensor([False, True, True])], [x], rng)
    assert gradlab.tensor(x)[np.zeros((4, 3), dtype=bool)].shape == (0,)
    with pytest.raises(IndexError, match="mask"):
        gradlab.tensor(x)[np.array([True, False])]


def test_int_tensor_indices_and_int_dtypes(rng):
    labels = gradlab.tensor(np.array([3, 1, 2]))
    table = gradlab.tensor(np.arange(20).reshape(5, 4))
    assert table.dtype == gradlab.int64
    np.testing.assert_array_equal(table[labels].numpy(), np.arange(20).reshape(5, 4)[[3, 1, 2]])
    np.testing.assert_array_equal(labels[::-1].numpy(), [2, 1, 3])
    np.testing.assert_array_equal(labels[1:].numpy(), [1, 2])
    assert labels[0].item() == 3 and isinstance(labels[0].item(), int)
    with pytest.raises(IndexError, match="int64, int32 or bool"):
        table[gradlab.tensor([0.0])]


@pytest.mark.parametrize("key,axis", [((1, 4), 1), ((5,), 0), ((-6,), 0), ((0, [0, 4]), 1), (([7], slice(None)), 0),
                                      ((slice(None), [-5]), 1)])
def test_index_errors_name_the_right_axis(key, axis):
    with pytest.raises(IndexError, match=f"for axis {axis} with size"):
        gradlab.ones(5, 4)[key]


def test_the_issue_example_names_axis_1():
    with pytest.raises(IndexError, match="index 3 is out of bounds for axis 1 with size 3"):
        gradlab.ones(4, 3)[1, 3]


def test_bad_keys_raise_index_error():
    t = gradlab.ones(5, 2)
    for key in [(0, 0, 0), "a", 1.5, (..., ...), [0.5], (True,)]:
        with pytest.raises(IndexError):
            t[key]


# ---- assignment ----------------------------------------------------------------------------------
SET_KEYS = [(1,), (slice(None), 0), (slice(None, None, -2),), ([0, 2],), (np.array([[True, False, True, False]] * 5),),
            (Ellipsis, -1), ([1, 1, 3], [0, 1, 0])]


@pytest.mark.parametrize("key", SET_KEYS, ids=[str(i) for i in range(len(SET_KEYS))])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_setitem_like_numpy(key, dtype, rng):
    x = (rng.standard_normal((5, 4)) * 10).astype(dtype)
    t = gradlab.tensor(x)
    version = x.copy()
    t[key] = 7
    version[key] = 7
    np.testing.assert_array_equal(t.numpy(), version)
    values = (rng.standard_normal(version[key].shape) * 5).astype(dtype)
    t[key] = values
    version[key] = values
    np.testing.assert_array_equal(t.numpy(), version)
    t[key] = gradlab.tensor(values)
    np.testing.assert_array_equal(t.numpy(), version)


def test_setitem_with_a_mask_tensor_and_bool_tensors():
    t = gradlab.tensor(np.array([[1.0, -2.0], [-3.0, 4.0]]))
    t[t < 0] = 0
    assert t.tolist() == [[1.0, 0.0], [0.0, 4.0]]
    b = gradlab.zeros(3, dtype="bool")
    b[1] = True
    assert b.tolist() == [False, True, False]


def test_setitem_refusals_and_no_grad_writes():
    w = gradlab.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        w[0] = 2.0
    with gradlab.no_grad():
        w[0] = 2.0  # PyTorch allows writing a leaf's values under no_grad
    assert w.tolist() == [2.0, 1.0, 1.0]
    y = w * 2
    with pytest.raises(RuntimeError, match="computed from"):
        y[0] = 1.0
    with pytest.raises(IndexError, match="out of bounds|out of range"):
        gradlab.ones(3)[3] = 1.0
    with pytest.raises(ValueError, match="broadcast"):
        gradlab.ones(3)[[0, 1]] = gradlab.ones(3)


def test_setitem_bumps_the_version_so_saved_tensors_notice():
    x = gradlab.ones(3, dtype="float64", requires_grad=True)
    a = gradlab.ones(3, dtype="float64")
    y = (x * a).sum()
    a[0] = 5.0
    with pytest.raises(RuntimeError, match="modified in place"):
        y.backward()


def test_to_dot_after_backward_says_the_graph_was_released():
    x = gradlab.ones(2, requires_grad=True)
    y = (x * 3).sum()
    assert "mul" in gradlab.to_dot(y).source
    y.backward(retain_graph=True)
    assert "mul" in gradlab.to_dot(y).source
    y.backward()
    with pytest.raises(RuntimeError, match="released"):
        gradlab.to_dot(y)
    assert "ellipse" in gradlab.to_dot(x).source or gradlab.to_dot(x).source
