"""More layers for gradlab.nn, written in Python over the engine's ops (as a student would):
LayerNorm, Dropout, Embedding, MaxPool2d, AvgPool2d; and the functions gradlab.layer_norm,
gradlab.dropout, gradlab.embedding. Each is a gradlab.nn.Module subclass, so it nests in
Sequential, takes part in train()/eval(), parameters() and state_dict()."""
import numpy as np

import gradlab
from gradlab import _core

nn = _core.nn
_dropout_rng = np.random.default_rng(0)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """input [..., *normalized_shape] normalized over its last len(normalized_shape) dims
    (biased variance, PyTorch's), then * weight + bias (both of normalized_shape, optional)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k:]) != tuple(normalized_shape):
        raise ValueError(f"layer_norm: input of shape {list(input.shape)} does not end with normalized_shape "
                         f"{list(normalized_shape)}")
    axes = list(range(input.ndim - k, input.ndim))
    mean = _core.mean(input, axes, True)
    centered = input - mean
    var = _core.mean(centered * centered, axes, True)
    y = centered * _core.pow(var + eps, -0.5)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def dropout(input, p=0.5, training=True, generator=None):
    """Zeroes each element with probability p and scales the rest by 1/(1-p) (training only;
    the identity otherwise). The mask comes from numpy (generator, or gradlab's dropout generator)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: p must be in [0, 1], got {p}")
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    rng = generator if generator is not None else _dropout_rng
    keep = rng.random(input.shape) >= p
    mask = _core.tensor(keep.astype(np.float64) / (1.0 - p), dtype=input.dtype, device=input.device)
    return input * mask


def embedding(input, weight):
    """weight [num_embeddings, dim] rows picked by the integer tensor input [...] -> [..., dim];
    the gradient scatter-adds into the picked rows."""
    if input.dtype not in (_core.int64, _core.int32):
        raise ValueError(f"embedding: indices must be int64 or int32, got {input.dtype}")
    return _core._take(weight, 0, input)


class LayerNorm(nn.Module):
    """LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True): x [..., *normalized_shape]."""

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        if elementwise_affine:
            self.weight = self.register_parameter("weight", gradlab.ones(*self.normalized_shape, requires_grad=True))
            self.bias = self.register_parameter("bias", gradlab.zeros(*self.normalized_shape, requires_grad=True))
        else:
            self.weight = self.bias = None

    def forward(self, x):
        """x [N, ..., *normalized_shape] -> the same shape, normalized over the last axes, then scaled and shifted."""
        w, b = self.weight, self.bias
        if w is not None and w.dtype != x.dtype:
            raise ValueError(f"LayerNorm: input is {x.dtype} but the parameters are {w.dtype}; call .to() on one")
        return layer_norm(x, self.normalized_shape, w, b, self.eps)


class Dropout(nn.Module):
    """Dropout(p=0.5): dropout in training mode, the identity after eval()."""

    def __init__(self, p=0.5, seed=None):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be in [0, 1], got {p}")
        self.p = p
        self._rng = np.random.default_rng(seed) if seed is not None else None

    def forward(self, x):
        """x of any shape -> the same shape: in training each element is zeroed with probability p and the rest scaled by 1/(1-p); x itself in eval."""
        return dropout(x, self.p, self.training, self._rng)


class Embedding(nn.Module):
    """Embedding(num_embeddings, embedding_dim): weight [num, dim] ~ N(0, 1); indices [...] -> [..., dim]."""

    def __init__(self, num_embeddings, embedding_dim):
        super().__init__()
        if num_embeddings < 1 or embedding_dim < 1:
            raise ValueError(f"Embedding: sizes must be positive, got ({num_embeddings}, {embedding_dim})")
        self.weight = self.register_parameter("weight", gradlab.randn(num_embeddings, embedding_dim,
                                                                      requires_grad=True))

    def forward(self, idx):
        """idx integer tensor of any shape -> [*idx.shape, embedding_dim]: the rows of weight (gradients scatter-add into them)."""
        return embedding(idx, self.weight)


class MaxPool2d(nn.Module):
    """MaxPool2d(kernel_size, stride=None, padding=0, ceil_mode=False): x [N, C, H, W] -> [N, C, Ho, Wo];
    each an int or (h, w) (stride None: the kernel size; padding counts as -inf)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False):
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.ceil_mode = kernel_size, stride, padding, ceil_mode

    def forward(self, x):
        """x [N, C, H, W] -> [N, C, Ho, Wo]: the maximum of each window."""
        return _core.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode)


class AvgPool2d(nn.Module):
    """AvgPool2d(kernel_size, stride=None, padding=0): x [N, C, H, W] -> [N, C, Ho, Wo]; each an int or
    (h, w) (padding counts as zeros in the average, PyTorch's count_include_pad)."""

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, x):
        """x [N, C, H, W] -> [N, C, Ho, Wo]: the mean of each window."""
        return _core.avg_pool2d(x, self.kernel_size, self.stride, self.padding)


for _cls in (LayerNorm, Dropout, Embedding, MaxPool2d, AvgPool2d):
    _cls.__module__ = "gradlab.nn"
    setattr(nn, _cls.__name__, _cls)
gradlab.layer_norm = layer_norm
gradlab.dropout = dropout
gradlab.embedding = embedding
