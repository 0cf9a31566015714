"""The universality explorer: more hidden units bring the network's curve closer."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.widgets.universality import (
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
    assert "40 hidden relu units" in e.readout_text
    assert f"{fine:.3f}" in e.readout_text
    assert e.image.value != png


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
    for move in UniversalityExplorer.example_moves:
        e.set(**move)
        assert f"{e.values['hidden_units']} hidden {e.values['activation']}" in e.readout_text
