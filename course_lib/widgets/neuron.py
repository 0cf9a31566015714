"""Explorer for ``02_the_neuron``: set a neuron's two weights and bias by hand.

The trip-planning customers are drawn over the neuron's probability surface
``p = sigmoid(w1 * searches + w2 * days + b)``; the dashed line is the decision boundary
``p = 0.5`` (where the score ``w1 * searches + w2 * days + b`` is zero). Moving a slider
recolours the surface, moves the line, and updates the binary cross-entropy of the current
guess, so the learner can hunt for good weights before an optimiser does it for them.

Introduced in ``02_the_neuron``.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import ListedColormap, Normalize

from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits
from course_lib.numpy_nn.neuron import neuron_score
from course_lib.style import CLASS_COLORS, CMAP_GRAY
from course_lib.validate import as_float_array, as_labels
from course_lib.widgets.base import Explorer, slider


def boundary_points(w1: float, w2: float, b: float, xlim, ylim) -> tuple[np.ndarray, np.ndarray]:
    """Two end points of the line ``w1 * u + w2 * v + b = 0`` inside a box, or empty arrays.

    ``xlim``/``ylim`` are ``(low, high)`` for ``u`` and ``v``. Returns ``(us, vs)`` of shape
    ``(2,)`` each, or shape ``(0,)`` when the line misses the box (or both weights are 0).
    Introduced in ``02_the_neuron``.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    points = []
    if w2 != 0:  # crossings with the left and right edges
        for u in (x0, x1):
            v = -(w1 * u + b) / w2
            if y0 <= v <= y1:
                points.append((u, v))
    if w1 != 0:  # crossings with the bottom and top edges
        for v in (y0, y1):
            u = -(w2 * v + b) / w1
            if x0 <= u <= x1:
                points.append((u, v))
    if len(points) < 2:
        return np.empty(0), np.empty(0)
    points = np.array(sorted(set(points)))
    far = points[[0, -1]]  # the two ends farthest apart along the line
    return far[:, 0], far[:, 1]


