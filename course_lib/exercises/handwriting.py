"""Exercise of ``09_your_own_handwriting``: centre a digit by its centre of mass.

:func:`check_centre_by_mass` runs the learner's ``centre_by_mass(img) -> (28, 28)`` on
tricky inputs (a single dot, a blob whose centre falls between pixels, a digit touching the
border, an empty canvas) and compares with the reference
:func:`course_lib.data.preprocess.centre_by_mass`. It names the usual slips, each recognised
by running the slip itself on the same input:

* rows and columns swapped (the centre's row used to move columns);
* shifting the wrong way (by ``centre - target`` instead of ``target - centre``);
* truncating the shift with ``int()`` instead of rounding, or moving by a fraction of a pixel;
* ``np.roll``, which wraps the ink pushed past one edge back in at the other;
* dividing by zero on an empty canvas: an error, NaN in the result, or NumPy's 0 / 0
  ``RuntimeWarning`` even when the result comes out right (the guard sits after the division);
* changing the learner's input image in place.

Introduced in ``09_your_own_handwriting``.
"""

from __future__ import annotations

import warnings

import numpy as np

from course_lib.data.preprocess import MNIST_CENTRE, centre_of_mass, shift_image
from course_lib.data.preprocess import centre_by_mass as _reference
from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = ["centre_by_mass", "check_centre_by_mass", "tricky_images"]

centre_by_mass = _reference  # the reference answer (also used by the drawing pad's pipeline)


def tricky_images() -> dict[str, np.ndarray]:
    """The inputs the check uses, by name: each ``(28, 28)`` float, 0 paper and 1 ink."""
    dot = np.zeros((28, 28))
    dot[10, 17] = 1.0  # centre (10, 17): moves 4 down and 3 left
    between = np.zeros((28, 28))
    between[11:13, 10:12] = np.outer([0.7, 0.3], [0.7, 0.3]) / 0.49  # centre (11.3, 10.3)
    border = np.zeros((28, 28))
    border[8:21, 2:9] = 1.0  # a heavy stroke on the left ...
    border[14, 9:28] = 0.6  # ... and a thin one that reaches the right edge
    return {
        "a single dot": dot,
        "a blob whose centre falls between pixels": between,
        "a digit touching the border": border,
    }


def _slips(img: np.ndarray) -> dict[str, np.ndarray]:
    """What each named slip returns for ``img``."""
    r, c = centre_of_mass(img)
    ty, tx = MNIST_CENTRE
    good = (int(np.round(ty - r)), int(np.round(tx - c)))
    return {
        "swapped": shift_image(img, int(np.round(tx - c)), int(np.round(ty - r))),
        "swapped_roll": np.roll(img, (int(np.round(tx - c)), int(np.round(ty - r))), axis=(0, 1)),
        "wrong_way": shift_image(img, -good[0], -good[1]),
        "wrong_way_roll": np.roll(img, (-good[0], -good[1]), axis=(0, 1)),
        "truncated": shift_image(img, int(ty - r), int(tx - c)),
        "truncated_roll": np.roll(img, (int(ty - r), int(tx - c)), axis=(0, 1)),
        "roll": np.roll(img, good, axis=(0, 1)),
    }


_MESSAGES = {
    "swapped": (
        "rows and columns are swapped: the dot at row 10, column 17 should end at (14, 14) but "
        "yours moved as if it sat at row 17, column 10. The centre's row comes from weighting "
        "each row index by that row's ink (sum along axis 1), and it moves the image up or "
        "down (axis 0)."
    ),
    "wrong_way": (
        "you shifted the wrong way: the image moved away from the middle. To bring a centre "
        "at r to 14, move the image by 14 - r (positive: down or right), not r - 14."
    ),
    "truncated": (
        "the shift is cut short: int() (or an unrounded shift given to np.roll) drops the "
        "fraction, so a needed move of 2.7 pixels becomes 2 and the centre lands 0.7 pixels "
        "off. Round to the nearest whole pixel "
        "(np.round, then int) so the centre lands within half a pixel of (14, 14)."
    ),
    "roll": (
        "ink wrapped around: np.roll pushes what leaves one edge back in at the opposite "
        "edge, so a digit touching the border grows a stray stroke on the other side. Start "
        "from np.zeros_like(img) and copy the part that stays inside (slices), dropping the "
        "rest."
    ),
}


def _as_image(out, what: str) -> np.ndarray:
    if out is None:
        raise Mistake(f"{what}: your function returned None; return the moved image")
    arr = np.asarray(out, dtype=float)
    if arr.shape != (28, 28):
        raise Mistake(
            f"{what}: your function returned shape {arr.shape}; it must return the moved "
            "(28, 28) image, not the shift or the centre"
        )
    return arr


