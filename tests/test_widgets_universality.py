"""The universality explorer: more hidden units, or more bumps, bring the network's curve closer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.exercises.activations import bump_network, largest_error, unit_curve
from course_lib.widgets.universality import (
    MAX_BUMPS,
    MAX_HIDDEN,
    UniversalityExplorer,
    fit_output_layer,
    random_hidden_layer,
)


def _max_error(e) -> float:
    return float(np.max(np.abs(e.fit_line.get_ydata() - e.y)))


def test_more_hidden_units_fit_the_target_more_closely():
    e = UniversalityExplorer(hidden_units=2)
    png = e.image.value
    coarse = _max_error(e)
    e.set(hidden_units=40)
    fine = _max_error(e)
    assert fine < coarse / 5
    assert "40 hidden ReLU units" in e.readout_text
    assert f"{fine:.3f}" in e.readout_text
    assert e.image.value != png


def test_tiny_errors_are_printed_in_scientific_notation_not_as_zero():
    e = UniversalityExplorer.example()
    e.set(activation="sigmoid", hidden_units=40)
    fine = _max_error(e)
    assert fine < 1e-3  # 40 smooth steps follow this curve almost exactly
    assert f"within {fine:.1e} of" in e.readout_text and "0.000" not in e.readout_text
    assert f"{fine:.1e}" in e.ax_fit.get_title()


def test_error_never_grows_when_units_are_added():
    e = UniversalityExplorer.example()
    errors = e.max_errors("relu")
    assert errors.shape == (MAX_HIDDEN,)
    assert errors[-1] < errors[0] / 10
    # Least squares minimises the squared error; with nested units a superset cannot do worse.
    rmse = [np.sqrt(np.mean((e.fit(h, "relu")[0] - e.y) ** 2)) for h in range(1, MAX_HIDDEN + 1)]
    assert np.all(np.diff(rmse) <= 1e-6)
    e.set(hidden_units=12)
    assert e.err_marker.get_ydata()[0] == pytest.approx(errors[11])
    assert e.err_marker.get_xdata()[0] == 12


def test_one_kink_mark_per_unit_and_parts_only_for_few_units():
    e = UniversalityExplorer(hidden_units=5)
    assert len(e.kinks.get_offsets()) == 5
    assert sum(line.get_visible() for line in e.part_lines) == 5
    # the parts add up to the network's curve (minus the output bias)
    parts = sum(line.get_ydata() for line in e.part_lines[:5])
    offset = e.fit_line.get_ydata() - parts
    assert np.ptp(offset) < 1e-9
    e.set(hidden_units=30)
    assert len(e.kinks.get_offsets()) == 30
    assert not any(line.get_visible() for line in e.part_lines)


def test_switching_activation_changes_the_curve_and_readout():
    e = UniversalityExplorer(hidden_units=6)
    relu_curve = e.fit_line.get_ydata().copy()
    e.set(activation="sigmoid")
    assert not np.allclose(e.fit_line.get_ydata(), relu_curve)
    assert "sigmoid" in e.readout_text
    labels = [label for label, _ in e.controls["activation"].options]
    assert labels == ["ReLU", "sigmoid", "tanh"]  # the course's spelling, as in 04's text


def test_least_squares_recovers_a_function_the_units_can_represent():
    w, b = random_hidden_layer(5, "relu", seed=3)
    x = np.linspace(-1, 1, 50)
    y = 2.0 * np.maximum(w[1] * x + b[1], 0) - 0.5 * np.maximum(w[3] * x + b[3], 0) + 0.25
    v, v0, hidden = fit_output_layer(x, y, w, b, "relu")
    assert hidden.shape == (50, 5)
    np.testing.assert_allclose(hidden @ v + v0, y, atol=1e-6)


def test_adding_units_keeps_the_earlier_ones():
    e = UniversalityExplorer(hidden_units=5)
    first = e.kinks.get_offsets()[:, 0].copy()
    e.set(hidden_units=9)
    np.testing.assert_allclose(e.kinks.get_offsets()[:5, 0], first)


def test_bad_activation_is_refused():
    w, b = random_hidden_layer(4, "tanh")
    assert w.shape == b.shape == (4,)
    assert np.all(np.abs(w) >= 4)  # steep enough to show a step on [-1, 1]
    with pytest.raises(ValueError, match="activation must be one of"):
        random_hidden_layer(3, "softmax")


def test_example_moves_all_draw():
    e = UniversalityExplorer.example()
    labels = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh"}
    for move in UniversalityExplorer.example_moves:
        before = e.image.value
        e.set(**move)
        v = e.values
        if v["mode"] == "fitted":
            assert f"{v['hidden_units']} hidden {labels[v['activation']]}" in e.readout_text
        else:
            assert f"{v['bumps']} bumps = {2 * v['bumps']} sigmoid units" in e.readout_text
        assert e.image.value != before, move


# --- the bumps mode ------------------------------------------------------------------------


def test_more_bumps_follow_the_curve_more_closely():
    e = UniversalityExplorer(mode="bumps", bumps=5)
    png = e.image.value
    curve = e.fit_line.get_ydata().copy()
    coarse = largest_error(e.x_bumps, curve, e.y_bumps)
    assert f"within {coarse:.3f}" in e.readout_text
    e.set(bumps=40)
    fine = largest_error(e.x_bumps, e.fit_line.get_ydata(), e.y_bumps)
    assert fine < coarse / 4
    assert "40 bumps = 80 sigmoid units" in e.readout_text
    assert f"within {fine:.3f}" in e.readout_text
    assert e.image.value != png
    np.testing.assert_allclose(e.fit_line.get_xdata(), np.linspace(0, 1, 401))
    np.testing.assert_allclose(
        e.fit_line.get_ydata(), bump_network(e.x_bumps, unit_curve, 40, 1000.0)
    )


def test_error_panel_shows_every_n_and_marks_the_current_one():
    e = UniversalityExplorer(mode="bumps", bumps=12)
    errors = e.bump_errors(1000.0)
    assert errors.shape == (MAX_BUMPS,)
    assert errors[-1] < errors[4] / 5  # 50 bumps against 5
    assert e.err_marker.get_xdata()[0] == 12
    assert e.err_marker.get_ydata()[0] == pytest.approx(errors[11])
    np.testing.assert_allclose(e.err_line.get_ydata(), errors)
    assert e.ax_err.get_xlabel() == "bumps n (2n sigmoid units)"


def test_gentle_steps_blur_the_bumps_and_the_readout_says_so():
    e = UniversalityExplorer(mode="bumps", bumps=10, steepness=1000.0)
    sharp = e.fit_line.get_ydata().copy()
    assert "blur" not in e.readout_text
    e.set(steepness=20.0)
    assert not np.allclose(e.fit_line.get_ydata(), sharp)
    assert "w = 20" in e.readout_text
    assert "10/w = 0.50" in e.readout_text and "blur together" in e.readout_text
    # a blurred staircase is smoother: its largest jump between neighbouring points is smaller
    assert np.abs(np.diff(e.fit_line.get_ydata())).max() < np.abs(np.diff(sharp)).max() / 5


def test_edges_and_heights_are_marked():
    e = UniversalityExplorer(mode="bumps", bumps=4)
    np.testing.assert_allclose(e.kinks.get_offsets()[:, 0], [0, 0.25, 0.5, 0.75, 1])
    mids = [0.125, 0.375, 0.625, 0.875]
    np.testing.assert_allclose(e.height_dots.get_xdata(), mids)
    np.testing.assert_allclose(e.height_dots.get_ydata(), unit_curve(np.array(mids)))
    assert e.height_dots.get_visible()
    assert not any(line.get_visible() for line in e.part_lines)
    e.set(bumps=MAX_BUMPS)
    assert not e.height_dots.get_visible()  # too many to mark
    assert len(e.kinks.get_offsets()) == MAX_BUMPS + 1


def test_the_bumps_mode_calls_the_function_it_is_given():
    calls = []

    def flat(x, f, n, w):
        calls.append((n, w))
        return np.full(len(x), 0.5)

    e = UniversalityExplorer(mode="bumps", bumps=3, steepness=100.0, bump_network=flat)
    assert (3, 100.0) in calls
    np.testing.assert_allclose(e.fit_line.get_ydata(), 0.5)
    expected = largest_error(e.x_bumps, np.full(401, 0.5), e.y_bumps)
    assert f"within {expected:.3f}" in e.readout_text


def test_each_mode_greys_out_the_other_modes_controls():
    e = UniversalityExplorer(mode="bumps")
    c = e.controls
    assert c["hidden_units"].disabled and c["activation"].disabled
    assert not c["bumps"].disabled and not c["steepness"].disabled
    assert "(fitted mode)" in c["hidden_units"].description
    assert "(fitted mode)" in c["activation"].description
    assert "(bumps mode)" in c["bumps"].description
    assert "(bumps mode)" in c["steepness"].description
    e.set(mode="fitted")
    assert not c["hidden_units"].disabled and not c["activation"].disabled
    assert c["bumps"].disabled and c["steepness"].disabled


def test_switching_mode_switches_the_axes():
    e = UniversalityExplorer(mode="fitted")
    assert e.ax_fit.get_xlim() == (-1.0, 1.0)
    assert e.ax_err.get_xlabel() == "hidden units H"
    e.set(mode="bumps")
    assert e.ax_fit.get_xlim() == (0.0, 1.0)
    np.testing.assert_allclose(e.target_line.get_ydata(), unit_curve(e.x_bumps))
    e.set(mode="fitted", hidden_units=7)
    assert e.ax_fit.get_xlim() == (-1.0, 1.0)
    assert "7 hidden ReLU units" in e.readout_text
    np.testing.assert_allclose(e.target_line.get_ydata(), e.y)


def test_fast_redraw_after_a_mode_switch_shows_the_full_picture():
    import io

    from PIL import Image

    e = UniversalityExplorer(mode="fitted", hidden_units=5)
    e.set(mode="bumps", bumps=6)
    fast = np.asarray(Image.open(io.BytesIO(e.image.value)).convert("RGB"), dtype=float)
    for artist in e.dynamic_artists:
        artist.set_animated(False)
    e.fig.canvas.draw()
    full = np.asarray(e.fig.canvas.buffer_rgba())[..., :3].astype(float)
    assert fast.shape == full.shape
    assert np.mean(np.abs(fast - full)) < 0.5


def test_bad_mode_and_bump_network_are_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        UniversalityExplorer(mode="towers")
    with pytest.raises(TypeError, match="bump_network must be a function"):
        UniversalityExplorer(mode="bumps", bump_network=3)
