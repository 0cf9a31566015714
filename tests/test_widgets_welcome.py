"""The welcome notebook's widget check: the slider must visibly change the wave."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.widgets.welcome import WaveExplorer


def _zero_crossings(y: np.ndarray) -> int:
    return int(np.sum(np.signbit(y[1:]) != np.signbit(y[:-1])))


def test_higher_frequency_gives_more_cycles_and_new_readout_and_png():
    explorer = WaveExplorer.example()
    before_png = explorer.image.value
    before = _zero_crossings(explorer.line.get_ydata())
    explorer.set(frequency=4.0)
    after = _zero_crossings(explorer.line.get_ydata())
    # A sine over one second crosses zero about 2 f times.
    assert before <= 3
    assert 7 <= after <= 9
    assert "4.0 Hz" in explorer.readout_text
    assert explorer.image.value != before_png


def test_lower_frequency_gives_fewer_cycles():
    explorer = WaveExplorer(frequency=3.0)
    high = _zero_crossings(explorer.line.get_ydata())
    explorer.set(frequency=0.5)
    assert _zero_crossings(explorer.line.get_ydata()) < high
    assert "0.5 Hz" in explorer.readout_text


def test_example_moves_are_valid_settings():
    explorer = WaveExplorer.example()
    pngs = set()
    for move in WaveExplorer.example_moves:
        explorer.set(**move)
        assert f"{move['frequency']:.1f} Hz" in explorer.readout_text
        pngs.add(explorer.image.value)
    assert len(pngs) == len(WaveExplorer.example_moves)


def test_unknown_control_is_refused_with_the_names_that_exist():
    explorer = WaveExplorer.example()
    with pytest.raises(ValueError, match="frequency"):
        explorer.set(amplitude=2.0)
