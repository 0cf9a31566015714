"""Checks of notebook 06's exercises: answers pass, stubs are 'not implemented', slips named."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.exercises.mnist_ffn import (
    accuracy_from_logits,
    check_accuracy_from_logits,
    check_flatten_images,
    flatten_images,
)


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def test_reference_answers_are_correct():
    assert check_flatten_images(flatten_images).status == "correct"
    assert check_accuracy_from_logits(accuracy_from_logits).status == "correct"


def test_reference_answers_on_real_shapes():
    images = np.zeros((5, 28, 28), dtype=np.uint8)
    images[2, 1, 0] = 7
    flat = flatten_images(images)
    assert flat.shape == (5, 784)
    assert flat[2, 28] == 7  # row 1, column 0 of image 2 sits at position 1 * 28 + 0
    logits = np.eye(10)[[3, 1, 4, 1, 5]]
    assert accuracy_from_logits(logits, np.array([3, 1, 4, 1, 9])) == pytest.approx(0.8)


def _stub(*args):
    raise NotImplementedError("hint")


def test_stubs_are_not_implemented():
    fb = check_flatten_images(_stub)
    assert fb.status == "not_implemented"
    assert "reshape" in fb.message
    fb = check_accuracy_from_logits(_stub)
    assert fb.status == "not_implemented"
    assert "argmax" in fb.message


def _changes_input(x):
    x[0] = 0
    return x.reshape(len(x), -1)


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x: x.reshape(len(x), -1).tolist(), "NumPy array"),
        (_changes_input, "input images were changed"),
        (lambda x: x.ravel(), "one long vector"),
        (lambda x: x.reshape(len(x), -1).T, "transposed"),
        (lambda x: x.copy(), "still have shape"),
        (lambda x: x.reshape(-1, 2), "expected shape (N, H * W)"),
        (lambda x: x.reshape(len(x), -1) / 255, "pixel values changed"),
        (lambda x: x.transpose(0, 2, 1).reshape(len(x), -1), "another order"),
        (lambda x: x.reshape(len(x), -1, order="F"), "another order"),
        (lambda x: x.flaten(), "AttributeError"),
    ],
)
def test_each_flatten_slip_gets_its_hint(wrong, hint):
    fb = check_flatten_images(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda z, y: z.argmax(axis=1) == y, "one number"),
        (lambda z, y: "67%", "number between 0 and 1"),
        (lambda z, y: int(np.sum(z.argmax(axis=1) == y)), "divide by the number of images"),
        (lambda z, y: 100 * np.mean(z.argmax(axis=1) == y), "percentage"),
        (lambda z, y: np.mean(z.argmax(axis=1) != y), "error rate"),
        (lambda z, y: np.mean(z.argmin(axis=1) == y), "LARGEST"),
        (lambda z, y: np.mean(z.argmax(axis=0) == y), "axis=1"),
        (lambda z, y: np.mean(z.argmax(axis=1)[:-1] == y[:-1]), "expected 0.667"),
    ],
)
def test_each_accuracy_slip_gets_its_hint(wrong, hint):
    fb = check_accuracy_from_logits(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_axis_zero_on_a_square_batch_is_caught():
    # When N == K the wrong axis does not crash; the check still names it.
    def wrong(z, y):
        if z.shape[0] == z.shape[1]:
            return float(np.mean(z.argmax(axis=0) == y))
        return float(np.mean(z.argmax(axis=1) == y))

    fb = check_accuracy_from_logits(wrong)
    assert fb.status == "wrong"
    assert "axis=1" in fb.message


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="one long vector"):
        check_flatten_images(lambda x: x.ravel())
