"""Figures that more than one notebook draws.

Introduced in ``00_welcome`` (a grid of MNIST digits and Fashion-MNIST clothes); reused by
``06``-``08`` to show examples, predictions and mistakes.
"""

from __future__ import annotations

import numpy as np

from course_lib.style import CMAP_GRAY, OKABE_ITO
from course_lib.validate import as_labels, check_positive_int


def show_image_grid(
    images,
    labels=None,
    class_names=None,
    *,
    predictions=None,
    ncols: int = 8,
    title: str = "Examples from the data set",
    cmap: str = CMAP_GRAY,
):
    """Draw grey-scale images in a grid, each captioned with its label; return the Figure.

    ``images``: (N, H, W) or (N, 1, H, W), as uint8 (0-255, the raw data sets) or floats
    (shown from their own minimum to maximum). ``labels``: (N,) integer classes, or None.
    ``class_names``: K names so that a caption reads "Ankle boot" rather than "9".
    ``predictions``: (N,) classes a model predicted; each caption then reads
    "prediction (true: label)" and wrong ones are coloured vermillion.
    ``ncols``: images per row. The figure is drawn with pyplot, so a notebook shows it once;
    assign the result (``fig = show_image_grid(...)``) to avoid a second copy.

    Introduced in ``00_welcome``; reused in ``06``-``08``.
    """
    import matplotlib.pyplot as plt

    arr = np.asarray(images)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"images must hold numbers (uint8 or float), got dtype {arr.dtype}")
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]  # (N, 1, H, W) -> (N, H, W)
    if arr.ndim != 3:
        raise ValueError(
            f"images must have shape (N, H, W) or (N, 1, H, W), got shape {arr.shape}; "
            "for a single image use images[None]"
        )
    n = arr.shape[0]
    if n == 0:
        raise ValueError("images is empty (N = 0); pass at least one image")
    ncols = check_positive_int(ncols, "ncols")
    num_classes = None if class_names is None else len(class_names)
    labels = None if labels is None else as_labels(labels, "labels", n, num_classes)
    if predictions is not None:
        if labels is None:
            raise ValueError("predictions need labels to compare with; pass labels=y as well")
        predictions = as_labels(predictions, "predictions", n, num_classes)

    def name(k: int) -> str:
        return str(k) if class_names is None else str(class_names[k])

    if arr.dtype == np.uint8:
        vmin, vmax = 0, 255
    else:
        vmin, vmax = float(arr.min()), float(arr.max())
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(1.25 * ncols, 1.45 * nrows + 0.5), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")  # pixels need no ticks; the caption names what each image shows
        if i >= n:
            continue
        ax.imshow(arr[i], cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest")
        if labels is None:
            continue
        if predictions is None:
            ax.set_title(name(labels[i]), fontsize=9)
        else:
            wrong = predictions[i] != labels[i]
            color = OKABE_ITO["vermillion"] if wrong else OKABE_ITO["black"]
            caption = f"{name(predictions[i])}\n(true: {name(labels[i])})"
            ax.set_title(caption, fontsize=8, color=color)
    fig.suptitle(title)
    fig.tight_layout()
    return fig
