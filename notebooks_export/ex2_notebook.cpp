// Problem 2 (LFD Exercise 7.8) in numpy: Example 7.1's forward and backward
// pass in the book's notation, with the identity and with the tanh output.
// Book notation, column vectors: x(l) [d(l)+1] with a leading bias coordinate 1
// (none on the output), W(l) [d(l-1)+1, d(l)], s(l) = W(l)^T x(l-1) [d(l)].
#include "notebooks_export/problem_notebook.h"

namespace gl::notebook {

ProblemCode ex2_code() {
  ProblemCode code;
  code.steps.push_back({"Derivation", "#### The book's forward and backward pass in numpy",
                        R"py(def forward_backward(x, y, W, output):
    """Example 7.1's recursion. output: "identity" (Exercise 7.8) or "tanh" (Example 7.1).
    Returns s(l), x(l), delta(l), de/dW(l) for l = 1..L (list index l-1) and e."""
    L = len(W)
    xs, ss = [np.concatenate([[1.0], x])], []          # x(0) = [1; x]
    for l in range(L):
        s = W[l].T @ xs[-1]                             # s(l) = W(l)^T x(l-1)
        ss.append(s)
        if l < L - 1:
            xs.append(np.concatenate([[1.0], np.tanh(s)]))   # hidden: [1; tanh(s)]
        else:
            xs.append(np.tanh(s) if output == "tanh" else s)  # output: no bias coordinate
    e = float(np.sum((xs[-1] - y) ** 2))
    deltas = [None] * L
    out_slope = 1.0 - xs[-1] ** 2 if output == "tanh" else np.ones_like(xs[-1])
    deltas[L - 1] = 2.0 * (xs[-1] - y) * out_slope     # delta(L) = de/ds(L)
    for l in range(L - 2, -1, -1):                      # delta(l) = tanh'(s(l)) (x) [W(l+1) delta(l+1)], bias row dropped
        deltas[l] = (1.0 - np.tanh(ss[l]) ** 2) * (W[l + 1][1:, :] @ deltas[l + 1])
    dW = [np.outer(xs[l], deltas[l]) for l in range(L)] # de/dW(l) = x(l-1) delta(l)^T
    return ss, xs[1:], deltas, dW, e

net = values["network"]
x0, y0 = np.array(net["x"], dtype=float), float(net["y"])
W = [np.array(Wl, dtype=float) for Wl in net["W"]]
for output in ("identity", "tanh"):
    ss, xs, deltas, dW, e = forward_backward(x0, y0, W, output)
    ref = values[output]
    for l in range(len(W)):
        k = str(l + 1)
        assert np.allclose(ss[l], ref["s" + k], rtol=1e-12, atol=1e-14), (output, "s" + k)
        assert np.allclose(xs[l], ref["x" + k], rtol=1e-12, atol=1e-14), (output, "x" + k)
        assert np.allclose(deltas[l], ref["delta" + k], rtol=1e-12, atol=1e-14), (output, "delta" + k)
        assert np.allclose(dW[l], np.array(ref["dW" + k]).reshape(dW[l].shape), rtol=1e-12, atol=1e-14), (output, "dW" + k)
    assert np.isclose(e, ref["e"], rtol=1e-12, atol=1e-15)
print("numpy's recursion reproduces gradlab's s, x, delta and de/dW for both outputs."))py"});
  code.steps.push_back({"Forward and backward", "#### Both outputs side by side, and a third route: central differences",
                        R"py(def table(output):
    ss, xs, deltas, dW, e = forward_backward(x0, y0, W, output)
    lines = [f"| quantity | {output} output |", "| --- | --- |"]
    fmt = lambda a: np.array2string(np.asarray(a), precision=4, separator=", ").replace("\n", "")
    for l in range(len(W)):
        lines.append(f"| $s^{{({l+1})}}$ | {fmt(ss[l])} |")
        lines.append(f"| $x^{{({l+1})}}$ | {fmt(xs[l])} |")
    for l in reversed(range(len(W))):
        lines.append(f"| $\\delta^{{({l+1})}}$ | {fmt(deltas[l])} |")
    for l in range(len(W)):
        lines.append(f"| $\\partial e/\\partial W^{{({l+1})}}$ | {fmt(dW[l])} |")
    lines.append(f"| $e$ | {e:.4f} |")
    return "\n".join(lines)

display(Markdown(table("identity")))
display(Markdown(table("tanh")))

def error_of(W, output):
    return forward_backward(x0, y0, W, output)[4]

h = 1e-6
for output in ("identity", "tanh"):
    dW = forward_backward(x0, y0, W, output)[3]
    for l in range(len(W)):
        fd = np.zeros_like(W[l])
        for idx in np.ndindex(*W[l].shape):
            Wp = [Wm.copy() for Wm in W]; Wp[l][idx] += h
            Wm_ = [Wm.copy() for Wm in W]; Wm_[l][idx] -= h
            fd[idx] = (error_of(Wp, output) - error_of(Wm_, output)) / (2 * h)
        assert np.allclose(fd, dW[l], rtol=1e-6, atol=1e-8), (output, l + 1)
print("central differences agree with de/dW(l) for every layer and both outputs."))py"});
  code.try_it_explanation =
      "Change the input `x_try`, the target `y_try` or a weight and run the cell: the recursion above gives the "
      "new tables. To get gradlab's version of the same network, re-export with "
      "`export_notebooks --out DIR --ex2 \"--x 1 --W1 '0.1,0.2;0.3,0.4'\"`.";
  code.try_it_python = R"py(x_try = np.array([2.0])   # the input (without the bias coordinate)
y_try = 1.0
W_try = [Wl.copy() for Wl in W]
W_try[-1][1, 0] = 2.0     # the output layer's first weight (row 0 is the bias): change me
ss, xs, deltas, dW, e = forward_backward(x_try, y_try, W_try, "identity")
print("e =", e)
for l, g in enumerate(dW, start=1):
    print(f"de/dW({l}) =\n{g}"))py";
  return code;
}

}  // namespace gl::notebook
