"""A drawing pad, and an explorer that shows two networks reading what you draw.

:class:`DrawingPad` is a 28 x 28-cell canvas (280 x 280 screen pixels) built with
`anywidget <https://anywidget.dev>`_: a small JavaScript module, no build step, that works in
JupyterLab 4, Jupyter Notebook 7, Binder, VS Code and Google Colab. It listens to *pointer
events*, which browsers send alike for a mouse, a pen and a finger. Each stroke (pen down, move,
pen up) becomes a list of ``(x, y)`` points in pad pixels; when the pen lifts, the pad sends
the whole list of strokes to Python as its ``value``. The Undo button removes the last stroke,
Clear removes them all; from Python, :meth:`DrawingPad.undo` and :meth:`DrawingPad.clear` do
the same.

:class:`HandwritingExplorer` puts the pad next to a live figure: the preprocessing steps of
:func:`course_lib.data.preprocess.mnist_preprocess` as a row of small pictures, the ten
probabilities of a feed-forward network and of a CNN as bar charts, and the CNN's first-layer
feature maps. It redraws when the pen lifts (not during a stroke, so a drawing in progress
never waits for Python), and when the "shift right" slider moves the finished digit, which
repeats the notebook's shift experiment on your own handwriting.

Introduced in ``09_your_own_handwriting``.
"""

from __future__ import annotations

import anywidget
import numpy as np
import traitlets

from course_lib.data.preprocess import (
    CANVAS_PEN_PX,
    CANVAS_PX,
    EXAMPLE_STROKES,
    GRID,
    MNIST_CENTRE,
    canvas_image,
    centre_by_mass,
    centre_of_mass,
    check_strokes,
    mnist_preprocess,
    shift_image,
)
from course_lib.style import CMAP_GRAY, CMAP_SEQUENTIAL, OKABE_ITO
from course_lib.widgets.base import Explorer, slider

__all__ = ["DrawingPad", "HandwritingExplorer"]

