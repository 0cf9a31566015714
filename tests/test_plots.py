"""show_image_grid: captions, layout and clear errors."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.plots import show_image_grid

NAMES = ["zero", "one", "two"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _images(n: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


def _titles(fig) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def test_captions_use_class_names_and_grid_has_room_for_every_image():
    fig = show_image_grid(_images(5), [0, 1, 2, 1, 0], NAMES, ncols=2, title="Digits")
    assert len(fig.axes) == 6  # 3 rows x 2 columns
    assert _titles(fig) == ["zero", "one", "two", "one", "zero"]
    assert fig._suptitle.get_text() == "Digits"
    assert sum(len(ax.images) for ax in fig.axes) == 5


def test_channel_axis_is_accepted_and_uint8_keeps_its_full_range():
    fig = show_image_grid(_images(3)[:, None], [0, 1, 2])
    assert _titles(fig) == ["0", "1", "2"]
    assert fig.axes[0].images[0].get_clim() == (0, 255)


def test_predictions_mark_mistakes():
    fig = show_image_grid(_images(2), [0, 1], NAMES, predictions=[0, 2])
    right, wrong = fig.axes[0].title, fig.axes[1].title
    assert wrong.get_text() == "two\n(true: one)"
    assert right.get_color() != wrong.get_color()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(images=np.zeros((28, 28))), ValueError, r"\(N, H, W\).*images\[None\]"),
        (dict(images=np.zeros((0, 28, 28))), ValueError, "empty"),
        (dict(images=np.array([["a"]])), TypeError, "dtype"),
        (dict(images=_images(3), labels=[0, 1]), ValueError, "2 labels but there are 3"),
        (dict(images=_images(2), labels=[0, 5], class_names=NAMES), ValueError, "0..2"),
        (dict(images=_images(2), predictions=[0, 1]), ValueError, "labels=y"),
        (dict(images=_images(2), ncols=0), ValueError, "ncols"),
    ],
)
def test_bad_input_is_explained(kwargs, error, match):
    with pytest.raises(error, match=match):
        show_image_grid(**kwargs)
