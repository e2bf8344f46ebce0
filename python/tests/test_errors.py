# Every bad input raises a Python exception carrying the engine's message;
# none crashes the interpreter.
import numpy as np
import pytest

import gradlab
from gradlab import nn

BAD_DATA = [np.array([object(), 1], dtype=object), np.array(["a", "b"]), np.array([1 + 2j]), [[1, 2], [3]],
            "text", {"a": 1}, None, np.zeros(2, dtype="datetime64[s]")]


@pytest.mark.parametrize("data", BAD_DATA, ids=lambda d: type(d).__name__ + str(getattr(d, "dtype", "")))
def test_bad_data_raises(data):
    with pytest.raises((ValueError, TypeError)):
        gradlab.tensor(data)


def test_bad_dtype_and_device():
    with pytest.raises(ValueError, match="float32, float64 and int32"):
        gradlab.tensor([1.0], dtype="float16")
    with pytest.raises(ValueError, match="dtype"):
        gradlab.tensor([1.0], dtype=object())
    with pytest.raises(ValueError, match="device"):
        gradlab.tensor([1.0], device="tpu")
    with pytest.raises(TypeError):
        gradlab.zeros("abc")


def test_shape_errors_carry_the_engine_message():
    with pytest.raises(ValueError, match=r"matmul: inner dimensions differ: a is \[2, 3\], b is \[4, 5\]"):
        gradlab.ones(2, 3) @ gradlab.ones(4, 5)
    with pytest.raises(ValueError, match="broadcast"):
        gradlab.ones(2, 3) + gradlab.ones(4)
    with pytest.raises(ValueError, match="conv2d"):
        gradlab.conv2d(gradlab.ones(1, 3, 4, 4), gradlab.ones(2, 2, 3, 3))
    with pytest.raises(ValueError, match="reshape"):
        gradlab.ones(2, 3).reshape(4, 2)
    with pytest.raises(ValueError):
        gradlab.ones(2, 3) + gradlab.ones(2, 3, dtype="float64")
    with pytest.raises(ValueError, match="item"):
        gradlab.ones(2).item()
    with pytest.raises(ValueError, match="int32"):
        gradlab.tensor([1, 2], dtype="int32", requires_grad=True)
    with pytest.raises(ValueError, match="step must be positive"):
        gradlab.slice(gradlab.ones(4), 0, 0, 4, step=0)
    with pytest.raises(ValueError):
        gradlab.cross_entropy(gradlab.ones(3, 2), gradlab.ones(3))


def test_out_of_range_and_out_of_memory():
    with pytest.raises(ValueError, match="do not fit int32"):
        gradlab.tensor([2**40], dtype="int32")
    with pytest.raises(ValueError, match="do not fit int32"):
        gradlab.tensor(np.array([-2**33, 1]), dtype="int32")
    assert gradlab.tensor(np.array([-2**33, 1])).dtype == gradlab.int64  # numpy's int64 stays int64, as in torch
    with pytest.raises(MemoryError, match="memory"):
        gradlab.zeros(10**12, 10**6)


def test_state_errors_are_runtime_errors():
    x = gradlab.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="already released"):
        y.backward()
    with pytest.raises(ValueError, match="requires_grad"):
        gradlab.ones(1).backward()


def test_wrong_types_raise_type_error():
    for call in (lambda: gradlab.relu("x"), lambda: gradlab.conv2d(1, 2), lambda: gradlab.ones(2) + "s",
                 lambda: gradlab.ones(2) @ 2.0, lambda: gradlab.sum(gradlab.ones(2), axes="a"),
                 lambda: nn.Sequential(3), lambda: gradlab.jacobian(3, gradlab.ones(2)),
                 lambda: gradlab.gradcheck(lambda a: 3, [gradlab.ones(2, dtype="float64")]),
                 lambda: gradlab.conv2d(gradlab.ones(1, 1, 3, 3), gradlab.ones(1, 1, 2, 2), stride=(1, 2, 3))):
        with pytest.raises((TypeError, ValueError)):
            call()


# Negative steps and integer lists are valid indexes (NumPy's rules); a mask of the wrong length is not.
@pytest.mark.parametrize("key", [5, -6, (0, 0, 0), [0, 7], np.array([True]), "a", 1.5, (..., ...)])
def test_bad_indexes(key):
    with pytest.raises(IndexError):
        gradlab.ones(5, 2)[key]


def test_zero_d_and_empty_tensors_work():
    s = gradlab.tensor(np.array(2.0), requires_grad=True)
    (s * s).backward()
    assert s.grad.item() == 4.0
    with pytest.raises(TypeError):
        len(s)
    e = gradlab.tensor(np.zeros((0, 3)))
    assert e.shape == (0, 3) and e.numpy().shape == (0, 3) and (e + 1.0).shape == (0, 3)
    assert gradlab.sum(e).item() == 0.0
    assert repr(e).startswith("tensor([]")


def test_cuda_tensor_buffer_on_cpu_build():
    if gradlab.cuda_available():
        t = gradlab.ones(2).to("cuda")
        with pytest.raises(ValueError):
            memoryview(t)
        assert np.asarray(t).tolist() == [1.0, 1.0]  # __array__ copies
    else:
        assert not gradlab.cuda_available()
