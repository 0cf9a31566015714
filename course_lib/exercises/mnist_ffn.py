"""Exercises of ``06_mnist_with_a_feed_forward_net``: flatten a batch, score a classifier.

* :func:`flatten_images`: ``(N, H, W)`` images -> ``(N, H * W)`` rows, what an FFN needs;
* :func:`accuracy_from_logits`: the fraction of images whose highest logit is the true class.

Each ``check_*`` runs the learner's function on small, chosen inputs and names the usual
slip (a batch flattened into one long vector, a transposed result, argmax over the wrong
axis, a count instead of a fraction, ...). Introduced in ``06_mnist_with_a_feed_forward_net``.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = [
    "accuracy_from_logits",
    "check_accuracy_from_logits",
    "check_flatten_images",
    "flatten_images",
]


def flatten_images(images: np.ndarray) -> np.ndarray:
    """Reference answer: images ``(N, H, W)`` -> ``(N, H * W)``, each image read row by row.

    Row ``n`` of the result is image ``n``'s first row of pixels, then its second row, and so
    on (NumPy's default "C" order). Values and dtype are unchanged.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    images = np.asarray(images)
    return images.reshape(images.shape[0], -1)  # (N, H*W)


def accuracy_from_logits(logits: np.ndarray, labels: np.ndarray) -> float:
    """Reference answer: the fraction of rows whose largest logit is at the true class.

    ``logits``: ``(N, K)`` scores, one row per image; ``labels``: ``(N,)`` classes in
    ``0..K-1``. Returns a float in ``[0, 1]``.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    predictions = np.asarray(logits).argmax(axis=1)  # (N,)
    return float(np.mean(predictions == np.asarray(labels)))


# ------------------------------------------------------------------------- flatten_images


def _probe_images() -> np.ndarray:
    """(N, H, W) = (3, 4, 5): N, H and W all differ, so every mix-up shows in the shape."""
    return np.arange(3 * 4 * 5, dtype=np.uint8).reshape(3, 4, 5) * 4


def check_flatten_images(flatten_images) -> Feedback:
    """Check a learner's ``flatten_images(images)``; explain the usual slips."""

    def attempt() -> str:
        images = _probe_images()
        original = images.copy()
        n, h, w = images.shape
        out = flatten_images(images)
        if not isinstance(out, np.ndarray):
            raise Mistake(
                f"return a NumPy array, got {type(out).__name__}; images.reshape(...) gives one"
            )
        if not np.array_equal(images, original):
            raise Mistake("the input images were changed; return a reshaped view or a new array")
        if out.shape == (n * h * w,):
            raise Mistake(
                f"the whole batch became one long vector of {n * h * w} numbers; keep one row "
                f"per image: the shape should be (N, H * W) = ({n}, {h * w}). "
                "Try images.reshape(len(images), -1)"
            )
        if out.shape == (h * w, n):
            raise Mistake(
                f"the result is transposed: shape {out.shape} has one column per image; the "
                f"network expects one row per image, shape (N, H * W) = ({n}, {h * w})"
            )
        if out.shape == images.shape:
            raise Mistake(
                f"the images still have shape (N, H, W) = {images.shape}; join each image's "
                "H rows into one row of H * W numbers"
            )
        if out.shape != (n, h * w):
            raise Mistake(
                f"expected shape (N, H * W) = ({n}, {h * w}) for {n} images of {h}x{w} "
                f"pixels, got {out.shape}"
            )
        if not np.array_equal(np.sort(out, axis=1), np.sort(images.reshape(n, -1), axis=1)):
            raise Mistake(
                "the pixel values changed; flattening only moves pixels into one row "
                "(no scaling here: the data layer and fit() do that)"
            )
        if not np.array_equal(out, images.reshape(n, -1)):
            raise Mistake(
                "every pixel is there but in another order; read each image row by row, as "
                "images.reshape(N, -1) does (no transpose, no order='F')"
            )
        return f"{n} images of {h}x{w} pixels became {n} rows of {h * w} numbers, row by row."

    return run_check(
        "flatten_images",
        attempt,
        start_hint="Keep the batch axis and join the rest: images.reshape(len(images), -1).",
    )


# ------------------------------------------------------------------- accuracy_from_logits


def _probe_logits() -> tuple[np.ndarray, np.ndarray]:
    """Logits (N, K) = (6, 4) with labels chosen so that 4 of 6 predictions are right.

    The usual slips give other answers: argmax over axis 0 (a (K,) result, or wrong values
    on a square case), argmin (0 of 6), the error rate (1/3), a count (4), a percentage.
    """
    logits = np.array(
        [
            [2.0, 0.1, -1.0, 0.3],  # predicts 0
            [0.2, 3.0, 0.1, -0.5],  # predicts 1
            [-1.0, 0.0, 1.5, 0.4],  # predicts 2
            [0.3, 0.2, 0.1, 2.2],  # predicts 3
            [1.1, 0.9, -2.0, 0.0],  # predicts 0
            [0.0, 0.5, 0.4, -3.0],  # predicts 1
        ]
    )
    labels = np.array([0, 1, 2, 3, 1, 2])  # the last two predictions are wrong
    return logits, labels


def _probe_square() -> tuple[np.ndarray, np.ndarray]:
    """Logits (3, 3) where the argmax along rows and along columns disagree.

    Along each row (the right axis) every prediction is class 0, which is every label:
    accuracy 1. Along the columns (axis 0) the "predictions" are 0, 1, 2: accuracy 1/3.
    """
    logits = np.array([[5.0, 0.0, 0.0], [4.0, 1.0, 0.0], [3.0, 0.0, 2.0]])
    return logits, np.array([0, 0, 0])


_AXIS_HINT = (
    "take the argmax along the classes (axis=1, within each row), not along the images "
    "(axis=0): each row holds one image's K scores"
)


def check_accuracy_from_logits(accuracy_from_logits) -> Feedback:
    """Check a learner's ``accuracy_from_logits(logits, labels)``; explain the usual slips."""

    def on_square() -> float:
        logits, labels = _probe_square()
        return float(np.asarray(accuracy_from_logits(logits, labels)).mean())

    def attempt() -> str:
        logits, labels = _probe_logits()
        expected = 4 / 6
        try:
            out = accuracy_from_logits(logits.copy(), labels.copy())
        except (ValueError, IndexError) as error:
            # argmax over axis 0 gives K predictions for N labels: a shape clash
            try:
                square = on_square()
            except Exception:
                raise error from None
            if np.isclose(square, 1 / 3):
                raise Mistake(_AXIS_HINT) from None
            raise
        if isinstance(out, np.ndarray) and out.ndim > 0 and out.size > 1:
            raise Mistake(
                f"return one number, got an array of shape {out.shape}; the accuracy is the "
                "mean of (predictions == labels)"
            )
        if isinstance(out, np.ndarray):
            out = out.item()
        if isinstance(out, bool) or not isinstance(out, numbers.Real):
            raise Mistake(f"return a number between 0 and 1, got {type(out).__name__}")
        out = float(out)
        if np.isclose(out, 4.0):
            raise Mistake(
                "4 is the number of correct predictions; divide by the number of images (6) "
                "to get a fraction, e.g. with np.mean"
            )
        if np.isclose(out, 100 * expected):
            raise Mistake(
                f"{out:.1f} looks like a percentage; return a fraction between 0 and 1 "
                "(the notebook formats it as a percentage when printing)"
            )
        if np.isclose(out, 1 - expected):
            raise Mistake(
                "that is the error rate (the wrong ones); count the predictions that equal "
                "the labels"
            )
        if np.isclose(out, 0.0):
            raise Mistake(
                "none counted as right; the predicted class is the position of the LARGEST "
                "logit in each row: logits.argmax(axis=1)"
            )
        if not np.isclose(out, expected):
            raise Mistake(
                f"expected {expected:.3f} (4 of 6 rows have their largest logit at the true "
                f"class), got {out:.3f}; predictions are logits.argmax(axis=1)"
            )
        if not np.isclose(on_square(), 1.0):
            raise Mistake(_AXIS_HINT)
        return "4 of 6 rows have their largest logit at the true class: accuracy 0.667."

    return run_check(
        "accuracy_from_logits",
        attempt,
        start_hint="predictions = logits.argmax(axis=1); then the mean of predictions == labels.",
    )
