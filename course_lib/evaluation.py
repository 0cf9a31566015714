"""Looking at a trained classifier: confusion matrix, confident mistakes, kernels, feature maps.

The numbers come from plain NumPy functions (:func:`confusion_matrix`,
:func:`most_confident_mistakes`); each has a figure next to it (``plot_*``), drawn with the
course's colour-blind-safe style. The figures are drawn with pyplot, so a notebook shows them
once; assign the result (``fig = plot_confusion_matrix(...)``) to avoid a second copy.

Shape letters: N examples, K classes, F filters, C channels, HH/WW kernel size, H/W image size.
Introduced in ``06_mnist_with_a_feed_forward_net``; used in ``07`` and ``08``.
"""

from __future__ import annotations

import numpy as np

from course_lib.style import CMAP_DIVERGING, CMAP_GRAY, CMAP_SEQUENTIAL
from course_lib.validate import as_float_array, as_labels, check_positive_int

__all__ = [
    "confusion_matrix",
    "most_confident_mistakes",
    "plot_confusion_matrix",
    "plot_feature_maps",
    "plot_kernels",
    "plot_mistakes",
]


#: The most classes a confusion matrix may have (its K x K counts must fit in memory).
MAX_CLASSES = 10_000


def _as_numpy(x):
    if type(x).__module__.startswith("torch"):
        return x.detach().cpu().numpy()
    return x


def _finite(x, name: str, ndim: int | None = None, layout: str | None = None) -> np.ndarray:
    """``x`` (NumPy array, list or tensor) as a float array of finite numbers, checked."""
    try:
        return as_float_array(_as_numpy(x), name, ndim, layout, finite=True)
    except ValueError as err:
        if "inhomogeneous" in str(err) or "sequence" in str(err):  # a ragged nested list
            raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
        raise


def _labels(y, name: str, n: int | None = None) -> np.ndarray:
    """``y`` as a 1-D int64 array of labels >= 0 (``n`` of them when given)."""
    y = _as_numpy(y)
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(f"{name} must be an array of integer class labels, got {type(y).__name__}")
    try:
        arr = np.asarray(y)
    except ValueError as err:  # a ragged nested list
        raise ValueError(f"{name} must be a 1-D array of integer class labels: {err}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must have shape (N,), one label per example, got {arr.shape}")
    labels = as_labels(arr, name, arr.shape[0] if n is None else n)
    if labels.size and labels.min() < 0:
        raise ValueError(f"{name} must hold labels 0..K-1, got a negative label {labels.min()}")
    return labels


def _check_bool(value, name: str) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return value


def _check_title(title) -> str:
    if not isinstance(title, str):
        raise TypeError(f"title must be a string, got {type(title).__name__}")
    return title


def _check_class_names(class_names, k: int):
    if class_names is None:
        return None
    if isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__len__"):
        raise TypeError(
            f"class_names must be a list of {k} names such as ['T-shirt', ...], "
            f"got {type(class_names).__name__}"
        )
    if len(class_names) != k:
        raise ValueError(f"class_names has {len(class_names)} names but there are {k} classes")
    return class_names


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Count how often each true class was predicted as each class: an int ``(K, K)`` array.

    ``cm[i, j]`` is the number of examples of true class ``i`` predicted as class ``j``; the
    diagonal holds the correct predictions, so ``cm.trace() / cm.sum()`` is the accuracy.
    ``y_true``, ``y_pred``: ``(N,)`` labels in ``0..K-1``; ``num_classes`` (K) defaults to
    the largest label + 1. Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    y_true = _labels(y_true, "y_true")
    y_pred = _labels(y_pred, "y_pred", y_true.shape[0])
    if num_classes is None:
        num_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
        if num_classes > MAX_CLASSES:
            raise ValueError(
                f"the largest label is {num_classes - 1}, more than {MAX_CLASSES} classes; "
                "are y_true and y_pred class labels (not, say, pixel values or indices)?"
            )
    k = check_positive_int(num_classes, "num_classes")
    if k > MAX_CLASSES:
        raise ValueError(f"num_classes must be at most {MAX_CLASSES}, got {k}")
    as_labels(y_true, "y_true", y_true.shape[0], k)
    as_labels(y_pred, "y_pred", y_pred.shape[0], k)
    cm = np.zeros((k, k), dtype=np.int64)
    np.add.at(cm, (y_true, y_pred), 1)  # one count per (true, predicted) pair
    return cm


