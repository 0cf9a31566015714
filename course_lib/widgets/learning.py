"""Explorer for ``03_learning``: three optimiser loops racing down one loss landscape.

The map shows the binary cross-entropy of the trip-planning neuron over its two weights
(bias frozen at its best value, features standardised). From the same start, random search,
gradient descent and SGD each leave a trail; the panel on the right shows the loss after
every step. Sliders set the learning rate (log scale), the SGD batch size and the number of
steps. A learning rate that is too large makes gradient descent overshoot the valley: the
trail zig-zags outwards, the loss climbs, and the readout says so.

The explorer runs loops it is given: in the notebook, the learner's own ``gradient_descent``
and ``sgd`` (once their checks pass) and the ``random_search`` shown there; by default the
reference loops of :mod:`course_lib.exercises.learning`. It only calls them and draws what
they return (:func:`course_lib.landscape.trajectory` adds the loss along each path).

Introduced in ``03_learning``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from course_lib.exercises import learning as reference
from course_lib.landscape import Trajectory, fit_neuron, loss_grid, standardize, trajectory
from course_lib.style import CMAP_SEQUENTIAL, OKABE_ITO
from course_lib.widgets.base import Explorer, slider

#: Colours and markers of the three methods, the same in both panels.
METHOD_STYLE = {
    "random search": dict(color=OKABE_ITO["purple"], marker="s", ls="-"),
    "gradient descent": dict(color=OKABE_ITO["orange"], marker="o", ls="-"),
    "SGD": dict(color=OKABE_ITO["sky"], marker="^", ls="--"),
}


def log_slider(description: str, value: float, low_exp: float, high_exp: float, step: float):
    """A labelled slider on a log scale from ``10**low_exp`` to ``10**high_exp``."""
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=low_exp,
        max=high_exp,
        step=step,
        description=description,
        readout_format=".3g",
        style={"description_width": "initial"},
        layout=widgets.Layout(width="420px"),
    )


class LandscapeExplorer(Explorer):
    """Random search vs gradient descent vs SGD on the loss landscape of one neuron.

    Controls: ``learning_rate`` (0.01 to 100, log scale; gradient descent and SGD),
    ``batch_size`` (SGD's mini-batch, 1 to N), ``steps`` (1 to 100, for all three).
    Random search ignores the learning rate: it always tries steps of ``random_step``.

    The loops are called with keywords and must return the path of weights, start first:

    * ``gradient_descent(x, y, w, b, lr=..., steps=...)``;
    * ``sgd(x, y, w, b, lr=..., epochs=..., batch_size=..., seed=...)``: the explorer asks
      for enough epochs to cover ``steps`` and shows the first ``steps`` of them;
    * ``random_search(x, y, w, b, step_size=..., steps=..., seed=...)``.

    Shapes: ``x (N, 2)``, ``y (N,)``, ``w (2,)``. Introduced in ``03_learning``.
    """

    title = "Three ways down the loss landscape"
    figsize = (8.6, 3.7)

    #: Where every method starts, in standardised weight units (far from the minimum).
    start = (-2.0, 5.0)
    #: The square of weights the map shows: w1, w2 in [low, high].
    window = (-3.5, 6.5)
    #: Length of random search's tries (it has no learning rate).
    random_step = 0.25

    #: Control settings the tests and the latency benchmark move through.
    example_moves = [
        {"learning_rate": 0.1},
        {"learning_rate": 3.0},
        {"batch_size": 4},
        {"steps": 80},
        {"learning_rate": 60.0},
        {"learning_rate": 1.0, "batch_size": 32, "steps": 30},
    ]

    def __init__(
        self,
        x,
        y,
        *,
        learning_rate: float = 1.0,
        batch_size: int = 16,
        steps: int = 30,
        seed: int = 0,
        gradient_descent: Callable | None = None,
        sgd: Callable | None = None,
        random_search: Callable | None = None,
    ):
        loops = {
            "gradient_descent": gradient_descent or reference.gradient_descent,
            "sgd": sgd or reference.sgd,
            "random_search": random_search or reference.random_search,
        }
        for name, loop in loops.items():
            if not callable(loop):
                raise TypeError(
                    f"{name} must be a function (the loop to run), got {type(loop).__name__}; "
                    f"pass the function itself, {name}={name}, without calling it"
                )
        self.loops = loops
        self.x, _, _ = standardize(x)  # (N, 2) in standard units
        self.y = np.asarray(y)
        self.seed = seed
        n = self.x.shape[0]
        self.w_best, self.b = fit_neuron(self.x, self.y)
        controls = {
            "learning_rate": log_slider("learning rate", learning_rate, -2, 2, 0.05),
            "batch_size": slider("SGD batch size", batch_size, 1, n, 1, integer=True),
            "steps": slider("steps", steps, 1, 100, 1, integer=True),
        }
        super().__init__(controls)

    @classmethod
    def example(cls, **loops) -> LandscapeExplorer:
        """The explorer as ``03_learning`` shows it: 200 trip customers, seed 0.

        ``loops`` may name the loops to run (``gradient_descent=``, ``sgd=``,
        ``random_search=``); the reference loops run for any not given.
        """
        from course_lib.data.synthetic import make_trip_customers

        unknown = set(loops) - {"gradient_descent", "sgd", "random_search"}
        if unknown:
            raise TypeError(
                f"example() takes the loops gradient_descent=, sgd= and random_search=, got "
                f"{sorted(unknown)}"
            )
        x, y = make_trip_customers(200, seed=0)
        return cls(x, y, **loops)

    # --- drawing -------------------------------------------------------------------------
    def setup(self) -> None:
        low, high = self.window
        grid = np.linspace(low, high, 81)
        self.grid_loss = loss_grid(self.x, self.y, self.b, grid, grid)  # (81, 81)
        self.min_loss = float(loss_grid(self.x, self.y, self.b, *self.w_best[:, None]).item())

        ax_map, ax_loss = self.fig.subplots(1, 2, width_ratios=[1.0, 1.05])
        self.fig.get_layout_engine().set(wspace=0.12)  # room between colour bar and loss axis
        image = ax_map.imshow(
            self.grid_loss,
            origin="lower",
            extent=(low, high, low, high),
            cmap=CMAP_SEQUENTIAL,
            aspect="equal",
            interpolation="bilinear",
        )
        levels = np.quantile(self.grid_loss, [0.02, 0.08, 0.2, 0.4, 0.6, 0.8])
        ax_map.contour(
            grid,
            grid,
            self.grid_loss,
            levels=np.unique(levels),
            colors="white",
            linewidths=0.6,
            alpha=0.7,
        )
        self.fig.colorbar(image, ax=ax_map, label="loss", shrink=0.85)
        ax_map.plot(
            *self.w_best, marker="*", color="white", ms=13, mec="black", ls="none", label="minimum"
        )
        ax_map.plot(
            *self.start, marker="X", color="white", ms=9, mec="black", ls="none", label="start"
        )
        self.paths, self.heads, self.curves = {}, {}, {}
        for name, style in METHOD_STYLE.items():
            (self.paths[name],) = ax_map.plot(
                [],
                [],
                color=style["color"],
                ls=style["ls"],
                lw=1.4,
                marker=".",
                ms=4,
                label=name,
            )
            (self.heads[name],) = ax_map.plot(
                [], [], color=style["color"], marker=style["marker"], ms=7, mec="black", ls="none"
            )
            (self.curves[name],) = ax_loss.plot(
                [],
                [],
                color=style["color"],
                ls=style["ls"],
                marker=style["marker"],
                ms=3,
                lw=1.5,
                label=name,
            )
        ax_map.set_xlim(low, high)
        ax_map.set_ylim(low, high)
        ax_map.set_xlabel("w1 (flight searches, standardised)")
        ax_map.set_ylabel("w2 (days since holiday, std.)")
        ax_map.set_title("Loss landscape (\u2605 minimum, X start)")
        ax_map.grid(False)
        ax_loss.axhline(self.min_loss, color="black", lw=0.8, ls=":", label="lowest possible")
        # Fixed limits (every run fits; a diverging one leaves through the top), so the
        # background never needs redrawing and runs of any length compare at a glance.
        start_loss = float(loss_grid(self.x, self.y, self.b, *np.array(self.start)[:, None]).item())
        ax_loss.set_xlim(0, self.controls["steps"].max)
        ax_loss.set_ylim(0.0, 1.4 * start_loss)
        ax_loss.set_xlabel("step")
        ax_loss.set_ylabel("loss (BCE)")
        ax_loss.set_title("Loss after each step")
        # Below the axes, never on them: a diverging run climbs through the upper corners.
        ax_loss.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=2, frameon=False)
        self.ax_map, self.ax_loss = ax_map, ax_loss
        self.trajectories: dict[str, Trajectory] = {}
        # Axes stay fixed, so only these artists are redrawn over a cached background.
        self.dynamic_artists = [*self.paths.values(), *self.heads.values(), *self.curves.values()]

    def run(self, values: dict) -> dict[str, Trajectory]:
        """Call the three loops for ``values`` (learning rate, batch size, steps); trace them."""
        lr, batch, steps = (
            float(values["learning_rate"]),
            int(values["batch_size"]),
            int(values["steps"]),
        )
        x, y, b = self.x, self.y, self.b
        w0 = np.array(self.start)
        epochs = math.ceil(steps / math.ceil(len(y) / batch))  # enough epochs for `steps`
        paths = {
            "random search": self.loops["random_search"](
                x, y, w0.copy(), b, step_size=self.random_step, steps=steps, seed=self.seed
            ),
            "gradient descent": self.loops["gradient_descent"](
                x, y, w0.copy(), b, lr=lr, steps=steps
            ),
            "SGD": self.loops["sgd"](
                x, y, w0.copy(), b, lr=lr, epochs=epochs, batch_size=batch, seed=self.seed
            )[: steps + 1],
        }
        return {name: trajectory(name, path, x, y, b) for name, path in paths.items()}

    def draw(self, values: dict) -> str:
        self.trajectories = runs = self.run(values)
        for name, traj in runs.items():
            # Lines outside the map are clipped by matplotlib; no data is changed.
            self.paths[name].set_data(traj.path[:, 0], traj.path[:, 1])
            self.heads[name].set_data([traj.path[-1, 0]], [traj.path[-1, 1]])
            self.curves[name].set_data(np.arange(len(traj.losses)), traj.losses)
        return self._sentence(values, runs)

    def _sentence(self, values: dict, runs: dict[str, Trajectory]) -> str:
        lr, batch, steps = values["learning_rate"], values["batch_size"], values["steps"]
        gd, sgd, rs = runs["gradient descent"], runs["SGD"], runs["random search"]
        head = f"Learning rate {lr:.3g}, batch size {batch}, {steps} steps: "
        parts = [
            f"random search reached loss {rs.final_loss:.3f}",
            _describe(gd, "gradient descent"),
            _describe(sgd, "SGD"),
        ]
        text = head + "; ".join(parts) + f" (lowest possible {self.min_loss:.3f})."
        if gd.diverged or sgd.diverged:
            text += (
                " The learning rate is far too large: the loss grew to more than twice its "
                "starting value, so the path is drawn only up to that step."
            )
        elif gd.unstable:
            text += (
                f" The learning rate is too large for this valley: gradient descent's loss went "
                f"UP on {gd.rises} of {len(gd.losses) - 1} steps, because each step overshoots "
                "the valley floor and lands on the opposite wall."
            )
        return text


def _describe(traj: Trajectory, name: str) -> str:
    if traj.diverged:
        return (
            f"{name} DIVERGED at step {traj.diverged_at} (loss {traj.losses[0]:.2f} -> "
            f"{traj.final_loss:.2f}; drawn up to there)"
        )
    return f"{name} reached {traj.final_loss:.3f}"
