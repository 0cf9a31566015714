"""Explorer for ``05_feed_forward_networks``: backpropagation on a computational graph.

The two-layer network of the notebook, drawn as a graph of operations::

    x, W1, b1 -> [x W1 + b1] -z1-> [tanh] -h-> [h W2 + b2] -z2-> [sigmoid] -p-> [BCE] -> L
                                     W2, b2 ---^                        y ---^

Every arrow carries its forward value (blue, above it). The slider walks the backward pass
one node at a time, from the loss down to the first layer: at each step the current node
is ringed and the gradient of the loss that it sends back appears under each of its input
arrows (vermillion). The numbers are those of one real forward and backward pass of a tiny
network (one example, two inputs, two hidden units), computed by
:func:`course_lib.two_layer.trace`; the explorer only draws them.

Introduced in ``05_feed_forward_networks``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

from course_lib.data.synthetic import make_trip_customers
from course_lib.style import OKABE_ITO
from course_lib.two_layer import init_params, trace
from course_lib.widgets.base import Explorer, slider

VALUE_COLOUR = OKABE_ITO["blue"]
GRAD_COLOUR = OKABE_ITO["vermillion"]
RING_COLOUR = OKABE_ITO["orange"]

#: Operation nodes: name -> (centre x, centre y, label), in the figure's data units.
NODES = {
    "layer1": (3.3, 3.0, "x W1 + b1"),
    "tanh": (6.3, 3.0, "tanh"),
    "layer2": (9.3, 3.0, "h W2 + b2"),
    "sigmoid": (12.0, 3.0, "σ"),
    "loss": (14.4, 3.0, "BCE"),
}
BOX_HALF_WIDTH = {"layer1": 0.75, "tanh": 0.5, "layer2": 0.75, "sigmoid": 0.35, "loss": 0.45}
BOX_HALF_HEIGHT = 0.32
NODE_NAMES = {
    "layer1": "x W1 + b1",
    "tanh": "tanh",
    "layer2": "h W2 + b2",
    "sigmoid": "sigmoid",
    "loss": "loss",
}

#: The backward walk: at step k, the node that works and the gradients it sends back.
STEPS = (
    ("loss", ("dL", "dp")),
    ("sigmoid", ("dz2",)),
    ("layer2", ("dW2", "db2", "dh")),
    ("tanh", ("dz1",)),
    ("layer1", ("dW1", "db1")),
)
N_STEPS = len(STEPS)


def format_array(a, digits: int = 2) -> str:
    """A small array as text: ``0.51``, ``[0.51, -1.20]`` or two rows ``[[..],\\n [..]]``.

    One example (N = 1) is shown without its batch axis, so ``z1 (1, 2)`` reads as a pair.
    Introduced in ``05_feed_forward_networks``.
    """
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 2 and a.shape[0] == 1:
        a = a[0]
    if a.size == 1:
        return f"{a.reshape(()):.{digits}f}".replace("-", "\u2212")
    if a.ndim == 1:
        inner = ", ".join(f"{v:.{digits}f}" for v in a)
        return f"[{inner}]".replace("-", "\u2212")
    rows = [", ".join(f"{v:.{digits}f}" for v in row) for row in a]
    return ("[[" + "],\n [".join(rows) + "]]").replace("-", "\u2212")


class BackpropGraphExplorer(Explorer):
    """The computational graph of a two-layer network, walked backwards one node per step.

    ``x (1, D)`` is one example, ``y`` its 0/1 label and ``params`` the weights of a
    ``D -> H -> 1`` network with ``activation`` hidden units (shapes as in
    :mod:`course_lib.two_layer`; D = H = 2 fits the figure best). Control: ``step``, 0 (the
    forward pass) to 5 (every weight has its gradient). Introduced in
    ``05_feed_forward_networks``.
    """

    title = "Backpropagation on the computational graph, one node at a time"
    figsize = (10.0, 4.3)

    example_moves = [{"step": k} for k in (1, 2, 3, 4, 5, 0, 3)]

    def __init__(self, x, y, params: dict, *, activation: str = "tanh", step: int = 0):
        self.activation = activation
        self.numbers = trace(x, y, params, activation)  # one real forward and backward pass
        if self.numbers["x"].shape[0] != 1:
            raise ValueError(
                f"x must hold one example, shape (1, D), got {self.numbers['x'].shape}; "
                "the graph shows the numbers of a single example"
            )
        controls = {
            "step": slider("backward step", step, 0, N_STEPS, 1, integer=True),
        }
        super().__init__(controls)

    @classmethod
    def example(cls) -> BackpropGraphExplorer:
        """As ``05_feed_forward_networks`` shows it: one trip customer, two tanh units."""
        x, y = make_trip_customers(400, seed=0)
        x_std = (x - x.mean(axis=0)) / x.std(axis=0)
        params = init_params(2, 2, seed=3, activation="tanh")
        return cls(x_std[:1], y[:1], params, activation="tanh")

    # --- figure --------------------------------------------------------------------------
    def setup(self) -> None:
        ax = self.ax = self.fig.add_subplot()
        ax.set(xlim=(0, 16), ylim=(0.0, 6.2))
        ax.axis("off")
        t = self.numbers
        for name, (cx, cy, label) in NODES.items():
            hw = BOX_HALF_WIDTH[name]
            ax.add_patch(
                FancyBboxPatch(
                    (cx - hw, cy - BOX_HALF_HEIGHT), 2 * hw, 2 * BOX_HALF_HEIGHT,
                    boxstyle="round,pad=0.05", facecolor="white", edgecolor=OKABE_ITO["black"],
                    lw=1.2,
                )
            )  # fmt: skip
            ax.text(cx, cy, label, ha="center", va="center", fontsize=10, weight="bold")
        # The working node gets a thick ring; it has no fill, so the label shows through.
        self.ring = FancyBboxPatch(
            (0, 0), 1, 1, boxstyle="round,pad=0.12", facecolor="none", edgecolor=RING_COLOUR,
            lw=4, visible=False,
        )  # fmt: skip
        ax.add_patch(self.ring)

        def right(name):
            return NODES[name][0] + BOX_HALF_WIDTH[name] + 0.05, NODES[name][1]

        def left(name):
            return NODES[name][0] - BOX_HALF_WIDTH[name] - 0.05, NODES[name][1]

        def arrow(start, end):
            ax.add_patch(
                FancyArrowPatch(
                    start, end, arrowstyle="-|>", mutation_scale=12, lw=1.2, color="0.3"
                )
            )

        # Every gradient is drawn once, with the rest of the picture; a plain white card
        # hides it until the backward walk reaches it (cards are quick to draw, text is not).
        self.cards = {}

        def gradient(key, x, y, ha, va, width):
            ax.text(x, y, f"{key}\n{format_array(t[key])}", ha=ha, va=va, fontsize=8,
                    color=GRAD_COLOUR, weight="bold")  # fmt: skip
            left_edge = x - width / 2 if ha == "center" else x - 0.05
            bottom = y - 0.75 if va == "top" else y - 0.05
            card = Rectangle((left_edge, bottom), width, 0.8, facecolor="white", lw=0)
            ax.add_patch(card)
            self.cards[key] = card

        # Chain edges: (quantity, from, to). Value above the arrow, gradient below it.
        chain = [
            ("z1", right("layer1"), left("tanh")),
            ("h", right("tanh"), left("layer2")),
            ("z2", right("layer2"), left("sigmoid")),
            ("p", right("sigmoid"), left("loss")),
            ("L", right("loss"), (15.95, 3.0)),
        ]
        for key, start, end in chain:
            arrow(start, end)
            mid = (start[0] + end[0]) / 2
            ax.text(mid, 3.12, f"{key}\n{format_array(t[key])}", ha="center", va="bottom",
                    fontsize=8, color=VALUE_COLOUR)  # fmt: skip
            gradient("d" + key, mid, 2.88, "center", "top", end[0] - start[0] - 0.1)
        # The input x enters from the left; it is data, so it gets no gradient.
        arrow((0.15, 3.0), left("layer1"))
        ax.text(1.2, 3.12, f"x\n{format_array(t['x'])}", ha="center", va="bottom", fontsize=8,
                color=VALUE_COLOUR)  # fmt: skip
        # Leaves from above (weights, label) and below (biases).
        leaves = [
            ("W1", "layer1", (1.6, 5.0), "top"),
            ("b1", "layer1", (1.9, 1.0), "bottom"),
            ("W2", "layer2", (7.6, 5.0), "top"),
            ("b2", "layer2", (7.9, 1.0), "bottom"),
            ("y", "loss", (13.2, 5.0), "top"),
        ]
        for key, node, (lx, ly), side in leaves:
            cx, cy = NODES[node][:2]
            edge_y = cy + BOX_HALF_HEIGHT + 0.05 if side == "top" else cy - BOX_HALF_HEIGHT - 0.05
            arrow((lx + 0.3, ly + (-0.1 if side == "top" else 0.1)), (cx - 0.2, edge_y))
            va = "bottom" if side == "top" else "top"
            digits = 0 if key == "y" else 2  # the label is a whole number
            ax.text(lx, ly, f"{key}\n{format_array(t[key], digits)}", ha="right", va=va, fontsize=8,
                    color=VALUE_COLOUR)  # fmt: skip
            if key != "y":  # the label is data too
                gradient("d" + key, lx + 0.15, ly, "left", va, 1.9)
        ax.text(15.9, 0.75, "forward value (above an arrow)", color=VALUE_COLOUR, fontsize=9,
                ha="right")  # fmt: skip
        ax.text(15.9, 0.3, "gradient of the loss (below)", color=GRAD_COLOUR, fontsize=9,
                ha="right", weight="bold")  # fmt: skip
        self.heading = ax.set_title("", fontsize=11)
        self.dynamic_artists = [self.ring, *self.cards.values(), self.heading]

    def draw(self, values: dict) -> str:
        step = int(values["step"])
        shown = {key for _, keys in STEPS[:step] for key in keys}
        for key, card in self.cards.items():
            card.set_visible(key not in shown)
        if step == 0:
            self.ring.set_visible(False)
            self.heading.set_text("Forward pass: every arrow carries its value")
        else:
            node = STEPS[step - 1][0]
            cx, cy, _ = NODES[node]
            hw = BOX_HALF_WIDTH[node]
            self.ring.set_bounds(cx - hw, cy - BOX_HALF_HEIGHT, 2 * hw, 2 * BOX_HALF_HEIGHT)
            self.ring.set_visible(True)
            self.heading.set_text(
                f"Backward step {step} of {N_STEPS}: the {NODE_NAMES[node]} node sends its "
                "gradients back"
            )
        return self._sentence(step)

    def _sentence(self, step: int) -> str:
        t = self.numbers

        def f(a) -> str:
            return format_array(a).replace("\n", "")

        p, y = float(t["p"].reshape(-1)[0]), float(t["y"].reshape(-1)[0])
        if step == 0:
            return (
                f"Forward pass for one example x = {f(t['x'])} with label y = {y:.0f}: the "
                f"network says p = {p:.2f}, and the loss is L = {t['L']:.3f}. This is step 0, "
                f"before the backward pass; move the slider through steps 1 to {N_STEPS} to walk "
                "it from the loss down to W1."
            )
        if step == 1:
            return (
                f"Step 1 of {N_STEPS}, the loss node: the gradient starts as dL = 1 at the "
                f"loss itself; the loss's local derivative at p = {p:.2f}, y = {y:.0f} makes it "
                f"dp = {f(t['dp'])}."
            )
        if step == 2:
            local = p * (1 - p)
            return (
                f"Step 2 of {N_STEPS}, the sigmoid node: its local derivative is p(1 - p) = "
                f"{local:.2f}, so dz2 = {f(t['dp'])} × {local:.2f} = {f(t['dz2'])}."
            )
        if step == 3:
            return (
                f"Step 3 of {N_STEPS}, the node h W2 + b2: from dz2 = {f(t['dz2'])} it sends "
                f"gradients to both of its parameters and to its input: dW2 = {f(t['dW2'])}, "
                f"db2 = {f(t['db2'])}, dh = {f(t['dh'])}."
            )
        if step == 4:
            local = 1 - np.asarray(t["h"]) ** 2
            return (
                f"Step 4 of {N_STEPS}, the tanh node: its local derivative 1 - h² is "
                f"{f(local)}; entry by entry (⊙) with dh = {f(t['dh'])} it gives "
                f"dz1 = {f(t['dz1'])}."
            )
        return (
            f"Step 5 of {N_STEPS}, the node x W1 + b1: from dz1 = {f(t['dz1'])} it sends "
            f"dW1 = {f(t['dW1'])} and db1 = {f(t['db1'])}. The input x is data, not a weight, "
            "so the walk stops here: every weight has its gradient."
        )
