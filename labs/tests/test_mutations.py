"""Mutated solutions lose exactly the points of the tests that should catch them, and each failure
explains itself. A mutation is (what it does, the text replaced in the lab source, the replacement,
the hidden tests that must fail, a phrase the first failure's message must contain)."""
import pytest

from conftest import LABS_DIR, failed, grade_file, notebook_from_source

MUTATIONS = {
    "lab1_autograd": [
        ("sign flipped in Tanh's backward", "return grad * (1 - y * y)", "return -grad * (1 - y * y)",
         {"tanh_backward", "exercise_7_8_example", "exercise_7_8_other_network"}, "a sign error?"),
        ("sigmoid's derivative missing (1 - y)", "return grad * y * (1 - y)\n", "return grad * y\n",
         {"sigmoid_backward"}, "finite differences give"),
        ("MatMul's gradient for B halved", "return grad @ b.T, a.T @ grad", "return grad @ b.T, 0.5 * (a.T @ grad)",
         {"matmul_forward_and_backward", "exercise_7_8_example", "exercise_7_8_other_network"},
         "off by a constant factor 0.5"),
        ("softmax without the max subtracted", "z = z - z.max(axis=1, keepdims=True)", "z = z",
         {"softmax_cross_entropy"}, "non-finite"),
        ("tanh kept at the output (Example 7.1, not Exercise 7.8)", "xs.append(s if layer == 3 else",
         "xs.append(Tanh.apply(s) if layer == 3 else", {"exercise_7_8_example", "exercise_7_8_other_network"},
         "with a tanh output"),
    ],
    "lab2_conv_matrix": [
        ("transposed im2col", "return cols.reshape(C * K, Lo)", "return cols.reshape(C * K, Lo).T",
         {"im2col_1d_plain", "im2col_1d_stride_padding", "conv1d_function", "conv1d_matrix_problem5"}, "transposed?"),
        ("col2im overwrites instead of adding", "xp[:, k:k + stride * (Lo - 1) + 1:stride] += c3[:, k, :]",
         "xp[:, k:k + stride * (Lo - 1) + 1:stride] = c3[:, k, :]", {"col2im_1d_overlaps", "conv1d_function"},
         "overlapping taps must add up"),
        ("sign flipped in Conv2d's backward for x", "dx = np.stack([col2im_2d(wn.reshape(O, -1).T @ gi",
         "dx = -np.stack([col2im_2d(wn.reshape(O, -1).T @ gi", {"conv2d_function"}, "a sign error?"),
        ("kernels not flipped in the transposed convolution", "w.transpose(1, 0, 2)[:, :, ::-1]",
         "w.transpose(1, 0, 2)", {"backward_is_a_convolution"}, "A^T dL/dY"),
    ],
    "lab3_batchnorm": [
        ("running_var from the biased variance", "momentum * var.ravel() * m / (m - 1)", "momentum * var.ravel()",
         {"running_statistics"}, "biased batch variance"),
        ("eval mode uses the batch statistics", "    if training:\n        mu =", "    if True:\n        mu =",
         {"eval_mode"}, "running statistics"),
        ("sign flipped in the backward for x", "dx = g * inv * (dy", "dx = -g * inv * (dy",
         {"backward_fc", "backward_conv", "function_gradcheck"}, "a sign error?"),
        ("dgamma without xhat", "dgamma = (dy * xhat).sum(axis=axes)", "dgamma = dy.sum(axis=axes)",
         {"backward_fc", "backward_conv", "function_gradcheck"}, "dgamma"),
        ("conv statistics over the batch axis only", "return tuple(a for a in range(ndim) if a != 1)", "return (0,)",
         {"forward_training_conv", "running_statistics", "backward_conv"}, "in your batchnorm_forward"),
    ],
    "lab4_resnet": [
        ("ReLU after the add missing", "return gradlab.relu(h + shortcut)", "return h + shortcut",
         {"standard_block", "resnet_v1"}, "a missing ReLU?"),
        ("the bottleneck's projection on x instead of relu(bn1(x))", "self.shortcut_conv(a) if self.projection",
         "self.shortcut_conv(x) if self.projection", {"bottleneck_block", "resnet_v2"}, "reference with the same weights"),
        ("weight decay missing", "optim.SGD(optim.decay_groups(model, weight_decay), lr=lr, momentum=momentum)",
         "optim.SGD(model.parameters(), lr=lr, momentum=momentum)", {"weight_decay"}, "weight decay"),
        ("no random flip", "if rng.random() < 0.5:", "if False:", {"augmentation"}, "never flipped"),
        ("no floor on the standard deviation", "max(image.std(), 1.0 / np.sqrt(image.size))", "image.std()",
         {"standardization"}, "constant image"),
    ],
}

CASES = [(lab, m) for lab, ms in MUTATIONS.items() for m in ms]


@pytest.mark.parametrize("lab,mutation", CASES, ids=[f"{lab}: {m[0]}" for lab, m in CASES])
def test_mutation_loses_exactly_its_tests(lab, mutation, tmp_path):
    what, old, new, expected, phrase = mutation
    text = (LABS_DIR / f"{lab}.py").read_text()
    assert text.count(old) == 1, f"the mutation's text must occur once in {lab}.py: {old!r}"
    nb = notebook_from_source(text.replace(old, new), lab, tmp_path / f"{lab}.ipynb")
    tests = tmp_path / "hidden_tests.py"
    from gradlab.labs import assemble, source
    assemble._write(tests, assemble.HIDDEN_HEADER.format(name=lab) + source.parse(text, lab).hidden_source() + "\n")
    r, verdicts = grade_file(nb, tests)
    assert failed(verdicts) == expected, f"{what}: failed {sorted(failed(verdicts))}, expected {sorted(expected)}"
    lost = sum(t["max_score"] for t in r["tests"] if t["name"] in expected)
    assert r["score"] == sum(t["max_score"] for t in r["tests"]) - lost
    messages = [t["output"] for t in r["tests"] if t["status"] == "failed"]
    assert any(phrase in m for m in messages), f"{what}: no message mentions {phrase!r}: {messages}"
