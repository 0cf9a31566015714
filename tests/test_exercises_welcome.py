"""The welcome exercise's check: the answer passes, a stub is 'not implemented', slips are named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.welcome import check_to_unit_range, to_unit_range


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def test_reference_answer_is_correct():
    fb = check_to_unit_range(to_unit_range)
    assert fb.status == "correct", fb


def test_stub_is_not_implemented():
    def stub(images):
        raise NotImplementedError("Convert to float32 first, then divide by 255.")

    fb = check_to_unit_range(stub)
    assert fb.status == "not_implemented"
    assert "float32" in fb.message


def _inplace(images):
    images[...] = 0
    return images.astype(np.float32)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: (x / 255).tolist(), "NumPy array"),
        (_inplace, "input images were changed"),
        (lambda x: x.reshape(len(x), -1).astype(np.float32) / 255, "shape must stay"),
        (lambda x: x // 255, "integer dtype"),
        (lambda x: x / 255, "float64"),
        (lambda x: x.astype(np.float32), "above 1"),
        (lambda x: x.astype(np.float32) / 256, "not 256"),
        (lambda x: (x.astype(np.float32) - 1) / 255, "pixel / 255"),
        (lambda x: x.astype(np.float32) / x.max(), "you divided by the largest pixel"),
        (
            lambda x: (x.astype(np.float32) - x.min()) / (x.max() - x.min()),
            "from its darkest to its brightest",
        ),
        (lambda x: x.astype(np.float32) / (255 if x.max() == 255 else 250), "30 to 200"),
        (lambda x: x.missing_method(), "AttributeError"),
    ],
)
def test_each_slip_gets_its_hint(wrong, hint):
    fb = check_to_unit_range(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_dividing_before_converting_gives_the_same_float32_numbers_and_passes():
    """The order only decides whether a float64 copy is made on the way; the check cannot
    see that copy, and the notebook does not claim it does."""
    fb = check_to_unit_range(lambda x: (x / 255).astype(np.float32))
    assert fb.status == "correct", fb


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="divide by 255"):
        check_to_unit_range(lambda x: x.astype(np.float32))


def test_yours_or_reference_picks_by_feedback_and_says_which(capsys):
    from course_lib.exercises.base import Feedback, yours_or_reference

    def mine():
        return "mine"

    def ref():
        return "ref"

    assert yours_or_reference(Feedback("x", "correct", "ok"), mine, ref) is mine
    assert "runs your mine" in capsys.readouterr().out
    for status in ("wrong", "not_implemented"):
        assert yours_or_reference(Feedback("x", status, "no"), mine, ref) is ref
        assert "reference version" in capsys.readouterr().out
    with pytest.raises(TypeError, match="Feedback that the exercise's check returned"):
        yours_or_reference(True, mine, ref)
