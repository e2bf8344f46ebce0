"""Tensor indexing with NumPy's (and PyTorch's) rules: ``t[key]`` and ``t[key] = value``.

Basic indices (ints, slices with any step, ``...``, ``None``) are built from the engine's
differentiable ``slice``/``reshape`` and, for negative steps, ``_take``. Integer arrays
(lists, ranges, numpy arrays, int tensors) and boolean masks are advanced indices: their
positions are combined on the host with numpy and gathered by one ``_take`` (the engine's
index_select), whose gradient scatter-adds back (repeated indices add up). Assignment computes
the flat positions of the selection with numpy and writes them with ``_index_put_``.
"""
import numpy as np

from gradlab import _core

_Tensor = _core.Tensor
_INT_KINDS = "iu"


def _shape(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def _as_index_array(k):
    """An advanced index as a numpy array (int64 or bool), or None for a basic index."""
    if isinstance(k, _Tensor):
        if k.dtype == _core.bool_:
            return np.asarray(k.numpy(), dtype=bool)
        if k.dtype in (_core.int64, _core.int32):
            return np.asarray(k.numpy(), dtype=np.int64)
        raise IndexError(f"gradlab: tensors used as indices must be int64, int32 or bool, got {k.dtype}; "
                         "convert with .long()")
    if isinstance(k, range):
        return np.arange(k.start, k.stop, k.step, dtype=np.int64)
    if isinstance(k, (list, tuple, np.ndarray)):
        a = np.asarray(k)
        if a.dtype == bool:
            return a
        if a.size == 0:
            return a.astype(np.int64)
        if a.dtype.kind not in _INT_KINDS:
            raise IndexError(f"gradlab: only integers, slices, ..., None and integer or boolean arrays are valid "
                             f"indices, got an array of {a.dtype}")
        return a.astype(np.int64, copy=False)
    return None


def _is_int(k):
    return (isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)))


def _normalize(t, key):
    """The key as a list of items with the ellipsis expanded; each item is 'int', 'slice', 'none'
    or an index array; bool masks become one int array per dim they cover."""
    if not isinstance(key, tuple):
        key = (key,)
    items = []
    for k in key:
        if k is None or k is Ellipsis or isinstance(k, slice) or _is_int(k):
            items.append(k)
            continue
        if isinstance(k, (bool, np.bool_)):
            raise IndexError("gradlab: a Python bool is not a supported index; use a boolean tensor or array")
        arr = _as_index_array(k)
        if arr is None:
            raise IndexError(f"gradlab: index {k!r} is not supported; use ints, slices, ..., None, integer arrays "
                             "or boolean masks")
        items.append(arr)
    ellipses = sum(1 for k in items if k is Ellipsis)
    if ellipses > 1:
        raise IndexError("gradlab: an index can only have a single ellipsis ('...')")
    used = sum(1 if not isinstance(k, np.ndarray) or k.dtype != bool else max(k.ndim, 1)
               for k in items if k is not None and k is not Ellipsis)
    if used > t.ndim:
        raise IndexError(f"gradlab: too many indices for a tensor of shape {_shape(t.shape)}: {used} given")
    out = []
    axis = 0
    for k in items:
        if k is Ellipsis:
            for _ in range(t.ndim - used):
                out.append(slice(None))
                axis += 1
        elif isinstance(k, np.ndarray) and k.dtype == bool:
            dims = t.shape[axis:axis + k.ndim]
            if k.ndim == 0:
                raise IndexError("gradlab: a 0-d boolean mask is not supported; use a mask with the tensor's dims")
            if tuple(k.shape) != tuple(dims):
                raise IndexError(f"gradlab: the boolean mask of shape {_shape(k.shape)} does not match the indexed "
                                 f"dims {_shape(dims)} of the tensor of shape {_shape(t.shape)} (starting at axis "
                                 f"{axis})")
            for arr in np.nonzero(k):
                out.append(arr.astype(np.int64))
            axis += k.ndim
        else:
            out.append(k)
            if k is not None:
                axis += 1
    while axis < t.ndim:
        out.append(slice(None))
        axis += 1
    return out


