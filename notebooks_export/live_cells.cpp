// The live cells of each problem notebook: the checker's numbers reproduced
// with `import gradlab` (the engine's Python module), beside the numpy
// recomputation that stays as the independent check. Each step goes after
// the numpy step of the same section (problem_notebook.cpp appends them).
#include "notebooks_export/problem_notebook.h"

#include <fmt/format.h>

#include "engine/core/error.h"

namespace gl::notebook {
namespace {

std::vector<CodeStep> ex1_live() {
  return {{"Confirmation", "#### Live: the gradient from gradlab's engine, in Python",
           R"py(Xg = gradlab.tensor(np.array(values["X"]), dtype="float64")      # [N, d]
yg = gradlab.tensor(np.array(values["y"]), dtype="float64")      # [N]

def E_in_of(w):                                                  # (1/N) sum_n (tanh(w^T x_n) - y_n)^2
    return gradlab.mean((gradlab.tanh(Xg @ w.reshape(-1, 1)).reshape(-1) - yg) ** 2)

wg = gradlab.tensor(np.array(values["w"]), dtype="float64", requires_grad=True)
E = E_in_of(wg)
E.backward()
print("E_in           gradlab live:", E.item(), "   checker:", values["E_in"])
print("grad E_in      gradlab live:", wg.grad.numpy())
print("               checker     :", np.array(values["grad_autograd"]))
assert np.isclose(E.item(), values["E_in"], rtol=1e-12)
assert np.allclose(wg.grad.numpy(), values["grad_autograd"], rtol=1e-10, atol=1e-14)
check = gradlab.gradcheck(E_in_of, [wg.detach()])               # float64 central differences
print(check)
assert check.ok)py"}};
}

std::vector<CodeStep> ex2_live() {
  return {{"Forward and backward", "#### Live: the network in gradlab, its graph, and de/dW by autograd",
           R"py(def gradlab_network(output):
    """Example 7.1's network in gradlab; returns e, the W(l) leaves and the s(l) (gradients kept)."""
    net = values["network"]
    Ws = [gradlab.tensor(np.array(Wl, dtype=float), requires_grad=True) for Wl in net["W"]]
    one = gradlab.ones(1, dtype="float64")
    x = gradlab.concat([one, gradlab.tensor(np.array(net["x"], dtype=float))], axis=0)   # x(0) = [1; x]
    ss = []
    for l, W in enumerate(Ws):
        W.name = f"W({l + 1})"
        s = (x.reshape(1, -1) @ W).reshape(-1)              # s(l) = W(l)^T x(l-1)
        s.retain_grad()
        ss.append(s)
        last = l == len(Ws) - 1
        if not last:
            x = gradlab.concat([one, gradlab.tanh(s)], axis=0)
        else:
            x = gradlab.tanh(s) if output == "tanh" else s
    e = gradlab.sum((x - float(net["y"])) ** 2)
    return e, Ws, ss

for output in ("identity", "tanh"):
    e, Ws, ss = gradlab_network(output)
    e.backward(retain_graph=True)
    ref = values[output]
    assert np.isclose(e.item(), ref["e"], rtol=1e-12), output
    for l in range(len(Ws)):
        k = str(l + 1)
        assert np.allclose(ss[l].grad.numpy(), ref["delta" + k], rtol=1e-10, atol=1e-14), (output, "delta" + k)
        assert np.allclose(Ws[l].grad.numpy(), ref["dW" + k], rtol=1e-10, atol=1e-14), (output, "dW" + k)
    print(f"{output:8s}: e = {e.item():.6f}; delta(l) = de/ds(l) and de/dW(l) from gradlab's autograd match the checker")

e, Ws, ss = gradlab_network("identity")
gradlab.to_dot(e)   # the computation graph that backward() walks (drawn when graphviz is installed))py"}};
}

std::vector<CodeStep> ex3_live() {
  return {{"Derivation", "#### Live: both blocks built with gradlab, their parameters counted",
           R"py(std_info, bot_info = values["blocks"]["standard"], values["blocks"]["bottleneck"]
C_std, C_bot = std_info["channels"], bot_info["channels"]
standard = gradlab.models.StandardBlock(C_std, C_std, seed=0)           # conv3-BN-ReLU-conv3-BN, + x, ReLU
bottleneck = gradlab.models.BottleneckBlock(C_bot, C_bot // 4, seed=0)  # pre-activation 1x1-3x3-1x1, 4x out
for name, block, info in (("standard", standard, std_info), ("bottleneck", bottleneck, bot_info)):
    params = block.named_parameters()
    conv_weights = sum(t.numel() for n, t in params if n.endswith("weight"))
    bn = sum(t.numel() for n, t in params if n.endswith("gamma") or n.endswith("beta"))
    running = sum(t.numel() for n, t in block.named_buffers())
    print(f"{name:10s}: {block.parameter_count()} trainable parameters ({conv_weights} conv weights + {bn} "
          f"BN scale/shift); {running} running statistics (not trained)")
    assert block.parameter_count() == info["params_with_bn"] and conv_weights == info["params_weights_only"]
    assert bn == info["bn_scale_shift"] and running == info["bn_running_stats"]
    x = gradlab.randn(2, info["channels"], values["height"], values["width"])   # identity shortcut: shape kept
    assert block(x).shape == x.shape)py"}};
}

std::vector<CodeStep> ex4_live() {
  return {{"Derivation", "#### Live: the same statistics from gradlab's reductions and batch norm",
           R"py(rng = np.random.default_rng(1)
for key in ("fc", "conv"):
    case = values[key]
    x = gradlab.tensor(rng.normal(size=case["x_shape"]))          # N x C or N x H x W x C
    axes = case["reduced_axes"]
    for keep, suffix in ((False, ""), (True, "_keepdims")):
        mu, var = gradlab.mean(x, axes=axes, keepdims=keep), gradlab.var(x, axes=axes, keepdims=keep)
        assert list(mu.shape) == case["mean_shape" + suffix] and list(var.shape) == case["var_shape" + suffix]
    # The engine's batch norm works channels-first: [N, C] or [N, C, H, W]; its running statistics are [C].
    x_cf = x if x.ndim == 2 else gradlab.permute(x, [0, 3, 1, 2])
    C = x_cf.shape[1]
    running_mean, running_var = gradlab.zeros(C, dtype="float64"), gradlab.ones(C, dtype="float64")
    y = gradlab.batch_norm(x_cf, gradlab.ones(C, dtype="float64"), gradlab.zeros(C, dtype="float64"),
                           running_mean, running_var, training=True, eps=values["eps"])
    channel_axes = [a for a in range(y.ndim) if a != 1]
    assert np.allclose(gradlab.mean(y, axes=channel_axes).numpy(), 0.0, atol=1e-12)
    assert running_mean.shape == (C,) and running_var.shape == (C,)
    print(f"{key:4s}: gradlab's mean and var {list(gradlab.mean(x, axes=axes).shape)}, kept dimensions "
          f"{list(gradlab.mean(x, axes=axes, keepdims=True).shape)}; batch_norm's running statistics "
          f"{list(running_mean.shape)}"))py"}};
}

std::vector<CodeStep> ex5_live() {
  return {{"(c)", "#### Live: A from gradlab.conv1d_matrix, B = A^T from gradlab.jacobian, (c) by gradlab.conv1d",
           R"py(Wg = gradlab.tensor(Wk, dtype="float64")                        # [Cout, Cin, S]
A_gl = gradlab.conv1d_matrix(Wg, length=L)                       # [Cout*Lo, Cin*L]
assert np.allclose(A_gl.numpy(), values["A_numeric"], rtol=1e-14, atol=1e-15)

# A symbolically: probe the explicit matrix with one weight set to 1 at a time.
A_probe = [["0"] * (Cin * L) for _ in range(Cout * Lo)]
for j in range(Cout):
    for i in range(Cin):
        for k in range(S):
            one_hot = np.zeros_like(Wk); one_hot[j, i, k] = 1.0
            for r, c in np.argwhere(gradlab.conv1d_matrix(gradlab.tensor(one_hot), length=L).numpy() != 0):
                A_probe[r][c] = symbol(i + 1, j + 1, k + 1)
assert A_probe == values["A_symbolic"]

# B by autograd: the Jacobian of Y~ with respect to X~ is A, and back-propagation multiplies by its transpose.
conv = lambda x_flat: gradlab.conv1d(x_flat.reshape(1, Cin, L), Wg).reshape(-1)
J = gradlab.jacobian(conv, gradlab.tensor(X.ravel()))
B_gl = J.numpy().T
assert np.allclose(B_gl, A_gl.numpy().T, rtol=1e-14, atol=1e-15)
x_live = gradlab.tensor(X.ravel(), requires_grad=True)
conv(x_live).backward(gradlab.tensor(G.ravel()))
assert np.allclose(x_live.grad.numpy(), B_gl @ G.ravel(), rtol=1e-12, atol=1e-14)
assert np.allclose(x_live.grad.numpy(), values["dL_dX"], rtol=1e-12, atol=1e-14)

# (c): dL/dX is conv1d(dL/dY, V, padding=S-1) with V[i, j] = W_ij reversed, run by the engine.
dX_live = gradlab.conv1d(gradlab.tensor(G[None]), gradlab.tensor(np.ascontiguousarray(V)), padding=S - 1)
assert np.allclose(dX_live.numpy()[0], dX_conv, rtol=1e-12, atol=1e-14)
print("gradlab live: A =", A_gl.shape, "from conv1d_matrix; B = J^T =", B_gl.shape, "from jacobian; (c) conv1d with",
      "padding", S - 1, "reproduces dL/dX:", np.round(dX_live.numpy()[0].ravel(), 4)))py"}};
}

}  // namespace

std::vector<CodeStep> live_steps(const std::string& id) {
  if (id == "ex1") return ex1_live();
  if (id == "ex2") return ex2_live();
  if (id == "ex3") return ex3_live();
  if (id == "ex4") return ex4_live();
  if (id == "ex5") return ex5_live();
  throw Error(fmt::format("live_steps: unknown problem id '{}' (expected ex1 ... ex5)", id));
}

}  // namespace gl::notebook
