# %% [markdown]
# # Lab 4: ResNet on CIFAR-10
#
# The coding task of the assignment, in the course's starter-code structure (DataReader.py,
# ImageUtils.py, Network.py, Model.py, main.py), on gradlab instead of TensorFlow. You write the
# record parsing and preprocessing, the standard and bottleneck blocks ([1], [2]), the v1 and v2
# networks, the optimizer with weight decay and the training loop. Each part is checked against
# gradlab.models (resnet/'s C++ networks) given the same weights. Layout: images [N, 3, H, W].

# %%
import os
import numpy as np
import gradlab
from gradlab import nn, optim
from gradlab.labs import check_resnet as check

# %% [markdown]
# ## DataReader.py
# A CIFAR-10 batch file is a sequence of 3073-byte records: one label byte (0-9), then 3072 pixel
# bytes (1024 red, 1024 green, 1024 blue, each plane row by row). The last 5,000 of the 50,000
# training images validate (no shuffle).

# %%
def load_batch(raw):                        # bytes -> x uint8 [N, 3072], y [N]
    # BEGIN SOLUTION: np.frombuffer, reshape to [-1, 3073]; raise ValueError when len(raw) % 3073 != 0
    if len(raw) % 3073:
        raise ValueError(f"a CIFAR-10 batch is a multiple of 3073 bytes; got {len(raw)}")
    rec = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3073)
    return rec[:, 1:], rec[:, 0].astype(np.int64)
    # END SOLUTION


def load_data(data_dir):                    # the five training batches and the test batch
    read = lambda name: load_batch(open(os.path.join(data_dir, name), "rb").read())  # noqa: E731
    parts = [read(f"data_batch_{i}.bin") for i in range(1, 6)]
    x_test, y_test = read("test_batch.bin")
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]), x_test, y_test


def train_valid_split(x_train, y_train, split_index=45000):
    # BEGIN SOLUTION: the first split_index for training, the rest for validation, in order
    return x_train[:split_index], y_train[:split_index], x_train[split_index:], y_train[split_index:]
    # END SOLUTION

# %%
check.load_batch(load_batch)
check.split(train_valid_split)

# %% [markdown]
# ## ImageUtils.py
# Training images: zero-pad by 4 pixels on each side (40 x 40), crop a random 32 x 32 window
# (corner drawn uniformly in 0..8 x 0..8), flip left-right with probability 1/2. Every image:
# per-image standardization, (image - mean) / max(std, 1/sqrt(number of values)). Use `rng`
# (a numpy Generator) for every random draw. `parse_record` turns one record's 3072 bytes
# (depth-major) into [32, 32, 3], preprocesses it and returns [3, 32, 32] float32.

# %%
def preprocess_image(image, training, rng):   # image [32, 32, 3] -> [32, 32, 3]
    # BEGIN SOLUTION: if training: pad, random crop, random flip; then standardize
    if training:
        padded = np.pad(image, ((4, 4), (4, 4), (0, 0)))
        dy, dx = rng.integers(0, 9, size=2)
        image = padded[dy:dy + 32, dx:dx + 32]
        if rng.random() < 0.5:
            image = image[:, ::-1]
    return (image - image.mean()) / max(image.std(), 1.0 / np.sqrt(image.size))
    # END SOLUTION


def parse_record(record, training, rng):       # 3072 bytes -> [3, 32, 32] float32
    # BEGIN SOLUTION: reshape (3, 32, 32), to HWC, preprocess, back to CHW
    image = record.reshape(3, 32, 32).transpose(1, 2, 0).astype(np.float32)
    return np.ascontiguousarray(preprocess_image(image, training, rng).transpose(2, 0, 1), dtype=np.float32)
    # END SOLUTION

# %%
check.preprocess_eval(preprocess_image)
check.preprocess_train(preprocess_image)
check.parse_record(parse_record)
check.same_as_trainer(parse_record)

