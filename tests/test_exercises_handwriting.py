"""Check of 09_your_own_handwriting: the answer passes, and each slip gets its own named hint.

Every wrong version below is a mistake a learner could make; the test asserts that the
check's feedback names that mistake.
"""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.handwriting import centre_by_mass, check_centre_by_mass, tricky_images


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def stub(img):
    raise NotImplementedError("replace this line with your answer.")


def centre(img):
    """(row, col) of the centre of mass, the way a learner writes it."""
    total = img.sum()
    rows = np.arange(img.shape[0])
    return (img.sum(axis=1) @ rows) / total, (img.sum(axis=0) @ rows) / total


def paste(img, dy, dx):
    """Move by whole pixels, zero-filled (the right way)."""
    out = np.zeros_like(img)
    h, w = img.shape
    out[max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = img[
        max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def learner_answer(img):
    if img.sum() == 0:
        return img.copy()
    r, c = centre(img)
    return paste(img, int(np.round(14 - r)), int(np.round(14 - c)))


def rows_and_columns_swapped(img):
    if img.sum() == 0:
        return img.copy()
    r, c = centre(img)
    return paste(img, int(np.round(14 - c)), int(np.round(14 - r)))


def wrong_way(img):
    if img.sum() == 0:
        return img.copy()
    r, c = centre(img)
    return paste(img, int(np.round(r - 14)), int(np.round(c - 14)))


def truncated(img):
    if img.sum() == 0:
        return img.copy()
    r, c = centre(img)
    return paste(img, int(14 - r), int(14 - c))


def fractional(img):
    """Moves by the exact (fractional) amount with bilinear interpolation: not rounded."""
    if img.sum() == 0:
        return img.copy()
    r, c = centre(img)
    dy, dx = 14 - r, 14 - c
    fy, fx = int(np.floor(dy)), int(np.floor(dx))
    ay, ax = dy - fy, dx - fx
    return (
        (1 - ay) * (1 - ax) * paste(img, fy, fx)
        + ay * (1 - ax) * paste(img, fy + 1, fx)
        + (1 - ay) * ax * paste(img, fy, fx + 1)
        + ay * ax * paste(img, fy + 1, fx + 1)
    )


def float_roll(img):
    """np.roll with an unrounded shift: NumPy cuts the fraction off (or refuses it)."""
    r, c = centre(img)
    return np.roll(img, (14 - r, 14 - c), axis=(0, 1))


def float_slices(img):
    """Slices with an unrounded shift: Python refuses float slice bounds."""
    r, c = centre(img)
    dy, dx = 14 - r, 14 - c
    out = np.zeros_like(img)
    out[max(dy, 0) :, max(dx, 0) :] = img[: 28 - max(dy, 0), : 28 - max(dx, 0)]
    return out


def with_roll(img):
    if img.sum() == 0:
        return img.copy()
    r, c = centre(img)
    return np.roll(img, (int(np.round(14 - r)), int(np.round(14 - c))), axis=(0, 1))


def divides_by_zero(img):
    r, c = centre(img)  # 0 / 0 on an empty canvas: NaN, then int(NaN) fails
    return paste(img, int(np.round(14 - r)), int(np.round(14 - c)))


def nan_on_empty(img):
    total = img.sum()
    out = learner_answer(img) if total else img / total  # 0 / 0 everywhere
    return out


def in_place(img):
    if img.sum() == 0:
        return img
    moved = learner_answer(img)
    img[...] = moved  # overwrites the caller's image
    return img


def returns_the_shift(img):
    r, c = centre(img)
    return (14 - r, 14 - c)


def test_reference_and_a_learner_answer_pass():
    assert check_centre_by_mass(centre_by_mass).status == "correct"
    fb = check_centre_by_mass(learner_answer)
    assert fb.status == "correct", fb


def test_stub_is_not_implemented_and_the_hint_gives_no_code():
    fb = check_centre_by_mass(stub)
    assert fb.status == "not_implemented"
    assert "centre of mass" in fb.message
    assert "np.roll" not in fb.message and "sum(axis" not in fb.message


@pytest.mark.parametrize(
    "wrong, named",
    [
        (rows_and_columns_swapped, "rows and columns are swapped"),
        (wrong_way, "wrong way"),
        (truncated, "int() (or an unrounded shift"),
        (fractional, "fraction of a pixel"),
        (float_roll, "drops the fraction"),
        (float_slices, "whole number of pixels"),
        (with_roll, "wrapped around"),
        (divides_by_zero, "empty canvas"),
        (nan_on_empty, "NaN"),
        (in_place, "in place"),
        (returns_the_shift, "not the shift"),
    ],
)
def test_each_slip_is_named(wrong, named):
    fb = check_centre_by_mass(wrong)
    assert fb.status == "wrong", f"{wrong.__name__} passed the check"
    assert named in fb.message, f"{wrong.__name__}: {fb.message}"


def test_division_by_zero_is_named_as_such():
    fb = check_centre_by_mass(divides_by_zero)
    assert "0 / 0" in fb.message and "return the empty image unchanged" in fb.message


def test_tricky_images_are_what_their_names_say():
    images = tricky_images()
    dot = images["a single dot"]
    assert dot.sum() == 1
    border = images["a digit touching the border"]
    assert border[:, -1].any(), "the digit must touch the right edge"
    between = images["a blob whose centre falls between pixels"]
    r, c = centre(between)
    assert 0.25 < r % 1 < 0.45 and 0.25 < c % 1 < 0.45  # so rounding and truncating differ


def test_strict_mode_raises_for_a_slip(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="wrong way"):
        check_centre_by_mass(wrong_way)


def divides_before_checking(img):
    r, c = centre(img)  # 0 / 0 on an empty canvas: NumPy warns, then the guard below
    if img.sum() == 0:
        return img.copy()
    return paste(img, int(np.round(14 - r)), int(np.round(14 - c)))


def nan_centre_rolled(img):
    r, c = centre(img)
    return np.roll(img, (14 - r, 14 - c), axis=(0, 1)) if img.sum() == 0 else learner_answer(img)


def nan_in_result(img):
    out = learner_answer(img)
    out[0, 0] = np.nan
    return out


@pytest.mark.parametrize(
    "wrong, named",
    [
        (divides_before_checking, "NumPy warned"),
        (nan_centre_rolled, "0 / 0"),
        (nan_in_result, "NaN"),
    ],
)
def test_a_zero_division_on_the_empty_canvas_is_named_even_when_the_result_is_right(wrong, named):
    fb = check_centre_by_mass(wrong)
    assert fb.status == "wrong", f"{wrong.__name__} passed the check"
    assert named in fb.message, f"{wrong.__name__}: {fb.message}"
    assert "whole number of pixels" not in fb.message  # not mistaken for a rounding slip


def test_the_reference_centring_never_warns_on_an_empty_canvas():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not centre_by_mass(np.zeros((28, 28))).any()
        assert check_centre_by_mass(centre_by_mass).status == "correct"
