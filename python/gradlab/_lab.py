"""Glue for the lab operations: indexing and assignment on Tensor (gradlab._indexing),
``gradlab.bool``, a ``to_dot`` that says when backward() has released the graph, and a few
PyTorch-style Tensor methods (``sum(dim=...)``, ``mean(dim=...)``, ``size``, ``type_as``)."""
import gradlab
from gradlab import _core, _indexing

Tensor = _core.Tensor

Tensor.__getitem__ = _indexing.getitem
Tensor.__setitem__ = _indexing.setitem

# gradlab.bool (not exported by `from gradlab import *`, so it never shadows Python's bool).
gradlab.bool = _core.bool_

_core_to_dot = _core.to_dot


def to_dot(t):
    """The graph backward() would walk from t as a Graph (DOT in .source; draws itself in Jupyter).

    Raises RuntimeError when backward() has already released t's graph (call
    backward(retain_graph=True) to keep it drawable, or draw before backward)."""
    if isinstance(t, Tensor) and t._graph_released():
        raise RuntimeError("to_dot: the graph of this tensor was released by backward() (grad_fn "
                           f"'{t.grad_fn}'); draw it before backward(), or call backward(retain_graph=True)")
    return _core_to_dot(t)


gradlab.to_dot = to_dot

_sum, _mean = _core.sum, _core.mean


def _tensor_sum(self, dim=None, keepdim=False, *, axis=None, axes=None, keepdims=None, dtype=None):
    """t.sum(dim=None, keepdim=False): the sum over dim (int or tuple; None: all); bool and integer tensors give int64."""
    spec = dim if dim is not None else (axis if axis is not None else axes)
    keep = keepdim if keepdims is None else keepdims
    x = self
    if not gradlab_is_float(x):  # sums of bool/int tensors count (int64), as PyTorch's
        x = x.to(_core.float64)
        r = _sum(x, spec, keep).to(_core.int64)
    else:
        r = _sum(x, spec, keep)
    return r if dtype is None else r.to(dtype)


def gradlab_is_float(t):
    return t.dtype in (_core.float32, _core.float64)


def _tensor_mean(self, dim=None, keepdim=False, *, axis=None, axes=None, keepdims=None, dtype=None):
    """t.mean(dim=None, keepdim=False): the mean over dim (int or tuple; None: all); float tensors only."""
    spec = dim if dim is not None else (axis if axis is not None else axes)
    keep = keepdim if keepdims is None else keepdims
    x = self if gradlab_is_float(self) or dtype is not None else None
    if x is None:
        raise ValueError(f"mean: input dtype should be float32 or float64, got {self.dtype}; convert with .float()")
    if dtype is not None:
        x = x.to(dtype)
    return _mean(x, spec, keep)


def _sum_fn(input, dim=None, keepdim=False, *, axis=None, axes=None, keepdims=None, dtype=None):
    """sum(input, dim=None, keepdim=False): the sum over dim (int or tuple; None: all); bool and
    integer inputs give int64 (PyTorch's). axes=/axis=/keepdims= also accepted."""
    return _tensor_sum(input, dim, keepdim, axis=axis, axes=axes, keepdims=keepdims, dtype=dtype)


def _mean_fn(input, dim=None, keepdim=False, *, axis=None, axes=None, keepdims=None, dtype=None):
    """mean(input, dim=None, keepdim=False): the mean over dim (int or tuple; None: all).
    axes=/axis=/keepdims= also accepted."""
    return _tensor_mean(input, dim, keepdim, axis=axis, axes=axes, keepdims=keepdims, dtype=dtype)


Tensor.sum = _tensor_sum
Tensor.mean = _tensor_mean
gradlab.sum = _sum_fn
gradlab.mean = _mean_fn


def _type_as(self, other):
    """t.type_as(other): t converted to other's dtype."""
    return self.to(other.dtype)


def _masked_fill(self, mask, value):
    """t.masked_fill(mask, value): value where mask (bool, broadcast) holds, t elsewhere (differentiable in t)."""
    return _core.where(mask, _core.full([], float(value), dtype=self.dtype) if gradlab_is_float(self)
                       else _core.tensor(value, dtype=self.dtype), self)


Tensor.type_as = _type_as
Tensor.masked_fill = _masked_fill

from gradlab import _nn_extra  # noqa: E402,F401  (LayerNorm, Dropout, Embedding, pools in gradlab.nn)

_core_permute = _core.permute


def _permute(input, *order, **kw):
    """permute(input, order) / t.permute(*order): the dims in a new order (a copy; differentiable for
    float tensors; integer and bool tensors are copied without a graph)."""
    spec = kw.pop("order", kw.pop("dims", None))
    if kw:
        raise TypeError(f"permute: unexpected keyword arguments {sorted(kw)}")
    if spec is not None:
        order = (spec,)
    if len(order) == 1 and not isinstance(order[0], int):
        order = tuple(order[0])
    if input.dtype in (_core.float32, _core.float64):
        return _core_permute(input, list(order))
    return _core._permute_copy(input, list(order))


Tensor.permute = _permute
gradlab.permute = _permute


class RemovableHandle:
    """What register_hook returns: handle.remove() turns the hook off."""

    def __init__(self):
        self.active = True

    def remove(self):
        self.active = False


def _register_hook(self, hook):
    """t.register_hook(hook): hook(grad) is called with the gradient flowing back into t (grad has
    t's shape) and may return a replacement (or None to keep it). Returns a handle with .remove().

    gradlab puts an identity node after t and makes this Python object refer to its output, so
    the hook sees the gradient of every use of t made after the call (PyTorch's hook also sees
    uses made before it). Leaf tensors are not supported (their .grad would move to the node)."""
    if not callable(hook):
        raise TypeError(f"register_hook: hook must be callable, got {type(hook).__name__}")
    if not self.requires_grad:
        raise RuntimeError("register_hook: cannot register a hook on a tensor that does not require grad")
    if self.is_leaf:
        raise RuntimeError("register_hook: hooks on leaf tensors are not supported by gradlab (the engine has no "
                           "hook in its accumulation); read x.grad after backward(), or hook a non-leaf result")
    handle = RemovableHandle()
    shape = tuple(self.shape)

    def backward(grad):
        if not handle.active:
            return grad
        replaced = hook(grad)
        if replaced is None:
            return grad
        if not isinstance(replaced, Tensor) or tuple(replaced.shape) != shape:
            raise ValueError(f"register_hook: the hook returned {type(replaced).__name__}"
                             + (f" of shape {list(replaced.shape)}" if isinstance(replaced, Tensor) else "")
                             + f"; return None or a gradient of shape {list(shape)}")
        return replaced

    self._rebind(_core._custom_function("hook", [self], self, backward))
    return handle


Tensor.register_hook = _register_hook
