# %% [markdown]
# # Lab 2: convolution as a matrix
#
# Deep-learning frameworks compute a convolution (a cross-correlation) as **im2col + matmul**
# (Caffe's base_conv_layer.cpp): copy every receptive field of the input into a column, then one
# matrix product with the flattened kernels does the whole layer. The backward is the same
# picture read in reverse: **col2im** scatters the columns' gradients back, adding where
# receptive fields overlap, which is exactly a *transposed* convolution. This lab builds both for
# 1-D and 2-D inputs with channels, stride and padding, writes the layer as one big matrix A
# (problem 5, generalised) and shows that back-propagation is multiplication by A^T.
#
# Layout (gradlab's and PyTorch's): x [C, L] or [C, H, W] for one example; weights [O, C, K] or
# [O, C, R, S]; im2col rows are ordered (channel, tap) with the channel slowest, columns are output
# positions (row-major over (ho, wo)). Lo = (L + 2 padding - K) // stride + 1.

# %%
import numpy as np
import gradlab
from gradlab.autograd import Function
from gradlab.labs import check_conv as check

# %% [markdown]
# ## 1. im2col and col2im in 1-D
# `cols[c*K + k, t] = xpad[c, t*stride + k]`, with xpad = x zero-padded by `padding` on both sides.
# col2im is im2col's transpose: it *adds* each column entry back into the position it was copied
# from (positions that fall into the padding are dropped).

# %%
def im2col_1d(x, K, stride=1, padding=0):     # x [C, L] numpy -> [C*K, Lo]
    # BEGIN SOLUTION: pad x along L, then cols[c*K + k, t] = xpad[c, t*stride + k]
    C, L = x.shape
    xp = np.pad(x, ((0, 0), (padding, padding)))                   # [C, L + 2p]
    Lo = (L + 2 * padding - K) // stride + 1
    cols = np.empty((C, K, Lo))
    for k in range(K):
        cols[:, k, :] = xp[:, k:k + stride * (Lo - 1) + 1:stride]  # [C, Lo]
    return cols.reshape(C * K, Lo)
    # END SOLUTION


def col2im_1d(cols, C, L, K, stride=1, padding=0):   # cols [C*K, Lo] -> [C, L]
    # BEGIN SOLUTION: the reverse of im2col_1d with += (overlaps add up), then cut the padding off
    Lo = cols.shape[1]
    xp = np.zeros((C, L + 2 * padding))
    c3 = cols.reshape(C, K, Lo)
    for k in range(K):
        xp[:, k:k + stride * (Lo - 1) + 1:stride] += c3[:, k, :]
    return xp[:, padding:padding + L]
    # END SOLUTION

# %%
check.im2col_1d(im2col_1d)
check.im2col_1d(im2col_1d, stride=2, padding=1)
check.col2im_1d(col2im_1d, stride=2, padding=1)

# %% [markdown]
# ## 2. A 1-D convolution layer as a Function
# Forward, per example n: Y_n = W_flat @ im2col(x_n) with W_flat = w.reshape(O, C*K).
# Backward, given G_n = dL/dY_n [O, Lo]: dL/dW = sum_n G_n im2col(x_n)^T, and
# dL/dx_n = col2im(W_flat^T G_n). Return one gradient per forward input (None for stride, padding).

# %%
class Conv1d(Function):
    @staticmethod
    def forward(ctx, x, w, stride=1, padding=0):     # x [N, C, L], w [O, C, K] -> [N, O, Lo]
        # BEGIN SOLUTION: im2col each example, one matmul with w.reshape(O, C*K); keep what backward needs on ctx
        xn, wn = x.numpy(), w.numpy()
        O, C, K = wn.shape
        cols = [im2col_1d(xi, K, stride, padding) for xi in xn]          # N x [C*K, Lo]
        ctx.cols, ctx.shape, ctx.args = cols, xn.shape, (stride, padding)
        ctx.save_for_backward(w)
        return gradlab.tensor(np.stack([wn.reshape(O, -1) @ c for c in cols]))
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):                          # grad [N, O, Lo]
        # BEGIN SOLUTION: dW = sum_n G_n cols_n^T; dx_n = col2im(W_flat^T G_n); return dx, dW, None, None
        (w,) = ctx.saved_tensors
        wn, g = w.numpy(), grad.numpy()
        O, C, K = wn.shape
        stride, padding = ctx.args
        dw = sum(gi @ c.T for gi, c in zip(g, ctx.cols)).reshape(wn.shape)
        dx = np.stack([col2im_1d(wn.reshape(O, -1).T @ gi, C, ctx.shape[2], K, stride, padding) for gi in g])
        return gradlab.tensor(dx), gradlab.tensor(dw), None, None
        # END SOLUTION

