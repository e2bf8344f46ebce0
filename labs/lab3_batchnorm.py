# %% [markdown]
# # Lab 3: batch normalization
#
# Batch norm ([3], Ioffe and Szegedy) normalizes each channel with the statistics of the batch,
# then scales and shifts it: y = gamma * (x - mu) / sqrt(var + eps) + beta. In training it uses
# the batch's mean and (biased) variance and updates running estimates; in evaluation it uses the
# running estimates. This lab writes it in numpy, forward and backward (the compact form), for the
# outputs of fully connected layers (x [N, C]) and of convolutions (x [N, C, H, W], gradlab's
# layout), answers problem 4 (the statistics' shapes), and gradchecks it as a Function.

# %%
import numpy as np
import gradlab
from gradlab.autograd import Function
from gradlab.labs import check_batchnorm as check

# %% [markdown]
# ## 1. Which axes, which shapes (problem 4)
# One mean and one variance per channel: the reduction runs over every axis except the channel's.
# `stats_shape(shape, layout)` gives the statistics' shape with the reduced dimensions kept (size 1),
# for layout "NC" (a fully connected output), "NHWC" (problem 4's convolution output) or "NCHW" (gradlab's).

# %%
def stats_shape(shape, layout):
    # BEGIN SOLUTION: size 1 everywhere except the channel axis (the position of "C" in layout)
    return tuple(n if axis == "C" else 1 for n, axis in zip(shape, layout))
    # END SOLUTION


def reduce_axes(ndim):                       # gradlab's layout: channels on axis 1
    # BEGIN SOLUTION: every axis but 1: (0,) for [N, C], (0, 2, 3) for [N, C, H, W]
    return tuple(a for a in range(ndim) if a != 1)
    # END SOLUTION

# %%
check.stats_shape(stats_shape)

# %% [markdown]
# ## 2. Forward, training and evaluation
# Training: mu and var (biased, divided by m = the number of values per channel) over
# `reduce_axes`; running_mean <- (1 - momentum) running_mean + momentum mu, and running_var the same
# with the *unbiased* variance var * m / (m - 1) (PyTorch's and gradlab's convention). Update the
# running arrays in place (`running_mean[...] = ...`). Evaluation: normalize with the running
# statistics, change nothing. Return (y, cache), cache holding what the backward needs.

# %%
def batchnorm_forward(x, gamma, beta, running_mean, running_var, training, momentum=0.1, eps=1e-5):
    axes = reduce_axes(x.ndim)
    shape = stats_shape(x.shape, "NC" if x.ndim == 2 else "NCHW")   # [1, C] or [1, C, 1, 1]
    g, b = gamma.reshape(shape), beta.reshape(shape)
    # BEGIN SOLUTION: batch statistics in training (and the in-place running update), running ones in eval
    if training:
        mu = x.mean(axis=axes, keepdims=True)                       # [1, C(, 1, 1)]
        var = x.var(axis=axes, keepdims=True)                       # biased
        m = x.size // x.shape[1]
        running_mean[...] = (1 - momentum) * running_mean + momentum * mu.ravel()
        running_var[...] = (1 - momentum) * running_var + momentum * var.ravel() * m / (m - 1)
    else:
        mu, var = running_mean.reshape(shape), running_var.reshape(shape)
    inv = 1 / np.sqrt(var + eps)
    xhat = (x - mu) * inv
    return g * xhat + b, (xhat, inv, g, axes)
    # END SOLUTION

# %%
check.forward(batchnorm_forward)
check.forward(batchnorm_forward, shape=(4, 2, 3, 3))

# %% [markdown]
# ## 3. The backward in its compact form
# With xhat = (x - mu) / sigma and m values per channel, dbeta = sum dy, dgamma = sum dy xhat, and
# dx = gamma / sigma * (dy - mean(dy) - xhat mean(dy xhat)), the sums and means over `reduce_axes`.
# (The long form, through dvar and dmu, gives the same numbers with three times the code.)

# %%
def batchnorm_backward(dy, cache):            # -> dx [x's shape], dgamma [C], dbeta [C]
    # BEGIN SOLUTION: the three formulas above
    xhat, inv, g, axes = cache
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * xhat).sum(axis=axes)
    dx = g * inv * (dy - dy.mean(axis=axes, keepdims=True) - xhat * (dy * xhat).mean(axis=axes, keepdims=True))
    return dx, dgamma, dbeta
    # END SOLUTION

# %%
check.backward(batchnorm_forward, batchnorm_backward)
check.backward(batchnorm_forward, batchnorm_backward, shape=(3, 2, 2, 3))

# %% [markdown]
# ## 4. As a Function, gradchecked
# Training mode, no running statistics: forward and backward call your functions above.

# %%
class BatchNormFn(Function):
    @staticmethod
    def forward(ctx, x, gamma, beta):
        # BEGIN SOLUTION: run batchnorm_forward on numpy copies (throw-away running arrays); keep the cache
        C = x.shape[1]
        y, ctx.cache = batchnorm_forward(x.numpy(), gamma.numpy(), beta.numpy(), np.zeros(C), np.ones(C), True)
        return gradlab.tensor(y)
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION: batchnorm_backward on grad's numpy values; three tensors
        return tuple(gradlab.tensor(np.ascontiguousarray(v)) for v in batchnorm_backward(grad.numpy(), ctx.cache))
        # END SOLUTION

# %%
check.function(BatchNormFn)

# %% [hidden]
from gradlab.labs import check_batchnorm as check


@test(points=2)
def statistics_shapes(nb):
    check.stats_shape(nb.stats_shape)


@test(points=2)
def forward_training_fc(nb):
    x, g, b = check._data((7, 4), 41)
    C = 4
    y, _ = nb.batchnorm_forward(x, g, b, np.zeros(C), np.ones(C), True, 0.1, 1e-5)
    want = gradlab.batch_norm(*(check.tensor(v) for v in (x, g, b)), None, None, True, 0.1, 1e-5)
    check.compare(y, want, "your batchnorm_forward (training, x [7, 4]) output", "gradlab.batch_norm gives", atol=1e-8)


@test(points=2)
def forward_training_conv(nb):
    x, g, b = check._data((3, 4, 2, 5), 42)
    y, _ = nb.batchnorm_forward(x, g, b, np.zeros(4), np.ones(4), True, 0.1, 1e-5)
    want = gradlab.batch_norm(*(check.tensor(v) for v in (x, g, b)), None, None, True, 0.1, 1e-5)
    check.compare(y, want, "your batchnorm_forward (training, x [3, 4, 2, 5]) output", "gradlab.batch_norm gives",
                  atol=1e-8)


@test(points=2)
def running_statistics(nb):
    check.forward_train(nb.batchnorm_forward, shape=(5, 3), seed=43, steps=3, momentum=0.2)
    check.forward_train(nb.batchnorm_forward, shape=(2, 3, 2, 2), seed=44, steps=2)


@test(points=2)
def eval_mode(nb):
    check.forward_eval(nb.batchnorm_forward, shape=(5, 3), seed=45)
    check.forward_eval(nb.batchnorm_forward, shape=(2, 3, 2, 2), seed=46)


@test(points=3)
def backward_fc(nb):
    check.backward(nb.batchnorm_forward, nb.batchnorm_backward, shape=(8, 3), seed=47)


@test(points=3)
def backward_conv(nb):
    check.backward(nb.batchnorm_forward, nb.batchnorm_backward, shape=(2, 3, 3, 2), seed=48)


@test(points=2)
def function_gradcheck(nb):
    check.function(nb.BatchNormFn, shape=(5, 2), seed=49)
