"""User-defined differentiable functions, as PyTorch's ``torch.autograd.Function``::

    class Cube(gradlab.autograd.Function):
        @staticmethod
        def forward(ctx, x):            # x: Tensor [any shape]
            ctx.save_for_backward(x)
            return x * x * x            # [same shape]

        @staticmethod
        def backward(ctx, grad):        # grad: [same shape as the output]
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x     # one gradient per forward input ([x's shape]), None where none

    y = Cube.apply(x)

forward runs without recording (inside no_grad); apply records one graph node (named after the
class) whose backward calls yours. The engine checks what backward returns: one gradient per
input, each of its input's shape, None only for inputs that need no gradient; an error names the
Function and the input. ``gradlab.gradcheck(Cube.apply, [x])`` and ``gradlab.jacobian`` accept it.
forward may return a tuple of float tensors of one dtype: backward then receives one gradient per
output (zeros for outputs that were not used), as in PyTorch.
"""
import numpy as np

from gradlab import _core

_Tensor = _core.Tensor


class FunctionCtx:
    """The ``ctx`` passed to forward and backward: save tensors and attributes on it."""

    def __init__(self, needs_input_grad):
        self.needs_input_grad = needs_input_grad
        self._saved = ()

    def save_for_backward(self, *tensors):
        """Keeps tensors (or None) for backward, read back as ctx.saved_tensors."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, _Tensor):
                raise TypeError(f"save_for_backward: argument {i} is {type(t).__name__}; only Tensors (or None) can be "
                                "saved (keep other values as ctx attributes)")
        self._saved = tuple(tensors)

    @property
    def saved_tensors(self):
        """The tensors given to save_for_backward, in order."""
        return self._saved

    def mark_non_differentiable(self, *tensors):
        """Accepted for PyTorch compatibility (gradlab's integer and bool outputs never carry gradients)."""

    def set_materialize_grads(self, value):
        """Accepted for PyTorch compatibility (gradients always arrive as tensors)."""


class Function:
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grads)``; call ``apply``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Computes the outputs from the inputs (tensors and other arguments); ctx.save_for_backward(...) keeps what backward needs. Runs without recording a graph."""
        raise NotImplementedError("Function.forward: define a @staticmethod forward(ctx, *args) in your subclass")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Given one gradient per output (same shapes), returns one gradient per input of forward (None for inputs that need none), each shaped like its input."""
        raise NotImplementedError("Function.backward: define a @staticmethod backward(ctx, grad) in your subclass")

    @classmethod
    def apply(cls, *args):
        """Runs forward(ctx, *args) without recording and returns its Tensor, recorded as one
        graph node whose gradient is backward(ctx, grad)."""
        name = cls.__name__
        grad_on = _core.is_grad_enabled()
        needs = tuple(isinstance(a, _Tensor) and a.requires_grad and grad_on for a in args)
        ctx = FunctionCtx(needs)
        with _core.no_grad():
            out = cls.forward(ctx, *args)
        outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
        for k, o in enumerate(outs):
            if not isinstance(o, _Tensor):
                raise TypeError(f"{name}.forward returned {type(o).__name__}" + (f" as output {k}" if len(outs) > 1 else "")
                                + "; it must return a Tensor (or a tuple of Tensors)")
        if not any(needs):
            return out
        tensor_positions = [i for i, a in enumerate(args) if isinstance(a, _Tensor)]
        multi = isinstance(out, (tuple, list))
        if multi:
            # Several outputs travel as one flat node output; backward gets them split back.
            if len({o.dtype for o in outs}) != 1:
                raise TypeError(f"{name}.forward returned outputs of different dtypes; use one float dtype")
            shapes = [tuple(o.shape) for o in outs]
            sizes = [int(np.prod(s)) for s in shapes]
            flat = _core.cat([_core.reshape(o, [n]) for o, n in zip(outs, sizes)], 0)

        def backward(grad):
            if multi:
                pieces, at = [], 0
                for s, n in zip(shapes, sizes):
                    pieces.append(_core.reshape(_core.slice(grad, 0, at, at + n), list(s)))
                    at += n
                grads = cls.backward(ctx, *pieces)
            else:
                grads = cls.backward(ctx, grad)
            if not isinstance(grads, (tuple, list)):
                grads = (grads,)
            if len(grads) != len(args):
                raise ValueError(f"{name}.backward returned {len(grads)} gradient(s), but forward took {len(args)} "
                                 f"input(s); return one per input (None for inputs that need no gradient)")
            out_grads = []
            for i in tensor_positions:
                g, a = grads[i], args[i]
                if g is None:
                    if needs[i]:
                        raise ValueError(f"{name}.backward returned None for input {i} (shape {list(a.shape)}), "
                                         f"which requires grad; return its gradient")
                    out_grads.append(None)
                    continue
                if not isinstance(g, _Tensor):
                    if isinstance(g, (np.ndarray, float, int)):
                        g = _core.tensor(np.asarray(g, dtype=np.float64), dtype=a.dtype, device=a.device)
                    else:
                        raise TypeError(f"{name}.backward returned {type(g).__name__} for input {i}; return a Tensor")
                if tuple(g.shape) != tuple(a.shape):
                    raise ValueError(f"{name}.backward returned a gradient of shape {list(g.shape)} for input {i} "
                                     f"of shape {list(a.shape)}; each gradient must have its input's shape")
                out_grads.append(g)
            return out_grads

        recorded = _core._custom_function(name, [args[i] for i in tensor_positions], flat if multi else out, backward)
        if not multi:
            return recorded
        results, at = [], 0
        for s, n in zip(shapes, sizes):
            results.append(_core.reshape(_core.slice(recorded, 0, at, at + n), list(s)))
            at += n
        return tuple(results)


def backward(tensors, grad_tensors=None, retain_graph=False):
    """gradlab.autograd.backward(t) == t.backward() (one tensor or a list)."""
    if isinstance(tensors, _Tensor):
        tensors, grad_tensors = [tensors], [grad_tensors]
    grad_tensors = grad_tensors or [None] * len(tensors)
    for t, g in zip(tensors, grad_tensors):
        t.backward(g, retain_graph=retain_graph)
