"""Datasets and batching, as torch.utils.data: ``TensorDataset``, ``DataLoader`` and a CIFAR-10
``Dataset`` over the binary files with the trainer's preprocessing and augmentation.

    ds = TensorDataset(x, y)                   # x [N, ...], y [N] (numpy arrays or tensors)
    for xb, yb in DataLoader(ds, batch_size=32, shuffle=True, seed=0, drop_last=False):
        ...                                    # xb [B, ...], yb [B] tensors

A DataLoader shuffles with its own numpy generator (seeded by ``seed``; each epoch draws a new
order), and collates the items of a batch by stacking them into tensors (a dataset may instead
provide ``__getitems__(indices)`` returning the whole batch, as TensorDataset and CIFAR10 do).
"""
import math

import numpy as np

from gradlab import _core

_Tensor = _core.Tensor


def _to_numpy(a):
    if isinstance(a, _Tensor):
        return a.numpy()
    return np.asarray(a)


class Dataset:
    """Base class: define __len__ and __getitem__(i) -> item (a tuple of arrays/tensors/numbers)."""

    def __len__(self):
        """The number of samples."""
        raise NotImplementedError

    def __getitem__(self, i):
        """Sample i (an abstract Dataset raises NotImplementedError)."""
        raise NotImplementedError


class TensorDataset(Dataset):
    """Items are rows of the given arrays/tensors (all with the same first dim N): item i is
    (a[i], b[i], ...). Indexing with a list of indices gives whole batches (tensors)."""

    def __init__(self, *arrays):
        if not arrays:
            raise ValueError("TensorDataset: give at least one array or tensor")
        self.arrays = [_to_numpy(a) for a in arrays]
        self._dtypes = [a.dtype if isinstance(a, _Tensor) else None for a in arrays]
        n = {len(a) if a.ndim else -1 for a in self.arrays}
        if len(n) != 1 or -1 in n:
            raise ValueError("TensorDataset: every array needs the same first dim, got shapes " +
                             ", ".join(str(list(a.shape)) for a in self.arrays))

    def __len__(self):
        """The number of samples."""
        return len(self.arrays[0])

    def __getitem__(self, i):
        """The tuple of the i-th rows of every tensor."""
        return tuple(_core.tensor(a[i]) if d is None else _core.tensor(a[i], dtype=d)
                     for a, d in zip(self.arrays, self._dtypes))

    def __getitems__(self, indices):
        idx = np.asarray(indices, dtype=np.int64)
        return tuple(_core.tensor(np.ascontiguousarray(a[idx])) if d is None else
                     _core.tensor(np.ascontiguousarray(a[idx]), dtype=d)
                     for a, d in zip(self.arrays, self._dtypes))


def default_collate(items):
    """Stacks a list of items (tuples of tensors/arrays/numbers, or single ones) into tensors."""
    first = items[0]
    if isinstance(first, (tuple, list)):
        return tuple(default_collate([it[k] for it in items]) for k in range(len(first)))
    if isinstance(first, _Tensor):
        return _core.stack(list(items), 0)
    arr = np.stack([np.asarray(x) for x in items])
    if arr.dtype.kind == "f" and isinstance(first, float):
        arr = arr.astype(np.float32)
    return _core.tensor(arr)


class DataLoader:
    """Batches of a dataset: len() is the number of batches; iterating yields collated batches.

    batch_size: items per batch; shuffle: a new random order each epoch (numpy's generator,
    seeded by ``seed``, so runs repeat); drop_last: drop a last, smaller batch;
    collate_fn: items -> batch (default: stack into tensors)."""

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, seed=None, collate_fn=None):
        if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = collate_fn
        self._rng = np.random.default_rng(seed)

    def __len__(self):
        """The number of batches (a last partial batch counts unless drop_last)."""
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self):
        n = len(self.dataset)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for b in range(len(self)):
            idx = order[b * self.batch_size:(b + 1) * self.batch_size]
            if self.collate_fn is None and hasattr(self.dataset, "__getitems__"):
                yield self.dataset.__getitems__(idx)
                continue
            items = [self.dataset[int(i)] for i in idx]
            yield (self.collate_fn or default_collate)(items)


class CIFAR10(Dataset):
    """CIFAR-10 from the binary files (data_batch_1..5.bin, test_batch.bin under ``root`` or
    root/cifar-10-batches-bin), read by resnet/'s reader. Items are (image float32 [3, 32, 32],
    label int64). Preprocessing is the trainer's: ``standardize='image'`` (per-image, the
    default of `resnet train`) or ``'channel'`` (the training set's channel mean/std);
    ``augment=True`` adds its random crop (zero padding 4) and left-right flip, drawn from
    ``seed``. Built on the engine's Backend::augment_batch, as `resnet train` builds batches."""

    def __init__(self, root, train=True, augment=None, standardize="image", seed=0, device=None):
        if standardize not in ("image", "channel"):
            raise ValueError(f"CIFAR10: standardize must be 'image' or 'channel', got {standardize!r}")
        pixels, labels, mean, std = _core._read_cifar(str(root), bool(train))
        if standardize == "channel" and not train:  # the training set's statistics, as the trainer uses
            _, _, mean, std = _core._read_cifar(str(root), True)
        self.labels = labels
        self.augment = bool(train) if augment is None else bool(augment)
        self.per_image = standardize == "image"
        self._pixels = _core.tensor(pixels.astype(np.float32), device=device)
        self._mean = _core.tensor(np.asarray(mean, dtype=np.float32), device=device)
        self._std = _core.tensor(np.asarray(std, dtype=np.float32), device=device)
        self._rng = np.random.default_rng(seed)

    def __len__(self):
        """The number of images."""
        return len(self.labels)

    def _plan(self, idx):
        plan = np.zeros((len(idx), 4), dtype=np.int32)
        plan[:, 0] = idx
        if self.augment:
            plan[:, 1:3] = self._rng.integers(0, 9, size=(len(idx), 2))
            plan[:, 3] = self._rng.integers(0, 2, size=len(idx))
        else:
            plan[:, 1:3] = 4
        return plan

    def __getitems__(self, indices):
        idx = np.asarray(indices, dtype=np.int64)
        if idx.size and (idx.min() < 0 or idx.max() >= len(self)):
            raise IndexError(f"CIFAR10: index out of range for {len(self)} images")
        x = _core._augment_batch(self._pixels, _core.tensor(self._plan(idx), device=self._pixels.device), 4,
                                 self.per_image, self._mean, self._std)
        return x, _core.tensor(self.labels[idx])

    def __getitem__(self, i):
        """(image [3, 32, 32] float32, label int64) after the trainer's preprocessing."""
        i = int(i)
        if i < 0:
            i += len(self)
        x, y = self.__getitems__([i])
        return _core.reshape(x, [3, 32, 32]), _core.reshape(y, [])
