# %% [markdown]
# # Lab 1: autograd by hand
#
# gradlab computes gradients for you. In this lab you write four operations yourself, as
# `gradlab.autograd.Function`s with their own backward, check each against float64 finite
# differences, and then reproduce **Exercise 7.8** (problem 2 of the assignment) with them.
#
# A Function has two static methods: `forward(ctx, *inputs)` computes the output (save what
# backward needs with `ctx.save_for_backward(...)`), and `backward(ctx, grad)` receives dL/d(output)
# and returns dL/d(input), one per input (None for an input that needs none). Call it as `Tanh.apply(x)`.
# Every check below runs in a second; a failure says which input and which entry is wrong.

# %%
import numpy as np
import gradlab
from gradlab.autograd import Function
from gradlab.labs import check_autograd as check

# %% [markdown]
# ## 1. tanh
# y = tanh(x), and dy/dx = 1 - tanh(x)^2 = 1 - y^2: save the output, not the input.

# %%
class Tanh(Function):
    @staticmethod
    def forward(ctx, x):                      # x [any shape]
        # BEGIN SOLUTION: compute y = gradlab.tanh(x), save y with ctx.save_for_backward(y), return y
        y = gradlab.tanh(x)                   # [same shape]
        ctx.save_for_backward(y)
        return y
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):                  # grad [same shape as y]
        # BEGIN SOLUTION: read y from ctx.saved_tensors; return grad times dy/dx = 1 - y^2
        (y,) = ctx.saved_tensors
        return grad * (1 - y * y)
        # END SOLUTION

# %%
check.tanh(Tanh)

# %% [markdown]
# ## 2. sigmoid
# sigma(x) = 1 / (1 + exp(-x)); its derivative is sigma(x) (1 - sigma(x)).

# %%
class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        # BEGIN SOLUTION: y = 1 / (1 + gradlab.exp(-x)); save y for backward
        y = 1 / (1 + gradlab.exp(-x))
        ctx.save_for_backward(y)
        return y
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):
        # BEGIN SOLUTION: return grad * y * (1 - y) with y from ctx.saved_tensors
        (y,) = ctx.saved_tensors
        return grad * y * (1 - y)
        # END SOLUTION

# %%
check.sigmoid(Sigmoid)

# %% [markdown]
# ## 3. matmul
# C = A B with A [n, k] and B [k, m]. Given G = dL/dC [n, m]: dL/dA = G B^T [n, k] and
# dL/dB = A^T G [k, m]. Check the shapes: each gradient has its input's shape.

# %%
class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):                   # a [n, k], b [k, m]
        # BEGIN SOLUTION: save a and b; return a @ b
        ctx.save_for_backward(a, b)
        return a @ b                          # [n, m]
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):                  # grad [n, m]
        # BEGIN SOLUTION: return (dL/dA, dL/dB) = (grad @ B^T, A^T @ grad)
        a, b = ctx.saved_tensors
        return grad @ b.T, a.T @ grad         # [n, k], [k, m]
        # END SOLUTION

# %%
check.matmul(MatMul)

# %% [markdown]
# ## 4. softmax + cross-entropy
# For logits z [N, C] and integer labels y [N]: L = (1/N) sum_n (logsumexp(z_n) - z_n[y_n]).
# Subtract each row's maximum before exponentiating (the loss must not overflow for logits near 1000).
# dL/dz = (softmax(z) - onehot(y)) / N. The labels get no gradient: return None for them.
# Working in numpy inside forward and backward is fine (`z.numpy()`, then `gradlab.tensor(...)`).

