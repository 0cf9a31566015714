"""Universality made visible: more hidden units, a closer fit to a 1-D curve.

Used in ``04_activations_and_depth``. The explorer has two modes.

* **Bumps placed by hand** (``mode="bumps"``): a bump network as the notebook builds it,
  ``n`` bumps of height ``f(midpoint)`` side by side on [0, 1], each made of two steep
  sigmoid units of weight ``w``: one hidden layer of ``2n`` units. The explorer calls the
  ``bump_network(x, f, n, w)`` it is given (the learner's, once its check passed) on the
  course's curve moved onto [0, 1] (:func:`~course_lib.exercises.activations.unit_curve`).
* **Hidden units fitted by least squares** (``mode="fitted"``): the network
  ``y(x) = sum_j v_j f(w_j x + b_j) + v_0`` with one hidden layer of H units on [-1, 1]. To
  answer within milliseconds the hidden weights ``w_j, b_j`` are drawn at random once (seeded)
  and kept fixed; only the output weights ``v`` are fitted, in closed form, by least squares.
  That is a *random-features* network.

Both show that a network of this shape can follow the curve more closely as it gets more
units, which is what the universal approximation theorem promises. Neither says whether
gradient descent would find such weights.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from course_lib.data.synthetic import TARGET_DOMAIN, target_function
from course_lib.exercises.activations import EDGE_MARGIN, largest_error, unit_curve
from course_lib.exercises.activations import bump_network as reference_bump_network
from course_lib.numpy_nn.activations import relu, sigmoid, tanh
from course_lib.style import OKABE_ITO
from course_lib.validate import as_float_array, check_positive_int
from course_lib.widgets.base import Explorer, dropdown, slider

#: The hidden activations the explorer offers.
UNIVERSALITY_ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}

#: Their names as the menu and the readout show them.
ACTIVATION_LABELS = {"relu": "ReLU", "sigmoid": "sigmoid", "tanh": "tanh"}

#: Most hidden units the slider offers.
MAX_HIDDEN = 60

#: Most bumps the bumps slider offers (each bump is two hidden units).
MAX_BUMPS = 50

#: The explorer's two modes, as the menu shows them.
MODES = {"bumps": "bumps placed by hand", "fitted": "hidden units fitted by least squares"}


def random_hidden_layer(n_hidden: int, activation: str = "relu", seed: int = 0):
    """Fixed random hidden weights ``w (H,)`` and biases ``b (H,)`` for a 1-D input.

    Unit ``j`` changes behaviour (its kink for ReLU, its step for sigmoid/tanh) at a point
    ``c_j`` drawn uniformly from :data:`~course_lib.data.synthetic.TARGET_DOMAIN`, facing left
    or right at random: ``w_j x + b_j = w_j (x - c_j)``. Sigmoid and tanh units get a
    steepness ``|w_j|`` between 4 and 16 so their steps are visible on [-1, 1]. The explorer
    draws :data:`MAX_HIDDEN` units once and uses the first H, so adding units never removes one.
    Introduced in ``04_activations_and_depth``.
    """
    h = check_positive_int(n_hidden, "n_hidden")
    if activation not in UNIVERSALITY_ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(UNIVERSALITY_ACTIVATIONS)}, got {activation!r}"
        )
    rng = np.random.default_rng(seed)
    centres = rng.uniform(*TARGET_DOMAIN, size=h)  # (H,)
    signs = rng.choice([-1.0, 1.0], size=h)  # (H,)
    steep = rng.uniform(4.0, 16.0, size=h)  # (H,)
    w = signs * (1.0 if activation == "relu" else steep)
    return w, -w * centres


def fit_output_layer(x, y, w, b, activation: str = "relu", ridge: float = 1e-10):
    """Least-squares output weights for the hidden layer ``f(x w + b)``.

    Shapes: ``x (N,)``, ``y (N,)``, ``w (H,)``, ``b (H,)``. Returns ``(v (H,), v0, hidden
    (N, H))`` minimising ``sum_n (hidden[n] @ v + v0 - y[n])^2``. Solved in closed form from
    the normal equations ``(A^T A + ridge I) c = A^T y`` with ``A = [1, hidden]``; the tiny
    ``ridge`` (relative to the size of ``A^T A``) only keeps the solve stable when two units
    are nearly identical. Introduced in ``04_activations_and_depth``.
    """
    x = as_float_array(x, "x", ndim=1, layout="(N,)")
    y = as_float_array(y, "y", ndim=1, layout="(N,)")
    hidden = UNIVERSALITY_ACTIVATIONS[activation](np.outer(x, w) + b)  # (N, H)
    design = np.column_stack([np.ones_like(x), hidden])  # (N, H + 1): first column for v0
    gram, rhs = design.T @ design, design.T @ y  # (H + 1, H + 1), (H + 1,)
    coef = _ridge_solve(gram, rhs, ridge)
    return coef[1:], float(coef[0]), hidden


def _ridge_solve(gram: np.ndarray, rhs: np.ndarray, ridge: float) -> np.ndarray:
    scale = ridge * np.trace(gram) / len(gram)
    return np.linalg.solve(gram + scale * np.eye(len(gram)), rhs)


class UniversalityExplorer(Explorer):
    """A one-hidden-layer network following a 1-D curve, in one of two modes.

    Controls: ``mode`` (``"bumps"`` or ``"fitted"``); for the fitted mode ``hidden_units``
    (H, 1 to 60) and ``activation`` (relu, sigmoid, tanh); for the bumps mode ``bumps``
    (n, 1 to 50) and ``steepness`` (the sigmoid weight w, 1 to 10,000). The controls of the
    other mode are greyed out and say which mode they belong to.

    Left: the target, the network's curve and, in the fitted mode for H <= 8, each unit's
    contribution ``v_j f(w_j x + b_j)`` with ticks where the units bend; in the bumps mode,
    ticks at the bump edges and a dot at each bump's height. Right: the largest error for
    every H (or n), with the current one marked.

    ``bump_network(x, f, n, w)`` is the function the bumps mode calls (see
    :func:`course_lib.exercises.activations.bump_network`, the default).
    Introduced in ``04_activations_and_depth``.
    """

    title = "Universality: a hidden layer approximating a curve"
    figsize = (7.6, 3.2)
    #: Largest H for which the individual units' contributions are drawn.
    max_parts = 8
    #: Largest n for which each bump's height is marked with a dot.
    max_dots = 25

    example_moves = [
        {"hidden_units": 2},
        {"hidden_units": 12},
        {"hidden_units": 40},
        {"activation": "sigmoid"},
        {"hidden_units": 6},
        {"activation": "tanh"},
        {"mode": "bumps"},
        {"bumps": 10},
        {"bumps": 40},
        {"steepness": 30.0},
        {"steepness": 1000.0},
        {"mode": "fitted"},
    ]

    def __init__(
        self,
        hidden_units: int = 3,
        activation: str = "relu",
        *,
        mode: str = "fitted",
        bumps: int = 5,
        steepness: float = 1000.0,
        bump_network: Callable | None = None,
        seed: int = 0,
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")
        if bump_network is not None and not callable(bump_network):
            raise TypeError(
                "bump_network must be a function bump_network(x, f, n, w), got "
                f"{type(bump_network).__name__}"
            )
        self.seed = seed
        self.bump_network = reference_bump_network if bump_network is None else bump_network
        menu = [(label, name) for name, label in ACTIVATION_LABELS.items()]
        controls = {
            "mode": dropdown("mode", [(label, name) for name, label in MODES.items()], mode),
            "hidden_units": slider(
                "hidden units H (fitted mode)", hidden_units, 1, MAX_HIDDEN, 1, integer=True
            ),
            "activation": dropdown("activation (fitted mode)", menu, activation),
            "bumps": slider("bumps n (bumps mode)", bumps, 1, MAX_BUMPS, 1, integer=True),
            "steepness": widgets.FloatLogSlider(
                value=steepness,
                base=10,
                min=0,
                max=4,
                step=0.05,
                readout_format=",.0f",
                description="step steepness w (bumps mode)",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="420px"),
            ),
        }
        super().__init__(controls)

    @classmethod
    def example(cls) -> UniversalityExplorer:
        """The fitted-mode explorer as ``04_activations_and_depth`` shows it: 3 ReLU units."""
        return cls(hidden_units=3, activation="relu", mode="fitted", seed=0)

    def setup(self) -> None:
        self.x = np.linspace(*TARGET_DOMAIN, 300)  # (N,) where the fitted curve is drawn
        self.y = target_function(self.x)  # (N,)
        self.x_bumps = np.linspace(0.0, 1.0, 401)  # (M,) where the bump network is drawn
        self.y_bumps = unit_curve(self.x_bumps)  # (M,)
        self._errors: dict[str, np.ndarray] = {}
        self._bump_errors: dict[float, np.ndarray] = {}
        self._basis: dict[str, tuple] = {}
        self._shown_mode: str | None = None
        self.ax_fit, self.ax_err = self.fig.subplots(1, 2, width_ratios=[1.6, 1])
        ax = self.ax_fit
        (self.target_line,) = ax.plot(
            self.x, self.y, color=OKABE_ITO["black"], lw=2, ls="--", label="target"
        )
        zeros = np.zeros_like(self.x)
        self.part_lines = [
            ax.plot(self.x, zeros, lw=1, color=OKABE_ITO["sky"], alpha=0.7)[0]
            for _ in range(self.max_parts)
        ]
        (self.fit_line,) = ax.plot(self.x, zeros, lw=2.5, color=OKABE_ITO["vermillion"])
        self.fit_line.set_label("network")
        self.part_lines[0].set_label("one unit's share")
        (self.height_dots,) = ax.plot([], [], "o", ms=4, color=OKABE_ITO["blue"], zorder=4)
        self.height_dots.set_label("bump height f(midpoint)")
        self.kinks = ax.scatter([], [], marker="|", s=60, color=OKABE_ITO["blue"], zorder=3)
        ax.set(ylim=(-1.6, 1.6), xlabel="input x", ylabel="output y")
        ax.set_title(" ")
        (self.err_line,) = self.ax_err.plot([1], [1], color=OKABE_ITO["blue"])
        (self.err_marker,) = self.ax_err.plot([1], [1], "o", ms=8, color=OKABE_ITO["vermillion"])
        self.ax_err.set(xscale="log", yscale="log", ylim=(1e-5, 3), ylabel="largest |error|")
        self.dynamic_artists = [
            *self.part_lines,
            self.fit_line,
            self.height_dots,
            self.kinks,
            self.err_line,
            self.err_marker,
            ax.title,
        ]

    def _show_mode(self, mode: str) -> None:
        """Set the axes that differ between the modes; the cached background is redrawn."""
        ax, ax_err = self.ax_fit, self.ax_err
        if mode == "bumps":
            self.target_line.set_data(self.x_bumps, self.y_bumps)
            self.fit_line.set_xdata(self.x_bumps)
            ax.set_xlim(0.0, 1.0)
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
            legend = [self.target_line, self.fit_line, self.height_dots]
            top = MAX_BUMPS
            ax_err.set(
                xlabel="bumps n (2n sigmoid units)",
                ylabel=f"largest |error| on [{EDGE_MARGIN}, {1 - EDGE_MARGIN}]",
                title="error shrinks as n grows",
            )
        else:
            self.target_line.set_data(self.x, self.y)
            self.fit_line.set_xdata(self.x)
            ax.set_xlim(*TARGET_DOMAIN)
            ax.set_xticks([-1, -0.5, 0, 0.5, 1])
            legend = [self.target_line, self.fit_line, self.part_lines[0]]
            top = MAX_HIDDEN
            ax_err.set(
                xlabel="hidden units H",
                ylabel="largest |error| on [-1, 1]",
                title="error shrinks as H grows",
            )
        box = ax.legend(handles=legend, loc="upper center", ncol=3, fontsize=8)
        for sample in box.legend_handles:
            # Samples copy their line's state, which the other mode may have hidden or made
            # dynamic; in the legend they are always shown, as part of the static picture.
            sample.set_visible(True)
            sample.set_animated(False)
        ax_err.set_xlim(0.9, top * 1.1)
        ax_err.set_xticks([1, 2, 5, 10, 20, 50], labels=["1", "2", "5", "10", "20", "50"])
        ax_err.minorticks_off()
        self._shown_mode = mode
        self.refresh_background()

    def basis(self, activation: str):
        """All MAX_HIDDEN random units for ``activation``, with the sums least squares needs.

        Returns ``(w (U,), b (U,), design (N, U + 1), gram (U + 1, U + 1), rhs (U + 1,))`` with
        ``U = MAX_HIDDEN``; ``design``'s first column is all ones (for the output bias). Made
        once per activation: the units are nested (H + 1 units are the first H plus one more),
        so the fit for H only needs the first H + 1 rows and columns of these.
        """
        if activation not in self._basis:
            w, b = random_hidden_layer(MAX_HIDDEN, activation, self.seed)
            hidden = UNIVERSALITY_ACTIVATIONS[activation](np.outer(self.x, w) + b)  # (N, U)
            design = np.column_stack([np.ones_like(self.x), hidden])  # (N, U + 1)
            self._basis[activation] = (w, b, design, design.T @ design, design.T @ self.y)
        return self._basis[activation]

    def fit(self, hidden_units: int, activation: str):
        """Fit the output layer for the first H random units; returns (curve, parts, w, b).

        The same closed form as :func:`fit_output_layer`, read off the cached sums.
        """
        w, b, design, gram, rhs = self.basis(activation)
        k = hidden_units + 1
        coef = _ridge_solve(gram[:k, :k], rhs[:k], 1e-10)  # (H + 1,): v0, then v
        return design[:, :k] @ coef, design[:, 1:k] * coef[1:], w[:hidden_units], b[:hidden_units]

    def max_errors(self, activation: str) -> np.ndarray:
        """Largest |network - target| for H = 1 .. MAX_HIDDEN (computed once per activation)."""
        if activation not in self._errors:
            self._errors[activation] = np.array(
                [
                    np.max(np.abs(self.fit(h, activation)[0] - self.y))
                    for h in range(1, MAX_HIDDEN + 1)
                ]
            )
        return self._errors[activation]

    def bumps_curve(self, n: int, w: float) -> np.ndarray:
        """The bump network with n bumps of steepness w on the explorer's grid over [0, 1]."""
        return np.asarray(self.bump_network(self.x_bumps, unit_curve, n, w), dtype=float)

    def bump_errors(self, w: float) -> np.ndarray:
        """Largest error on [0.01, 0.99] for n = 1 .. MAX_BUMPS bumps of steepness w (cached)."""
        if w not in self._bump_errors:
            self._bump_errors[w] = np.array(
                [
                    largest_error(self.x_bumps, self.bumps_curve(n, w), self.y_bumps)
                    for n in range(1, MAX_BUMPS + 1)
                ]
            )
        return self._bump_errors[w]

    def draw(self, values: dict) -> str:
        mode = values["mode"]
        fitted = mode == "fitted"
        for name in ("hidden_units", "activation"):
            self.controls[name].disabled = not fitted
        for name in ("bumps", "steepness"):
            self.controls[name].disabled = fitted
        if mode != self._shown_mode:
            self._show_mode(mode)
        if fitted:
            return self._draw_fitted(int(values["hidden_units"]), values["activation"])
        return self._draw_bumps(int(values["bumps"]), float(values["steepness"]))

    def _draw_fitted(self, h: int, act: str) -> str:
        curve, parts, w, b = self.fit(h, act)
        self.fit_line.set_ydata(curve)
        for j, line in enumerate(self.part_lines):
            line.set_visible(h <= self.max_parts and j < h)
            if j < h:
                line.set_ydata(parts[:, j])
        self.height_dots.set_visible(False)
        centres = -b / w
        self.kinks.set_offsets(np.column_stack([centres, np.full(h, -1.45)]))
        errors = self.max_errors(act)
        self.err_line.set_data(np.arange(1, MAX_HIDDEN + 1), errors)
        self.err_marker.set_data([h], [errors[h - 1]])
        worst = float(np.max(np.abs(curve - self.y)))
        rmse = float(np.sqrt(np.mean((curve - self.y) ** 2)))
        units = "unit" if h == 1 else "units"
        label = ACTIVATION_LABELS[act]
        self.ax_fit.set_title(f"H = {h} {label} {units}: largest error {_error(worst, 3)}")
        return (
            f"{h} hidden {label} {units}: the network's curve stays within {_error(worst, 3)} of "
            f"the target on [-1, 1] (root-mean-square error {_error(rmse, 4)}). Hidden weights "
            "are random and fixed; only the output layer is fitted, by least squares."
        )

    def _draw_bumps(self, n: int, w: float) -> str:
        curve = self.bumps_curve(n, w)
        self.fit_line.set_ydata(curve)
        for line in self.part_lines:
            line.set_visible(False)
        edges = np.linspace(0.0, 1.0, n + 1)  # where the steps sit, to mark them
        mids = (edges[:-1] + edges[1:]) / 2
        self.height_dots.set_data(mids, unit_curve(mids))
        self.height_dots.set_visible(n <= self.max_dots)
        self.kinks.set_offsets(np.column_stack([edges, np.full(n + 1, -1.45)]))
        errors = self.bump_errors(w)
        self.err_line.set_data(np.arange(1, MAX_BUMPS + 1), errors)
        self.err_marker.set_data([n], [errors[n - 1]])
        worst = errors[n - 1]
        bumps = "bump" if n == 1 else "bumps"
        self.ax_fit.set_title(f"n = {n} {bumps}, w = {w:,.0f}: largest error {_error(worst, 3)}")
        sentence = (
            f"{n} {bumps} = {2 * n} sigmoid units of steepness w = {w:,.0f}: the network stays "
            f"within {_error(worst, 3)} of the curve on [{EDGE_MARGIN}, {1 - EDGE_MARGIN}]. "
            "Each bump is as high as the curve at its midpoint."
        )
        rise, width = 10.0 / w, 1.0 / n
        if rise > width:
            sentence += (
                f" A step takes about 10/w = {rise:.2f} to rise, more than a bump's width "
                f"1/n = {width:.2f}, so the bumps blur together."
            )
        return sentence


def _error(value: float, decimals: int) -> str:
    """An error for the readout: ``decimals`` places, or scientific notation when smaller."""
    if value >= 10.0**-decimals:
        return f"{value:.{decimals}f}"
    return f"{value:.1e}"
