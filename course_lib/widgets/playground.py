"""A small neural-network playground: train a one-hidden-layer network on a 2-D data set.

Used in ``05_feed_forward_networks``. Pick a data set, how noisy it is, the number of hidden
units, their activation, the learning rate and the number of epochs; the left panel shows the
network's probability of class 1 over the plane with its decision boundary (p = 0.5) and the
training data, the right panel the loss at every epoch on the training data and on held-out
test data drawn from the same distribution but never trained on. When the training loss keeps
falling while the test loss turns upward, the network is memorising the noise of its training
points: overfitting.

How it stays fast: the network is :class:`course_lib.two_layer.Trainer` (full-batch Adam on
200 points, so one epoch is one step). Each setting of data set, noise, hidden units,
activation and learning rate has its own trainer, kept in a cache; moving the epochs slider
forward only trains the missing epochs, moving it back reads a stored snapshot of the weights,
and returning to an earlier setting costs nothing.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from contourpy import contour_generator

from course_lib.data.synthetic import make_circles, make_moons, make_spirals, make_xor
from course_lib.style import CLASS_COLORS, CMAP_PROBABILITY, OKABE_ITO
from course_lib.two_layer import Trainer, predict_proba
from course_lib.widgets.base import Explorer, dropdown, slider

#: The data sets by name. Each is drawn with the noise the slider sets.
DATASETS = {
    "xor": make_xor,
    "moons": make_moons,
    "circles": make_circles,
    "spirals": make_spirals,
}

#: Noise levels the slider steps through: the standard deviation of the Gaussian noise added
#: to every point, in the data set's own units (before standardising).
NOISE_LEVELS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)

#: Learning rates the slider steps through (Adam's step size).
LEARNING_RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)

#: Most epochs the slider offers, and its step (a snapshot of the weights is kept per step).
MAX_EPOCHS, EPOCH_STEP = 500, 25

#: Training points per data set, and held-out test points (a different draw, never trained on).
N_POINTS, N_TEST = 200, 400

#: The loss axis (log scale) shows this range; smaller losses rest on the floor.
LOSS_FLOOR, LOSS_CEILING = 1e-3, 10.0


#: The map shows this square of the (standardised) feature plane for every data set.
EXTENT = (-2.5, 2.5, -2.5, 2.5)


def load_dataset(
    name: str, n: int = N_POINTS, seed: int = 0, noise: float | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """One of the playground's data sets by name, standardised: ``X (N, 2)``, ``y (N,)``.

    Each feature is shifted and scaled to mean 0 and standard deviation 1, so every data set
    fills the same square and the same learning rates suit them all. ``noise`` is the
    standard deviation of the Gaussian noise added to each point (``None``: the data set's
    own default).
    """
    maker = _maker(name)
    x, y = maker(n, seed=seed) if noise is None else maker(n, noise=noise, seed=seed)
    return (x - x.mean(axis=0)) / x.std(axis=0), y


def load_split(name: str, noise: float, seed: int = 0):
    """Training and held-out test data: ``(x_train, y_train, x_test, y_test)``.

    ``N_POINTS`` training points (seed ``seed``) and ``N_TEST`` test points (seed
    ``seed + 1``) from the same distribution. Both are standardised with the *training*
    data's mean and standard deviation, as a model in use would see new data.
    """
    maker = _maker(name)
    x, y = maker(N_POINTS, noise=noise, seed=seed)
    x_test, y_test = maker(N_TEST, noise=noise, seed=seed + 1)
    mean, std = x.mean(axis=0), x.std(axis=0)
    return (x - mean) / std, y, (x_test - mean) / std, y_test


def _maker(name: str):
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {sorted(DATASETS)}, got {name!r}")
    return DATASETS[name]


def format_loss(value: float) -> str:
    """A loss for the readout: three decimals, or "below 0.001" when three would show 0.000."""
    return "below 0.001" if value < 0.0005 else f"{value:.3f}"


class PlaygroundExplorer(Explorer):
    """Decision boundary and loss curves of a ``2 -> H -> 1`` network as its settings change.

    Controls: ``dataset`` (xor, moons, circles, spirals), ``noise`` (0 to 0.5, the spread of
    the points around their pattern), ``hidden_units`` (1 to 16), ``activation`` (tanh,
    relu, leaky_relu, sigmoid), ``lr`` (Adam's learning rate) and ``epochs`` (0 to 500
    full-batch steps). The loss panel shows the training loss and the loss on held-out test
    data. Introduced in ``05_feed_forward_networks``.
    """

    title = "Playground: one hidden layer on a 2-D data set"
    figsize = (7.6, 3.4)
    #: Pixels per side of the probability map.
    grid_size = 60

    example_moves = [
        {"epochs": 100},
        {"epochs": 300},
        {"hidden_units": 1},
        {"hidden_units": 8},
        {"epochs": 500},
        {"noise": 0.4, "hidden_units": 16, "lr": 0.1},
        {"epochs": 100},
        {"noise": 0.15},
        {"dataset": "circles"},
        {"epochs": 200},
        {"activation": "relu"},
        {"epochs": 50},
        {"dataset": "spirals", "hidden_units": 16},
    ]

    def __init__(
        self,
        dataset: str = "xor",
        hidden_units: int = 4,
        activation: str = "tanh",
        lr: float = 0.03,
        epochs: int = 200,
        noise: float = 0.15,
        seed: int = 0,
    ):
        self.seed = seed
        self._trainers: dict[tuple, Trainer] = {}
        self._data: dict[tuple, tuple] = {}
        self._shown_data = None
        controls = {
            "dataset": dropdown("data set", list(DATASETS), dataset),
            "noise": widgets.SelectionSlider(
                options=list(NOISE_LEVELS),
                value=noise,
                description="noise",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="420px"),
            ),
            "hidden_units": slider("hidden units H", hidden_units, 1, 16, 1, integer=True),
            "activation": dropdown(
                "activation",
                [
                    ("tanh", "tanh"),
                    ("ReLU", "relu"),
                    ("leaky ReLU", "leaky_relu"),
                    ("sigmoid", "sigmoid"),
                ],
                activation,
            ),
            "lr": widgets.SelectionSlider(
                options=list(LEARNING_RATES),
                value=lr,
                description="learning rate",
                style={"description_width": "initial"},
                layout=widgets.Layout(width="420px"),
            ),
            "epochs": slider("epochs", epochs, 0, MAX_EPOCHS, EPOCH_STEP, integer=True),
        }
        super().__init__(controls)

    @classmethod
    def example(cls) -> PlaygroundExplorer:
        """The explorer as ``05_feed_forward_networks`` shows it: XOR, 4 tanh units."""
        return cls(dataset="xor", hidden_units=4, activation="tanh", lr=0.03, epochs=200)

    # --- data and training ---------------------------------------------------------------
    def data(self, name: str, noise: float | None = None) -> tuple:
        """Training and test data ``(x, y, x_test, y_test)`` (made once per setting)."""
        noise = self.values["noise"] if noise is None else noise
        key = (name, float(noise))
        if key not in self._data:
            self._data[key] = load_split(name, float(noise), seed=self.seed)
        return self._data[key]

    def result(self, values: dict):
        """The training run for these settings up to ``values["epochs"]`` (cached, resumed)."""
        key = (
            values["dataset"],
            float(values["noise"]),
            int(values["hidden_units"]),
            values["activation"],
            values["lr"],
        )
        if key not in self._trainers:
            x, y, x_test, y_test = self.data(values["dataset"], values["noise"])
            self._trainers[key] = Trainer(
                x,
                y,
                key[2],
                activation=key[3],
                lr=float(key[4]),
                seed=self.seed,
                snapshot_every=EPOCH_STEP,
                x_test=x_test,
                y_test=y_test,
            )
        return self._trainers[key].run_to(int(values["epochs"]))

    # --- figure --------------------------------------------------------------------------
    def setup(self) -> None:
        self.ax_map, self.ax_loss = self.fig.subplots(1, 2, width_ratios=[1, 1.15])
        ax = self.ax_map
        blank = np.zeros((self.grid_size, self.grid_size))
        self.prob_image = ax.imshow(
            blank, origin="lower", cmap=CMAP_PROBABILITY, vmin=0, vmax=1, alpha=0.55,
            aspect="auto", interpolation="bilinear", extent=EXTENT,
        )  # fmt: skip
        (self.boundary,) = ax.plot([], [], color=OKABE_ITO["black"], lw=2)
        gx = np.linspace(EXTENT[0], EXTENT[1], self.grid_size)
        gy = np.linspace(EXTENT[2], EXTENT[3], self.grid_size)
        self.grid_x, self.grid_y = np.meshgrid(gx, gy)  # (G, G) each
        self.grid = np.column_stack([self.grid_x.ravel(), self.grid_y.ravel()])  # (G*G, 2)
        self.class_points = [
            ax.plot([], [], "o", ms=4, color=colour, mec="black", mew=0.3, label=f"class {k}")[0]
            for k, colour in enumerate(CLASS_COLORS)
        ]
        ax.set(xlabel="feature x1 (standardised)", ylabel="feature x2 (standardised)")
        ax.set(xlim=EXTENT[:2], ylim=EXTENT[2:])
        ax.set_title("P(class 1), training points")
        ax.grid(False)
        self.fig.colorbar(self.prob_image, ax=ax, label="P(class 1)", shrink=0.85)

        lx = self.ax_loss
        (self.loss_line,) = lx.plot([], [], color=OKABE_ITO["blue"], lw=2, label="training")
        (self.test_line,) = lx.plot(
            [], [], color=OKABE_ITO["orange"], lw=2, ls="--", label="test (held out)"
        )
        (self.now_marker,) = lx.plot([], [], "o", color=OKABE_ITO["black"], ms=6)
        (self.test_marker,) = lx.plot([], [], "s", color=OKABE_ITO["black"], ms=5)
        self.now_marker.set_label("now")
        lx.axhline(np.log(2), color="0.5", ls=":", lw=1, label="guessing (ln 2)")
        lx.set(
            xlim=(0, MAX_EPOCHS),
            yscale="log",
            ylim=(LOSS_FLOOR, LOSS_CEILING),
            xlabel="epoch (one full-batch step)",
            ylabel="binary cross-entropy (log scale)",
        )
        lx.legend(loc="lower left", fontsize=7)
        lx.set_title("loss per epoch")
        self.dynamic_artists = [
            self.prob_image,
            self.boundary,
            *self.class_points,
            self.loss_line,
            self.test_line,
            self.now_marker,
            self.test_marker,
        ]

    def _show_data(self, name: str, noise: float) -> None:
        x, y, _, _ = self.data(name, noise)
        for k, line in enumerate(self.class_points):
            line.set_data(x[y == k, 0], x[y == k, 1])
        self._shown_data = (name, noise)

    def probability_map(self, params: dict, activation: str) -> np.ndarray:
        """P(class 1) on the map's grid, shape ``(grid_size, grid_size)``."""
        p = predict_proba(self.grid, params, activation)
        return p.reshape(self.grid_size, self.grid_size)

    def draw(self, values: dict) -> str:
        name, act, noise = values["dataset"], values["activation"], values["noise"]
        hidden, epochs, lr = int(values["hidden_units"]), int(values["epochs"]), values["lr"]
        if (name, noise) != self._shown_data:
            self._show_data(name, noise)
        result = self.result(values)
        params = result.params_at(epochs)
        prob = self.probability_map(params, act)
        self.prob_image.set_data(prob)
        # The decision boundary: the p = 0.5 contour, computed without making a new artist.
        lines = contour_generator(self.grid_x, self.grid_y, prob).lines(0.5)
        nan = np.full((1, 2), np.nan)  # separates the pieces of the boundary
        joined = np.concatenate([part for line in lines for part in (line, nan)] or [nan])
        self.boundary.set_data(joined[:, 0], joined[:, 1])

        x, y, x_test, y_test = self.data(name, noise)
        train_acc = float(np.mean((predict_proba(x, params, act) >= 0.5) == (y == 1)))
        test_acc = float(np.mean((predict_proba(x_test, params, act) >= 0.5) == (y_test == 1)))
        epochs_axis = np.arange(len(result.losses))
        # Keep both curves inside the plot's log axis; the readout gives the true numbers.
        shown = np.clip(result.losses, LOSS_FLOOR, LOSS_CEILING)
        shown_test = np.clip(result.test_losses, LOSS_FLOOR, LOSS_CEILING)
        self.loss_line.set_data(epochs_axis, shown)
        self.test_line.set_data(epochs_axis, shown_test)
        self.now_marker.set_data([epochs], [shown[epochs]])
        self.test_marker.set_data([epochs], [shown_test[epochs]])
        units = "unit" if hidden == 1 else "units"
        return (
            f"{name} with noise {noise:g}, {hidden} hidden {act} {units}, learning rate "
            f"{lr:g}, after {epochs} epochs: training loss {format_loss(result.losses[epochs])}, "
            f"test loss {format_loss(result.test_losses[epochs])}; training accuracy "
            f"{train_acc:.0%}, test accuracy {test_acc:.0%}. The black line is the decision "
            "boundary (p = 0.5)."
        )
