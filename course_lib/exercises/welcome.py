"""The welcome notebook's warm-up exercise: turn raw uint8 images into floats in [0, 1].

Every data notebook (``06``-``08``) starts this way, so the check names the usual slips.
Introduced in ``00_welcome``.
"""

from __future__ import annotations

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """Reference answer: uint8 images (N, H, W) with values 0..255 -> float32 in [0, 1].

    Introduced in ``00_welcome``.
    """
    return np.asarray(images).astype(np.float32) / np.float32(255.0)


def _batch(seed: int, low: int, high: int) -> np.ndarray:
    """A (2, 3, 4) uint8 batch of pixels from ``low`` to ``high``, both present."""
    images = np.random.default_rng(seed).integers(low + 1, high, size=(2, 3, 4), dtype=np.uint8)
    images[0, 0, 0], images[1, 2, 3] = low, high
    return images


def _probe_images() -> np.ndarray:
    """A small (N, H, W) = (2, 3, 4) uint8 batch holding 0, 255 and values between."""
    return _batch(0, 0, 255)


def _dim_images() -> np.ndarray:
    """A (2, 3, 4) uint8 batch whose pixels run from 30 to 200: no black and no 255 pixel."""
    return _batch(1, 30, 200)


def check_to_unit_range(to_unit_range) -> Feedback:
    """Check a learner's ``to_unit_range(images)`` against the reference; explain slips."""

    def attempt() -> str:
        images = _probe_images()
        original = images.copy()
        out = to_unit_range(images)
        if not isinstance(out, np.ndarray):
            raise Mistake(
                f"return a NumPy array, got {type(out).__name__}; "
                "start from images.astype(np.float32)"
            )
        if not np.array_equal(images, original):
            raise Mistake("the input images were changed; build a new array instead")
        if out.shape != images.shape:
            raise Mistake(
                f"the shape must stay (N, H, W) = {images.shape}, got {out.shape}; "
                "do not flatten or transpose here"
            )
        if out.dtype.kind in "iub":
            raise Mistake(
                f"the result has integer dtype {out.dtype}, so every value between 0 and 1 "
                "was rounded away; convert with .astype(np.float32) before dividing"
            )
        if out.dtype != np.float32:
            raise Mistake(
                f"the result has dtype {out.dtype}, which is what images / 255 gives: the "
                "values are right, but float64 takes twice the memory of float32, the type "
                "the networks use (PyTorch's default); convert to float32 before dividing"
            )
        if out.max() > 1.0 + 1e-6:
            raise Mistake(
                f"the largest value is {out.max():g}, above 1; divide by 255, the brightest "
                "possible pixel"
            )
        if np.isclose(out.max(), 255.0 / 256.0):
            raise Mistake("the brightest pixel (255) became 0.996, not 1.0; divide by 255, not 256")
        if not np.allclose(out, images / 255.0, atol=1e-6):
            raise Mistake(
                "some values differ from pixel / 255; each pixel should be divided by 255 "
                "and nothing else"
            )
        # A batch with no 255 pixel (and no 0): the scale must not depend on the batch.
        dim = _dim_images()
        out = np.asarray(to_unit_range(dim.copy()), dtype=np.float64)
        if out.shape == dim.shape and not np.allclose(out, dim / 255.0, atol=1e-6):
            if np.allclose(out, dim / 200.0, atol=1e-6):
                raise Mistake(
                    "you divided by the largest pixel of this batch; a batch whose brightest "
                    "pixel is 200 would then map 200 to 1: divide by 255, the largest value a "
                    "uint8 can hold"
                )
            if np.allclose(out, (dim - 30.0) / 170.0, atol=1e-6):
                raise Mistake(
                    "you stretched this batch from its darkest to its brightest pixel (30 became "
                    "0 and 200 became 1), so the same byte would mean different things in "
                    "different batches: divide every pixel by 255 and nothing else"
                )
            raise Mistake(
                "for a batch whose pixels run from 30 to 200 some values differ from "
                "pixel / 255; the scale must not depend on the batch: divide by 255"
            )
        return "0 stays 0, 255 becomes 1.0, 200 becomes 200 / 255, float32, shape unchanged."

    return run_check(
        "to_unit_range",
        attempt,
        start_hint=(
            "first choose the type (float32, the networks' type), then scale so that the "
            "brightest byte becomes exactly 1."
        ),
    )