class NeuronExplorer(Explorer):
    """Sliders for ``w1``, ``w2`` and ``b`` of one sigmoid neuron on the trip customers.

    Shapes: ``x (N, 2)`` (flight searches, days since last holiday), ``y (N,)`` in {0, 1}.
    The figure shows ``sigmoid(x @ w + b)`` as a colour map, the customers as points and the
    boundary ``p = 0.5`` as a dashed line; its title and the readout give the binary
    cross-entropy and the accuracy of the current weights. Introduced in ``02_the_neuron``.
    """

    title = "One neuron: move the weights and the bias"
    figsize = (6.4, 4.3)
    #: Probability samples (columns, rows) of the shading, drawn without interpolation: the
    #: surface is smooth, and resampling a small image is the most expensive part of an update.
    resolution = (96, 64)
    #: Opacity of the grey shading over the white background (the points must stay readable).
    shade_alpha = 0.55

    #: Control settings the tests and the latency benchmark move through.
    example_moves = [
        {"b": -2.0},
        {"w1": 0.6},
        {"w2": 0.012},
        {"b": -5.0},
        {"w1": -0.4, "w2": 0.0},
        {"w1": 0.3, "w2": 0.005, "b": -3.0},
    ]

    def __init__(self, x, y, *, w1: float = 0.3, w2: float = 0.005, b: float = -3.0):
        self.x = as_float_array(x, "x", ndim=2, layout="(N, 2)")
        if self.x.shape[1] != 2:
            raise ValueError(f"x must have 2 features, shape (N, 2), got {self.x.shape}")
        self.y = as_labels(y, "y", self.x.shape[0], num_classes=2)
        controls = {
            "w1": slider("w1 (per flight search)", w1, -1.5, 1.5, 0.05),
            "w2": slider(
                "w2 (per day since holiday)", w2, -0.03, 0.03, 0.001, readout_format=".3f"
            ),
            "b": slider("b (bias)", b, -10.0, 10.0, 0.1, readout_format=".1f"),
        }
        super().__init__(controls)

    @classmethod
    def example(cls) -> NeuronExplorer:
        """The explorer as ``02_the_neuron`` shows it: 200 trip customers, seed 0."""
        from course_lib.data.synthetic import make_trip_customers

        x, y = make_trip_customers(200, seed=0)
        return cls(x, y)

    def setup(self) -> None:
        ax = self.fig.add_subplot()
        pad_x = 0.05 * np.ptp(self.x[:, 0])
        pad_y = 0.05 * np.ptp(self.x[:, 1])
        self.xlim = (self.x[:, 0].min() - pad_x, self.x[:, 0].max() + pad_x)
        self.ylim = (self.x[:, 1].min() - pad_y, self.x[:, 1].max() + pad_y)
        cols, rows = self.resolution
        gu = np.linspace(*self.xlim, cols)
        gv = np.linspace(*self.ylim, rows)
        mu, mv = np.meshgrid(gu, gv)
        self.grid = np.column_stack([mu.ravel(), mv.ravel()])  # (rows*cols, 2)
        self.probabilities = np.zeros((rows, cols))  # what the shading shows, for tests
        # Light grey shades (white = 0, grey = 1) keep the blue and orange customers readable
        # on top; a coloured map would hide one class in its own colour. The colours are
        # looked up in a 256-entry table and drawn as ready-made RGBA pixels, so matplotlib
        # does not colour-map and alpha-blend the image again on every update.
        shades = matplotlib.colormaps[CMAP_GRAY](np.linspace(0.0, 1.0, 256))  # (256, 4)
        blended = self.shade_alpha * shades[:, :3] + (1 - self.shade_alpha)  # over white
        self._lut = (np.column_stack([blended, np.ones(256)]) * 255).round().astype(np.uint8)
        self.surface = ax.imshow(
            np.zeros((rows, cols, 4), dtype=np.uint8),
            origin="lower",
            extent=(*self.xlim, *self.ylim),
            aspect="auto",
            interpolation="nearest",
        )
        shading = ScalarMappable(Normalize(0.0, 1.0), ListedColormap(self._lut / 255.0))
        self.fig.colorbar(shading, ax=ax, label="P(planning a trip)")
        points = []
        for label, marker, name in ((0, "o", "not planning"), (1, "^", "planning a trip")):
            pts = self.x[self.y == label]
            scatter = ax.scatter(
                pts[:, 0],
                pts[:, 1],
                s=34,
                marker=marker,
                c=CLASS_COLORS[label],
                edgecolors="white",
                linewidths=0.6,
                label=f"{name} (y={label})",
            )
            points.append(scatter)
        (self.boundary,) = ax.plot([], [], color="black", lw=2.0, ls="--", label="boundary p = 0.5")
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel("flight searches in the last week")
        ax.set_ylabel("days since last holiday")
        ax.grid(False)
        # Below the axes, outside the surface, so it stays in the cached background.
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, fontsize=8)
        ax.set_title(" ")
        self.ax = ax
        # Redrawn on every update, in this order (the surface first, everything else on top).
        self.dynamic_artists = [self.surface, *points, self.boundary, ax.title]

    def evaluate(self, values: dict) -> tuple[float, float]:
        """Binary cross-entropy and accuracy of the neuron with ``values`` on the data."""
        w = np.array([values["w1"], values["w2"]], dtype=np.float64)
        score = neuron_score(self.x, w, float(values["b"]))  # (N,)
        loss, _ = binary_cross_entropy_with_logits(score, self.y)
        accuracy = float(np.mean((score >= 0) == (self.y == 1)))
        return loss, accuracy

    def draw(self, values: dict) -> str:
        w1, w2, b = float(values["w1"]), float(values["w2"]), float(values["b"])
        score = self.grid @ np.array([w1, w2]) + b  # (R*R,)
        with np.errstate(over="ignore"):  # exp(-score) may overflow to inf: p = 0, correct
            p = 1.0 / (1.0 + np.exp(-score))
        self.probabilities = p.reshape(self.probabilities.shape)  # (rows, cols)
        index = np.clip((self.probabilities * 255).round(), 0, 255).astype(np.uint8)
        self.surface.set_data(self._lut[index])  # (rows, cols, 4) RGBA pixels
        us, vs = boundary_points(w1, w2, b, self.xlim, self.ylim)
        self.boundary.set_data(us, vs)
        loss, accuracy = self.evaluate(values)
        self.ax.set_title(f"Binary cross-entropy {loss:.3f}, accuracy {accuracy:.0%}")
        where = self._boundary_words(w1, w2, b, us)
        return (
            f"w1 = {w1:.2f}, w2 = {w2:.3f}, b = {b:.1f}: binary cross-entropy {loss:.3f}, "
            f"accuracy {accuracy:.0%}. {where}"
        )

    def _boundary_words(self, w1: float, w2: float, b: float, us: np.ndarray) -> str:
        parts = []
        if us.size == 0:
            # The line misses the plot, so every point of it is on the same side.
            corner = w1 * self.xlim[0] + w2 * self.ylim[0] + b
            side = "every customer" if corner >= 0 else "no customer"
            parts.append(
                f"The boundary lies outside the plot, so the neuron says {side} is more likely "
                "than not to be planning a trip."
            )
        elif w1 > 0:
            needed = (-b - w2 * 365.0) / w1  # searches where the score of a 365-day customer is 0
            if needed <= 0:
                parts.append("A customer whose last holiday was a year ago counts as planning.")
            else:
                parts.append(
                    "A customer whose last holiday was a year ago counts as planning a trip "
                    f"from {needed:.1f} flight searches on."
                )
        elif w1 == 0:
            parts.append(
                f"The boundary is the horizontal line at {-b / w2:.0f} days since last holiday."
            )
        if w1 < 0:
            parts.append(
                "With w1 < 0 more flight searches make a trip LESS likely, the opposite of what "
                "the data shows."
            )
        return " ".join(parts)