def _check_int(i, n, axis, shape):
    if i < -n or i >= n:
        raise IndexError(f"gradlab: index {i} is out of bounds for axis {axis} with size {n} (shape {_shape(shape)})")
    return i + n if i < 0 else i


def _slice(r, axis, start, stop, step):
    """r[start:stop:step] along axis (the engine's differentiable slice for float tensors, a gather otherwise)."""
    if r.dtype in (_core.float32, _core.float64):
        return _core.slice(r, axis, start, stop, step)
    idx = np.arange(start, stop, step, dtype=np.int64)
    return _core._take(r, axis, _core.tensor(idx, device=r.device))


def _basic(t, items, shape):
    """Applies ints, slices and None (no arrays) in one pass; returns the tensor."""
    r = t
    axis = 0      # position in r
    src_axis = 0  # the axis of t this item refers to (for messages)
    for k in items:
        if k is None:
            s = list(r.shape)
            s.insert(axis, 1)
            r = _core.reshape(r, s)
            axis += 1
        elif isinstance(k, slice):
            n = r.shape[axis]
            start, stop, step = k.indices(n)
            if step > 0:
                if not (start == 0 and stop >= n and step == 1):
                    r = _slice(r, axis, start, max(stop, start), step)
            else:
                idx = np.arange(start, stop, step, dtype=np.int64)
                r = _core._take(r, axis, _core.tensor(idx, device=r.device))
            axis += 1
            src_axis += 1
        else:  # int
            n = r.shape[axis]
            i = _check_int(int(k), n, src_axis, shape)
            s = list(r.shape)
            del s[axis]
            r = _core.reshape(_slice(r, axis, i, i + 1, 1), s)
            src_axis += 1
    return r


_INDEX_DTYPES = (_core.int64, _core.int32)


def _fast_rows(t, key):
    """The lab's common case t[range(N), y] (leading 1-D integer arrays of one length, nothing
    else): the flat positions in one numpy pass. None when the key is anything else."""
    if type(key) is not tuple or not 1 < len(key) <= t.ndim:
        return None
    arrays = []
    for k in key:
        if type(k) is range:
            a = np.arange(k.start, k.stop, k.step, dtype=np.int64)
        elif isinstance(k, _Tensor) and k.dtype in _INDEX_DTYPES and k.ndim == 1:
            a = k.numpy()
        elif type(k) is np.ndarray and k.ndim == 1 and k.dtype.kind in _INT_KINDS:
            a = k
        else:
            return None
        if arrays and len(a) != len(arrays[0]):
            return None
        arrays.append(a)
    shape = t.shape
    flat = None
    for axis, (a, n) in enumerate(zip(arrays, shape)):
        if a.size:
            lo, hi = int(a.min()), int(a.max())
            if lo < -n or hi >= n:
                bad = lo if lo < -n else hi
                raise IndexError(f"gradlab: index {bad} is out of bounds for axis {axis} with size {n} "
                                 f"(shape {_shape(shape)})")
            if lo < 0:
                a = np.where(a < 0, a + n, a)
        flat = a.astype(np.int64) if flat is None else flat * n + a
    lead = int(np.prod(shape[:len(arrays)]))
    r = _core.reshape(t, [lead] + list(shape[len(arrays):]))
    return _core._take(r, 0, _core.tensor(np.ascontiguousarray(flat, dtype=np.int64), device=t.device))