_ZERO_DIVISION = (
    "with no ink the total is 0 and the centre is 0 / 0. Check the total ink before you "
    "divide, and return the empty image unchanged."
)


def _run(fn, img: np.ndarray, what: str, caught: list | None = None) -> np.ndarray:
    """The learner's result for ``img``; NumPy's RuntimeWarnings go into ``caught``."""
    given = img.copy()
    empty = not img.any()
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always", RuntimeWarning)
            out = fn(given)
        for w in seen:
            if not issubclass(w.category, RuntimeWarning):  # not ours to judge: show it
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            elif caught is not None:
                caught.append(w)
    except TypeError as error:
        if empty:  # a NaN centre cannot be a shift: the slip is the division, not the rounding
            raise Mistake(
                f"{what} your code raised TypeError ({error}): {_ZERO_DIVISION}"
            ) from None
        if "integer" in str(error) or "slice" in str(error):
            raise Mistake(
                f"{what}: your code raised TypeError ({error}). A shift must be a whole number "
                "of pixels: round it first (int(np.round(...)))."
            ) from None
        raise
    if not np.array_equal(given, img):
        raise Mistake(
            f"{what}: your function changed the image it was given (in place). Build the "
            "result in a new array (np.zeros_like(img)) and leave the input as it was."
        )
    return _as_image(out, what)


def _diagnose(out: np.ndarray, img: np.ndarray, what: str) -> None:
    """Raise a Mistake naming the slip ``out`` matches; do nothing if ``out`` is right."""
    if np.allclose(out, _reference(img), atol=1e-9):
        return
    for name, wrong in _slips(img).items():
        if np.allclose(out, wrong, atol=1e-9):
            raise Mistake(f"{what}: {_MESSAGES[name.removesuffix('_roll')]}")
    if not np.all(np.isfinite(out)):
        raise Mistake(
            f"{what}: your result holds NaN or infinity; move the pixels, do not divide them"
        )
    if out.min() < 0:
        raise Mistake(f"{what}: your result has negative values; move the pixels, change none")
    com = centre_of_mass(out)
    if com is None:
        raise Mistake(f"{what}: your result is empty: the ink was moved out of the picture")
    if not np.isclose(out.sum(), img.sum()) and out.sum() > img.sum():
        raise Mistake(f"{what}: your result has more ink than the input; move pixels, add none")
    values = np.unique(np.round(out[out > 0], 9))
    if not np.all(np.isin(values, np.round(img[img > 0], 9))):
        raise Mistake(
            f"{what}: your result has grey levels the input does not have: it was moved by a "
            "fraction of a pixel (interpolated). MNIST's centring moves whole pixels: round "
            "the shift to the nearest whole number."
        )
    raise Mistake(
        f"{what}: the centre of mass of your result is at ({com[0]:.2f}, {com[1]:.2f}); it "
        f"should be within half a pixel of {MNIST_CENTRE}, with the image moved by whole "
        "pixels and nothing wrapped around."
    )


def check_centre_by_mass(centre_by_mass) -> Feedback:
    """Check ``centre_by_mass(img (28, 28)) -> (28, 28)`` against the reference.

    Introduced in ``09_your_own_handwriting``.
    """

    def attempt():
        for name, img in tricky_images().items():
            out = _run(centre_by_mass, img, f"on {name}")
            _diagnose(out, img, f"on {name}")
        empty = np.zeros((28, 28))
        warned = []
        try:
            out = _run(centre_by_mass, empty, "on an empty canvas", caught=warned)
        except (ZeroDivisionError, ValueError, FloatingPointError, OverflowError) as error:
            raise Mistake(
                f"on an empty canvas your code raised {type(error).__name__} ({error}): with no "
                "ink the total is 0 and the centre is 0 / 0. Check for that first and return "
                "the empty image unchanged."
            ) from None
        if not np.all(np.isfinite(out)):
            raise Mistake(
                "on an empty canvas your result holds NaN: the centre of no ink is 0 / 0. "
                "Check the total ink first and return the empty image unchanged."
            )
        if np.any(out != 0):
            raise Mistake("on an empty canvas your result has ink; return the image unchanged")
        if warned:
            raise Mistake(
                "on an empty canvas your result is right, but NumPy warned "
                f'"{warned[0].message}": your code divided by the total ink, which is 0 here, '
                "before checking it. Check the total first and return the empty image "
                "unchanged, so that no 0 / 0 is ever computed."
            )
        return (
            "the dot, the blob between pixels and the digit at the border all land with "
            "their centre within half a pixel of (14, 14), nothing wraps around, and an "
            "empty canvas comes back empty."
        )

    return run_check(
        "centre_by_mass",
        attempt,
        start_hint=(
            "find the centre of mass first (a weighted mean of the row indices, then of the "
            "column indices, weighted by the ink), then move the whole image so that it lands "
            "on (14, 14)."
        ),
    )