# %%
class SoftmaxCrossEntropy(Function):
    @staticmethod
    def forward(ctx, logits, labels):         # logits [N, C] float64, labels [N] ints (numpy or Tensor)
        # BEGIN SOLUTION: stable log-softmax in numpy, mean of -log p[n, y_n]; keep p and the labels on ctx
        z = logits.numpy()
        y = np.asarray(labels.numpy() if isinstance(labels, gradlab.Tensor) else labels).astype(np.int64)
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))   # [N, C]
        ctx.p, ctx.y = np.exp(logp), y
        return gradlab.tensor(-logp[np.arange(len(y)), y].mean())  # [] (a 0-d tensor)
        # END SOLUTION

    @staticmethod
    def backward(ctx, grad):                  # grad [] (a 0-d tensor)
        # BEGIN SOLUTION: (softmax - onehot) / N times grad for the logits, None for the labels
        g = ctx.p.copy()
        g[np.arange(len(ctx.y)), ctx.y] -= 1
        return grad * gradlab.tensor(g / len(ctx.y)), None
        # END SOLUTION

# %%
check.softmax_cross_entropy(SoftmaxCrossEntropy)

# %% [markdown]
# ## 5. Exercise 7.8 with your Functions
# Example 7.1's network (1 -> 2 -> 1 -> 1, tanh hidden units) with an **identity** output:
# x(0) = [1; x], s(l) = W(l)^T x(l-1), x(l) = [1; tanh(s(l))] for the hidden layers, x(3) = s(3),
# e = (x(3) - y)^2. Build the forward pass with `MatMul` and `Tanh`, call `retain_grad()` on each
# s(l), run `backward()` on e, and read delta(l) = de/ds(l) = s(l).grad and de/dW(l) = W(l).grad.
# Return every quantity as a column vector ([size, 1]) or matrix.

# %%
def exercise_7_8(x, y, W1, W2, W3):          # W1 [2, 2], W2 [3, 1], W3 [2, 1] Tensors (requires_grad)
    # BEGIN SOLUTION: return {"s": [s1, s2, s3], "x": [x0, x1, x2, x3], "delta": [d1, d2, d3], "dW": [dW1, dW2, dW3]}
    one = gradlab.ones(1, 1).to("float64")
    xs = [gradlab.tensor(np.array([[1.0], [x]]))]           # x(0) [2, 1]
    ss = []
    for layer, W in enumerate((W1, W2, W3), 1):
        s = MatMul.apply(W.T, xs[-1])                        # s(l) [units, 1]
        s.retain_grad()
        ss.append(s)
        xs.append(s if layer == 3 else gradlab.concat([one, Tanh.apply(s)], axis=0))
    e = ((xs[-1] - y) ** 2).sum()
    e.backward()
    return {"s": ss, "x": xs, "delta": [s.grad for s in ss], "dW": [W1.grad, W2.grad, W3.grad]}
    # END SOLUTION

# %%
check.exercise_7_8(exercise_7_8)

# %% [hidden]
from gradlab.labs import check_autograd as check

NET = {"x": -1.5, "y": 0.5, "W1": [[0.3, -0.2], [0.5, 0.1]], "W2": [[-0.1], [0.7], [1.5]], "W3": [[0.4], [-1.2]]}


@test(points=1)
def tanh_forward(nb):
    check.forward(nb.Tanh.apply, gradlab.tanh, "Tanh", (2, 5), seed=11)


@test(points=2)
def tanh_backward(nb):
    from gradlab.labs.checks import check_backward
    check_backward(nb.Tanh.apply, [check._x((5, 2), 12)], ["x"], "Tanh")


@test(points=1)
def sigmoid_forward(nb):
    check.forward(nb.Sigmoid.apply, gradlab.sigmoid, "Sigmoid", (4, 3), seed=13)


@test(points=2)
def sigmoid_backward(nb):
    from gradlab.labs.checks import check_backward
    check_backward(nb.Sigmoid.apply, [check._x((3, 3), 14, 2.0)], ["x"], "Sigmoid")


@test(points=3)
def matmul_forward_and_backward(nb):
    check.matmul(nb.MatMul, seed=15, n=2, k=5, m=3)


@test(points=3)
def softmax_cross_entropy(nb):
    check.softmax_cross_entropy(nb.SoftmaxCrossEntropy, seed=16, n=6, c=3)


@test(points=3)
def exercise_7_8_example(nb):
    check.exercise_7_8(nb.exercise_7_8)


@test(points=3)
def exercise_7_8_other_network(nb):
    check.exercise_7_8(nb.exercise_7_8, NET)