# %%
check.conv1d(Conv1d)

# %% [markdown]
# ## 3. The whole layer as one matrix, and its transpose
# For one example, vec(Y) = A vec(x) with A [O*Lo, C*L]. A is linear in x, so its columns are the
# outputs for the unit inputs e_j (or: A = W_flat (x) im2col's matrix). Problem 5 is the case
# O = C = 2, L = 4, K = 3. Back-propagation is dL/dx = A^T dL/dY; for stride 1 that is itself a
# convolution of dL/dY, padded by K-1-padding, with the kernels flipped and the channel roles swapped.

# %%
def conv1d_matrix(w, L, stride=1, padding=0):        # w [O, C, K] -> A [O*Lo, C*L]
    # BEGIN SOLUTION: column j of A is the flattened output for the unit input e_j
    O, C, K = w.shape
    cols = []
    for j in range(C * L):
        e = np.zeros(C * L)
        e[j] = 1
        cols.append((w.reshape(O, -1) @ im2col_1d(e.reshape(C, L), K, stride, padding)).ravel())
    return np.stack(cols, axis=1)
    # END SOLUTION


def backward_as_convolution(dy, w, padding=0):       # dy [O, Lo], w [O, C, K] -> dx [C, L] (stride 1)
    # BEGIN SOLUTION: V[c, o, k] = w[o, c, K-1-k]; dx = gradlab.conv1d(dy, V, padding=K-1-padding)
    K = w.shape[2]
    V = np.ascontiguousarray(w.transpose(1, 0, 2)[:, :, ::-1])     # [C, O, K]
    dx = gradlab.conv1d(gradlab.tensor(dy[None]), gradlab.tensor(V), None, 1, K - 1 - padding)
    return dx.numpy()[0]
    # END SOLUTION

# %%
check.conv1d_matrix(conv1d_matrix)
check.conv1d_matrix(conv1d_matrix, L=7, stride=2, padding=1)
check.backward_as_convolution(backward_as_convolution)

# %% [markdown]
# ## 4. Two dimensions
# The same with x [C, H, W] and kernels R x S: `cols[(c*R + r)*S + s, ho*Wo + wo] =
# xpad[c, ho*stride + r, wo*stride + s]`.

# %%
def im2col_2d(x, R, S, stride=1, padding=0):          # x [C, H, W] -> [C*R*S, Ho*Wo]
    # BEGIN SOLUTION: pad H and W, then one strided slice per tap (r, s)
    C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (padding, padding), (padding, padding)))
    Ho, Wo = (H + 2 * padding - R) // stride + 1, (W + 2 * padding - S) // stride + 1
    cols = np.empty((C, R, S, Ho, Wo))
    for r in range(R):
        for s in range(S):
            cols[:, r, s] = xp[:, r:r + stride * (Ho - 1) + 1:stride, s:s + stride * (Wo - 1) + 1:stride]
    return cols.reshape(C * R * S, Ho * Wo)
    # END SOLUTION


def col2im_2d(cols, C, H, W, R, S, stride=1, padding=0):   # [C*R*S, Ho*Wo] -> [C, H, W]
    # BEGIN SOLUTION: add every tap's slice back into the padded image, then crop
    Ho, Wo = (H + 2 * padding - R) // stride + 1, (W + 2 * padding - S) // stride + 1
    xp = np.zeros((C, H + 2 * padding, W + 2 * padding))
    c5 = cols.reshape(C, R, S, Ho, Wo)
    for r in range(R):
        for s in range(S):
            xp[:, r:r + stride * (Ho - 1) + 1:stride, s:s + stride * (Wo - 1) + 1:stride] += c5[:, r, s]
    return xp[:, padding:padding + H, padding:padding + W]
    # END SOLUTION


