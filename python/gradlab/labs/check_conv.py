"""Lab 2's checks (convolution as a matrix). References come from the engine: gradlab.im2col,
gradlab.conv1d/conv2d, gradlab.conv1d_matrix/conv2d_matrix; col2im's reference is im2col's
transpose, found by pushing unit vectors through the reference im2col."""
import numpy as np

import gradlab
from gradlab.labs.checks import LabCheckError, array, check_backward, compare, ok, tensor


def _rand(shape, seed):
    return np.random.default_rng(seed).normal(size=shape)


def ref_im2col_2d(x, R, S, stride, padding):
    """x [C, H, W] -> [C*R*S, Ho*Wo] (gradlab.im2col on one example)."""
    return array(gradlab.im2col(tensor(x[None]), R, S, stride, padding))[0]


def ref_im2col_1d(x, K, stride, padding):
    """x [C, L] -> [C*K, Lo]: a 1-D input is a 2-D one of height 1 (padded along L only)."""
    xp = np.pad(x, ((0, 0), (padding, padding)))
    return ref_im2col_2d(xp[:, None, :], 1, K, stride, 0)


def _as_matrix(f, shape):
    """The matrix of the linear map f (numpy array of `shape` in, array out), column by column."""
    cols = []
    for j in range(int(np.prod(shape))):
        e = np.zeros(int(np.prod(shape)))
        e[j] = 1
        cols.append(f(e.reshape(shape)).ravel())
    return np.stack(cols, axis=1)


def _call(fn, what, *args):
    out = fn(*args)
    if out is None:
        raise LabCheckError(f"your {what} returns None: return the array")
    return out


def im2col_1d(fn, C=2, L=7, K=3, stride=1, padding=0, seed=0):
    x = _rand((C, L), seed)
    got = _call(fn, "im2col_1d", x, K, stride, padding)
    compare(got, ref_im2col_1d(x, K, stride, padding),
            f"your im2col_1d (C={C}, L={L}, K={K}, stride={stride}, padding={padding}; rows = (channel, tap), "
            f"columns = output positions)", "gradlab.im2col gives")
    ok(f"im2col_1d == gradlab.im2col for C={C}, L={L}, K={K}, stride={stride}, padding={padding}")


def im2col_2d(fn, C=2, H=5, W=4, R=3, S=2, stride=1, padding=0, seed=0):
    x = _rand((C, H, W), seed)
    got = _call(fn, "im2col_2d", x, R, S, stride, padding)
    compare(got, ref_im2col_2d(x, R, S, stride, padding),
            f"your im2col_2d (C={C}, H={H}, W={W}, R={R}, S={S}, stride={stride}, padding={padding})",
            "gradlab.im2col gives")
    ok(f"im2col_2d == gradlab.im2col for C={C}, {H}x{W}, kernel {R}x{S}, stride={stride}, padding={padding}")


def col2im_1d(fn, C=2, L=7, K=3, stride=1, padding=0, seed=0):
    M = _as_matrix(lambda x: ref_im2col_1d(x, K, stride, padding), (C, L))  # cols = M x
    cols = _rand((M.shape[0],), seed).reshape(C * K, -1)
    got = _call(fn, "col2im_1d", cols, C, L, K, stride, padding)
    compare(got, (M.T @ cols.ravel()).reshape(C, L), f"your col2im_1d (C={C}, L={L}, K={K}, stride={stride}, "
            f"padding={padding}; overlapping taps must add up)", "im2col's transpose gives")
    ok(f"col2im_1d == im2col_1d's transpose for C={C}, L={L}, K={K}, stride={stride}, padding={padding}")


def col2im_2d(fn, C=2, H=5, W=4, R=3, S=2, stride=1, padding=0, seed=0):
    M = _as_matrix(lambda x: ref_im2col_2d(x, R, S, stride, padding), (C, H, W))
    cols = _rand((M.shape[0],), seed).reshape(C * R * S, -1)
    got = _call(fn, "col2im_2d", cols, C, H, W, R, S, stride, padding)
    compare(got, (M.T @ cols.ravel()).reshape(C, H, W), f"your col2im_2d (C={C}, {H}x{W}, kernel {R}x{S}, "
            f"stride={stride}, padding={padding}; overlapping taps must add up)", "im2col's transpose gives")
    ok(f"col2im_2d == im2col_2d's transpose for C={C}, {H}x{W}, kernel {R}x{S}, stride={stride}, padding={padding}")


