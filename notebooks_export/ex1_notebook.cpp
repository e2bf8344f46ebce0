// Problem 1 (LFD Exercise 7.7) in numpy: E_in, its gradient by the derived
// formula and by central differences, and the gradient norm as w is scaled up.
// Shapes: X [N, d], y [N], w [d].
#include "notebooks_export/problem_notebook.h"

namespace gl::notebook {

ProblemCode ex1_code() {
  ProblemCode code;
  code.steps.push_back({"Confirmation", "#### Recompute with numpy",
                        R"py(X = np.array(values["X"], dtype=float)   # [N, d], one data point per row
y = np.array(values["y"], dtype=float)   # [N], labels +-1
w = np.array(values["w"], dtype=float)   # [d]
N, d = X.shape

def E_in(w):
    """(1/N) sum_n (tanh(w^T x_n) - y_n)^2"""
    return np.mean((np.tanh(X @ w) - y) ** 2)

def grad_E_in(w):
    """The derived formula: (2/N) sum_n (tanh(s_n) - y_n)(1 - tanh^2(s_n)) x_n, s_n = w^T x_n."""
    t = np.tanh(X @ w)
    return (2.0 / N) * X.T @ ((t - y) * (1.0 - t ** 2))

def grad_central_differences(f, w, h=1e-6):
    return np.array([(f(w + h * e) - f(w - h * e)) / (2 * h) for e in np.eye(len(w))])

g = grad_E_in(w)
g_fd = grad_central_differences(E_in, w)
print("E_in(w)            numpy:", E_in(w), "  gradlab:", values["E_in"])
print("grad (formula)     numpy:", g)
print("grad (autograd)  gradlab:", np.array(values["grad_autograd"]))
print("grad (central diff) numpy:", g_fd)
assert np.isclose(E_in(w), values["E_in"], rtol=1e-12, atol=1e-15)
assert np.allclose(g, values["grad_formula"], rtol=1e-10, atol=1e-14)
assert np.allclose(g, values["grad_autograd"], rtol=1e-10, atol=1e-14)
assert np.allclose(g, values["grad_finite_diff"], rtol=1e-6, atol=1e-8)
assert np.allclose(g, g_fd, rtol=1e-6, atol=1e-8))py"});
  code.steps.push_back({"What happens", "#### The gradient norm against the weight scale (log-log)",
                        R"py(rows = values["scaling"]
scales = np.array([r["scale"] for r in rows])
norms_numpy = np.array([np.linalg.norm(grad_E_in(c * w)) for c in scales])
E_numpy = np.array([E_in(c * w) for c in scales])
E_sign = np.array([np.mean((np.sign(X @ (c * w)) - y) ** 2) for c in scales])
# Far out, 1 - tanh^2(s) is a difference of numbers that round to 1: the last bits
# depend on the tanh implementation, so compare on the scale of the gradient at c = 1.
atol = 1e-9 * max(norms_numpy[0], 1e-300)
assert np.allclose(norms_numpy, [r["grad_norm_formula"] for r in rows], rtol=1e-8, atol=atol)
assert np.allclose(norms_numpy, [r["grad_norm_autograd"] for r in rows], rtol=1e-8, atol=atol)
assert np.allclose(E_numpy, [r["E_in"] for r in rows], rtol=1e-10, atol=1e-12)
assert np.allclose(E_sign, [r["E_in_hard_threshold"] for r in rows], rtol=1e-12, atol=1e-12)
bound = np.array([r["bound"] for r in rows])
assert np.all(norms_numpy <= bound * (1 + 1e-9) + atol), "the gradient must stay under its exponential bound"

dense = np.logspace(-2, np.log10(scales[-1]), 200)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
ax1.loglog(dense, [np.linalg.norm(grad_E_in(c * w)) for c in dense], label="numpy: ||grad E_in(c w)||")
ax1.loglog(scales, [r["grad_norm_autograd"] for r in rows], "o", label="gradlab (autograd)")
ax1.loglog(scales, bound, "k--", lw=1, label="bound (16/N) sum exp(-2|s_n|) ||x_n||")
ax1.set_xlabel("weight scale c (w -> c w)")
ax1.set_ylabel("gradient norm")
ax1.set_title("The gradient vanishes as the weights grow")
ax1.legend(fontsize=8)
ax2.semilogx(dense, [E_in(c * w) for c in dense], label="E_in(c w), tanh")
ax2.semilogx(scales, E_sign, "s", label="E_in of sign(w^T x), the perceptron")
ax2.set_xlabel("weight scale c")
ax2.set_ylabel("E_in")
ax2.set_title("... while the error does not")
ax2.legend(fontsize=8)
plt.tight_layout()
plt.show()
for c, n, e in zip(scales, norms_numpy, E_numpy):
    print(f"c = {c:8.0e}   ||grad|| = {n:.3e}   E_in = {e:.4f}"))py"});
  code.try_it_explanation =
      "Change `c` (the weight scale) or `h` (the finite-difference step) and run the cell: the formula and "
      "central differences keep agreeing, and the gradient shrinks like $e^{-2|s|}$ as $c$ grows.";
  code.try_it_python = R"py(c = 3.0      # try 0.01, 1, 30, 300
h = 1e-6
g_c = grad_E_in(c * w)
print("E_in(c w) =", E_in(c * w))
print("||grad E_in(c w)|| =", np.linalg.norm(g_c))
print("max |formula - central differences| =", np.max(np.abs(g_c - grad_central_differences(E_in, c * w, h))))
print("max_n tanh'(s_n) =", np.max(1 - np.tanh(X @ (c * w)) ** 2)))py";
  return code;
}

}  // namespace gl::notebook
