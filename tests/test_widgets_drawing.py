"""The drawing pad and its explorer, headless: strokes in, pictures and bars out."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib.data.preprocess import EXAMPLE_STROKES
from course_lib.widgets.drawing import DrawingPad, HandwritingExplorer


@pytest.fixture(scope="module")
def explorer():
    return HandwritingExplorer.example()


def test_the_pad_keeps_strokes_and_undo_clear_work():
    pad = DrawingPad()
    assert pad.value == [] and pad.size == 280 and pad.grid == 28
    pad.add_stroke([(10, 20), (30, 40)])
    pad.add_stroke([(50, 50)])
    assert pad.strokes == [[(10.0, 20.0), (30.0, 40.0)], [(50.0, 50.0)]]
    pad.undo()
    assert pad.strokes == [[(10.0, 20.0), (30.0, 40.0)]]
    pad.clear()
    assert pad.value == []
    pad.undo()  # undo on an empty pad does nothing
    assert pad.value == []
    with pytest.raises(ValueError, match="stroke"):
        pad.add_stroke([(1, 2, 3)])


def test_the_pad_sends_its_value_to_the_browser():
    pad = DrawingPad()
    state = pad.get_state()
    assert "value" in state and "_esm" in state
    assert "pointerdown" in state["_esm"] and "setPointerCapture" in state["_esm"]
    assert "course-drawing-undo" in state["_esm"] and "course-drawing-clear" in state["_esm"]


def test_an_empty_pad_says_draw_a_digit(explorer):
    explorer.set(drawing=[], shift=0)
    assert explorer.reading is None and explorer.steps.empty
    assert "Draw a digit" in explorer.readout_text


def test_setting_strokes_updates_pictures_bars_and_readout(explorer):
    explorer.set(drawing=[], shift=0)
    empty_png = explorer.image.value
    explorer.set(drawing=EXAMPLE_STROKES["7"])
    assert explorer.reading is not None
    assert explorer.image.value != empty_png
    heights = [p.get_height() for p in explorer.bars[1][2]]
    np.testing.assert_allclose(heights, explorer.reading.cnn)
    assert "2 strokes" in explorer.readout_text and "reads" in explorer.readout_text
    np.testing.assert_allclose(explorer.previews[4].get_array(), explorer.steps.image)


def test_strokes_drawn_on_the_pad_update_the_explorer(explorer):
    explorer.set(drawing=[], shift=0)
    explorer.pad.add_stroke(EXAMPLE_STROKES["0"][0])  # as a pen-up from the browser would
    assert explorer.reading is not None and "1 stroke:" in explorer.readout_text
    explorer.pad.add_stroke([(40.0, 40.0)])
    assert "2 strokes" in explorer.readout_text
    explorer.pad.undo()
    assert "1 stroke:" in explorer.readout_text
    explorer.pad.clear()
    assert explorer.reading is None and "Draw a digit" in explorer.readout_text


def test_the_shift_slider_moves_the_digit_and_changes_the_figure(explorer):
    explorer.set(drawing=EXAMPLE_STROKES["1"], shift=0)
    centred = explorer.previews[4].get_array().copy()
    png = explorer.image.value
    explorer.set(shift=3)
    moved = explorer.previews[4].get_array()
    np.testing.assert_allclose(moved[:, 3:], centred[:, :-3])
    assert explorer.image.value != png and "moved 3 px right" in explorer.readout_text
    explorer.set(drawing=[])
    assert "moved 3 px right" in explorer.readout_text  # said even before anything is drawn
    explorer.set(shift=0)


def test_the_explorer_uses_the_centring_it_is_given():
    calls = []

    def centre(img):
        calls.append(1)
        return img

    e = HandwritingExplorer.example()
    e.centre = centre
    e.set(drawing=EXAMPLE_STROKES["7"])
    assert calls
    with pytest.raises(TypeError, match="centre"):
        HandwritingExplorer(None, None, centre=3)


def test_every_example_move_updates(explorer):
    for move in HandwritingExplorer.example_moves:
        n = len(explorer.update_times_ms)
        explorer.set(**move)
        assert len(explorer.update_times_ms) == n + 1


def test_widget_has_the_pad_the_slider_and_the_figure(explorer):
    box = explorer.widget
    assert "course-explorer" in box._dom_classes
    flat = []

    def walk(w):
        flat.append(w)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(box)
    assert explorer.pad in flat and explorer.image in flat and explorer.readout in flat
    assert explorer.controls["shift"] in flat
