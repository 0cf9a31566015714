"""Universality made visible: more hidden units, a closer fit to a 1-D curve.

Used in ``04_activations_and_depth``. The network is ``y(x) = sum_j v_j f(w_j x + b_j) + v_0``
with one hidden layer of H units. To answer within milliseconds the hidden weights ``w_j, b_j``
are drawn at random once (seeded) and kept fixed; only the output weights ``v`` are fitted, in
closed form, by least squares. That is a *random-features* network: enough to show that a
network of this shape can follow the curve more closely as H grows, which is what the
universal approximation theorem promises. It says nothing about whether gradient descent
would find such weights.
"""

from __future__ import annotations

import numpy as np

from course_lib.data.synthetic import TARGET_DOMAIN, target_function
from course_lib.numpy_nn.activations import relu, sigmoid, tanh
from course_lib.style import OKABE_ITO
from course_lib.validate import as_float_array, check_positive_int
from course_lib.widgets.base import Explorer, dropdown, slider

#: The hidden activations the explorer offers.
UNIVERSALITY_ACTIVATIONS = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}

#: Most hidden units the slider offers.
MAX_HIDDEN = 60


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
    """A one-hidden-layer network with H units fitted to the course's 1-D target curve.

    Controls: ``hidden_units`` (H, 1 to 60) and ``activation`` (relu, sigmoid, tanh).
    Left: the target, the network's curve and, for H <= 8, each unit's contribution
    ``v_j f(w_j x + b_j)``; ticks along the bottom mark where each unit bends. Right: the
    worst-case error for every H, with the current H marked.
    Introduced in ``04_activations_and_depth``.
    """

    title = "Universality: a hidden layer approximating a curve"
    figsize = (7.6, 3.2)
    #: Largest H for which the individual units' contributions are drawn.
    max_parts = 8

    example_moves = [
        {"hidden_units": 2},
        {"hidden_units": 5},
        {"hidden_units": 12},
        {"hidden_units": 40},
        {"activation": "sigmoid"},
        {"hidden_units": 6},
        {"activation": "tanh"},
    ]

    def __init__(self, hidden_units: int = 3, activation: str = "relu", seed: int = 0):
        self.seed = seed
        controls = {
            "hidden_units": slider("hidden units H", hidden_units, 1, MAX_HIDDEN, 1, integer=True),
            "activation": dropdown("activation", list(UNIVERSALITY_ACTIVATIONS), activation),
        }
        super().__init__(controls)

    @classmethod
    def example(cls) -> UniversalityExplorer:
        """The explorer as ``04_activations_and_depth`` shows it: 3 ReLU units, seed 0."""
        return cls(hidden_units=3, activation="relu", seed=0)

    def setup(self) -> None:
        self.x = np.linspace(*TARGET_DOMAIN, 300)  # (N,) where the curve is fitted and drawn
        self.y = target_function(self.x)  # (N,)
        self._errors: dict[str, np.ndarray] = {}
        self._basis: dict[str, tuple] = {}
        self.ax_fit, self.ax_err = self.fig.subplots(1, 2, width_ratios=[1.6, 1])
        ax = self.ax_fit
        ax.plot(self.x, self.y, color=OKABE_ITO["black"], lw=2, ls="--", label="target")
        zeros = np.zeros_like(self.x)
        self.part_lines = [
            ax.plot(self.x, zeros, lw=1, color=OKABE_ITO["sky"], alpha=0.7)[0]
            for _ in range(self.max_parts)
        ]
        (self.fit_line,) = ax.plot(self.x, zeros, lw=2.5, color=OKABE_ITO["vermillion"])
        self.fit_line.set_label("network")
        self.part_lines[0].set_label("one unit's share")
        self.kinks = ax.scatter([], [], marker="|", s=60, color=OKABE_ITO["blue"], zorder=3)
        ax.set(xlim=TARGET_DOMAIN, ylim=(-1.6, 1.6), xlabel="input x", ylabel="output y")
        ax.set_xticks([-1, -0.5, 0, 0.5, 1])
        ax.legend(loc="upper center", ncol=3, fontsize=8)
        ax.set_title(" ")
        hs = np.arange(1, MAX_HIDDEN + 1)
        self.err_line = self.ax_err.plot(hs, np.ones(MAX_HIDDEN), color=OKABE_ITO["blue"])[0]
        (self.err_marker,) = self.ax_err.plot([1], [1], "o", ms=8, color=OKABE_ITO["vermillion"])
        self.ax_err.set(
            xscale="log",
            yscale="log",
            xlim=(0.9, MAX_HIDDEN * 1.1),
            ylim=(1e-5, 3),
            xlabel="hidden units H",
            ylabel="largest |error| on [-1, 1]",
            title="error shrinks as H grows",
        )
        self.ax_err.set_xticks([1, 2, 5, 10, 20, 50], labels=["1", "2", "5", "10", "20", "50"])
        self.ax_err.minorticks_off()
        self.dynamic_artists = [
            *self.part_lines,
            self.fit_line,
            self.kinks,
            self.err_line,
            self.err_marker,
            ax.title,
        ]

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

    def draw(self, values: dict) -> str:
        h, act = int(values["hidden_units"]), values["activation"]
        curve, parts, w, b = self.fit(h, act)
        self.fit_line.set_ydata(curve)
        for j, line in enumerate(self.part_lines):
            line.set_visible(h <= self.max_parts and j < h)
            if j < h:
                line.set_ydata(parts[:, j])
        centres = -b / w
        self.kinks.set_offsets(np.column_stack([centres, np.full(h, -1.45)]))
        errors = self.max_errors(act)
        self.err_line.set_ydata(errors)
        self.err_marker.set_data([h], [errors[h - 1]])
        worst = float(np.max(np.abs(curve - self.y)))
        rmse = float(np.sqrt(np.mean((curve - self.y) ** 2)))
        units = "unit" if h == 1 else "units"
        self.ax_fit.set_title(f"H = {h} {act} {units}: largest error {worst:.3f}")
        return (
            f"{h} hidden {act} {units}: the network's curve stays within {worst:.3f} of the "
            f"target on [-1, 1] (root-mean-square error {rmse:.4f}). Hidden weights are random "
            "and fixed; only the output layer is fitted, by least squares."
        )
