"""The playground explorer: training settings move the boundary and the loss curves as taught,
noise makes overfitting visible on the held-out curve, and tiny losses stay on the plot."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.widgets.playground import (
    LOSS_FLOOR,
    N_POINTS,
    N_TEST,
    PlaygroundExplorer,
    format_loss,
    load_dataset,
    load_split,
)


def _loss_now(e) -> float:
    return float(e.now_marker.get_ydata()[0])


def _accuracy(e) -> float:
    x, y, _, _ = e.data(e.values["dataset"])
    params = e.result(e.values).params_at(e.values["epochs"])
    from course_lib.two_layer import predict_proba

    return float(np.mean((predict_proba(x, params, e.values["activation"]) >= 0.5) == (y == 1)))


def test_more_epochs_lower_the_loss_and_extend_the_curve():
    e = PlaygroundExplorer(epochs=50)
    png = e.image.value
    early = _loss_now(e)
    assert len(e.loss_line.get_xdata()) == 51
    e.set(epochs=300)
    assert _loss_now(e) < early / 2
    assert len(e.loss_line.get_xdata()) == 301
    assert e.now_marker.get_xdata()[0] == 300
    assert "after 300 epochs" in e.readout_text
    assert e.image.value != png


def test_one_hidden_unit_cannot_solve_xor_but_four_can():
    e = PlaygroundExplorer(dataset="xor", hidden_units=1, epochs=400)
    one = _accuracy(e)
    assert f"{one:.0%}" in e.readout_text
    e.set(hidden_units=4)
    four = _accuracy(e)
    assert one <= 0.8 < 0.95 <= four
    assert "4 hidden tanh units" in e.readout_text


def test_larger_learning_rate_gets_further_in_the_same_epochs():
    e = PlaygroundExplorer(dataset="moons", lr=0.003, epochs=100)
    slow = _loss_now(e)
    e.set(lr=0.1)
    assert _loss_now(e) < slow
    assert "learning rate 0.1," in e.readout_text


def test_changing_the_data_set_moves_the_points_and_the_boundary():
    e = PlaygroundExplorer(dataset="xor")
    xor_points = e.class_points[1].get_xydata().copy()
    xor_boundary = e.boundary.get_xydata().copy()
    e.set(dataset="circles")
    assert not np.array_equal(e.class_points[1].get_xydata(), xor_points)
    assert not np.array_equal(e.boundary.get_xydata(), xor_boundary)
    assert e.readout_text.startswith("circles")
    # circles: class 1 is the inner ring, so the boundary should enclose the centre
    prob = e.probability_map(e.result(e.values).params_at(200), "tanh")
    assert prob[len(prob) // 2, len(prob) // 2] > 0.5


def test_boundary_is_where_probability_crosses_one_half():
    e = PlaygroundExplorer(dataset="moons", epochs=200)
    from course_lib.two_layer import predict_proba

    pts = e.boundary.get_xydata()
    pts = pts[~np.isnan(pts).any(axis=1)]
    assert len(pts) > 10
    p = predict_proba(pts, e.result(e.values).params_at(200), "tanh")
    np.testing.assert_allclose(p, 0.5, atol=0.1)


def test_returning_to_a_setting_reuses_the_training_run():
    e = PlaygroundExplorer(epochs=100)
    e.set(hidden_units=8)
    e.set(hidden_units=4)
    assert len(e._trainers) == 2
    first = e.loss_line.get_ydata().copy()
    e.set(epochs=300)
    e.set(epochs=100)
    np.testing.assert_array_equal(e.loss_line.get_ydata(), first)


def test_data_is_standardised_and_unknown_names_refused():
    x, y = load_dataset("spirals")
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x.std(axis=0), 1)
    assert set(np.unique(y)) == {0, 1}
    with pytest.raises(ValueError, match="dataset must be one of"):
        load_dataset("iris")


def test_example_moves_all_draw():
    e = PlaygroundExplorer.example()
    for move in PlaygroundExplorer.example_moves:
        e.set(**move)
        assert f"after {e.values['epochs']} epochs" in e.readout_text


def test_noise_slider_redraws_the_points_and_names_the_noise():
    e = PlaygroundExplorer(dataset="moons", noise=0.05, epochs=50)
    calm = e.class_points[0].get_xydata().copy()
    png = e.image.value
    e.set(noise=0.4)
    noisy = e.class_points[0].get_xydata()
    assert not np.array_equal(noisy, calm)
    assert e.readout_text.startswith("moons with noise 0.4,")
    assert e.image.value != png
    # the same settings at another noise level are a separate training run
    assert len(e._trainers) == 2


def test_held_out_curve_shows_overfitting_on_noisy_data():
    e = PlaygroundExplorer(dataset="xor", noise=0.4, hidden_units=16, lr=0.1, epochs=500)
    result = e.result(e.values)
    train, test = result.losses, result.test_losses
    assert len(e.test_line.get_xdata()) == 501
    best = int(np.argmin(test))
    assert best < 100, "the test loss should bottom out early"
    assert test[-1] > 2 * test[best], "and then climb while the network memorises noise"
    assert train[-1] < train[best] / 2, "while the training loss keeps falling"
    assert f"test loss {test[-1]:.3f}" in e.readout_text
    assert "test accuracy" in e.readout_text


def test_tiny_losses_rest_on_the_axis_floor_and_are_not_printed_as_zero():
    e = PlaygroundExplorer(dataset="xor", noise=0.0, hidden_units=8, lr=0.3, epochs=500)
    assert e.result(e.values).losses[-1] < 5e-4
    assert e.loss_line.get_ydata().min() >= LOSS_FLOOR
    assert e.test_line.get_ydata().min() >= LOSS_FLOOR
    assert "training loss below 0.001" in e.readout_text
    assert "0.000" not in e.readout_text
    assert format_loss(0.0123) == "0.012"
    assert format_loss(0.0004) == "below 0.001"


def test_split_standardises_with_the_training_statistics():
    x, y, x_test, y_test = load_split("circles", 0.1)
    assert x.shape == (N_POINTS, 2) and x_test.shape == (N_TEST, 2)
    np.testing.assert_allclose(x.mean(axis=0), 0, atol=1e-12)
    assert not np.allclose(x_test.mean(axis=0), 0, atol=1e-12)  # a different draw
    assert np.all(np.abs(x_test.mean(axis=0)) < 0.2)
    assert set(np.unique(y_test)) == {0, 1}