_PAD_ESM = r"""
function copyStrokes(strokes) {
  return (strokes || []).map((s) => s.map((p) => [Number(p[0]), Number(p[1])]));
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "course-drawing-pad";
  root.style.display = "inline-flex";
  root.style.flexDirection = "column";
  root.style.gap = "6px";

  const canvas = document.createElement("canvas");
  canvas.className = "course-drawing-canvas";
  canvas.setAttribute("role", "img");
  canvas.setAttribute(
    "aria-label",
    "Drawing pad of 28 by 28 cells: draw one digit with the mouse, a pen or a finger"
  );
  Object.assign(canvas.style, {
    touchAction: "none", cursor: "crosshair", border: "1px solid #555",
    background: "#fff", display: "block", maxWidth: "100%", height: "auto",
  });

  const bar = document.createElement("div");
  bar.style.display = "flex";
  bar.style.gap = "6px";
  const button = (label, cls, title) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    b.className = `jupyter-button widget-button ${cls}`;
    bar.appendChild(b);
    return b;
  };
  const undo = button("Undo", "course-drawing-undo", "Remove the last stroke");
  const clear = button("Clear", "course-drawing-clear", "Remove every stroke");
  root.appendChild(canvas);
  root.appendChild(bar);
  el.appendChild(root);

  const ctx = canvas.getContext("2d");
  let strokes = copyStrokes(model.get("value"));
  let current = null;
  let pointerId = null;

  function layout() {
    const side = model.get("size");
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(side * dpr);
    canvas.height = Math.round(side * dpr);
    canvas.style.width = `${side}px`;
    // Drawing coordinates are pad pixels (0 .. side), whatever the screen's density.
    ctx.setTransform(canvas.width / side, 0, 0, canvas.height / side, 0, 0);
  }

  function redraw() {
    const side = model.get("size");
    const cells = model.get("grid");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, side, side);
    ctx.strokeStyle = "rgba(0, 0, 0, 0.08)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 1; i < cells; i++) {
      const at = (i * side) / cells;
      ctx.moveTo(at, 0); ctx.lineTo(at, side);
      ctx.moveTo(0, at); ctx.lineTo(side, at);
    }
    ctx.stroke();
    const pen = model.get("pen");
    ctx.strokeStyle = "#000";
    ctx.fillStyle = "#000";
    ctx.lineWidth = pen;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const s of strokes) {
      if (s.length === 0) continue;
      if (s.length === 1) {
        ctx.beginPath();
        ctx.arc(s[0][0], s[0][1], pen / 2, 0, 2 * Math.PI);
        ctx.fill();
        continue;
      }
      ctx.beginPath();
      ctx.moveTo(s[0][0], s[0][1]);
      for (let i = 1; i < s.length; i++) ctx.lineTo(s[i][0], s[i][1]);
      ctx.stroke();
    }
  }

  function point(e) {
    const side = model.get("size");
    const r = canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(side, Math.max(0, v));
    const x = clamp(((e.clientX - r.left) * side) / r.width);
    const y = clamp(((e.clientY - r.top) * side) / r.height);
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }

  function send() {
    model.set("value", copyStrokes(strokes));
    model.save_changes();
  }

  function down(e) {
    if (current !== null) return; // one pen at a time; a second finger is ignored
    if (e.pointerType === "mouse" && e.button !== 0) return;
    e.preventDefault();
    if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
    pointerId = e.pointerId;
    current = [point(e)];
    strokes.push(current);
    redraw();
  }

  function move(e) {
    if (current === null || e.pointerId !== pointerId) return;
    e.preventDefault();
    const all = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    for (const ev of all.length ? all : [e]) {
      const p = point(ev);
      const last = current[current.length - 1];
      if (Math.hypot(p[0] - last[0], p[1] - last[1]) >= 1) current.push(p);
    }
    redraw();
  }

  function up(e) {
    if (current === null || e.pointerId !== pointerId) return;
    current = null;
    pointerId = null;
    send(); // once per stroke, when the pen lifts
  }

  function onValue() {
    if (current !== null) return; // never wipe a stroke that is being drawn
    strokes = copyStrokes(model.get("value"));
    redraw();
  }

  function onLook() {
    layout();
    redraw();
  }

  canvas.addEventListener("pointerdown", down);
  canvas.addEventListener("pointermove", move);
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  canvas.addEventListener("lostpointercapture", up);
  undo.addEventListener("click", () => {
    if (current !== null || strokes.length === 0) return;
    strokes.pop();
    redraw();
    send();
  });
  clear.addEventListener("click", () => {
    if (current !== null) return;
    strokes = [];
    redraw();
    send();
  });
  model.on("change:value", onValue);
  model.on("change:size", onLook);
  model.on("change:pen", onLook);
  model.on("change:grid", onLook);
  layout();
  redraw();
  return () => {
    model.off("change:value", onValue);
    model.off("change:size", onLook);
    model.off("change:pen", onLook);
    model.off("change:grid", onLook);
  };
}

export default { render };
"""


