"""The convolution-arithmetic explorer: slide a kernel over a padded input, one position at a time.

Four sliders set the geometry of a convolution along both axes (square input, square kernel):

* ``size``: the input is ``size x size`` pixels;
* ``kernel``: the kernel (the window) is ``kernel x kernel``;
* ``stride``: how many pixels the window jumps from one position to the next;
* ``pad``: how many rings of zeros surround the input.

A fifth, ``step``, moves the window through its positions in reading order (row by row);
its range follows the output size, so it always runs from the first position to the last.

The figure shows the padded input (the padding hatched, the window shaded, a dot where every
window starts) next to the output grid, with the output cell that the current window
produces shaded too and joined to it. The readout says the same in words, with the output
size. A kernel larger than the padded input has no position at all: the readout says so
and how to fix it, and the step slider is greyed out.

The arithmetic comes from :mod:`course_lib.numpy_nn.conv` (:func:`conv_output_size`,
:func:`conv_window_starts`); the explorer only draws. Introduced in ``07_convolutions``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.patches import ConnectionPatch, Rectangle

from course_lib.numpy_nn.conv import conv_window_starts
from course_lib.style import OKABE_ITO
from course_lib.validate import check_positive_int
from course_lib.widgets.base import Explorer, slider

__all__ = ["ConvArithmeticExplorer", "LIMITS"]

#: Slider ranges (smallest, largest) of the four geometry controls.
LIMITS = {"size": (3, 10), "kernel": (1, 6), "stride": (1, 4), "pad": (0, 3)}

_FONT = 11  # points: readable when projected
_INPUT = "#CDE6F5"  # the image's cells: a pale Okabe-Ito sky blue
_PADDING = "#F0F0F0"  # the zeros around it, hatched
_OUTPUT = "#C2E6DA"  # output cells: a pale Okabe-Ito green
_WINDOW = OKABE_ITO["orange"]
_EDGE = OKABE_ITO["vermillion"]


#: The largest board a panel shows: the largest padded input (or kernel), in cells.
_MOST_CELLS = max(LIMITS["size"][1] + 2 * LIMITS["pad"][1], LIMITS["kernel"][1])


def _cell_lines(n: int, extent: int) -> list:
    """Grid lines of an ``n x n`` block of cells on a board ``extent`` cells wide.

    Board coordinates run from 0 to 1 across each panel (row 0 at the top), so a panel
    keeps its size and only the cells grow or shrink.
    """
    edges = np.arange(n + 1) / extent
    end = n / extent
    return [[(e, 0.0), (e, end)] for e in edges] + [[(0.0, e), (end, e)] for e in edges]


def _span(first: int, length: int) -> str:
    return f"{first}" if length == 1 else f"{first} to {first + length - 1}"


class ConvArithmeticExplorer(Explorer):
    """Input size, kernel size, stride and padding: watch the window slide and count outputs.

    Controls: ``size``, ``kernel``, ``stride``, ``pad`` and ``step`` (the window's position,
    1 to the number of outputs, in reading order). Coordinates in the figure and readout
    are those of the padded input (row 0 is the first ring of padding), as in the loop
    ``x_padded[n, :, top : top + HH, left : left + WW]``.
    Introduced in ``07_convolutions``.
    """

    title = "Convolution arithmetic: slide the window, count the outputs"
    figsize = (9.0, 4.4)
    dpi = 80

    #: Control settings the tests and the latency benchmark move through.
    example_moves = [
        {"step": 6},
        {"stride": 1},
        {"pad": 0},
        {"kernel": 5},
        {"size": 9},
        {"size": 3, "kernel": 6},  # does not fit: no output
        {"kernel": 3},
        {"stride": 3},
        {"pad": 2},
        {"step": 4},
    ]

    def __init__(
        self, size: int = 7, kernel: int = 3, stride: int = 2, pad: int = 1, step: int = 1
    ):
        start = {"size": size, "kernel": kernel, "stride": stride, "pad": pad}
        for name, value in start.items():
            low, high = LIMITS[name]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be a whole number, got {type(value).__name__}")
            if not low <= value <= high:
                raise ValueError(
                    f"{name} must be between {low} and {high} (the slider's range), got {value}"
                )
        step = check_positive_int(step, "step")
        positions = self._positions(**start)
        if step > max(positions, 1):
            raise ValueError(
                f"step must be between 1 and {max(positions, 1)} (the number of outputs for this "
                f"size, kernel, stride and padding), got {step}"
            )
        controls = {
            "size": slider("input size (H = W)", size, *LIMITS["size"], 1, integer=True),
            "kernel": slider("kernel size (HH = WW)", kernel, *LIMITS["kernel"], 1, integer=True),
            "stride": slider("stride", stride, *LIMITS["stride"], 1, integer=True),
            "pad": slider("padding (zeros on each side)", pad, *LIMITS["pad"], 1, integer=True),
            "step": slider("window position", 1, 1, max(positions, 1), 1, integer=True),
        }
        controls["step"].value = step
        controls["step"].disabled = positions == 0
        super().__init__(controls)

    @classmethod
    def example(cls) -> ConvArithmeticExplorer:
        """As ``07_convolutions`` shows it: a 7x7 input, 3x3 kernel, stride 2, padding 1."""
        return cls()

    @staticmethod
    def _positions(size: int, kernel: int, stride: int, pad: int) -> int:
        """Number of window positions (outputs), 0 when the kernel does not fit."""
        try:
            starts = conv_window_starts(size, kernel, stride, pad)
        except ValueError:
            return 0
        return len(starts) ** 2

    # --- the step slider follows the output size ------------------------------------------
    def _follow_output_size(self, change=None) -> None:
        """Give the step slider one position per output (greyed out when there is none)."""
        geometry = {k: self.controls[k].value for k in LIMITS}
        positions = self._positions(**geometry)
        step = self.controls["step"]
        was = self._holding
        self._holding = True  # the base class redraws once, after this
        try:
            step.max = max(positions, 1)  # clamps the value when the range shrinks
            step.disabled = positions == 0
        finally:
            self._holding = was

    # --- the figure -----------------------------------------------------------------------
    def setup(self) -> None:
        # Registered before the base class's observers: the step range is right before the
        # redraw that every geometry change triggers.
        for name in LIMITS:
            self.controls[name].observe(self._follow_output_size, names="value")
        ax_in, ax_out = self.fig.subplots(1, 2)
        self.index_labels = {}
        for ax in (ax_in, ax_out):
            # Both panels are boards from 0 to 1 (row 0 at the top); the cells are drawn to
            # scale inside, so the axes never move and only the changing artists are redrawn.
            ax.set_xlim(0.0, 1.0)
            ax.set_ylim(1.0, 0.0)
            ax.set_aspect("equal")
            ax.grid(False)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.xaxis.labelpad = 20  # room for the row and column numbers drawn below
            ax.yaxis.labelpad = 24
            for side in ("top", "right"):
                ax.spines[side].set_visible(True)
            common = dict(fontsize=_FONT, visible=False)
            self.index_labels[ax] = (
                [
                    ax.text(0, -0.015, "", transform=ax.get_xaxis_transform(),
                            ha="center", va="top", **common)
                    for _ in range(_MOST_CELLS)
                ],
                [
                    ax.text(-0.015, 0, "", transform=ax.get_yaxis_transform(),
                            ha="right", va="center", **common)
                    for _ in range(_MOST_CELLS)
                ],
            )  # fmt: skip
        self.padding_patch = ax_in.add_patch(
            Rectangle((0, 0), 1, 1, facecolor=_PADDING, edgecolor="0.45", hatch="//", lw=0)
        )
        self.input_patch = ax_in.add_patch(Rectangle((0, 0), 1, 1, facecolor=_INPUT, lw=0))
        self.input_grid = ax_in.add_collection(LineCollection([], colors="0.35", linewidths=0.8))
        (self.starts_artist,) = ax_in.plot([], [], "o", color=OKABE_ITO["black"], markersize=4)
        self.window_patch = ax_in.add_patch(Rectangle((0, 0), 1, 1, edgecolor=_EDGE, lw=3))
        self.output_patch = ax_out.add_patch(Rectangle((0, 0), 1, 1, facecolor=_OUTPUT, lw=0))
        self.output_grid = ax_out.add_collection(LineCollection([], colors="0.35", linewidths=0.8))
        self.cell_patch = ax_out.add_patch(
            Rectangle((0, 0), 1, 1, facecolor=to_rgba(_WINDOW, 0.55), edgecolor=_EDGE, lw=3)
        )
        self.no_output_text = ax_out.text(
            0.5, 0.5, "", transform=ax_out.transAxes, ha="center", va="center", fontsize=12
        )
        self.links = []
        for _ in range(2):  # window corners -> output cell corners
            link = ConnectionPatch(
                (0, 0), (0, 0), "data", "data", axesA=ax_in, axesB=ax_out,
                color=_EDGE, lw=1.2, linestyle="--",
            )  # fmt: skip
            link.set_in_layout(False)
            self.fig.add_artist(link)
            self.links.append(link)
        ax_in.set_xlabel("column of the padded input", fontsize=_FONT)
        ax_in.set_ylabel("row of the padded input", fontsize=_FONT)
        ax_out.set_xlabel("output column", fontsize=_FONT)
        ax_out.set_ylabel("output row", fontsize=_FONT)
        for ax in (ax_in, ax_out):
            ax.set_title(" ", fontsize=12)
        self.ax_input, self.ax_output = ax_in, ax_out
        # Redrawn on every update over a cached picture of the axes (see Explorer).
        self.dynamic_artists = [
            self.padding_patch,
            self.input_patch,
            self.input_grid,
            self.starts_artist,
            self.window_patch,
            self.output_patch,
            self.output_grid,
            self.cell_patch,
            self.no_output_text,
            *self.links,
            *(t for labels in self.index_labels.values() for row in labels for t in row),
            ax_in.title,
            ax_out.title,
        ]
        self.output_shape: tuple[int, int] = (0, 0)  # (H', W') of the current geometry
        self.window: tuple[int, int] | None = None  # (top, left) of the current window

    def draw(self, values: dict) -> str:
        size, kernel, stride, pad = (values[k] for k in LIMITS)
        padded = size + 2 * pad
        extent = max(padded, kernel)  # cells across each board
        setting = f"Input {size}x{size}, kernel {kernel}x{kernel}, stride {stride}, padding {pad}"
        try:
            starts = conv_window_starts(size, kernel, stride, pad)
        except ValueError as error:
            self._draw_input(size, kernel, pad, extent, (0, 0), fits=False)
            self._draw_no_output(extent, stride)
            return f"{setting}: no output, because {error}."
        n = len(starts)
        i, j = divmod(values["step"] - 1, n)
        top, left = int(starts[i]), int(starts[j])
        self._draw_input(size, kernel, pad, extent, (top, left), fits=True)
        rows, cols = np.meshgrid(starts, starts, indexing="ij")
        self.starts_artist.set_data((cols.ravel() + 0.5) / extent, (rows.ravel() + 0.5) / extent)
        self.starts_artist.set_markersize(4 if extent <= 10 else 3)
        self.starts_artist.set_visible(True)

        cell = 1.0 / extent
        self.output_patch.set_bounds(0, 0, n * cell, n * cell)
        self.output_grid.set_segments(_cell_lines(n, extent))
        self.cell_patch.set_bounds(j * cell, i * cell, cell, cell)
        for artist in (self.output_patch, self.output_grid, self.cell_patch, *self.links):
            artist.set_visible(True)
        self.no_output_text.set_text("")
        self._number_cells(self.ax_output, n, extent)
        self.ax_output.set_title(f"stride {stride}: output {n}x{n}, {n * n} numbers", fontsize=12)
        window_right = [
            ((left + kernel) * cell, top * cell),
            ((left + kernel) * cell, (top + kernel) * cell),
        ]
        cell_left = [(j * cell, i * cell), (j * cell, (i + 1) * cell)]
        for link, a, b in zip(self.links, window_right, cell_left, strict=True):
            link.xy1, link.xy2 = a, b
        self.output_shape = (n, n)
        self.window = (top, left)

        sentence = (
            f"{setting}: the padded input is {padded}x{padded}, and the {kernel}-wide window "
            f"fits at {n} position{'s' if n > 1 else ''} along each axis (starting at "
            f"{', '.join(str(s) for s in starts)}: the dots), so the output is {n}x{n} = {n * n} "
            f"number{'s' if n * n > 1 else ''}. Position {values['step']} of {n * n}: the "
            f"window covers rows {_span(top, kernel)} and columns {_span(left, kernel)} of "
            f"the padded input and gives output row {i}, column {j}."
        )
        unreached = padded - (int(starts[-1]) + kernel)
        if unreached > 0:
            plural = "s" if unreached > 1 else ""
            sentence += (
                f" No window reaches the last {unreached} row{plural} and column{plural}: one "
                "more stride would push the window past the edge."
            )
        if stride > kernel and n > 1:
            sentence += " The stride is larger than the kernel, so windows skip pixels."
        return sentence

    def _draw_input(self, size, kernel, pad, extent, corner, *, fits: bool) -> None:
        """The padded input, hatched padding, grid and the window at ``corner`` (top, left)."""
        padded = size + 2 * pad
        cell = 1.0 / extent
        top, left = corner
        self.padding_patch.set_bounds(0, 0, padded * cell, padded * cell)
        self.input_patch.set_bounds(pad * cell, pad * cell, size * cell, size * cell)
        self.input_grid.set_segments(_cell_lines(padded, extent))
        self.window_patch.set_bounds(left * cell, top * cell, kernel * cell, kernel * cell)
        # A window that does not fit is drawn dashed, in the warning colour.
        self.window_patch.set_linestyle("-" if fits else "--")
        self.window_patch.set_facecolor(to_rgba(_WINDOW if fits else _EDGE, 0.55 if fits else 0.2))
        self._number_cells(self.ax_input, padded, extent)
        if fits:
            title = f"padded input {padded}x{padded} (hatched: padding)"
        else:
            title = f"padded input {padded}x{padded}: a {kernel}x{kernel} kernel does not fit"
        self.ax_input.set_title(title, fontsize=12)

    def _draw_no_output(self, extent: int, stride: int) -> None:
        for artist in (
            self.starts_artist, self.output_patch, self.output_grid, self.cell_patch, *self.links
        ):  # fmt: skip
            artist.set_visible(False)
        self.no_output_text.set_text("no output:\nthe kernel is larger\nthan the padded input")
        self._number_cells(self.ax_output, 0, extent)
        self.ax_output.set_title(f"stride {stride}: no output", fontsize=12)
        self.output_shape = (0, 0)
        self.window = None

    def _number_cells(self, ax, n: int, extent: int) -> None:
        """Row and column numbers 0 .. n-1 beside a board (every other one when it is large)."""
        every = 1 if extent <= 10 else 2
        columns, rows = self.index_labels[ax]
        for k in range(_MOST_CELLS):
            shown = k < n and k % every == 0
            columns[k].set_visible(shown)
            rows[k].set_visible(shown)
            if shown:
                where = (k + 0.5) / extent
                columns[k].set_text(str(k))
                columns[k].set_x(where)
                rows[k].set_text(str(k))
                rows[k].set_y(where)
