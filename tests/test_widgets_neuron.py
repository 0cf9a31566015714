"""The neuron explorer of 02_the_neuron: each slider moves the figure the way it should."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib.data.synthetic import make_trip_customers
from course_lib.widgets.neuron import NeuronExplorer, boundary_points


@pytest.fixture
def explorer():
    return NeuronExplorer.example()


def surface(explorer) -> np.ndarray:
    """The probabilities the figure shows, read back from the image's pixels.

    The shading runs from white (p = 0) to grey (p = 1), so darkness = 1 - brightness is an
    increasing function of p; the test also checks it against the explorer's own numbers.
    """
    pixels = np.asarray(explorer.surface.get_array(), dtype=float)  # (rows, cols, 4) RGBA
    darkness = 1.0 - pixels[..., :3].mean(axis=-1) / 255.0
    order = np.argsort(explorer.probabilities, axis=None)
    assert np.all(np.diff(darkness.ravel()[order]) >= -1e-9), "darker must mean more probable"
    return explorer.probabilities


def darkness(explorer) -> float:
    pixels = np.asarray(explorer.surface.get_array(), dtype=float)
    return float(1.0 - pixels[..., :3].mean() / 255.0)


def test_example_builds_with_a_readout_and_a_picture(explorer):
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "binary cross-entropy" in explorer.readout_text
    assert set(explorer.controls) == {"w1", "w2", "b"}
    for move in NeuronExplorer.example_moves:
        assert set(move) <= set(explorer.controls)


def test_larger_bias_raises_every_probability_and_moves_the_boundary(explorer):
    explorer.set(w1=0.6, w2=0.012, b=-6.0)
    p_before = surface(explorer)
    dark_before = darkness(explorer)
    us, vs = explorer.boundary.get_data()
    offset_before = np.mean(0.6 * np.asarray(us) + 0.012 * np.asarray(vs))
    png_before = bytes(explorer.image.value)

    explorer.set(b=-4.0)
    p_after = surface(explorer)
    us, vs = explorer.boundary.get_data()
    offset_after = np.mean(0.6 * np.asarray(us) + 0.012 * np.asarray(vs))

    assert np.all(p_after >= p_before) and p_after.mean() > p_before.mean() + 0.05
    assert darkness(explorer) > dark_before + 0.02, "the shading must darken"
    # On the boundary w.x = -b: a larger bias pulls the line towards fewer searches/days.
    assert offset_before == pytest.approx(6.0) and offset_after == pytest.approx(4.0)
    assert "b = -4.0" in explorer.readout_text
    assert bytes(explorer.image.value) != png_before


def test_w1_sets_the_direction_of_the_surface(explorer):
    explorer.set(w1=0.8, w2=0.0, b=-4.0)
    columns = surface(explorer).mean(axis=0)  # one value per searches column, left to right
    assert np.all(np.diff(columns) > 0), "more searches must mean a higher probability"
    explorer.set(w1=-0.8)
    columns = surface(explorer).mean(axis=0)
    assert np.all(np.diff(columns) < 0), "w1 < 0: more searches, lower probability"
    assert "w1 = -0.80" in explorer.readout_text and "LESS likely" in explorer.readout_text


def test_w2_tilts_the_surface_along_days(explorer):
    explorer.set(w1=0.0, w2=0.02, b=-3.0)
    rows = surface(explorer).mean(axis=1)  # one value per days row, bottom to top
    assert np.all(np.diff(rows) > 0)
    assert "w2 = 0.020" in explorer.readout_text
    assert "horizontal line at 150 days" in explorer.readout_text


def test_readout_loss_matches_the_title_and_falls_towards_the_true_weights(explorer):
    explorer.set(w1=0.0, w2=0.0, b=3.0)
    far = explorer.evaluate(explorer.values)[0]
    assert f"{far:.3f}" in explorer.readout_text
    assert f"{far:.3f}" in explorer.ax.get_title()
    explorer.set(w1=0.6, w2=0.012, b=-5.0)
    near = explorer.evaluate(explorer.values)[0]
    assert near < far - 1.0
    assert f"{near:.3f}" in explorer.readout_text


def test_boundary_off_the_plot_is_empty_and_explained(explorer):
    explorer.set(w1=-0.4, w2=0.0, b=-3.0)
    us, _ = explorer.boundary.get_data()
    assert len(us) == 0
    assert "no customer" in explorer.readout_text
    explorer.set(w1=0.0, w2=0.0, b=2.0)
    assert "every customer" in explorer.readout_text


def test_extreme_weights_give_no_warnings(explorer):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer.set(w1=1.5, w2=0.03, b=-10.0)
        explorer.set(w1=-1.5, w2=-0.03, b=10.0)
    assert np.all(np.isfinite(surface(explorer)))


def test_boundary_points_of_a_known_line():
    us, vs = boundary_points(1.0, 1.0, -1.0, (0.0, 2.0), (0.0, 2.0))  # u + v = 1
    assert np.allclose(sorted(us), [0.0, 1.0]) and np.allclose(sorted(vs), [0.0, 1.0])
    us, _ = boundary_points(1.0, 1.0, -10.0, (0.0, 2.0), (0.0, 2.0))
    assert us.size == 0
    us, _ = boundary_points(0.0, 0.0, 1.0, (0.0, 2.0), (0.0, 2.0))
    assert us.size == 0


def test_bad_data_is_refused_with_a_clear_message():
    x, y = make_trip_customers(20, seed=1)
    with pytest.raises(ValueError, match="2 features"):
        NeuronExplorer(np.column_stack([x, x]), y)
    with pytest.raises(ValueError, match="labels"):
        NeuronExplorer(x, y[:10])


def test_fast_redraw_shows_the_same_picture_as_a_full_render(explorer):
    import io

    from PIL import Image

    for move in explorer.example_moves:
        explorer.set(**move)
    fast = np.asarray(Image.open(io.BytesIO(explorer.image.value)).convert("RGB"), dtype=float)
    for artist in explorer.dynamic_artists:
        artist.set_animated(False)
    explorer.fig.canvas.draw()
    full = np.asarray(explorer.fig.canvas.buffer_rgba())[..., :3].astype(float)
    assert fast.shape == full.shape
    assert np.mean(np.abs(fast - full)) < 0.5


def test_every_example_move_changes_the_picture(explorer):
    for move in explorer.example_moves:
        before = bytes(explorer.image.value)
        explorer.set(**move)
        assert bytes(explorer.image.value) != before, move


@given(
    w1=st.floats(-2, 2),
    w2=st.floats(-0.05, 0.05),
    b=st.floats(-10, 10),
)
def test_boundary_points_lie_on_the_line_inside_the_box(w1, w2, b):
    xlim, ylim = (-1.0, 21.0), (-18.0, 383.0)
    us, vs = boundary_points(w1, w2, b, xlim, ylim)
    assert us.shape == vs.shape and us.size in (0, 2)
    if us.size:
        scale = abs(w1) * 21 + abs(w2) * 383 + abs(b) + 1e-12
        assert np.allclose((w1 * us + w2 * vs + b) / scale, 0.0, atol=1e-9)
        assert np.all((us >= xlim[0] - 1e-9) & (us <= xlim[1] + 1e-9))
        assert np.all((vs >= ylim[0] - 1e-9) & (vs <= ylim[1] + 1e-9))