class Conv2d(Function):
    @staticmethod
    def forward(ctx, x, w, stride=1, padding=0):      # x [N, C, H, W], w [O, C, R, S] -> [N, O, Ho, Wo]
        # BEGIN SOLUTION: as Conv1d, with im2col_2d and an output reshaped to [N, O, Ho, Wo]
        xn, wn = x.numpy(), w.numpy()
        O, C, R, S = wn.shape
        N, _, H, W = xn.shape
        Ho, Wo = (H + 2 * padding - R) // stride + 1, (W + 2 * padding - S) // stride + 1
        cols = [im2col_2d(xi, R, S, stride, padding) for xi in xn]
        ctx.cols, ctx.shape, ctx.args = cols, xn.shape, (stride, padding)
        ctx.save_for_backward(w)
        return gradlab.tensor(np.stack([wn.reshape(O, -1) @ c for c in cols]).reshape(N, O, Ho, Wo))
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):                           # grad [N, O, Ho, Wo]
        # BEGIN SOLUTION: dW = sum_n G_n cols_n^T, dx_n = col2im_2d(W_flat^T G_n)
        (w,) = ctx.saved_tensors
        wn = w.numpy()
        O, C, R, S = wn.shape
        g = grad.numpy().reshape(grad.shape[0], O, -1)
        stride, padding = ctx.args
        _, _, H, W = ctx.shape
        dw = sum(gi @ c.T for gi, c in zip(g, ctx.cols)).reshape(wn.shape)
        dx = np.stack([col2im_2d(wn.reshape(O, -1).T @ gi, C, H, W, R, S, stride, padding) for gi in g])
        return gradlab.tensor(dx), gradlab.tensor(dw), None, None
        # END SOLUTION


def conv2d_matrix(w, H, W, stride=1, padding=0):       # w [O, C, R, S] -> A [O*Ho*Wo, C*H*W]
    # BEGIN SOLUTION: column j is the flattened output for the unit input e_j
    O, C, R, S = w.shape
    cols = []
    for j in range(C * H * W):
        e = np.zeros(C * H * W)
        e[j] = 1
        cols.append((w.reshape(O, -1) @ im2col_2d(e.reshape(C, H, W), R, S, stride, padding)).ravel())
    return np.stack(cols, axis=1)
    # END SOLUTION

# %%
check.im2col_2d(im2col_2d, stride=2, padding=1)
check.col2im_2d(col2im_2d, stride=2, padding=1)
check.conv2d(Conv2d)
check.conv2d_matrix(conv2d_matrix, stride=2, padding=1)

# %% [hidden]
from gradlab.labs import check_conv as check


@test(points=2)
def im2col_1d_plain(nb):
    check.im2col_1d(nb.im2col_1d, C=3, L=6, K=2, seed=21)


@test(points=2)
def im2col_1d_stride_padding(nb):
    check.im2col_1d(nb.im2col_1d, C=2, L=9, K=3, stride=3, padding=2, seed=22)


@test(points=2)
def col2im_1d_overlaps(nb):
    check.col2im_1d(nb.col2im_1d, C=3, L=8, K=3, stride=2, padding=1, seed=23)


@test(points=3)
def conv1d_function(nb):
    check.conv1d(nb.Conv1d, seed=24)


@test(points=2)
def conv1d_matrix_problem5(nb):
    check.conv1d_matrix(nb.conv1d_matrix, O=2, C=2, L=4, K=3, seed=25)
    check.conv1d_matrix(nb.conv1d_matrix, O=3, C=1, L=8, K=2, stride=2, padding=1, seed=26)


@test(points=2)
def backward_is_a_convolution(nb):
    check.backward_as_convolution(nb.backward_as_convolution, O=3, C=2, L=7, K=3, padding=1, seed=27)


@test(points=2)
def im2col_2d_stride_padding(nb):
    check.im2col_2d(nb.im2col_2d, C=3, H=6, W=5, R=3, S=3, stride=2, padding=1, seed=28)


@test(points=2)
def col2im_2d_overlaps(nb):
    check.col2im_2d(nb.col2im_2d, C=2, H=5, W=6, R=2, S=3, stride=1, padding=1, seed=29)


@test(points=3)
def conv2d_function(nb):
    check.conv2d(nb.Conv2d, seed=30)


@test(points=2)
def conv2d_matrix_stride_padding(nb):
    check.conv2d_matrix(nb.conv2d_matrix, O=2, C=3, H=5, W=4, K=3, stride=2, padding=1, seed=31)
