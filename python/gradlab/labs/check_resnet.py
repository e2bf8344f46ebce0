"""Lab 4's checks (ResNet on CIFAR-10 in the course's starter-code structure). The reference is
gradlab.models (resnet/'s blocks and networks): the student's modules get the reference's weights
copied in registration order, then both see the same input. Data is generated here (never CIFAR)."""
import numpy as np

import gradlab
from gradlab import models
from gradlab.labs.checks import LabCheckError, array, compare, ok


def images(n, seed, size=32):
    return np.random.default_rng(seed).normal(size=(n, 3, size, size)).astype(np.float32)


def records(n, seed):
    """n CIFAR-10-style records (label byte + 3072 pixel bytes) and their labels and pixels."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    pixels = rng.integers(0, 256, size=(n, 3072)).astype(np.uint8)
    return np.concatenate([labels[:, None], pixels], axis=1).tobytes(), labels, pixels


def load_batch(fn, n=5, seed=0):
    raw, labels, pixels = records(n, seed)
    got = fn(raw)
    if not isinstance(got, tuple) or len(got) != 2:
        raise LabCheckError("your load_batch must return (x, y)")
    compare(got[1], labels, f"your load_batch's labels ({n} records of 3073 bytes: the first byte is the label)",
            "the records hold")
    compare(got[0], pixels, "your load_batch's images (each record's 3072 bytes after the label)", "the records hold")
    try:
        fn(raw[:-1])
    except ValueError:
        pass
    else:
        raise LabCheckError("your load_batch accepted data whose size is not a multiple of 3073 bytes; raise ValueError")
    ok(f"load_batch: labels and pixels of {n} records, and a truncated file refused")


def split(fn):
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    got = fn(x, y, 7)
    if not isinstance(got, tuple) or len(got) != 4:
        raise LabCheckError("your train_valid_split must return (x_train, y_train, x_valid, y_valid)")
    for name, g, w in zip(("x_train", "y_train", "x_valid", "y_valid"), got, (x[:7], y[:7], x[7:], y[7:])):
        compare(g, w, f"your train_valid_split's {name} (split_index 7 of 10; the first 7 train, in order)",
                "the starter code's split gives")
    ok("train_valid_split: the first split_index images train, the rest validate, no shuffle")


def standardize(img):
    return (img - img.mean()) / max(img.std(), 1.0 / np.sqrt(img.size))


def preprocess_eval(fn, seed=0):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, size=(32, 32, 3)).astype(np.float32)
    compare(fn(img, False, rng), standardize(img), "your preprocess_image(training=False) (32 x 32 x 3, HWC)",
            "per-image standardization (mean 0, std max(std, 1/sqrt(3072))) gives", atol=1e-4)
    flat = np.full((32, 32, 3), 7.0, np.float32)
    compare(fn(flat, False, rng), np.zeros_like(flat), "your preprocess_image of a constant image",
            "standardization with the floor 1/sqrt(3072) on the std gives (no division by zero)", atol=1e-5)
    ok("preprocess_image(training=False): per-image standardization with the 1/sqrt(3072) floor")


def preprocess_train(fn, draws=40, seed=0):
    rng = np.random.default_rng(seed)
    img = rng.integers(0, 256, size=(32, 32, 3)).astype(np.float32)
    padded = np.pad(img, ((4, 4), (4, 4), (0, 0)))
    offsets, flips = set(), set()
    for _ in range(draws):
        out = array(fn(img, True, rng))
        if out.shape != (32, 32, 3):
            raise LabCheckError(f"your preprocess_image(training=True) returns shape {list(out.shape)}; expected "
                                "[32, 32, 3]: pad by 4 to 40 x 40, crop back to 32 x 32")
        match = None
        for dy in range(9):
            for dx in range(9):
                crop = padded[dy:dy + 32, dx:dx + 32]
                for flip in (False, True):
                    if np.allclose(out, standardize(crop[:, ::-1] if flip else crop), atol=1e-4):
                        match = (dy, dx, flip)
                        break
                if match:
                    break
            if match:
                break
        if match is None:
            raise LabCheckError("your preprocess_image(training=True) is not a standardized 32 x 32 crop of the image "
                                "zero-padded by 4 (possibly flipped left-right): pad, crop, flip, then standardize")
        offsets.add(match[:2])
        flips.add(match[2])
    if len(offsets) < 2:
        raise LabCheckError(f"your preprocess_image(training=True) cropped at the same offset {offsets.pop()} in "
                            f"{draws} draws: draw the crop's corner at random (0..8 in each direction) with rng")
    if len(flips) < 2:
        raise LabCheckError(f"your preprocess_image(training=True) {'always' if True in flips else 'never'} flipped "
                            f"in {draws} draws: flip left-right with probability 1/2, with rng")
    ok(f"preprocess_image(training=True): {len(offsets)} crop offsets and both flips in {draws} draws, standardized")


def parse_record(fn, seed=0):
    rng = np.random.default_rng(seed)
    rec = rng.integers(0, 256, size=3072).astype(np.uint8)
    got = array(fn(rec, False, rng))
    want = standardize(rec.reshape(3, 32, 32).transpose(1, 2, 0).astype(np.float64)).transpose(2, 0, 1)
    compare(got, want, "your parse_record(training=False) (3072 bytes: the red plane, then green, then blue; "
            "returned [3, 32, 32])", "depth-major reshape, HWC preprocessing, CHW output gives", atol=1e-4)
    ok("parse_record: depth-major record -> [32, 32, 3] for preprocessing -> [3, 32, 32]")


def copy_weights(reference, mine, what):
    """Copies reference's parameters and buffers into mine, in registration order, checking shapes."""
    for kind in ("named_parameters", "named_buffers"):
        ref, got = list(getattr(reference, kind)()), list(getattr(mine, kind)())
        label = kind.split("_")[1]
        if len(ref) != len(got):
            raise LabCheckError(f"your {what} has {len(got)} {label} ({', '.join(n for n, _ in got) or 'none'}); the "
                                f"reference has {len(ref)} ({', '.join(n for n, _ in ref)})")
        for (rn, rp), (gn, gp) in zip(ref, got):
            if tuple(rp.shape) != tuple(gp.shape):
                raise LabCheckError(f"your {what}'s {label[:-1]} {gn} has shape {list(gp.shape)}; the reference's "
                                    f"{rn} in that position has {list(rp.shape)} (define the layers in the order "
                                    f"the lab lists, with the shapes it gives)")
            gp.numpy()[...] = rp.numpy()