def most_confident_mistakes(proba, y_true, k: int = 16) -> np.ndarray:
    """Indices of the ``k`` wrong predictions made with the highest confidence, most first.

    ``proba``: ``(N, K)`` class probabilities (for example from
    :func:`course_lib.torch_nn.train.predict_proba`); ``y_true``: ``(N,)`` labels. A mistake's
    confidence is the probability the model gave to the class it (wrongly) predicted.
    Returns at most ``k`` indices (fewer when the model made fewer mistakes).
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    proba = _finite(proba, "proba", 2, "(N, K)")
    if proba.size == 0:
        raise ValueError(f"proba must have shape (N, K) with K >= 1, got {proba.shape}")
    y_true = _labels(y_true, "y_true", proba.shape[0])
    as_labels(y_true, "y_true", proba.shape[0], proba.shape[1])
    k = check_positive_int(k, "k")
    pred = proba.argmax(axis=1)
    wrong = np.flatnonzero(pred != y_true)
    confidence = proba[wrong, pred[wrong]]
    order = np.argsort(-confidence, kind="stable")  # most confident first
    return wrong[order[:k]]


def plot_confusion_matrix(
    cm,
    class_names=None,
    *,
    title: str = "Confusion matrix",
    normalize: bool = False,
    ax=None,
):
    """Draw a confusion matrix ``(K, K)`` as a heat map with the counts written in; return Figure.

    Rows are the true classes, columns the predicted ones. ``normalize=True`` shows each row as
    fractions (the recall of each class), which compares classes of different sizes fairly.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    import matplotlib.pyplot as plt

    cm = _finite(cm, "cm")
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1] or cm.size == 0:
        raise ValueError(f"cm must be a square (K, K) array of counts, got shape {cm.shape}")
    if cm.min() < 0:
        raise ValueError(f"cm must hold counts >= 0, got {cm.min()}")
    k = cm.shape[0]
    if k > MAX_CLASSES:
        raise ValueError(f"cm must have at most {MAX_CLASSES} classes, got {k}")
    class_names = _check_class_names(class_names, k)
    _check_bool(normalize, "normalize")
    _check_title(title)
    if ax is not None and not hasattr(ax, "imshow"):
        raise TypeError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    names = [str(c) for c in (class_names if class_names is not None else range(k))]
    values = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1) if normalize else cm
    if ax is None:
        size = 3.0 + 0.45 * k
        fig, ax = plt.subplots(figsize=(size + 1.0, size))
    else:
        fig = ax.figure
    image = ax.imshow(values, cmap=CMAP_SEQUENTIAL, interpolation="nearest")
    fig.colorbar(image, ax=ax, label="fraction of the true class" if normalize else "examples")
    ax.grid(False)
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 2 else 0, ha="right")
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title(title)
    threshold = values.max() / 2 if values.size else 0
    fontsize = 8 if k <= 10 else 6
    for i in range(k):
        for j in range(k):
            text = f"{values[i, j]:.2f}" if normalize else f"{int(values[i, j])}"
            colour = "black" if values[i, j] > threshold else "white"  # readable on viridis
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize, color=colour)
    fig.tight_layout()
    return fig


