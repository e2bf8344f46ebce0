// Problem 5 in numpy: the 1-D convolution as Y~ = A X~, back-propagation as
// B = A^T, and (c) back-propagation as a full-padded convolution with flipped
// kernels. Shapes: W [Cout, Cin, S] (W[j-1, i-1, k-1] = w^{ij}_k), X [Cin, L],
// Y and dL/dY [Cout, Lo], Lo = L - S + 1; A [Cout*Lo, Cin*L], B [Cin*L, Cout*Lo].
#include "notebooks_export/problem_notebook.h"

namespace gl::notebook {

ProblemCode ex5_code() {
  ProblemCode code;
  code.steps.push_back({"(a)", "#### (a) A from the definition, in numpy",
                        R"py(z = values["sizes"]
Cin, Cout, L, S, Lo = z["in_channels"], z["out_channels"], z["length"], z["kernel"], z["out_length"]
assert Lo == L - S + 1
Wk = np.array(values["W"]).reshape(Cout, Cin, S)   # Wk[j-1, i-1, k-1] = w^{ij}_k
X = np.array(values["X"]).reshape(Cin, L)
wide = Cin > 9 or Cout > 9 or S > 9
def symbol(i, j, k):                               # 1-based, as in the problem
    return f"w{i},{j}_{k}" if wide else f"w{i}{j}_{k}"

# y_j[t] = sum_i sum_k w^{ij}_k x_i[t + k - 1]  =>  A[(j, t), (i, t + k - 1)] = w^{ij}_k
A = np.zeros((Cout * Lo, Cin * L))
A_symbolic = [["0"] * (Cin * L) for _ in range(Cout * Lo)]
for j in range(Cout):
    for t in range(Lo):
        for i in range(Cin):
            for k in range(S):
                A[j * Lo + t, i * L + t + k] = Wk[j, i, k]
                A_symbolic[j * Lo + t][i * L + t + k] = symbol(i + 1, j + 1, k + 1)
assert A_symbolic == values["A_symbolic"], "numpy's symbolic A differs from gradlab's"
assert np.allclose(A, values["A_numeric"], rtol=1e-14, atol=1e-15)

# The convolution itself, by numpy's cross-correlation, channel by channel.
Y = np.array([sum(np.correlate(X[i], Wk[j, i], mode="valid") for i in range(Cin)) for j in range(Cout)])
assert np.allclose(A @ X.ravel(), Y.ravel(), rtol=1e-12, atol=1e-14)
assert np.allclose(Y.ravel(), values["Y"], rtol=1e-12, atol=1e-14)

def latex(symbols):
    entry = lambda s: s if s == "0" else "w^{" + s[1:s.index("_")] + "}_{" + s[s.index("_") + 1:] + "}"
    return "\\begin{bmatrix}" + " \\\\ ".join(" & ".join(entry(s) for s in row) for row in symbols) + "\\end{bmatrix}"

xs = "[" + ", ".join(values["x_labels"]) + "]^\\top"
display(Markdown(f"$$\\tilde Y = A\\,\\tilde X,\\quad A = {latex(A_symbolic)},\\quad \\tilde X = {xs}$$")))py"});
  code.steps.push_back({"(b)", "#### (b) B = A transposed, in numpy",
                        R"py(B_symbolic = [list(col) for col in zip(*A_symbolic)]   # the transpose, entry by entry
assert B_symbolic == values["B_symbolic"], "gradlab's B (probed from autograd) is not A^T"
G = np.array(values["dL_dY"]).reshape(Cout, Lo)          # dL/dY
dX = A.T @ G.ravel()                                     # dL/dX~ = B dL/dY~, B = A^T
assert np.allclose(dX, values["dL_dX"], rtol=1e-12, atol=1e-14)

# B is also the Jacobian dY~/dX~ transposed: check it column by column with central differences.
h = 1e-6
J = np.zeros_like(A)
for n in range(Cin * L):
    e = np.zeros(Cin * L); e[n] = h
    J[:, n] = (A @ (X.ravel() + e) - A @ (X.ravel() - e)) / (2 * h)
assert np.allclose(J.T, np.array(values["A_numeric"]).T, rtol=1e-7, atol=1e-9)   # B = J^T = A^T
display(Markdown(f"$$\\frac{{\\partial L}}{{\\partial \\tilde X}} = B\\,\\frac{{\\partial L}}{{\\partial \\tilde Y}},"
                 f"\\quad B = A^\\top = {latex(B_symbolic)}$$"))

def show(ax, M, symbols, title, row_labels, col_labels):
    ax.imshow(M, cmap="coolwarm", vmin=-np.abs(M).max(), vmax=np.abs(M).max())
    ax.set_title(title)
    ax.set_xticks(range(len(col_labels)), col_labels, fontsize=7, rotation=90)
    ax.set_yticks(range(len(row_labels)), row_labels, fontsize=7)
    if M.size <= 400:
        for (r, c), s in np.ndenumerate(np.array(symbols, dtype=object)):
            if s != "0":
                ax.text(c, r, s, ha="center", va="center", fontsize=7)

dx_labels = ["d" + s for s in values["x_labels"]]
dy_labels = ["d" + s for s in values["y_labels"]]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
show(ax1, A, A_symbolic, "A (Y~ = A X~), colour = the random weights", values["y_labels"], values["x_labels"])
show(ax2, A.T, B_symbolic, "B = A^T (dL/dX~ = B dL/dY~)", dx_labels, dy_labels)
plt.tight_layout()
plt.show())py"});
  code.steps.push_back({"(c)", "#### (c) Back-propagation as a convolution, in numpy",
                        R"py(# dL/dx_i[u] = sum_j sum_k w^{ij}_k dL/dy_j[u - k + 1]: a "full" convolution (zero padding S - 1),
# i.e. numpy's np.convolve, which flips the kernel: cross-correlation with V_ij = W_ij reversed.
pad = S - 1
assert values["back_padding"] == pad and values["back_stride"] == 1
dX_conv = np.array([sum(np.convolve(G[j], Wk[j, i], mode="full") for j in range(Cout)) for i in range(Cin)])
assert np.allclose(dX_conv.ravel(), dX, rtol=1e-12, atol=1e-14)
assert np.allclose(dX_conv.ravel(), values["dL_dX_by_convolution"], rtol=1e-12, atol=1e-14)

# The same thing written as cross-correlation of the zero-padded dL/dY with the flipped kernels V.
V = Wk.transpose(1, 0, 2)[:, :, ::-1]                    # V[i, j] = W_ij reversed: [Cin, Cout, S]
G_padded = np.pad(G, ((0, 0), (pad, pad)))
dX_corr = np.array([sum(np.correlate(G_padded[j], V[i, j], mode="valid") for j in range(Cout)) for i in range(Cin)])
assert np.allclose(dX_corr, dX_conv, rtol=1e-12, atol=1e-14)

# The kernels, symbolically: from dL/dY channel j into dL/dX channel i.
for i in range(1, Cin + 1):
    for j in range(1, Cout + 1):
        key = f"V_{i},{j}" if wide else f"V_{i}{j}"
        taps = [symbol(i, j, k) for k in range(S, 0, -1)]
        assert values["back_kernels"][key] == taps, key
        print(f"{key}: dL/dY channel {j} -> dL/dX channel {i}: [{', '.join(taps)}]   (numbers: {np.round(V[i-1, j-1], 4)})")
print(f"padding {pad} on both sides, stride 1")

fig, axes = plt.subplots(1, 3, figsize=(12, 3))
axes[0].imshow(G, cmap="coolwarm"); axes[0].set_title("dL/dY  [Cout, Lo]")
axes[1].imshow(G_padded, cmap="coolwarm"); axes[1].set_title(f"dL/dY zero-padded by {pad}")
axes[2].imshow(dX_conv, cmap="coolwarm"); axes[2].set_title("dL/dX = conv(pad(dL/dY), V)  [Cin, L]")
plt.tight_layout()
plt.show())py"});
  code.try_it_explanation =
      "Change the input or the upstream gradient and run the cell: the matrix route $B\\,\\partial L/\\partial\\tilde Y$ "
      "and the convolution route keep agreeing.";
  code.try_it_python = R"py(rng = np.random.default_rng(1)   # change the seed
G_try = rng.normal(size=(Cout, Lo))
by_matrix = A.T @ G_try.ravel()
by_convolution = np.array([sum(np.convolve(G_try[j], Wk[j, i], mode="full") for j in range(Cout)) for i in range(Cin)])
print("B dL/dY~          :", np.round(by_matrix, 4))
print("conv(pad(dL/dY), V):", np.round(by_convolution.ravel(), 4))
print("max |difference|  :", np.max(np.abs(by_matrix - by_convolution.ravel()))))py";
  return code;
}

}  // namespace gl::notebook