def _same_output(ref, mine, what, x, training):
    copy_weights(ref, mine, what)
    for m in (ref, mine):
        m.train() if training else m.eval()
    want = ref(gradlab.tensor(x))
    got = mine(gradlab.tensor(x))
    compare(got, want, f"your {what}'s output ({'training' if training else 'eval'} mode)",
            "gradlab.models' reference with the same weights gives", atol=1e-4, rtol=1e-4)


def block(Block, kind, in_channels, filters, stride, projection, seed=0):
    Ref = models.StandardBlock if kind == "standard" else models.BottleneckBlock
    what = f"{Block.__name__}({in_channels}, {filters}, stride={stride}, projection={projection})"
    mine = Block(in_channels, filters, stride, projection)
    ref = Ref(in_channels, filters, stride, projection, seed=seed)
    rng = np.random.default_rng(seed)
    for _, b in ref.named_buffers():  # non-trivial running statistics for the eval pass
        b.numpy()[...] = rng.uniform(0.5, 1.5, size=b.shape)
    x = np.random.default_rng(seed + 1).normal(size=(2, in_channels, 6, 6)).astype(np.float32)
    _same_output(ref, mine, what, x, training=False)
    _same_output(ref, mine, what, x, training=True)


def blocks_standard(StandardBlock, seed=0):
    block(StandardBlock, "standard", 8, 8, 1, False, seed)
    block(StandardBlock, "standard", 4, 8, 2, True, seed + 2)
    ok("StandardBlock == gradlab.models.StandardBlock with the same weights (identity and projection shortcuts)")


def blocks_bottleneck(BottleneckBlock, seed=0):
    block(BottleneckBlock, "bottleneck", 16, 4, 1, False, seed)
    block(BottleneckBlock, "bottleneck", 8, 4, 2, True, seed + 2)
    ok("BottleneckBlock == gradlab.models.BottleneckBlock with the same weights (identity and projection shortcuts)")


def parameter_counts(StandardBlock, BottleneckBlock, formula):
    """Problem 3's blocks: standard 32 -> 32 channels, bottleneck 128 -> 128 (width 32)."""
    for kind, Block, Ref, c, f in (("standard", StandardBlock, models.StandardBlock, 32, 32),
                                   ("bottleneck", BottleneckBlock, models.BottleneckBlock, 128, 32)):
        want = Ref(c, f).parameter_count()
        got = Block(c, f).parameter_count()
        if got != want:
            raise LabCheckError(f"your {Block.__name__}({c}, {f}) has {got} trainable parameters; the reference block "
                                f"has {want} (3x3/1x1 convolutions without bias, batch norm's gamma and beta)")
        by_hand = formula(kind, c)
        if by_hand != want:
            raise LabCheckError(f"your parameter_formula({kind!r}, {c}) gives {by_hand}; the block has {want}")
    ok("parameter counts of problem 3's blocks == the reference blocks == your formula")


