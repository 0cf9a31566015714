"""The convolution-arithmetic explorer: every control moves the picture, the sizes are right."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.text import Text

from course_lib.numpy_nn.conv import conv2d_forward, conv_output_size, conv_window_starts
from course_lib.widgets.conv_arithmetic import LIMITS, ConvArithmeticExplorer


def test_the_default_shows_a_7x7_input_padded_to_9x9_and_a_4x4_output():
    explorer = ConvArithmeticExplorer()
    assert explorer.values == {"size": 7, "kernel": 3, "stride": 2, "pad": 1, "step": 1}
    assert explorer.output_shape == (4, 4)
    assert explorer.window == (0, 0)
    assert explorer.controls["step"].max == 16
    text = explorer.readout_text
    assert "the padded input is 9x9" in text
    assert "fits at 4 positions along each axis (starting at 0, 2, 4, 6" in text
    assert "the output is 4x4 = 16 numbers" in text
    assert "Position 1 of 16" in text and "output row 0, column 0" in text


def test_every_control_changes_the_picture_and_the_readout():
    explorer = ConvArithmeticExplorer()
    for name, value in [("size", 8), ("kernel", 2), ("stride", 1), ("pad", 2), ("step", 5)]:
        png, readout = explorer.image.value, explorer.readout_text
        explorer.set(**{name: value})
        assert explorer.values[name] == value, name
        assert explorer.image.value != png, f"moving {name} left the picture unchanged"
        assert explorer.readout_text != readout, f"moving {name} left the readout unchanged"


def test_the_step_moves_the_window_in_reading_order():
    explorer = ConvArithmeticExplorer(size=7, kernel=3, stride=2, pad=1)
    seen = []
    for step in range(1, 17):
        explorer.set(step=step)
        seen.append(explorer.window)
    starts = [0, 2, 4, 6]
    assert seen == [(top, left) for top in starts for left in starts]
    explorer.set(step=7)  # second row of outputs, third column
    assert "rows 2 to 4 and columns 4 to 6" in explorer.readout_text
    assert "output row 1, column 2" in explorer.readout_text


def test_the_step_range_follows_the_output_size():
    explorer = ConvArithmeticExplorer(size=10, kernel=3, stride=1, pad=0)
    step = explorer.controls["step"]
    assert step.max == 64
    explorer.set(step=64)
    assert explorer.window == (7, 7)
    n_updates = len(explorer.update_times_ms)
    explorer.set(stride=4)  # (10 - 3) // 4 + 1 = 2 positions per axis
    assert step.max == 4 and step.value == 4, "the step is clamped to the last position"
    assert explorer.window == (4, 4)
    assert len(explorer.update_times_ms) == n_updates + 1, "one move, one redraw"
    # The same move made with the mouse (not through set) also redraws once.
    explorer.controls["stride"].value = 1
    assert step.max == 64 and step.value == 4
    assert len(explorer.update_times_ms) == n_updates + 2
    explorer.set(pad=3)  # 16 wide: 14 positions per axis
    assert step.max == 14 * 14 and not step.disabled


def test_a_kernel_larger_than_the_padded_input_gives_a_clear_readout():
    explorer = ConvArithmeticExplorer(size=3, kernel=3, stride=1, pad=0)
    png = explorer.image.value
    explorer.set(kernel=6)  # 6 > 3 + 2 * 0
    text = explorer.readout_text
    assert "no output" in text
    assert "does not fit" in text and "use a smaller kernel or more padding" in text
    assert explorer.output_shape == (0, 0) and explorer.window is None
    assert explorer.controls["step"].disabled
    assert explorer.image.value != png
    explorer.set(pad=2)  # 3 + 4 = 7 >= 6: it fits again
    assert explorer.output_shape == (2, 2)
    assert not explorer.controls["step"].disabled
    assert "no output" not in explorer.readout_text


def test_every_combination_in_range_matches_a_real_convolution():
    """No slider setting raises, and the output drawn is the one conv2d computes."""
    explorer = ConvArithmeticExplorer()
    ranges = [range(low, high + 1) for low, high in LIMITS.values()]
    for size, kernel, stride, pad in itertools.product(*ranges):
        values = {"size": size, "kernel": kernel, "stride": stride, "pad": pad, "step": 1}
        sentence = explorer.draw(values)  # the drawing step alone, without rendering a PNG
        if kernel > size + 2 * pad:
            assert explorer.output_shape == (0, 0) and "no output" in sentence
            continue
        out, _ = conv2d_forward(
            np.zeros((1, 1, size, size)), np.zeros((1, 1, kernel, kernel)), np.zeros(1),
            stride, pad,
        )  # fmt: skip
        assert explorer.output_shape == out.shape[2:], values
        assert f"the output is {out.shape[2]}x{out.shape[3]}" in sentence


def test_the_readout_says_when_rows_are_left_over_or_skipped():
    explorer = ConvArithmeticExplorer(size=10, kernel=2, stride=3, pad=0)
    text = explorer.readout_text
    assert "starting at 0, 3, 6: the dots)" in text
    assert "No window reaches the last 2 rows and columns" in text
    assert "windows skip pixels" in text
    explorer.set(stride=2)
    assert "No window reaches" not in explorer.readout_text
    assert "skip pixels" not in explorer.readout_text


def test_window_starts_are_where_the_loop_reads():
    assert list(conv_window_starts(7, 3, 2, 1)) == [0, 2, 4, 6]
    assert list(conv_window_starts(28, 3)) == list(range(26))
    for size, kernel, stride, pad in [(9, 4, 3, 1), (5, 5, 2, 0), (6, 2, 4, 2)]:
        starts = conv_window_starts(size, kernel, stride, pad)
        assert len(starts) == conv_output_size(size, kernel, stride, pad)
        assert starts[-1] + kernel <= size + 2 * pad, "the last window stays inside"
        assert starts[-1] + stride + kernel > size + 2 * pad, "one more would stick out"
    with pytest.raises(ValueError, match="does not fit"):
        conv_window_starts(3, 6, 1, 1)


def test_readable_when_projected():
    explorer = ConvArithmeticExplorer(size=10, kernel=3, stride=1, pad=3)
    assert explorer.figsize[0] * explorer.dpi <= 720
    texts = [t for t in explorer.fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) > 20  # titles, axis labels, row and column numbers
    assert min(t.get_fontsize() for t in texts) >= 11


def test_bad_arguments_are_explained():
    with pytest.raises(ValueError, match="size must be between 3 and 10"):
        ConvArithmeticExplorer(size=2)
    with pytest.raises(ValueError, match="pad must be between 0 and 3"):
        ConvArithmeticExplorer(pad=4)
    with pytest.raises(TypeError, match="stride must be a whole number"):
        ConvArithmeticExplorer(stride=1.5)
    with pytest.raises(ValueError, match="step must be between 1 and 16"):
        ConvArithmeticExplorer(step=17)
    with pytest.raises(ValueError, match="no control named"):
        ConvArithmeticExplorer().set(dilation=2)


def test_example_moves_all_redraw():
    explorer = ConvArithmeticExplorer.example()
    pngs = {explorer.image.value}
    for move in ConvArithmeticExplorer.example_moves:
        explorer.set(**move)
        pngs.add(explorer.image.value)
    assert len(pngs) == len(ConvArithmeticExplorer.example_moves) + 1
    # Kernel-side update time: the course's target is a 50 ms median on a quiet machine;
    # this bound only catches a return to full-figure redraws on a busy shared machine.
    assert np.median(explorer.update_times_ms[1:]) < 250