def getitem(t, key):
    """t[key] with NumPy's rules (see the module docstring); differentiable."""
    fast = _fast_rows(t, key)
    if fast is not None:
        return fast
    items = _normalize(t, key)
    advanced = [i for i, k in enumerate(items) if isinstance(k, np.ndarray)]
    if not advanced:
        return _basic(t, items, t.shape)
    # ints next to arrays are advanced too (NumPy's rule); arrays keep their places.
    items = [np.asarray(k, dtype=np.int64) if _is_int(k) else k for k in items]
    advanced = [i for i, k in enumerate(items) if isinstance(k, np.ndarray)]
    # Apply the basic items first (arrays stand in as full slices), then note where the
    # advanced axes are in the result and which axis of t each one indexes.
    basic_items, adv_axes, src_axes = [], [], []
    axis = src = 0
    for k in items:
        if isinstance(k, np.ndarray):
            basic_items.append(slice(None))
            adv_axes.append(axis)
            src_axes.append(src)
            axis += 1
            src += 1
        elif k is None:
            basic_items.append(None)
            axis += 1
        else:
            basic_items.append(k)
            axis += 1
            src += 1
    r = _basic(t, basic_items, t.shape)
    arrays = [items[i] for i in advanced]
    try:
        arrays = np.broadcast_arrays(*arrays)
    except ValueError:
        raise IndexError("gradlab: shape mismatch: index arrays of shapes " +
                         ", ".join(_shape(a.shape) for a in arrays) + " cannot be broadcast together") from None
    sizes = [r.shape[a] for a in adv_axes]
    wrapped = []
    for arr, n, ax in zip(arrays, sizes, src_axes):
        if arr.size:
            lo, hi = int(arr.min()), int(arr.max())
            if lo < -n or hi >= n:
                bad = lo if lo < -n else hi
                raise IndexError(f"gradlab: index {bad} is out of bounds for axis {ax} with size {n} "
                                 f"(shape {_shape(t.shape)})")
            if lo < 0:
                arr = np.where(arr < 0, arr + n, arr)
        wrapped.append(arr)
    consecutive = adv_axes == list(range(adv_axes[0], adv_axes[0] + len(adv_axes)))
    if not consecutive:  # NumPy puts the indexed dims first
        rest = [a for a in range(r.ndim) if a not in adv_axes]
        r = _core.permute(r, adv_axes + rest)
        adv_axes = list(range(len(adv_axes)))
    p = adv_axes[0]
    if len(wrapped) == 1:
        flat = wrapped[0]
    else:
        flat = np.ravel_multi_index(tuple(wrapped), sizes) if wrapped[0].size else wrapped[0]
        shape = list(r.shape)
        r = _core.reshape(r, shape[:p] + [int(np.prod(sizes))] + shape[p + len(sizes):])
    return _core._take(r, p, _core.tensor(np.ascontiguousarray(flat, dtype=np.int64), device=r.device))


def _numpy_key(key):
    """The key with gradlab tensors replaced by numpy arrays (for assignment)."""
    def conv(k):
        if isinstance(k, _Tensor):
            return _as_index_array(k)
        return k
    return tuple(conv(k) for k in key) if isinstance(key, tuple) else conv(key)


def setitem(t, key, value):
    """t[key] = value in place (value a number, array or tensor broadcast to the selection).
    Refused for a tensor that requires grad (a leaf may be written under no_grad), as PyTorch does."""
    if t.requires_grad and (not t.is_leaf or _core.is_grad_enabled()):
        what = ("a leaf tensor that requires grad" if t.is_leaf else
                "a tensor computed from tensors that require grad")
        raise RuntimeError(f"gradlab: t[...] = value: t is {what}, and writing into it in place would make "
                           "its gradient wrong (PyTorch refuses this too). Write a leaf's values under "
                           "`with gradlab.no_grad():`, or build a new tensor with gradlab.where(...)")
    try:
        positions = np.arange(t.numel(), dtype=np.int64).reshape(t.shape)[_numpy_key(key)]
    except IndexError as e:
        raise IndexError(f"gradlab: {e} (tensor of shape {_shape(t.shape)})") from None
    positions = np.ascontiguousarray(positions, dtype=np.int64)
    flat = _core.reshape(t, [t.numel()])
    if isinstance(value, _Tensor) and value.device != t.device:
        value = value.to(t.device)
    _core._index_put_(flat, 0, _core.tensor(positions, device=t.device), value)