class DrawingPad(anywidget.AnyWidget):
    """A square canvas to draw on with a mouse, a pen or a finger, with Undo and Clear.

    ``value``: the strokes, a list of strokes, each a list of ``[x, y]`` points in pad pixels
    (``0 .. size``, ``x`` to the right, ``y`` down). The pad sends it when the pen lifts;
    setting it from Python redraws the pad. ``size``: side of the pad in screen pixels;
    ``grid``: cells per side (faint lines); ``pen``: width of the drawn line in pad pixels.
    Introduced in ``09_your_own_handwriting``.
    """

    _esm = _PAD_ESM
    value = traitlets.List(help="strokes: a list of lists of [x, y] points").tag(sync=True)
    size = traitlets.Int(CANVAS_PX).tag(sync=True)
    grid = traitlets.Int(GRID).tag(sync=True)
    pen = traitlets.Float(CANVAS_PEN_PX).tag(sync=True)

    def _repr_mimebundle_(self, **kwargs):
        """The pad for live front ends; one line of text for a page without a kernel."""
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        data = {
            **data,
            "text/plain": "Drawing pad: open this notebook in JupyterLab, Binder or Colab to draw.",
        }
        return data, metadata

    @property
    def strokes(self) -> list[list[tuple[float, float]]]:
        """The strokes as lists of ``(x, y)`` float pairs."""
        return [[(float(x), float(y)) for x, y in stroke] for stroke in self.value]

    def add_stroke(self, points) -> None:
        """Append one stroke (a list of ``(x, y)`` points), as a pen stroke on the pad would."""
        (stroke,) = check_strokes([points]) or [np.zeros((0, 2))]
        self.value = [*self.value, stroke.tolist()]

    def undo(self) -> None:
        """Remove the last stroke (nothing happens on an empty pad), like the Undo button."""
        if self.value:
            self.value = list(self.value[:-1])

    def clear(self) -> None:
        """Remove every stroke, like the Clear button."""
        self.value = []