def conv_forward(Conv, dims, N=2, C=2, O=3, size=6, K=3, stride=1, padding=0, seed=0):
    shape = (N, C) + (size,) * dims
    x, w = tensor(_rand(shape, seed)), tensor(_rand((O, C) + (K,) * dims, seed + 1))
    ref = (gradlab.conv1d if dims == 1 else gradlab.conv2d)(x, w, None, stride, padding)
    compare(Conv.apply(x, w, stride, padding), ref, f"your Conv{dims}d.forward (N={N}, C={C}, O={O}, K={K}, "
            f"stride={stride}, padding={padding})", f"gradlab.conv{dims}d gives")


def conv_backward(Conv, dims, N=2, C=2, O=2, size=5, K=3, stride=1, padding=0, seed=0):
    x = tensor(_rand((N, C) + (size,) * dims, seed), requires_grad=True)
    w = tensor(_rand((O, C) + (K,) * dims, seed + 1), requires_grad=True)
    check_backward(lambda a, b: Conv.apply(a, b, stride, padding), [x, w], ["x", "weight"], f"Conv{dims}d")


def conv1d(Conv1d, seed=0):
    conv_forward(Conv1d, 1, seed=seed)
    conv_forward(Conv1d, 1, stride=2, padding=1, seed=seed + 2)
    conv_backward(Conv1d, 1, stride=2, padding=1, seed=seed + 4)
    ok("Conv1d: forward == gradlab.conv1d (stride 1 and 2, padding 0 and 1), backward == finite differences")


def conv2d(Conv2d, seed=0):
    conv_forward(Conv2d, 2, seed=seed)
    conv_forward(Conv2d, 2, stride=2, padding=1, seed=seed + 2)
    conv_backward(Conv2d, 2, size=4, stride=2, padding=1, seed=seed + 4)
    ok("Conv2d: forward == gradlab.conv2d (stride 1 and 2, padding 0 and 1), backward == finite differences")


def conv1d_matrix(fn, O=2, C=2, L=4, K=3, stride=1, padding=0, seed=0):
    w = _rand((O, C, K), seed)
    compare(_call(fn, "conv1d_matrix", w, L, stride, padding),
            gradlab.conv1d_matrix(tensor(w), L, stride, padding),
            f"your conv1d_matrix A (O={O}, C={C}, L={L}, K={K}, stride={stride}, padding={padding}; rows (o, t), "
            f"columns (c, l))", "gradlab.conv1d_matrix gives")
    ok(f"conv1d_matrix == gradlab.conv1d_matrix for O={O}, C={C}, L={L}, K={K}, stride={stride}, padding={padding}")


def conv2d_matrix(fn, O=2, C=2, H=4, W=3, K=2, stride=1, padding=0, seed=0):
    w = _rand((O, C, K, K), seed)
    compare(_call(fn, "conv2d_matrix", w, H, W, stride, padding),
            gradlab.conv2d_matrix(tensor(w), H, W, stride, padding),
            f"your conv2d_matrix A (O={O}, C={C}, {H}x{W}, kernel {K}x{K}, stride={stride}, padding={padding})",
            "gradlab.conv2d_matrix gives")
    ok(f"conv2d_matrix == gradlab.conv2d_matrix for O={O}, C={C}, {H}x{W}, kernel {K}x{K}, stride={stride}, "
       f"padding={padding}")


def backward_as_convolution(fn, O=2, C=2, L=6, K=3, padding=0, seed=0):
    """fn(dy [O, Lo], w [O, C, K], padding) -> dx [C, L] computed as ONE convolution (problem 5(c))."""
    w = _rand((O, C, K), seed)
    Lo = L + 2 * padding - K + 1
    dy = _rand((O, Lo), seed + 1)
    A = array(gradlab.conv1d_matrix(tensor(w), L, 1, padding))
    compare(_call(fn, "backward_as_convolution", dy, w, padding), (A.T @ dy.ravel()).reshape(C, L),
            f"your backward_as_convolution (O={O}, C={C}, L={L}, K={K}, padding={padding})",
            "A^T dL/dY (gradlab.conv1d_matrix transposed) gives")
    ok(f"backward_as_convolution == A^T dL/dY for O={O}, C={C}, L={L}, K={K}, padding={padding}")
