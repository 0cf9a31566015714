"""The shared machinery of every explorer: controls, a live figure and a text readout.

An explorer is a small object with

* ``controls``: ipywidgets sliders and dropdowns, keyboard-operable like any ipywidgets
  control (Tab to focus, arrow keys to move);
* ``fig``: a matplotlib figure drawn off-screen with the Agg renderer and shown as a PNG in an
  ``ipywidgets.Image``; an update changes the artists' data in place and re-renders, rather
  than building a new figure, so it stays fast;
* ``readout``: one sentence of text that states the current values and what the figure shows,
  for learners who cannot see the picture and for tests.

Subclasses build their artists in ``setup()`` and refresh them in ``draw(values)``, which
returns the readout sentence. ``explorer.set(name=value)`` moves a control from code exactly
as a learner would with the mouse, which is how the tests and benchmarks drive explorers.

Displaying an explorer (the last expression of a cell) shows its widget; a page without a
kernel (the course website, a notebook viewer) shows a still picture of it instead.
"""

from __future__ import annotations

import base64
import html
import io
import re
import time
from collections.abc import Mapping

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib.style import apply_style

#: Screen pixels per inch of figure, as for the notebooks' static figures (``apply_style``).
DISPLAY_DPI = 100

#: Smallest text in an explorer, in points: readable from the back of a room on a projector.
MIN_FONTSIZE = 10.0

#: Matplotlib settings for explorer figures: larger text than a static figure needs.
EXPLORER_RC = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
}

#: What a page without a kernel says under an explorer's still picture.
STATIC_NOTE = (
    "Interactive explorer: open this notebook in JupyterLab, Binder or Colab to move the sliders."
)

#: Widest a control row grows (label, track and value), so tracks stay a comfortable length.
CONTROL_MAX_WIDTH = "640px"


def enforce_min_fontsize(fig: Figure, minimum: float = MIN_FONTSIZE) -> None:
    """Raise every text of ``fig`` smaller than ``minimum`` points to ``minimum``."""
    from matplotlib.text import Text

    for text in fig.findobj(Text):
        if text.get_fontsize() < minimum:
            text.set_fontsize(minimum)


def align_controls(controls) -> None:
    """Give an explorer's sliders and menus one label width and one width, so that every
    track starts at the same place and has the same length, and rows shrink with the page.
    """
    controls = [c for c in controls if hasattr(c, "description") and hasattr(c, "style")]
    longest = max((len(c.description) for c in controls), default=0)
    # About one em per 1.6 letters, but never more than 40% of the row: on a narrow page
    # (200% zoom) a long label is cut short (its full text is the tooltip), not the track.
    label = f"min({min(max(longest, 4), 28) * 0.62 + 1:.1f}em, 40%)"
    for control in controls:
        if not control.description:
            continue
        control.style.description_width = label
        control.layout.width = "100%"
        control.layout.max_width = CONTROL_MAX_WIDTH


