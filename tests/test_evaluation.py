"""Confusion matrix, confident mistakes and the result figures."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from course_lib.evaluation import (  # noqa: E402
    confusion_matrix,
    most_confident_mistakes,
    plot_confusion_matrix,
    plot_feature_maps,
    plot_kernels,
    plot_mistakes,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_confusion_matrix_counts_pairs():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    cm = confusion_matrix(y_true, y_pred)
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_array_equal(cm, expected)
    assert cm.trace() / cm.sum() == pytest.approx(np.mean(y_true == y_pred))
    np.testing.assert_array_equal(cm.sum(axis=1), np.bincount(y_true))


def test_confusion_matrix_num_classes_and_errors():
    cm = confusion_matrix([0, 1], [1, 1], num_classes=4)
    assert cm.shape == (4, 4) and cm.sum() == 2
    with pytest.raises(ValueError, match="0..1"):
        confusion_matrix([0, 3], [0, 1], num_classes=2)
    with pytest.raises(ValueError, match="3 labels but there are 2"):
        confusion_matrix([0, 1], [0, 1, 1])


def test_most_confident_mistakes_orders_by_confidence():
    proba = np.array(
        [
            [0.9, 0.1],  # right
            [0.6, 0.4],  # wrong (true 1), confidence 0.6
            [0.05, 0.95],  # wrong (true 0), confidence 0.95
            [0.2, 0.8],  # right
            [0.3, 0.7],  # wrong (true 0), confidence 0.7
        ]
    )
    y = np.array([0, 1, 0, 1, 0])
    np.testing.assert_array_equal(most_confident_mistakes(proba, y, k=10), [2, 4, 1])
    np.testing.assert_array_equal(most_confident_mistakes(proba, y, k=2), [2, 4])
    assert most_confident_mistakes(proba, proba.argmax(1)).size == 0
    with pytest.raises(ValueError, match=r"\(N, K\)"):
        most_confident_mistakes(proba[:, 0], y)


def test_plot_confusion_matrix_writes_counts():
    cm = confusion_matrix([0, 1, 1, 2], [0, 1, 2, 2])
    fig = plot_confusion_matrix(cm, ["a", "b", "c"])
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert ax.get_title()
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "0", "0", "0", "1", "1", "0", "0", "1"]
    fig = plot_confusion_matrix(cm, normalize=True)
    assert "0.50" in [t.get_text() for t in fig.axes[0].texts]
    with pytest.raises(ValueError, match="square"):
        plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="2 names"):
        plot_confusion_matrix(cm, ["a", "b"])


def test_plot_mistakes_shows_the_confident_ones():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, size=(5, 8, 8)).astype(np.uint8)
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.05, 0.95], [0.2, 0.8], [0.3, 0.7]])
    y = np.array([0, 1, 0, 1, 0])
    fig = plot_mistakes(images, proba, y, ["zero", "one"], k=2)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles[0].startswith("one\n(true: zero)") and "p = 0.95" in titles[0]
    assert "p = 0.70" in titles[1]
    assert plot_mistakes(images, proba, proba.argmax(1)) is None
    with pytest.raises(ValueError, match="examples"):
        plot_mistakes(images[:3], proba, y)


def test_plot_kernels_one_panel_per_filter():
    w = np.random.default_rng(0).normal(size=(6, 1, 3, 3))
    fig = plot_kernels(w, ncols=4)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 6
    np.testing.assert_allclose(shown[2].images[0].get_array(), w[2, 0])
    lo, hi = shown[2].images[0].get_clim()
    assert lo == -hi  # centred on zero
    with pytest.raises(ValueError, match=r"\(F, C, HH, WW\)"):
        plot_kernels(w[0])


def test_plot_feature_maps_with_input_image():
    maps = np.random.default_rng(0).random(size=(1, 4, 5, 5))
    image = np.zeros((7, 7))
    fig = plot_feature_maps(maps, image)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 5 and shown[0].get_title() == "input image"
    np.testing.assert_allclose(shown[4].images[0].get_array(), maps[0, 3])
    with pytest.raises(ValueError, match=r"\(F, H, W\)"):
        plot_feature_maps(np.zeros((5, 5)))