class HandwritingExplorer(Explorer):
    """Draw a digit; see MNIST's preprocessing step by step and two networks reading it.

    ``ffn``: a trained feed-forward network taking ``(N, 784)`` images; ``cnn``: a trained CNN
    taking ``(N, 1, 28, 28)`` (a :class:`course_lib.torch_nn.cnn.CNN` or an ``nn.Sequential``
    such as :func:`course_lib.torch_nn.fast.fast_cnn`). ``centre``: the centring step,
    ``img (28, 28) -> (28, 28)`` (the notebook passes the learner's). ``strokes``: a drawing
    to start with (default: an empty pad).

    Controls: ``drawing`` (the pad; its value is the strokes) and ``shift`` (move the finished
    digit right by that many pixels, negative is left). After each update, ``steps`` holds the
    :class:`~course_lib.data.preprocess.DigitSteps` and ``reading`` the
    :class:`~course_lib.handwriting.Reading` (None while the pad is empty).
    Introduced in ``09_your_own_handwriting``.
    """

    title = "Your own handwriting: draw a digit and watch the FFN and the CNN read it"
    figsize = (7.2, 6.0)
    dpi = 100  # the whole figure changes on every stroke: a lighter PNG keeps it quick
    static_note = (
        "Interactive explorer: open this notebook in JupyterLab, Binder or Colab to draw a digit "
        "on the pad."
    )

    #: Control settings the tests and the latency benchmark move through.
    example_moves = [
        {"drawing": EXAMPLE_STROKES["7"]},
        {"shift": 2},
        {"drawing": EXAMPLE_STROKES["0"]},
        {"shift": -3},
        {"drawing": EXAMPLE_STROKES["1"]},
        {"shift": 0},
        {"drawing": []},
    ]

    #: How many of the CNN's first-layer feature maps the figure shows.
    max_maps = 16

    def __init__(self, ffn, cnn, *, centre=centre_by_mass, strokes=()):
        if not callable(centre):
            raise TypeError(f"centre must be a function img -> img, got {type(centre).__name__}")
        check_strokes(list(strokes))
        self.ffn, self.cnn, self.centre = ffn, cnn, centre
        self.steps = None
        self.reading = None
        self.pad = DrawingPad(value=[list(map(list, s)) for s in strokes])
        controls = {
            "drawing": self.pad,
            "shift": slider("shift right (px)", 0, -4, 4, 1, integer=True),
        }
        super().__init__(controls)
        self.controls["shift"].style.description_width = "8.5em"  # leave the track room

    @classmethod
    def example(cls) -> HandwritingExplorer:
        """The explorer with untrained networks (for timing and tests: no data needed)."""
        from course_lib.torch_nn import MLP, fast

        return cls(MLP([784, 256, 10], seed=0).eval(), fast.fast_cnn(seed=0).eval())

    # --- layout -------------------------------------------------------------------------
    @property
    def widget(self):
        """Title; the pad and the slider on the left, the figure and the readout on the right
        (one above the other on a narrow page)."""
        import ipywidgets as widgets

        if self._widget is None:
            heading = widgets.HTML(f"<b>{self.title}</b>")
            left = widgets.VBox(
                [self.pad, self.controls["shift"]],
                layout=widgets.Layout(width=f"{CANVAS_PX + 40}px", max_width="100%"),
            )
            right = widgets.VBox(
                [self.image, self.readout], layout=widgets.Layout(flex="1 1 420px", min_width="0")
            )
            row = widgets.HBox(
                [left, right], layout=widgets.Layout(flex_flow="row wrap", align_items="flex-start")
            )
            box = widgets.VBox([heading, row])
            box.add_class("course-explorer")
            self._widget = box
        return self._widget

    # --- the figure ---------------------------------------------------------------------
    def setup(self) -> None:
        from matplotlib.patches import Rectangle

        from course_lib.handwriting import first_layer_maps

        fig = self.fig
        top, middle, bottom = fig.subfigures(3, 1, height_ratios=[1.0, 1.35, 1.15])
        titles = [
            "your drawing,\nshrunk to 28 × 28",
            "1. crop to\nthe ink",
            "2. scale into\na 20 × 20 box",
            "3. grey levels\n(20 × 20)",
            "4. centre by\nmass (28 × 28)",
        ]
        axes = top.subplots(1, 5)
        hi = self._preview_px = 70
        shapes = [(GRID, GRID), (hi, hi), (160, 160), (20, 20), (GRID, GRID)]
        self.previews = []
        for ax, title, shape in zip(axes, titles, shapes, strict=True):
            im = ax.imshow(np.zeros(shape), cmap=CMAP_GRAY, vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(title, fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():  # a thin frame shows the edge of the picture
                spine.set_visible(True)
                spine.set_color("#999999")
                spine.set_linewidth(0.8)
            self.previews.append(im)
        self.crop_box = Rectangle(
            (0, 0), 1, 1, fill=False, lw=1.5, ec=OKABE_ITO["vermillion"], visible=False
        )
        axes[1].add_patch(self.crop_box)
        cy, cx = MNIST_CENTRE
        self.crosshair = [
            axes[4].axhline(cy, color=OKABE_ITO["sky"], lw=0.8),
            axes[4].axvline(cx, color=OKABE_ITO["sky"], lw=0.8),
        ]
        (self.com_marker,) = axes[4].plot(
            [], [], "o", ms=6, mfc="none", mec=OKABE_ITO["vermillion"], mew=1.5
        )
        self.centre_axes = axes[4]
        axes[4].set_title(titles[4], fontsize=10)

        bar_axes = middle.subplots(1, 2, sharey=True)
        self.bars = []
        for ax, name in zip(bar_axes, ("feed-forward network", "CNN"), strict=True):
            bars = ax.bar(range(10), np.zeros(10), color=OKABE_ITO["blue"])
            ax.set_ylim(0, 1)
            ax.set_xticks(range(10))
            ax.set_xlabel("digit")
            ax.set_title(f"{name}: draw a digit", fontsize=11)
            self.bars.append((ax, name, bars))
        bar_axes[0].set_ylabel("probability")

        maps = first_layer_maps(self.cnn, np.zeros((GRID, GRID)))
        self.n_maps = min(len(maps), self.max_maps)
        self._map_cols = min(8, self.n_maps)
        ax = bottom.subplots()
        # All maps tiled into one picture: one image to redraw instead of sixteen.
        self.map_image = ax.imshow(
            self._mosaic(maps[: self.n_maps]), cmap=CMAP_SEQUENTIAL, vmin=0, vmax=1,
            interpolation="nearest",
        )  # fmt: skip
        ax.set_title(
            "the CNN's first-layer feature maps of your digit (bright: strong)", fontsize=11
        )
        ax.set_xticks([])
        ax.set_yticks([])
        ax.grid(False)
        self.dynamic_artists = [
            *self.previews,
            self.crop_box,
            *self.crosshair,  # drawn over the picture, so listed after it
            self.com_marker,
            self.centre_axes.title,
            *(patch for _, _, bars in self.bars for patch in bars),
            *(ax.title for ax, _, _ in self.bars),
            self.map_image,
        ]

    def _mosaic(self, maps: np.ndarray) -> np.ndarray:
        """Feature maps ``(F, H, W)`` tiled in rows of ``_map_cols``, one pixel apart."""
        f, h, w = maps.shape
        cols = self._map_cols
        rows = -(-f // cols)
        out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)  # NaN: the gaps
        for i in range(f):
            r, c = divmod(i, cols)
            out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = maps[i]
        return out

    def draw(self, values: dict) -> str:
        from course_lib.handwriting import read_digit

        shift = int(values["shift"])
        steps = mnist_preprocess(values["drawing"], centre=self.centre)
        image = shift_image(steps.image, 0, shift)
        self.steps = steps
        moved = f"moved {abs(shift)} px {'right' if shift > 0 else 'left'}" if shift else ""
        self.centre_axes.set_title(
            "4. centre by\nmass, " + moved if shift else "4. centre by\nmass (28 × 28)",
            fontsize=10,
        )
        hi = self._preview_px
        self.previews[0].set_data(steps.raw)
        self.previews[1].set_data(canvas_image(steps.strokes, size=hi))
        self.previews[2].set_data(steps.scaled)
        self.previews[3].set_data(steps.boxed)
        self.previews[4].set_data(image)
        if steps.empty:
            self.reading = None
            self.crop_box.set_visible(False)
            self.com_marker.set_data([], [])
            for ax, name, bars in self.bars:
                for patch in bars:
                    patch.set_height(0.0)
                ax.set_title(f"{name}: draw a digit", fontsize=11)
            self.map_image.set_data(np.zeros_like(self.map_image.get_array()))
            return (
                "Draw a digit on the pad with the mouse, a pen or a finger: the networks read "
                "it when you lift the pen."
                + (f" The finished digit will be {moved}." if shift else "")
            )
        x0, y0, x1, y1 = steps.box
        k = hi / steps.canvas_px
        m = CANVAS_PEN_PX / 2  # the box around the points, widened by the pen's half width
        self.crop_box.set_bounds(
            (x0 - m) * k - 0.5, (y0 - m) * k - 0.5, (x1 - x0 + 2 * m) * k, (y1 - y0 + 2 * m) * k
        )
        self.crop_box.set_visible(True)
        com = centre_of_mass(image)
        if com is None:
            self.com_marker.set_data([], [])
        else:
            self.com_marker.set_data([com[1]], [com[0]])
        reading = read_digit(image, self.ffn, self.cnn)
        self.reading = reading
        parts = []
        for (ax, name, bars), proba in zip(self.bars, (reading.ffn, reading.cnn), strict=True):
            top = int(proba.argmax())
            for d, patch in enumerate(bars):
                patch.set_height(float(proba[d]))
                patch.set_color(OKABE_ITO["orange"] if d == top else OKABE_ITO["blue"])
            ax.set_title(f"{name} reads {top} ({proba[top]:.0%})", fontsize=11)
            parts.append(f"the {name} reads {top} ({proba[top]:.0%} sure)")
        maps = reading.maps[: self.n_maps]
        self.map_image.set_data(self._mosaic(maps / max(float(maps.max()), 1e-6)))
        where = f"; the digit is {moved} after centring" if shift else ""
        n = len(steps.strokes)
        return f"{n} stroke{'s' if n != 1 else ''}{where}: {parts[0]} and {parts[1]}."