def network(ResNet, version, size=1, first_filters=4, seed=0):
    what = f"ResNet(version={version}, size={size}, first_filters={first_filters})"
    mine = ResNet(version, size, first_filters, 10)
    ref = models.ResNet(version=version, size=size, first_filters=first_filters, num_classes=10, seed=seed)
    x = images(2, seed, 16)
    out = mine(gradlab.tensor(x))
    if tuple(out.shape) != (2, 10):
        raise LabCheckError(f"your {what} maps images [2, 3, 16, 16] to {list(out.shape)}; expected [2, 10] (logits)")
    _same_output(ref, mine, what, x, training=True)
    ok(f"{what}: output [2, 10], == gradlab.models.ResNet with the same weights")


def weight_decay(make_optimizer, ResNet):
    """One step with zero gradients: kernels shrink by lr * wd, biases and batch-norm parameters stay."""
    model = ResNet(1, 1, 4, 10)
    lr, wd = 0.1, 0.01
    opt = make_optimizer(model, lr, 0.9, wd)
    before = {n: p.numpy().copy() for n, p in model.named_parameters()}
    (model(gradlab.tensor(images(2, 0, 8))) * 0).sum().backward()
    opt.step()
    for n, p in model.named_parameters():
        decayed = len(p.shape) > 1
        want = before[n] * (1 - lr * wd) if decayed else before[n]
        if not np.allclose(p.numpy(), want, rtol=1e-5, atol=1e-7):
            if decayed and np.allclose(p.numpy(), before[n]):
                raise LabCheckError(f"after one step with zero loss gradient, {n} did not change: weight decay "
                                    f"({wd}) is missing for convolution and dense kernels")
            if not decayed:
                raise LabCheckError(f"after one step with zero loss gradient, {n} changed: biases and batch-norm "
                                    f"parameters get no weight decay (optim.decay_groups separates them)")
            raise LabCheckError(f"after one step with zero loss gradient, {n} should be multiplied by 1 - lr * wd = "
                                f"{1 - lr * wd:g}")
    ok("make_optimizer: L2 weight decay on kernels only")


def short_run(train, make_optimizer, ResNet, steps=12):
    """Two separable classes of 16 x 16 images: the loss of a short run must fall."""
    rng = np.random.default_rng(5)
    y = np.arange(32) % 2
    x = (rng.normal(size=(32, 3, 16, 16)) + (2 * y - 1)[:, None, None, None] * 0.8).astype(np.float32)
    gradlab.manual_seed(0)  # the same initial weights on every run
    model = ResNet(1, 1, 4, 2)
    losses = train(model, make_optimizer(model, 0.05, 0.9, 1e-4), x, y.astype(np.int64), 16, steps, rng)
    losses = [float(array(v)) for v in losses]
    if len(losses) != steps:
        raise LabCheckError(f"your train returned {len(losses)} losses for {steps} steps; return one per step")
    first, last = np.mean(losses[:3]), np.mean(losses[-3:])
    if not last < 0.8 * first:
        raise LabCheckError(f"your training loop did not lower the loss on two easy classes: mean of the first three "
                            f"steps {first:.3f}, of the last three {last:.3f} (zero_grad, backward, step, every step?)")
    ok(f"train: the loss fell from {first:.3f} to {last:.3f} in {steps} steps")


def same_as_trainer(parse_record, n=4, seed=0):
    """parse_record(training=False) == the C++ trainer's evaluation preprocessing (gradlab.data.CIFAR10
    over generated batch files in a temporary folder, per-image standardization)."""
    import os
    import tempfile
    raw, labels, pixels = records(n, seed)
    with tempfile.TemporaryDirectory() as d:
        for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
            with open(os.path.join(d, name), "wb") as f:
                f.write(raw)
        ds = gradlab.data.CIFAR10(d, train=False)
        for i in range(n):
            x, _ = ds[i]
            compare(parse_record(pixels[i], False, np.random.default_rng(0)), x,
                    f"your parse_record(training=False) of record {i}", "`resnet train`'s preprocessing gives",
                    atol=1e-4)
    ok(f"parse_record(training=False) == the trainer's preprocessing (gradlab.data.CIFAR10) on {n} records")