def plot_mistakes(
    images,
    proba,
    y_true,
    class_names=None,
    *,
    k: int = 16,
    ncols: int = 8,
    title: str = "The model's most confident mistakes",
):
    """Show the ``k`` most confident mistakes as images captioned "prediction (true: label)".

    ``images``: ``(N, H, W)`` or ``(N, 1, H, W)``; ``proba``: ``(N, K)``; ``y_true``: ``(N,)``.
    The caption also gives the probability of the predicted class. Returns the Figure (or
    ``None`` with nothing drawn when there is no mistake at all).
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    from course_lib.plots import show_image_grid

    proba = _finite(proba, "proba", 2, "(N, K)")
    _check_title(title)
    _finite(images, "images")  # checked; drawn as given (uint8 pixels stay uint8)
    images = np.asarray(_as_numpy(images))
    if images.ndim not in (3, 4):
        raise ValueError(f"images must have shape (N, H, W) or (N, 1, H, W), got {images.shape}")
    if images.shape[0] != proba.shape[0]:
        raise ValueError(
            f"images has {images.shape[0]} examples but proba has {proba.shape[0]} rows; "
            "pass the images the probabilities were computed for"
        )
    idx = most_confident_mistakes(proba, y_true, k)
    class_names = _check_class_names(class_names, proba.shape[1])
    ncols = check_positive_int(ncols, "ncols")
    if idx.size == 0:
        return None
    y_true = _labels(y_true, "y_true")
    pred = proba.argmax(axis=1)
    fig = show_image_grid(
        images[idx], y_true[idx], class_names, predictions=pred[idx], ncols=ncols, title=title
    )
    for ax, i in zip(fig.axes, idx, strict=False):
        ax.set_title(ax.get_title() + f"\np = {proba[i, pred[i]]:.2f}", fontsize=7,
                     color=ax.title.get_color())  # fmt: skip
    fig.tight_layout()
    return fig


def plot_kernels(weights, *, title: str = "Learned first-layer kernels", ncols: int = 8):
    """Draw convolution kernels ``(F, C, HH, WW)`` as small images, one per filter; return Figure.

    Only the first input channel is shown (``C = 1`` for grey-scale images). Each kernel uses
    a diverging colour map centred on zero, so positive weights (the kernel responds to
    brightness there) and negative ones (responds to darkness) have opposite colours.
    Introduced in ``08_convolutional_networks``.
    """
    import matplotlib.pyplot as plt

    _check_title(title)
    w = _finite(weights, "weights").astype(float)
    if w.ndim != 4 or w.size == 0:
        raise ValueError(
            f"weights must have shape (F, C, HH, WW) like a Conv2d weight, got shape {w.shape}"
        )
    ncols = check_positive_int(ncols, "ncols")
    f = w.shape[0]
    ncols = min(ncols, f)
    nrows = -(-f // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.1 * ncols, 1.1 * nrows + 0.6), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")  # a kernel's pixels need no ticks
        if i >= f:
            continue
        kernel = w[i, 0]
        bound = float(np.abs(kernel).max()) or 1.0
        ax.imshow(kernel, cmap=CMAP_DIVERGING, vmin=-bound, vmax=bound, interpolation="nearest")
        ax.set_title(f"filter {i}", fontsize=8)
    fig.suptitle(title + " (orange: positive weight, purple: negative)", fontsize=11)
    fig.tight_layout()
    return fig


def plot_feature_maps(
    feature_maps,
    image=None,
    *,
    title: str = "Feature maps of the first convolution layer",
    ncols: int = 8,
):
    """Draw the feature maps ``(F, H, W)`` (or ``(1, F, H, W)``) one layer made from an image.

    ``image`` ``(H, W)`` (optional) is shown first, so the reader sees what the filters looked
    at. Each map has its own colour scale: bright where the filter's pattern was found.
    Introduced in ``08_convolutional_networks``.
    """
    import matplotlib.pyplot as plt

    _check_title(title)
    maps = _finite(feature_maps, "feature_maps").astype(float)
    if maps.ndim == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.ndim != 3 or maps.size == 0:
        raise ValueError(
            f"feature_maps must have shape (F, H, W) or (1, F, H, W), got shape {maps.shape}"
        )
    ncols = check_positive_int(ncols, "ncols")
    if image is not None:
        img = _finite(image, "image").astype(float).squeeze()
        if img.ndim != 2:
            raise ValueError(f"image must have shape (H, W), got shape {img.shape}")
    count = maps.shape[0]
    ncols = min(ncols, count)
    nrows = -(-count // ncols)
    lead = 1 if image is not None else 0  # a column on the left for the input image
    fig, axes = plt.subplots(
        nrows,
        ncols + lead,
        figsize=(1.2 * (ncols + lead), 1.2 * nrows + 0.6),
        squeeze=False,
    )
    if image is not None:
        axes[0, 0].imshow(img, cmap=CMAP_GRAY, interpolation="nearest")
        axes[0, 0].set_title("input image", fontsize=8)
    map_axes = axes[:, lead:].flat
    for i, ax in zip(range(count), map_axes, strict=False):
        ax.imshow(maps[i], cmap=CMAP_SEQUENTIAL, interpolation="nearest")
        ax.set_title(f"map {i}", fontsize=8)
    for ax in axes.flat:
        ax.axis("off")  # pixels need no ticks
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig
