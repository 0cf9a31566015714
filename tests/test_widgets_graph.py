"""The computational-graph explorer: each step reveals exactly the gradients its node sends
back, the numbers are a real forward/backward pass, and the picture changes with the step."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.two_layer import init_params, loss_and_grads
from course_lib.widgets.graph import N_STEPS, STEPS, BackpropGraphExplorer, format_array


def test_each_step_reveals_its_node_gradients_and_changes_the_picture():
    e = BackpropGraphExplorer.example()
    assert all(card.get_visible() for card in e.cards.values()), "no gradient before step 1"
    assert not e.ring.get_visible()
    assert e.readout_text.startswith("Forward pass")
    assert "This is step 0" in e.readout_text and "step 1 of" not in e.readout_text
    seen = set()
    png = e.image.value
    for step in range(1, N_STEPS + 1):
        e.set(step=step)
        seen |= set(STEPS[step - 1][1])
        hidden = {k for k, card in e.cards.items() if card.get_visible()}
        assert hidden == set(e.cards) - seen
        assert e.ring.get_visible()
        assert e.readout_text.startswith(f"Step {step} of {N_STEPS}")
        assert e.image.value != png
        png = e.image.value
    assert not any(card.get_visible() for card in e.cards.values())
    e.set(step=0)
    assert all(card.get_visible() for card in e.cards.values())


def test_readout_numbers_come_from_a_real_backward_pass():
    e = BackpropGraphExplorer.example()
    t = e.numbers
    _, grads = loss_and_grads(t["x"], t["y"], {k: t[k] for k in ("W1", "b1", "W2", "b2")})
    for name in ("W1", "b1", "W2", "b2"):
        np.testing.assert_allclose(t["d" + name], grads[name])
    e.set(step=2)
    # dz2 = dp * p (1 - p) = (p - y) / N, shown with its numbers
    assert f"= {format_array(t['dz2'])}." in e.readout_text
    np.testing.assert_allclose(t["dz2"], t["dp"] * t["p"] * (1 - t["p"]))
    e.set(step=5)
    assert format_array(t["db1"]) in e.readout_text
    assert "\n" not in e.readout_text


def test_example_moves_all_draw():
    e = BackpropGraphExplorer.example()
    for move in BackpropGraphExplorer.example_moves:
        e.set(**move)
        assert e.readout_text


def test_more_than_one_example_is_refused():
    params = init_params(2, 2)
    with pytest.raises(ValueError, match="one example"):
        BackpropGraphExplorer(np.zeros((3, 2)), np.zeros(3), params)


def test_format_array_drops_the_batch_axis_and_uses_a_true_minus():
    assert format_array(np.array([[0.5, -1.25]])) == "[0.50, \u22121.25]"
    assert format_array(np.array([[0.123]])) == "0.12"
    assert (
        format_array(np.array([[1.0, 2.0], [3.0, -4.0]])) == "[[1.00, 2.00],\n [3.00, \u22124.00]]"
    )
    assert format_array(1.0, 0) == "1"