# %% [markdown]
# ## Network.py
# **Standard block** (v1, [1] and [2] Fig. 4a): conv3x3(stride) - BN - ReLU - conv3x3 - BN, plus the
# shortcut, then ReLU. The shortcut is the input, or (projection) a 1x1 convolution with the stride
# followed by BN. Layers, in this order: conv1, bn1, conv2, bn2, shortcut_conv, shortcut_bn.
#
# **Bottleneck block** (v2, full pre-activation, [2] Fig. 4e): BN - ReLU - conv1x1(filters) -
# BN - ReLU - conv3x3(filters, stride) - BN - ReLU - conv1x1(4 filters), plus the shortcut, no ReLU
# after the add. The projection is a 1x1 convolution (stride, 4 filters, no BN) applied to the
# *pre-activated* input relu(bn1(x)); the identity shortcut is x itself. Layers, in this order:
# bn1, conv1, bn2, conv2, bn3, conv3, shortcut_conv.
#
# Convolutions have no bias (`nn.Conv2d(c_in, c_out, k, stride, padding, bias=False)`), 3x3 ones
# padding 1; `nn.BatchNorm(c)`; `gradlab.relu`.

# %%
class StandardBlock(nn.Module):
    def __init__(self, in_channels, filters, stride=1, projection=False):
        super().__init__()
        # BEGIN SOLUTION: conv1, bn1, conv2, bn2 (and shortcut_conv, shortcut_bn when projection)
        self.conv1 = nn.Conv2d(in_channels, filters, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm(filters)
        self.conv2 = nn.Conv2d(filters, filters, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm(filters)
        self.projection = projection
        if projection:
            self.shortcut_conv = nn.Conv2d(in_channels, filters, 1, stride, 0, bias=False)
            self.shortcut_bn = nn.BatchNorm(filters)
        # END SOLUTION

    def forward(self, x):                       # [N, in, H, W] -> [N, filters, H/stride, W/stride]
        # BEGIN SOLUTION: relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
        h = self.bn2(self.conv2(gradlab.relu(self.bn1(self.conv1(x)))))
        shortcut = self.shortcut_bn(self.shortcut_conv(x)) if self.projection else x
        return gradlab.relu(h + shortcut)
        # END SOLUTION


class BottleneckBlock(nn.Module):
    def __init__(self, in_channels, filters, stride=1, projection=False):
        super().__init__()
        # BEGIN SOLUTION: bn1, conv1 (1x1), bn2, conv2 (3x3, stride), bn3, conv3 (1x1, 4 filters), shortcut_conv
        self.bn1 = nn.BatchNorm(in_channels)
        self.conv1 = nn.Conv2d(in_channels, filters, 1, 1, 0, bias=False)
        self.bn2 = nn.BatchNorm(filters)
        self.conv2 = nn.Conv2d(filters, filters, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm(filters)
        self.conv3 = nn.Conv2d(filters, 4 * filters, 1, 1, 0, bias=False)
        self.projection = projection
        if projection:
            self.shortcut_conv = nn.Conv2d(in_channels, 4 * filters, 1, stride, 0, bias=False)
        # END SOLUTION

    def forward(self, x):                       # [N, in, H, W] -> [N, 4 filters, H/stride, W/stride]
        # BEGIN SOLUTION: pre-activation; the projection sees relu(bn1(x)), the identity sees x
        a = gradlab.relu(self.bn1(x))
        h = self.conv1(a)
        h = self.conv2(gradlab.relu(self.bn2(h)))
        h = self.conv3(gradlab.relu(self.bn3(h)))
        return h + (self.shortcut_conv(a) if self.projection else x)
        # END SOLUTION


def parameter_formula(kind, channels):          # problem 3: the count in closed form (identity shortcut)
    # BEGIN SOLUTION: standard C -> C: 2 (9 C^2) + 2 (2C); bottleneck C -> C, width C/4: convs + 3 BN
    if kind == "standard":
        return 2 * 9 * channels ** 2 + 2 * 2 * channels
    f = channels // 4
    return channels * f + 9 * f * f + f * channels + 2 * (channels + f + f)
    # END SOLUTION

# %%
check.blocks_standard(StandardBlock)
check.blocks_bottleneck(BottleneckBlock)
check.parameter_counts(StandardBlock, BottleneckBlock, parameter_formula)

# %% [markdown]
# ### The network
# stem: conv3x3(3 -> F) (v1: then BN - ReLU); three stacks of `size` blocks with F, 2F, 4F filters,
# strides 1, 2, 2; only each stack's first block changes stride or width, with a projection
# (stack 1's first block projects when `projection_first_block` or when the width changes, as in v2
# where blocks output 4x their filters); v2: a final BN - ReLU; global average pooling; a dense layer.
# Register the layers in this order: stem_conv, (stem_bn), the blocks, (final_bn), dense.

# %%
class ResNet(nn.Module):
    def __init__(self, version, size, first_filters=16, num_classes=10, projection_first_block=True):
        super().__init__()
        # BEGIN SOLUTION: stem, nn.Sequential of the blocks, final BN for v2, nn.Linear
        F = first_filters
        self.version = version
        self.stem_conv = nn.Conv2d(3, F, 3, 1, 1, bias=False)
        if version == 1:
            self.stem_bn = nn.BatchNorm(F)
        Block = StandardBlock if version == 1 else BottleneckBlock
        blocks, channels = [], F
        for s in range(3):
            filters = F << s
            out = filters if version == 1 else 4 * filters
            for b in range(size):
                stride = 2 if (s > 0 and b == 0) else 1
                projection = b == 0 and (s > 0 or projection_first_block or channels != out)
                blocks.append(Block(channels, filters, stride, projection))
                channels = out
        self.blocks = nn.Sequential(*blocks)
        if version == 2:
            self.final_bn = nn.BatchNorm(channels)
        self.dense = nn.Linear(channels, num_classes)
        # END SOLUTION

    def forward(self, x):                       # [N, 3, H, W] -> [N, num_classes]
        # BEGIN SOLUTION: stem, blocks, (final BN-ReLU), global average pooling, dense
        h = self.stem_conv(x)
        if self.version == 1:
            h = gradlab.relu(self.stem_bn(h))
        h = self.blocks(h)
        if self.version == 2:
            h = gradlab.relu(self.final_bn(h))
        return self.dense(gradlab.global_avg_pool2d(h))
        # END SOLUTION

# %%
check.network(ResNet, 1)
check.network(ResNet, 2)

# %% [markdown]
# ## Model.py
# SGD with momentum 0.9 and L2 weight decay on convolution and dense kernels only (not biases or
# batch-norm parameters): `optim.decay_groups(model, weight_decay)` makes the two groups. The
# training loop: model.train(); for each step, take the next batch of a shuffled order (rng),
# forward, `gradlab.cross_entropy(logits, labels)`, zero_grad, backward, step; return the losses.

# %%
def make_optimizer(model, lr, momentum=0.9, weight_decay=2e-4):
    # BEGIN SOLUTION: optim.SGD over optim.decay_groups(model, weight_decay)
    return optim.SGD(optim.decay_groups(model, weight_decay), lr=lr, momentum=momentum)
    # END SOLUTION


def train(model, optimizer, x, y, batch_size, steps, rng):   # x [N, 3, H, W] float32, y [N] ints
    # BEGIN SOLUTION: shuffled batches; one SGD step each; a list of float losses
    model.train()
    losses, order = [], np.array([], dtype=np.int64)
    for _ in range(steps):
        if len(order) < batch_size:
            order = np.concatenate([order, rng.permutation(len(x))])
        idx, order = order[:batch_size], order[batch_size:]
        loss = gradlab.cross_entropy(model(gradlab.tensor(x[idx])), gradlab.tensor(y[idx].astype(np.int32)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses
    # END SOLUTION


def evaluate(model, x, y, batch_size=500):
    model.eval()
    correct = 0
    with gradlab.no_grad():
        for i in range(0, len(x), batch_size):
            logits = model(gradlab.tensor(x[i:i + batch_size])).numpy()
            correct += int((logits.argmax(axis=1) == y[i:i + batch_size]).sum())
    return correct / len(x)

# %%
check.weight_decay(make_optimizer, ResNet)
check.short_run(train, make_optimizer, ResNet)

# %% [markdown]
# ## main.py: the full run
# With the CIFAR-10 binary files in `DATA_DIR` this trains ResNet-20 v1 (the course's flags:
# resnet_version 1, resnet_size 3, batch 128, first_num_filters 16, weight_decay 2e-4, lr 0.1).
# It is skipped when the files are not there. On the C++ trainer, the same run is
# `gradlab-resnet train --data-dir DATA_DIR --resnet-version 1 --resnet-size 3`.

# %%
DATA_DIR = os.environ.get("CIFAR_DIR", "cifar-10-batches-bin")
if os.path.exists(os.path.join(DATA_DIR, "data_batch_1.bin")):
    x_train, y_train, x_test, y_test = load_data(DATA_DIR)
    x_train, y_train, x_valid, y_valid = train_valid_split(x_train, y_train)
    rng = np.random.default_rng(0)
    model = ResNet(1, 3, 16, 10)
    opt = make_optimizer(model, 0.1, 0.9, 2e-4)
    x_valid_pre = np.stack([parse_record(r, False, rng) for r in x_valid])
    for epoch in range(1, 11):
        x_epoch = np.stack([parse_record(r, True, rng) for r in x_train])
        losses = train(model, opt, x_epoch, y_train, 128, len(x_train) // 128, rng)
        print(f"epoch {epoch}: train loss {np.mean(losses):.4f}, valid acc {evaluate(model, x_valid_pre, y_valid):.2%}")
else:
    print(f"no CIFAR-10 files in {DATA_DIR}: the full run is skipped (set CIFAR_DIR)")

# %% [hidden]
from gradlab.labs import check_resnet as check


@test(points=2)
def data_reader(nb):
    check.load_batch(nb.load_batch, n=7, seed=51)
    check.split(nb.train_valid_split)


@test(points=2)
def standardization(nb):
    check.preprocess_eval(nb.preprocess_image, seed=52)


@test(points=2)
def augmentation(nb):
    check.preprocess_train(nb.preprocess_image, seed=53)


@test(points=1)
def record_layout(nb):
    check.parse_record(nb.parse_record, seed=54)
    check.same_as_trainer(nb.parse_record, n=3, seed=55)


@test(points=3)
def standard_block(nb):
    check.block(nb.StandardBlock, "standard", 6, 6, 1, False, seed=55)
    check.block(nb.StandardBlock, "standard", 6, 12, 2, True, seed=56)


@test(points=3)
def bottleneck_block(nb):
    check.block(nb.BottleneckBlock, "bottleneck", 12, 3, 1, False, seed=57)
    check.block(nb.BottleneckBlock, "bottleneck", 6, 3, 2, True, seed=58)


@test(points=2)
def parameter_counts_problem3(nb):
    check.parameter_counts(nb.StandardBlock, nb.BottleneckBlock, nb.parameter_formula)


@test(points=3)
def resnet_v1(nb):
    check.network(nb.ResNet, 1, size=2, first_filters=4, seed=59)


@test(points=3)
def resnet_v2(nb):
    check.network(nb.ResNet, 2, size=1, first_filters=2, seed=60)


@test(points=2)
def weight_decay(nb):
    check.weight_decay(nb.make_optimizer, nb.ResNet)


@test(points=3)
def training_lowers_the_loss(nb):
    check.short_run(nb.train, nb.make_optimizer, nb.ResNet)
