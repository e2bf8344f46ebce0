// The lab notebook: gradlab from Python, end to end. A student writes the
// course's residual block as a gradlab.nn.Module subclass, counts its
// parameters against the formula and against the C++ block of resnet/, then
// trains a small ResNet on generated images (three stripe patterns plus
// noise) for a few epochs with a progress display, and plots the loss.
#include "notebooks_export/problem_notebook.h"

namespace gl::notebook {

Notebook make_lab_notebook() {
  Notebook nb("Lab: a ResNet from Python with gradlab");
  nb.markdown(
      "## Lab: a ResNet from Python with gradlab\n\n"
      "Exported by gradlab's `export_notebooks`. Everything below runs on gradlab's C++ engine through its "
      "Python module (`import gradlab`: `pip install .` from a clone of gradlab, see python/README.md). "
      "numpy holds the data, matplotlib draws.\n\n"
      "1. A residual block written in Python ([1] Fig. 2, the *standard* block of Problem 3), and its parameters.\n"
      "2. A small ResNet (the course's v1 model, `gradlab.models.ResNet`) trained for a few epochs on generated "
      "images, with a progress display.\n"
      "3. The loss curve and the test accuracy.");
  nb.code(R"py(import time
import numpy as np
import matplotlib.pyplot as plt
from IPython.display import Pretty, display
import gradlab
from gradlab import nn, optim, models
%matplotlib inline
gradlab.manual_seed(0)
print("gradlab", gradlab.__version__, "| CUDA available:", gradlab.cuda_available()))py");

  nb.markdown(
      "### 1. The residual block in Python\n\n"
      "$y = \\mathrm{relu}(\\mathrm{BN}_2(W_2 * \\mathrm{relu}(\\mathrm{BN}_1(W_1 * x))) + x)$ with 3x3 "
      "convolutions without bias and an identity shortcut. Assigning a layer to `self` registers it, so "
      "`named_parameters()` lists them with dotted names, as in PyTorch.");
  nb.code(R"py(class ResidualBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm(channels)

    def forward(self, x):                          # x [N, C, H, W]
        h = gradlab.relu(self.bn1(self.conv1(x)))
        return gradlab.relu(self.bn2(self.conv2(h)) + x)

C = 32
block = ResidualBlock(C)
for name, t in block.named_parameters():
    print(f"{name:14s} {str(t.shape):18s} {t.numel():6d}")
by_formula = 2 * (C * C * 3 * 3) + 2 * (2 * C)    # two 3x3 kernels C -> C, two BN (scale and shift)
print("parameters:", block.parameter_count(), "| formula 2*9C^2 + 4C:", by_formula,
      "| resnet/'s C++ StandardBlock:", models.StandardBlock(C, C).parameter_count())
assert block.parameter_count() == by_formula == models.StandardBlock(C, C).parameter_count()
x = gradlab.randn(2, C, 16, 16)
y = block(x)
y.sum().backward()
assert y.shape == x.shape and all(t.grad is not None for _, t in block.named_parameters())
print("output", y.shape, "| every parameter received a gradient"))py");

  nb.markdown(
      "### 2. Train a small ResNet on generated images\n\n"
      "Three classes of 16x16 RGB images: horizontal stripes, vertical stripes and a checkerboard, each at a "
      "random phase, with Gaussian noise. The network is the course's v1 ResNet with one block per stack "
      "(ResNet-8) and 8 filters; SGD with momentum 0.9 and weight decay on the kernels only "
      "(`optim.decay_groups`), the learning rate on a cosine schedule.");
  nb.code(R"py(rng = np.random.default_rng(0)
def make_images(n, size=16, noise=1.0):
    labels = rng.integers(0, 3, n)
    r = np.arange(size)
    phase = rng.integers(0, 4, n)[:, None, None]
    rows, cols = r[None, :, None] + phase, r[None, None, :] + phase
    patterns = [np.sin(np.pi * rows / 2) + 0 * cols, np.sin(np.pi * cols / 2) + 0 * rows,
                np.sin(np.pi * rows / 2) * np.sin(np.pi * cols / 2) * 2]
    clean = np.select([labels[:, None, None] == k for k in range(3)], patterns)
    images = clean[:, None] * np.array([1.0, 0.8, 0.6])[None, :, None, None]
    return (images + noise * rng.standard_normal(images.shape)).astype(np.float32), labels.astype(np.int32)

x_train, y_train = make_images(600)
x_test, y_test = make_images(300)
fig, axes = plt.subplots(1, 6, figsize=(9, 1.8))
for ax, i in zip(axes, range(6)):
    ax.imshow(x_train[i, 0], cmap="gray"); ax.set_title(["horizontal", "vertical", "checker"][y_train[i]], fontsize=8)
    ax.axis("off")
plt.show()

model = models.ResNet(version=1, size=1, first_filters=8, num_classes=3, seed=0)
print(model.config, "|", model.parameter_count(), "parameters")
epochs, batch = 4, 50
steps_per_epoch = len(x_train) // batch
optimizer = optim.SGD(optim.decay_groups(model, 2e-4), lr=0.05, momentum=0.9)
schedule = optim.CosineWarmup(0.05, warmup_steps=steps_per_epoch // 2, total_steps=epochs * steps_per_epoch))py");
  nb.code(R"py(def progress_line(epoch, step, loss, started):
    done = int(20 * step / steps_per_epoch)
    return (f"epoch {epoch + 1}/{epochs} [{'#' * done}{'.' * (20 - done)}] step {step}/{steps_per_epoch} "
            f"loss {loss:.4f} lr {optimizer.lr:.4f} {time.perf_counter() - started:5.1f} s")

def accuracy(images, labels):
    model.eval()
    with gradlab.no_grad():
        logits = model(gradlab.tensor(images)).numpy()
    model.train()
    return float((logits.argmax(1) == labels).mean())

losses, step_count = [], 0
status = display(Pretty("starting"), display_id=True)  # Pretty: plain text, not a quoted string
for epoch in range(epochs):
    order = rng.permutation(len(x_train))
    started = time.perf_counter()
    for step in range(steps_per_epoch):
        idx = order[step * batch:(step + 1) * batch]
        optimizer.lr = schedule(step_count)
        loss = gradlab.cross_entropy(model(gradlab.tensor(x_train[idx])), gradlab.tensor(y_train[idx]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        step_count += 1
        status.update(Pretty(progress_line(epoch, step + 1, losses[-1], started)))
    print(f"epoch {epoch + 1}: mean loss {np.mean(losses[-steps_per_epoch:]):.4f}, "
          f"test accuracy {accuracy(x_test, y_test):.3f}, {time.perf_counter() - started:.1f} s"))py");

  nb.markdown("### 3. The loss curve");
  nb.code(R"py(per_epoch = np.array(losses).reshape(epochs, steps_per_epoch).mean(1)
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(np.arange(1, len(losses) + 1), losses, lw=0.8, label="per step")
ax.plot(np.arange(1, epochs + 1) * steps_per_epoch, per_epoch, "o-", label="epoch mean")
ax.axhline(np.log(3), color="gray", ls=":", label="chance: ln 3")
ax.set_xlabel("step"); ax.set_ylabel("cross-entropy"); ax.set_title("ResNet-8 on generated stripes")
ax.legend(); plt.show()
test_accuracy = accuracy(x_test, y_test)
print(f"test accuracy {test_accuracy:.3f} (chance 0.333); loss {per_epoch[0]:.3f} -> {per_epoch[-1]:.3f}")
assert per_epoch[-1] < per_epoch[0], "the loss did not go down"
assert test_accuracy > 1 / 3, "no better than chance")py");

  nb.markdown("### Try it\n\nChange the block's width `C`, the number of epochs or the noise of `make_images` "
              "and run the cells again; `model.state_dict()` gives every parameter as a numpy array.");
  nb.code(R"py(state = model.state_dict()
print(len(state), "arrays, e.g.", {k: v.shape for k, v in list(state.items())[:3]}))py");
  return nb;
}

}  // namespace gl::notebook