class Explorer:
    """Base class for the interactive explorers used in the notebooks."""

    #: Shown above the controls.
    title: str = "Explorer"
    #: Figure size in inches. It is shown at ``DISPLAY_DPI`` screen pixels per inch, like the
    #: notebooks' static figures, and shrinks with the window (never wider than the page).
    figsize: tuple[float, float] = (6.0, 4.0)
    #: Dots per inch of the PNG: 1.5 times the display density, so lines and text stay sharp
    #: on high-resolution screens and projectors while a redraw stays quick.
    dpi: int = 150
    #: The line under the explorer's still picture on a page without a kernel.
    static_note: str = STATIC_NOTE

    def __init__(self, controls: Mapping[str, widgets.ValueWidget]):
        apply_style()
        self.controls = dict(controls)
        align_controls(self.controls.values())
        with mpl.rc_context(EXPLORER_RC):
            self.fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        FigureCanvasAgg(self.fig)
        width_px = int(self.figsize[0] * DISPLAY_DPI)
        self.image = widgets.Image(
            format="png",
            layout=widgets.Layout(width="100%", max_width=f"{width_px}px", height="auto"),
        )
        self.image.add_class("course-explorer-figure")
        self.readout = widgets.HTML()
        self.readout.add_class("course-explorer-readout")
        self.update_times_ms: list[float] = []
        with mpl.rc_context(EXPLORER_RC):
            self.setup()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._widget = None
        self.update()

    # --- to be written by each explorer -------------------------------------------------
    def setup(self) -> None:
        """Create axes and artists on ``self.fig`` (called once)."""
        raise NotImplementedError

    def draw(self, values: dict) -> str:
        """Update the artists for ``values``; return the readout sentence."""
        raise NotImplementedError

    # --- shared behaviour ----------------------------------------------------------------
    @property
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> None:
        """Move controls from code, as a learner would; the figure updates once."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no control named {sorted(unknown)}; "
                f"its controls are {sorted(self.controls)}"
            )
        with self._hold():
            for name, value in values.items():
                self.controls[name].value = value
        self.update()

    def update(self) -> None:
        """Redraw the figure and the readout for the current control values."""
        start = time.perf_counter()
        with mpl.rc_context(EXPLORER_RC):
            sentence = self.draw(self.values)
            if self._background is None:  # a full render: make every text readable first
                enforce_min_fontsize(self.fig)
            self.image.value = self._render_png()
        self.readout.value = f"<p>{sentence}</p>"
        self.update_times_ms.append((time.perf_counter() - start) * 1000.0)

    @property
    def readout_text(self) -> str:
        """The readout sentence without its HTML wrapper."""
        return self.readout.value.removeprefix("<p>").removesuffix("</p>")

    @property
    def widget(self) -> widgets.Widget:
        """The complete explorer: title, controls, figure and readout."""
        if self._widget is None:
            heading = widgets.HTML(f"<b>{self.title}</b>")
            box = widgets.VBox(
                [heading, widgets.VBox(list(self.controls.values())), self.image, self.readout]
            )
            box.add_class("course-explorer")
            self._widget = box
        return self._widget

    def _repr_mimebundle_(self, **kwargs):
        """The widget for live front ends, and a still picture with one line for the rest.

        JupyterLab, Notebook 7, VS Code and Colab render the widget view, which they rank
        above every other type. A static page (the course website, nbconvert, a viewer
        without a kernel) shows ``text/html`` instead: the figure as the explorer draws it
        when displayed (its first state: notebooks display an explorer where they build it)
        and a line that says where to move the sliders. ``image/png`` and ``text/plain`` carry
        the same for viewers that take neither.
        """
        bundle, metadata = self.widget._repr_mimebundle_(**kwargs) or {}, {}
        if isinstance(bundle, tuple):  # (data, metadata), as some widget libraries return
            bundle, metadata = bundle
        bundle = dict(bundle)
        png = base64.b64encode(self.image.value).decode("ascii")
        width_px = int(self.figsize[0] * DISPLAY_DPI)
        readout = html.unescape(re.sub(r"<[^>]+>", "", self.readout_text))
        bundle["image/png"] = png
        bundle["text/plain"] = f"{self.title}\n{readout}\n{self.static_note}"
        bundle["text/html"] = (
            f'<div class="course-explorer-static"><p><b>{html.escape(self.title)}</b></p>'
            f'<img src="data:image/png;base64,{png}" alt="{html.escape(readout)}" '
            f'style="width: {width_px}px; max-width: 100%; height: auto">'
            f"<p>{self.readout_text}</p><p><em>{html.escape(self.static_note)}</em></p></div>"
        )
        return (bundle, metadata) if metadata else bundle

    # --- internals -----------------------------------------------------------------------
    _holding = False

    #: Opt-in speed-up: an explorer that fills this list in ``setup()`` with the artists its
    #: ``draw()`` changes (lines, images, titles, ...) gets them redrawn on top of a cached
    #: picture of everything else (axes, ticks, labels), which is several times faster than
    #: rendering the whole figure. Axis limits and other artists must then stay fixed; call
    #: ``refresh_background()`` after changing them. Dynamic artists are "animated", so a
    #: plain ``fig.savefig`` leaves them out; use ``explorer.image.value`` for the picture.
    dynamic_artists: list | tuple = ()  # a tuple here: no list shared between explorers
    _background = None

    def refresh_background(self) -> None:
        """Forget the cached static picture; the next update renders it again."""
        self._background = None

    def _render_png(self) -> bytes:
        if not self.dynamic_artists:
            buffer = io.BytesIO()
            self.fig.savefig(buffer, format="png", dpi=self.dpi)
            return buffer.getvalue()
        canvas = self.fig.canvas
        if self._background is None:
            for artist in self.dynamic_artists:
                artist.set_animated(False)
            if self.fig.get_layout_engine() is not None:
                canvas.draw()  # lay out once with every artist present, then keep that layout
                self.fig.set_layout_engine("none")
            for artist in self.dynamic_artists:
                artist.set_animated(True)
            canvas.draw()  # everything except the dynamic artists
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        canvas.restore_region(self._background)
        for artist in self.dynamic_artists:
            if artist.get_visible():
                self.fig.draw_artist(artist)
        from PIL import Image

        buffer = io.BytesIO()
        rgb = np.ascontiguousarray(np.asarray(canvas.buffer_rgba())[..., :3])  # opaque figure
        Image.fromarray(rgb).save(buffer, format="png", compress_level=1)  # fast, still small
        return buffer.getvalue()

    def _on_change(self, change) -> None:
        if not self._holding:
            self.update()

    def _hold(self):
        explorer = self

        class _Hold:
            def __enter__(self):
                explorer._holding = True

            def __exit__(self, *exc):
                explorer._holding = False

        return _Hold()


def slider(
    description: str,
    value: float,
    min: float,
    max: float,
    step: float,
    *,
    integer: bool = False,
    readout_format: str | None = None,
) -> widgets.ValueWidget:
    """A labelled slider with the course's layout (wide label, wide track)."""
    common = dict(
        value=value,
        min=min,
        max=max,
        step=step,
        description=description,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="100%", max_width=CONTROL_MAX_WIDTH),
    )
    if integer:
        return widgets.IntSlider(**common)
    return widgets.FloatSlider(readout_format=readout_format or ".2f", **common)


def dropdown(description: str, options, value) -> widgets.Dropdown:
    """A labelled drop-down menu with the course's layout."""
    return widgets.Dropdown(
        options=options,
        value=value,
        description=description,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="100%", max_width=CONTROL_MAX_WIDTH),
    )
