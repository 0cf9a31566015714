"""Load MNIST and Fashion-MNIST as NumPy arrays.

Both loaders return ``(x_train, y_train, x_test, y_test)``:

* ``x_train``: (60000, 28, 28) uint8, grey levels 0 (black) .. 255 (white)
* ``y_train``: (60000,) uint8, class labels 0 .. 9
* ``x_test``: (10000, 28, 28) uint8, ``y_test``: (10000,) uint8

Files come from the cache folder (see :mod:`course_lib.data.download`) and are downloaded
on first use. Parsed arrays are kept in memory for the rest of the Python process, keyed by
the file's path, size and modification time, and every call returns fresh *copies*: a
learner who writes into ``x_train`` cannot spoil the next call's data.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .download import (
    TEST_IMAGES,
    TEST_LABELS,
    TRAIN_IMAGES,
    TRAIN_LABELS,
    dataset_dir,
    ensure_file,
    get_dataset,
)
from .errors import IDXFormatError
from .idx import read_idx

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
"""Fashion-MNIST's class names: ``FASHION_MNIST_CLASSES[label]`` (K = 10)."""

MNIST_CLASSES = tuple(str(d) for d in range(10))
"""MNIST's class names, the digits "0" .. "9"."""

IMAGE_SHAPE = (28, 28)
N_TRAIN, N_TEST = 60000, 10000
NUM_CLASSES = 10

# (path, size, mtime_ns) -> read-only parsed array; at most the 8 files of the two data sets
# per cache folder, so it never grows without bound.
_MEMORY: dict[tuple, np.ndarray] = {}


def load_mnist(*, cache_dir=None, download: bool = True, progress: bool = True, mirrors=None):
    """Load MNIST handwritten digits: ``(x_train, y_train, x_test, y_test)``.

    Shapes: x_train (60000, 28, 28), y_train (60000,), x_test (10000, 28, 28), y_test
    (10000,), all uint8; labels are the digits 0 .. 9. ``cache_dir`` overrides the cache
    folder; ``download=False`` raises instead of downloading a missing file; ``mirrors``
    replaces the download locations (see :mod:`course_lib.data.download`).

    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    return _load("mnist", cache_dir, download, progress, mirrors)


def load_fashion_mnist(
    *, cache_dir=None, download: bool = True, progress: bool = True, mirrors=None
):
    """Load Fashion-MNIST clothes images: ``(x_train, y_train, x_test, y_test)``.

    Same shapes, dtype and arguments as :func:`load_mnist`; label ``k`` is the garment
    ``FASHION_MNIST_CLASSES[k]`` (6000 training and 1000 test images per class).

    Introduced in ``08_convolutional_networks``.
    """
    return _load("fashion-mnist", cache_dir, download, progress, mirrors)


def _load(name, cache_dir, download, progress, mirrors):
    get_dataset(name)
    for value, what in ((download, "download"), (progress, "progress")):
        if not isinstance(value, bool):  # a string such as "no" would be truthy
            raise TypeError(f"{what} must be True or False, got {value!r}")
    dataset_dir(name, cache_dir)  # refuses a cache_dir that is not a path
    parts = []
    for filename, n, ndim in (
        (TRAIN_IMAGES, N_TRAIN, 3),
        (TRAIN_LABELS, N_TRAIN, 1),
        (TEST_IMAGES, N_TEST, 3),
        (TEST_LABELS, N_TEST, 1),
    ):
        arr = _cached_array(name, filename, cache_dir, download, progress, mirrors, ndim)
        expected = (n, *IMAGE_SHAPE) if ndim == 3 else (n,)
        if arr.shape != expected or arr.dtype != np.uint8:
            path = dataset_dir(name, cache_dir) / filename
            raise IDXFormatError(
                f"{path} holds an array of shape {arr.shape} and dtype {arr.dtype}, expected "
                f"{expected} uint8. Delete it and run `python -m course_lib.data fetch {name}`."
            )
        parts.append(arr.copy())  # a private, writable copy for the caller
    x_train, y_train, x_test, y_test = parts
    for labels, split in ((y_train, "train"), (y_test, "test")):
        if labels.max() >= NUM_CLASSES:
            raise IDXFormatError(
                f"{get_dataset(name).title} {split} labels go up to {labels.max()}, expected "
                f"0..{NUM_CLASSES - 1}; the files in {dataset_dir(name, cache_dir)} are not "
                f"the real data set. Delete them and run `python -m course_lib.data fetch {name}`."
            )
    return x_train, y_train, x_test, y_test


def _cached_array(name, filename, cache_dir, download, progress, mirrors, ndim) -> np.ndarray:
    path = Path(dataset_dir(name, cache_dir)) / filename
    key = _memory_key(path)
    if key is not None and key in _MEMORY:
        return _MEMORY[key]
    path = ensure_file(
        name, filename, cache_dir=cache_dir, mirrors=mirrors, download=download, progress=progress
    )
    arr = read_idx(path, expected_ndim=ndim)
    arr.flags.writeable = False
    key = _memory_key(path)
    if key is not None:
        _MEMORY[key] = arr
    return arr


def _memory_key(path: Path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (str(Path(path).resolve()), st.st_size, st.st_mtime_ns)


def clear_memory_cache() -> None:
    """Forget the arrays kept in memory (the files on disk are untouched)."""
    _MEMORY.clear()
