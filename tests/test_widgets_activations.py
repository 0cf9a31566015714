"""The activation explorer: each control moves the curves the way the notebook says."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.widgets.activations import ActivationExplorer, maxout_1d, maxout_pieces


def _at(explorer, line, x0: float) -> float:
    return float(np.interp(x0, explorer.x, line.get_ydata()))


def test_larger_leaky_slope_pulls_negative_side_down_and_raises_its_derivative():
    e = ActivationExplorer(activation="leaky_relu", slope=0.05)
    png = e.image.value
    f_before, d_before = _at(e, e.f_line, -3.0), _at(e, e.d_line, -3.0)
    e.set(slope=0.3)
    assert _at(e, e.f_line, -3.0) < f_before
    assert _at(e, e.f_line, -3.0) == pytest.approx(-0.9)
    assert _at(e, e.d_line, -3.0) > d_before
    assert _at(e, e.d_line, -3.0) == pytest.approx(0.3)
    assert _at(e, e.f_line, 2.0) == pytest.approx(2.0)  # the positive side is untouched
    assert "0.30" in e.readout_text
    assert e.image.value != png


def test_relu_to_sigmoid_squashes_output_and_caps_derivative_at_a_quarter():
    e = ActivationExplorer(activation="relu")
    assert max(e.f_line.get_ydata()) == pytest.approx(4.0)
    e.set(activation="sigmoid")
    f, d = e.f_line.get_ydata(), e.d_line.get_ydata()
    assert 0 < f.min() and f.max() < 1
    assert d.max() == pytest.approx(0.25, abs=1e-4)
    assert "0.25" in e.readout_text


def test_more_maxout_pieces_give_more_derivative_values_and_pieces():
    e = ActivationExplorer(activation="maxout", pieces=2)
    assert len(np.unique(np.round(e.d_line.get_ydata(), 6))) == 2
    np.testing.assert_allclose(e.f_line.get_ydata(), np.maximum(e.x, 0))  # k=2 is ReLU
    e.set(pieces=5)
    assert len(np.unique(np.round(e.d_line.get_ydata(), 6))) == 5
    assert sum(line.get_visible() for line in e.piece_lines) == 5
    assert "k = 5" in e.readout_text
    # more pieces lift the rounded corner above ReLU's sharp one
    assert _at(e, e.f_line, 0.0) > 0


def test_only_the_relevant_slider_is_enabled():
    e = ActivationExplorer(activation="tanh")
    assert e.controls["slope"].disabled and e.controls["pieces"].disabled
    e.set(activation="leaky_relu")
    assert not e.controls["slope"].disabled and e.controls["pieces"].disabled
    e.set(activation="maxout")
    assert e.controls["slope"].disabled and not e.controls["pieces"].disabled
    assert not any(line.get_visible() for line in e.piece_lines[e.values["pieces"] :])


def test_each_greyed_out_slider_names_the_choice_that_wakes_it():
    e = ActivationExplorer.example()
    assert e.controls["slope"].description == "leaky slope (leaky ReLU only)"
    assert e.controls["pieces"].description == "pieces k (maxout only)"
    labels = [label for label, _ in e.controls["activation"].options]
    assert labels == ["sigmoid", "tanh", "ReLU", "leaky ReLU", "maxout"]


def test_maxout_readout_says_what_a_maxout_unit_costs():
    e = ActivationExplorer(activation="maxout", pieces=4)
    assert "its own learned weight and bias" in e.readout_text
    assert "4 times the weights of a ReLU unit" in e.readout_text


def test_maxout_derivative_matches_finite_differences():
    x = np.linspace(-3, 3, 601)
    f, d = maxout_1d(x, 4)
    numeric = np.gradient(f, x)
    inner = slice(1, -1)
    smooth = (d[:-2] == d[1:-1]) & (d[1:-1] == d[2:])  # both neighbours on the same piece
    assert smooth.sum() > 500
    np.testing.assert_allclose(d[inner][smooth], numeric[inner][smooth], atol=1e-6)


def test_maxout_pieces_refuses_fewer_than_two():
    with pytest.raises(ValueError, match="k must be an integer >= 2"):
        maxout_pieces(1)


def test_example_moves_all_draw_and_change_the_picture():
    e = ActivationExplorer.example()
    for move in ActivationExplorer.example_moves:
        before = e.image.value
        e.set(**move)
        assert e.image.value != before, move


def test_fast_redraw_shows_the_same_picture_as_a_full_render():
    import io

    from PIL import Image

    e = ActivationExplorer(activation="maxout", pieces=4)
    e.set(activation="leaky_relu", slope=0.2)
    fast = np.asarray(Image.open(io.BytesIO(e.image.value)).convert("RGB"), dtype=float)
    for artist in e.dynamic_artists:
        artist.set_animated(False)
    e.fig.canvas.draw()
    full = np.asarray(e.fig.canvas.buffer_rgba())[..., :3].astype(float)
    assert fast.shape == full.shape
    assert np.mean(np.abs(fast - full)) < 0.5  # only the stacking order of a few pixels differs
    assert not any(line.get_visible() for line in e.piece_lines)  # maxout's pieces are gone
