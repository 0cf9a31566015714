"""Activation functions side by side with their derivatives, one at a time.

Used in ``04_activations_and_depth``: pick sigmoid, tanh, ReLU, leaky ReLU or maxout in the
menu. The leaky slope and the number of maxout pieces k have their own sliders, each greyed
out (and labelled with the choice it belongs to) until that choice is picked.
"""

from __future__ import annotations

import numpy as np

from course_lib.numpy_nn.activations import (
    leaky_relu,
    leaky_relu_grad,
    maxout_backward,
    maxout_forward,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from course_lib.style import OKABE_ITO
from course_lib.widgets.base import Explorer, dropdown, slider

#: Drop-down labels -> names used by course_lib.numpy_nn.activations.
ACTIVATION_CHOICES = {
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "ReLU": "relu",
    "leaky ReLU": "leaky_relu",
    "maxout": "maxout",
}

#: Most pieces the maxout slider offers.
MAX_PIECES = 8


def maxout_pieces(k: int, curvature: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and intercepts of ``k`` lines whose maximum is the maxout unit of the explorer.

    Piece ``j`` is ``s_j x + curvature * s_j (1 - s_j)`` with slopes ``s_j`` evenly spaced
    from 0 to 1. With ``k = 2`` the pieces are ``0`` and ``x``, so maxout is exactly ReLU;
    more pieces round the corner into a smooth convex curve. In a network each piece is its
    own linear function of the unit's input, with its own weights (here one slope, as the
    input is one number) and bias, all learned; here they are fixed so the picture is easy to
    read.
    Returns ``(slopes (k,), intercepts (k,))``. Introduced in ``04_activations_and_depth``.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 2:
        raise ValueError(f"k must be an integer >= 2 (the number of linear pieces), got {k!r}")
    s = np.linspace(0.0, 1.0, int(k))
    return s, curvature * s * (1.0 - s)


def maxout_1d(x: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """The explorer's 1-D maxout unit and its derivative at every point of ``x (N,)``.

    Builds the ``(N, k)`` scores of the k pieces and runs them through
    :func:`~course_lib.numpy_nn.activations.maxout_forward` / ``maxout_backward``: the
    derivative is the slope of whichever piece wins. Returns ``(out (N,), dout_dx (N,))``.
    """
    slopes, intercepts = maxout_pieces(k)
    scores = x[:, None] * slopes + intercepts  # (N, k): every piece at every x
    out, cache = maxout_forward(scores, k)  # (N, 1)
    dscores = maxout_backward(np.ones_like(out), cache)  # (N, k): 1 for the winning piece
    return out[:, 0], dscores @ slopes  # slope of the winner


class ActivationExplorer(Explorer):
    """One activation function (left) and its derivative (right) over x in [-4, 4].

    Controls: ``activation`` (sigmoid, tanh, relu, leaky_relu, maxout; the menu shows them as
    sigmoid, tanh, ReLU, leaky ReLU, maxout), ``slope`` (the leaky ReLU's slope for negative
    inputs, 0 to 0.5; live only for leaky ReLU) and ``pieces`` (maxout's k, 2 to 8; live
    only for maxout).
    Introduced in ``04_activations_and_depth``.
    """

    title = "Activation functions and their derivatives"
    figsize = (7.2, 3.0)

    example_moves = [
        {"activation": "sigmoid"},
        {"activation": "tanh"},
        {"activation": "relu"},
        {"activation": "leaky_relu", "slope": 0.1},
        {"activation": "leaky_relu", "slope": 0.3},
        {"activation": "maxout", "pieces": 2},
        {"activation": "maxout", "pieces": 5},
    ]

    def __init__(self, activation: str = "relu", slope: float = 0.1, pieces: int = 3):
        controls = {
            "activation": dropdown("activation", list(ACTIVATION_CHOICES.items()), activation),
            "slope": slider("leaky slope (leaky ReLU only)", slope, 0.0, 0.5, 0.01),
            "pieces": slider("pieces k (maxout only)", pieces, 2, MAX_PIECES, 1, integer=True),
        }
        super().__init__(controls)

    @classmethod
    def example(cls) -> ActivationExplorer:
        """The explorer as ``04_activations_and_depth`` shows it: ReLU first."""
        return cls(activation="relu", slope=0.1, pieces=3)

    def setup(self) -> None:
        self.x = np.linspace(-4.0, 4.0, 401)  # (N,)
        zeros = np.zeros_like(self.x)
        self.ax_f, self.ax_d = self.fig.subplots(1, 2)
        self.piece_lines = [
            self.ax_f.plot(self.x, zeros, ls="--", lw=1, color=OKABE_ITO["sky"], alpha=0.8)[0]
            for _ in range(MAX_PIECES)
        ]
        (self.f_line,) = self.ax_f.plot(self.x, zeros, lw=2.5, color=OKABE_ITO["blue"], label="f")
        (self.d_line,) = self.ax_d.plot(self.x, zeros, lw=2.5, color=OKABE_ITO["vermillion"])
        self.ax_f.set(xlim=(-4, 4), ylim=(-2.2, 4.2), xlabel="input x", ylabel="output f(x)")
        self.ax_d.set(xlim=(-4, 4), ylim=(-0.1, 1.15), xlabel="input x", ylabel="derivative f'(x)")
        self.ax_d.set_title("its derivative f'(x)")
        for ax in (self.ax_f, self.ax_d):
            ax.axhline(0, color="0.6", lw=0.8)
            ax.axvline(0, color="0.6", lw=0.8)
        self.dynamic_artists = [
            *self.piece_lines,
            self.f_line,
            self.d_line,
            self.ax_f.title,
        ]

    def curves(self, values: dict) -> tuple[np.ndarray, np.ndarray]:
        """``(f(x), f'(x))`` on the explorer's x grid for the given control values."""
        name, slope, k = values["activation"], float(values["slope"]), int(values["pieces"])
        x = self.x
        if name == "sigmoid":
            return sigmoid(x), sigmoid_grad(x)
        if name == "tanh":
            return tanh(x), tanh_grad(x)
        if name == "relu":
            return relu(x), relu_grad(x)
        if name == "leaky_relu":
            return leaky_relu(x, slope), leaky_relu_grad(x, slope)
        return maxout_1d(x, k)

    def draw(self, values: dict) -> str:
        name, slope, k = values["activation"], float(values["slope"]), int(values["pieces"])
        self.controls["slope"].disabled = name != "leaky_relu"
        self.controls["pieces"].disabled = name != "maxout"
        f, d = self.curves(values)
        self.f_line.set_ydata(f)
        self.d_line.set_ydata(d)
        slopes, intercepts = maxout_pieces(k)
        for j, line in enumerate(self.piece_lines):
            line.set_visible(name == "maxout" and j < k)
            if j < k:
                line.set_ydata(slopes[j] * self.x + intercepts[j])
        label = {v: k_ for k_, v in ACTIVATION_CHOICES.items()}[name]
        if name == "leaky_relu":
            label = f"leaky ReLU, slope {slope:.2f}"
        elif name == "maxout":
            label = f"maxout, k = {k} pieces (dashed)"
        self.ax_f.set_title(label)
        return self._sentence(name, slope, k, float(d.max()))

    @staticmethod
    def _sentence(name: str, slope: float, k: int, d_max: float) -> str:
        if name == "sigmoid":
            return (
                f"Sigmoid squashes x into (0, 1); its derivative is at most {d_max:.2f} (at x = 0)"
                " and close to 0 for |x| > 4, so gradients shrink each time they pass through it."
            )
        if name == "tanh":
            return (
                f"Tanh squashes x into (-1, 1) and is centred on 0; its derivative peaks at "
                f"{d_max:.2f} at x = 0 but also vanishes for large |x|."
            )
        if name == "relu":
            return (
                "ReLU = max(0, x): derivative 1 for every x > 0 (no shrinking) and 0 for x < 0, "
                "where a unit that only ever sees negative inputs stops learning (a dying ReLU)."
            )
        if name == "leaky_relu":
            return (
                f"Leaky ReLU with slope {slope:.2f}: f(x) = {slope:.2f} x for x < 0, so the "
                f"derivative there is {slope:.2f} instead of 0 and the unit can never die; "
                "for x > 0 it is 1."
            )
        return (
            f"Maxout with k = {k} pieces: the maximum of {k} lines, each with its own learned "
            f"weight and bias (so {k} times the weights of a ReLU unit), and the derivative "
            f"jumps between {k} slope values; with k = 2 it is ReLU again, and more pieces bend "
            "it into any convex shape the network learns."
        )
