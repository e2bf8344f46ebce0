// Problem 3 in numpy-free Python: parameters, MACs and activations of the
// standard and the bottleneck residual block, counted from the architecture
// (layer list) rather than from gradlab's modules, then compared.
// A k x k convolution C_in -> C_out: k^2 C_in C_out weights, C_out biases,
// k^2 C_in C_out H W multiply-accumulates per example (stride 1, same padding).
#include "notebooks_export/problem_notebook.h"

namespace gl::notebook {

ProblemCode ex3_code() {
  ProblemCode code;
  code.steps.push_back({"Derivation", "#### Counting from the architecture",
                        R"py(def residual_branch(kind, C):
    """The layers of the residual branch F(x), v1 ordering ([1], Fig. 5)."""
    if kind == "standard":
        return [("conv", 3, C, C), ("bn", C), ("relu", C), ("conv", 3, C, C), ("bn", C)]
    b = C // 4   # bottleneck width
    return [("conv", 1, C, b), ("bn", b), ("relu", b),
            ("conv", 3, b, b), ("bn", b), ("relu", b),
            ("conv", 1, b, C), ("bn", C)]

def count(kind, C, H, W):
    n = dict(conv_weights=0, conv_biases=0, bn_scale_shift=0, bn_running_stats=0,
             macs_per_example=0, activations_per_example=C * H * W)   # the input is stored too
    for layer in residual_branch(kind, C):
        if layer[0] == "conv":
            _, k, c_in, c_out = layer
            n["conv_weights"] += k * k * c_in * c_out
            n["conv_biases"] += c_out
            n["macs_per_example"] += k * k * c_in * c_out * H * W
            n["activations_per_example"] += c_out * H * W
        else:
            c = layer[1]
            if layer[0] == "bn":
                n["bn_scale_shift"] += 2 * c     # gamma, beta: trained
                n["bn_running_stats"] += 2 * c   # running mean, variance: updated, not trained
            n["activations_per_example"] += c * H * W
    n["activations_per_example"] += 2 * C * H * W   # the shortcut addition and the final ReLU
    w, b, a = n["conv_weights"], n["conv_biases"], n["bn_scale_shift"]
    n.update(params_weights_only=w, params_with_bias=w + b, params_with_bn=w + a, params_with_bias_and_bn=w + b + a)
    return n

H, W_, N, nbytes = values["height"], values["width"], values["batch"], values["bytes_per_value"]
mine = {}
for kind in ("standard", "bottleneck"):
    ref = values["blocks"][kind]
    mine[kind] = count(kind, ref["channels"], H, W_)
    for key, number in mine[kind].items():
        assert number == ref[key], (kind, key, number, ref[key])
    assert ref["parameter_count"] == mine[kind]["params_with_bn"]   # gradlab's modules: convs without bias + BN
    assert ref["activation_bytes_at_batch"] == mine[kind]["activations_per_example"] * N * nbytes
    print(f"{kind:10s} C = {ref['channels']:4d}: " + ", ".join(f"{k} = {v}" for k, v in mine[kind].items()))
print("every count agrees with gradlab."))py"});
  code.steps.push_back({"Comparison", "#### The two blocks compared",
                        R"py(s, b = mine["standard"], mine["bottleneck"]
ratios = {"weights_ratio": b["conv_weights"] / s["conv_weights"],
          "macs_ratio": b["macs_per_example"] / s["macs_per_example"],
          "activations_ratio": b["activations_per_example"] / s["activations_per_example"]}
for key, r in ratios.items():
    assert np.isclose(r, values["comparison"][key], rtol=1e-12), key
    print(f"bottleneck / standard, {key[:-6]}: {r:.3f}")

# Parameters (about 10^4) and cost (about 10^6) on separate axes, each linear,
# so the four conventions can be told apart.
names = {"standard": f"standard (C = {values['blocks']['standard']['channels']})",
         "bottleneck": f"bottleneck (C = {values['blocks']['bottleneck']['channels']})"}
groups = [("Trainable parameters", ["weights only", "+ conv biases", "+ BN scale/shift", "+ both"],
           ["params_weights_only", "params_with_bias", "params_with_bn", "params_with_bias_and_bn"], 1, ""),
          ("Per example", ["MACs", "activations"], ["macs_per_example", "activations_per_example"], 1e6, " (millions)")]
fig, axes = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
for ax, (title, labels, keys, scale, unit) in zip(axes, groups):
    x = np.arange(len(keys))
    ax.bar(x - 0.2, [s[k] / scale for k in keys], 0.4, label=names["standard"])
    ax.bar(x + 0.2, [b[k] / scale for k in keys], 0.4, label=names["bottleneck"])
    ax.set_xticks(x, labels, rotation=15)
    ax.set_title(title + unit)
axes[0].legend()
plt.tight_layout()
plt.show())py"});
  code.try_it_explanation =
      "Change the channel counts or the feature-map size and run the cell: the closed forms "
      "$2\\cdot 9C^2$ (standard) and $Cb + 9b^2 + bC$, $b = C/4$ (bottleneck) follow.";
  code.try_it_python = R"py(C_standard, C_bottleneck, H_try, W_try = 64, 256, 8, 8   # change me
for kind, C in (("standard", C_standard), ("bottleneck", C_bottleneck)):
    n = count(kind, C, H_try, W_try)
    print(f"{kind:10s} C = {C:4d}: {n['params_with_bn']:8d} parameters (weights + BN), "
          f"{n['macs_per_example'] / 1e6:8.2f} M MACs, {n['activations_per_example']:8d} activations per example"))py";
  return code;
}

}  // namespace gl::notebook
