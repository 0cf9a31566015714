"""MNIST's preprocessing for drawn strokes: rasteriser, each step, and the whole pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from course_lib.data.preprocess import (
    BOX,
    CANVAS_PX,
    EXAMPLE_STROKES,
    GRID,
    MNIST_CENTRE,
    canvas_image,
    centre_by_mass,
    centre_of_mass,
    check_strokes,
    ink_box,
    mnist_preprocess,
    rasterise,
    shift_image,
)

# --- rasteriser ----------------------------------------------------------------------------


def test_rasteriser_draws_grey_levels_in_zero_one():
    img = rasterise([[(2.0, 2.0), (8.0, 7.0)]], 10, pen_width=1.5)
    assert img.shape == (10, 10)
    assert 0.0 <= img.min() and img.max() <= 1.0
    grey = (img > 0.05) & (img < 0.95)
    assert grey.any(), "anti-aliasing must give grey levels along the edges of the line"
    assert img[5, 5] > 0.5 and img[0, 9] == 0.0  # on the line / far from it


def test_rasteriser_without_supersampling_is_black_and_white():
    img = rasterise([[(2.0, 2.0), (8.0, 7.0)]], 10, pen_width=1.5, supersample=1)
    assert set(np.unique(img)) <= {0.0, 1.0}


def test_a_single_point_is_a_round_dot_of_the_pen_width():
    img = rasterise([[(5.0, 5.0)]], 10, pen_width=2.0, supersample=16)
    assert img.sum() == pytest.approx(np.pi * 1.0**2, rel=0.1)  # area of a disc of radius 1
    assert centre_of_mass(img) == pytest.approx((4.5, 4.5), abs=0.07)  # pixel centres


def test_thicker_pen_means_more_ink_and_scale_offset_move_the_drawing():
    stroke = [[(10.0, 10.0), (30.0, 30.0)]]
    thin = rasterise(stroke, 40, pen_width=1.0)
    thick = rasterise(stroke, 40, pen_width=3.0)
    assert thick.sum() > 2.5 * thin.sum()
    moved = rasterise(stroke, 40, pen_width=1.0, offset=(5.0, 0.0))
    assert np.allclose(moved[:, :-5], thin[:, 5:], atol=1e-9)
    half = rasterise(stroke, 40, pen_width=1.0, scale=0.5)
    assert centre_of_mass(half)[1] == pytest.approx(centre_of_mass(thin)[1] / 2, abs=0.6)


@pytest.mark.parametrize(
    "bad, error",
    [
        ("12", TypeError),
        (np.zeros((2, 2)), TypeError),
        ([[(1, 2, 3)]], ValueError),
        ([[(1, float("nan"))]], ValueError),
        ([[("a", "b")]], TypeError),
    ],
)
def test_bad_strokes_are_refused_with_a_clear_error(bad, error):
    with pytest.raises(error, match="stroke"):
        check_strokes(bad)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="size"):
        rasterise([], 0)
    with pytest.raises(ValueError, match="pen_width"):
        rasterise([], 10, pen_width=0)
    with pytest.raises(ValueError, match="supersample"):
        rasterise([], 10, supersample=0)


# --- steps ---------------------------------------------------------------------------------


def test_crop_box_surrounds_the_points():
    assert ink_box([[(10, 50), (40, 20)], [(5, 60)]]) == (5.0, 20.0, 40.0, 60.0)
    assert ink_box([]) is None
    assert ink_box([[]]) is None  # a stroke without points draws nothing


def test_scaling_keeps_the_aspect_ratio_and_fills_the_20_pixel_box():
    tall = [[(100.0, 20.0), (100.0, 260.0)]]  # a vertical bar: a "1"
    wide = [[(20.0, 100.0), (260.0, 100.0)]]  # a horizontal bar
    t = mnist_preprocess(tall)
    w = mnist_preprocess(wide)
    rows = np.flatnonzero(t.boxed.sum(axis=1) > 0.05)
    cols = np.flatnonzero(t.boxed.sum(axis=0) > 0.05)
    assert rows.max() - rows.min() + 1 == BOX, "the long side fills the 20-pixel box"
    assert cols.max() - cols.min() + 1 <= 4, "the bar stays thin: the aspect ratio is kept"
    np.testing.assert_allclose(w.boxed, t.boxed.T, atol=1e-9)  # same shape, turned


def test_a_small_digit_and_a_large_one_give_the_same_image():
    small = [[(x / 4 + 20, y / 4 + 30) for x, y in s] for s in EXAMPLE_STROKES["7"]]
    big = mnist_preprocess(EXAMPLE_STROKES["7"]).image
    assert np.abs(mnist_preprocess(small).image - big).max() < 0.05


@pytest.mark.parametrize("name", sorted(EXAMPLE_STROKES))
def test_centre_of_mass_lands_at_14_14(name):
    steps = mnist_preprocess(EXAMPLE_STROKES[name])
    assert steps.image.shape == (GRID, GRID)
    r, c = steps.centre
    assert abs(r - MNIST_CENTRE[0]) <= 0.5 and abs(c - MNIST_CENTRE[1]) <= 0.5
    assert steps.image.max() <= 1.0 and steps.image.min() >= 0.0
    assert ((steps.image > 0.05) & (steps.image < 0.95)).any(), "grey levels from anti-aliasing"


def test_centring_moves_whole_pixels_without_wrapping():
    img = np.zeros((28, 28))
    img[3, 25:28] = 1.0  # touches the right edge
    img[3, 0] = 0.0
    out = centre_by_mass(img)
    assert centre_of_mass(out) == pytest.approx((14.0, 14.0), abs=0.5)
    assert out.sum() == img.sum()
    wrapped = np.zeros((28, 28))
    wrapped[10:20, 0:3] = 1.0
    wrapped[15, 27] = 1.0  # a speck at the right edge: centring moves right, it must drop
    moved = centre_by_mass(wrapped)
    assert moved.sum() == wrapped.sum() - 1.0
    assert moved[:, :3].sum() == 0  # nothing came back in on the left


def test_empty_canvas_gives_empty_images_and_no_error():
    steps = mnist_preprocess([])
    assert steps.empty and steps.centre is None
    assert steps.image.shape == (GRID, GRID) and not steps.image.any()
    assert not steps.raw.any()
    assert not centre_by_mass(np.zeros((28, 28))).any()


def test_the_pipeline_uses_the_centring_it_is_given():
    calls = []

    def centre(img):
        calls.append(img.shape)
        return img

    steps = mnist_preprocess(EXAMPLE_STROKES["1"], centre=centre)
    assert calls == [(GRID, GRID)]
    np.testing.assert_array_equal(steps.image, steps.placed)
    with pytest.raises(ValueError, match="28, 28"):
        mnist_preprocess(EXAMPLE_STROKES["1"], centre=lambda img: img[:20])
    with pytest.raises(TypeError, match="centre"):
        mnist_preprocess(EXAMPLE_STROKES["1"], centre="middle")


def test_raw_canvas_image_is_the_pad_shrunk():
    dot = [[(CANVAS_PX / 2, CANVAS_PX / 2)]]
    raw = canvas_image(dot)
    assert raw.shape == (GRID, GRID)
    # Pixel (r, c) covers r <= y < r + 1, so the pad's middle (y = 14) is index 13.5; the
    # pen's outline is placed to 1/8 of a pixel (the supersampling).
    assert centre_of_mass(raw) == pytest.approx((13.5, 13.5), abs=0.13)


def test_shift_image_moves_a_batch_and_fills_with_zeros():
    x = np.arange(2 * 4 * 4, dtype=float).reshape(2, 4, 4)
    out = shift_image(x, 1, -2)
    np.testing.assert_array_equal(out[:, 1:, :2], x[:, :3, 2:])
    assert not out[:, 0].any() and not out[:, :, 2:].any()
    assert not shift_image(x, 0, 9).any()
    with pytest.raises(TypeError, match="dx"):
        shift_image(x, 0, 1.5)
