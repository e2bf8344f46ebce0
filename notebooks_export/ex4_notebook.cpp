// Problem 4 in numpy: the shapes of batch-norm statistics. numpy reduces a
// tensor of each shape over every axis but the channel axis C (last here, as
// in the problem's N x C and N x H x W x C), with and without kept dimensions.
#include "notebooks_export/problem_notebook.h"

namespace gl::notebook {

ProblemCode ex4_code() {
  ProblemCode code;
  code.steps.push_back({"Derivation", "#### The statistics' shapes in numpy",
                        R"py(rng = np.random.default_rng(0)
for key in ("fc", "conv"):
    case = values[key]
    x = rng.normal(size=case["x_shape"])                 # N x C or N x H x W x C
    axes = tuple(i for i in range(x.ndim) if i != x.ndim - 1)   # every axis but C
    assert list(axes) == case["reduced_axes"], (key, axes)
    mu, var = x.mean(axis=axes), x.var(axis=axes)
    mu_k, var_k = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    assert list(mu.shape) == case["mean_shape"] and list(var.shape) == case["var_shape"], key
    assert list(mu_k.shape) == case["mean_shape_keepdims"] and list(var_k.shape) == case["var_shape_keepdims"], key
    assert x.size // x.shape[-1] == case["values_per_statistic"], key
    names = case["axis_names"]
    assert [names[i] for i in range(x.ndim) if i not in axes] == case["mean_shape_symbolic"], key
    print(f"{key:4s}: x {' x '.join(names)} = {list(x.shape)} -> mean, var {list(mu.shape)}, "
          f"kept dimensions {list(mu_k.shape)}, each over {case['values_per_statistic']} values"))py"});
  code.steps.push_back({"Answer", "#### What normalization leaves, and why kept dimensions matter",
                        R"py(eps = values["eps"]
for key in ("fc", "conv"):
    case = values[key]
    sigma2 = np.array(case["var"])
    # y = (x - mu) / sqrt(sigma^2 + eps) has, per channel, mean 0 and variance sigma^2 / (sigma^2 + eps).
    assert np.allclose(case["output_channel_mean"], 0.0, atol=1e-12), key
    assert np.allclose(case["output_channel_var"], sigma2 / (sigma2 + eps), rtol=1e-10, atol=1e-12), key
    print(f"{key:4s}: per-channel variance after normalization {np.round(case['output_channel_var'], 8)}")

# In the channels-first layout [N, C, H, W] a plain [C] statistic does not broadcast;
# the kept-dimension statistic [1, C, 1, 1] does.
N, H, W, C = values["conv"]["x_shape"]
x_nchw = rng.normal(size=(N, C, H, W))
mu_plain = x_nchw.mean(axis=(0, 2, 3))
mu_kept = x_nchw.mean(axis=(0, 2, 3), keepdims=True)
print("kept dimensions:", mu_kept.shape, "-> (x - mu) has shape", (x_nchw - mu_kept).shape)
try:
    x_nchw - mu_plain
    broadcast_ok = True
except ValueError as error:
    broadcast_ok = False
    print("plain [C]:", mu_plain.shape, "->", error)
assert broadcast_ok == (W == C or C == 1), "a [C] vector broadcasts against [N, C, H, W] only when W == C (or C == 1)")py"});
  code.try_it_explanation = "Change the shape and run the cell: the statistics always have one entry per channel.";
  code.try_it_python = R"py(shape = (16, 7, 7, 64)   # N x H x W x C: change me
x = rng.normal(size=shape)
axes = tuple(range(len(shape) - 1))
print("mean:", x.mean(axis=axes).shape, " kept:", x.mean(axis=axes, keepdims=True).shape))py";
  return code;
}

}  // namespace gl::notebook
