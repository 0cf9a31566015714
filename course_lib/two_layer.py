"""A two-layer network written out by hand, with backpropagation in a dozen lines.

The network is the "stack of models" of notebook 05: H small neurons look at the input, and
one combiner neuron looks at their outputs::

    a = x @ W1 + b1          # (N, H)  scores of the H hidden neurons
    h = f1(a)                # (N, H)  their outputs (sigmoid, tanh, relu or leaky_relu)
    z = h @ W2 + b2          # (N, 1)  score of the combiner neuron
    p = sigmoid(z)           # (N, 1)  probability of class 1

that is ``p = f2(W2 f1(W1 x))`` with the biases written out. The loss is binary
cross-entropy averaged over the N examples. Backpropagation walks the same lines upwards::

    dz  = (p - y) / N        # (N, 1)  the famous sigmoid + cross-entropy gradient
    dW2 = h.T @ dz           # (H, 1)
    db2 = dz.sum(axis=0)     # (1,)
    dh  = dz @ W2.T          # (N, H)
    da  = dh * f1'(a)        # (N, H)  through the activation
    dW1 = x.T @ da           # (D, H)
    db1 = da.sum(axis=0)     # (H,)

This module is the reference answer to the backprop exercise of ``05_feed_forward_networks``
and the engine of its playground explorer. Shapes: N examples, D input features, H hidden
units; ``y`` is ``(N,)`` or ``(N, 1)`` with 0/1 targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from course_lib.numpy_nn.activations import ACTIVATIONS
from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits
from course_lib.numpy_nn.optim import Adam
from course_lib.validate import as_float_array, check_nonnegative_int, check_positive_int

#: Hidden activations the network accepts (the elementwise ones of numpy_nn.activations).
HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}; "
            "maxout changes the layer's width, so it is not offered here"
        )
    return activation


def init_params(n_features: int, n_hidden: int, *, seed: int = 0, activation: str = "tanh"):
    """Random starting weights for a ``D -> H -> 1`` network, as a dict of arrays.

    ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, 1)``, ``b2 (1,)``. Weights are Gaussian with standard
    deviation ``gain / sqrt(fan_in)`` (gain sqrt(2) for ReLU-like units, He et al. 2015; 1
    otherwise, Glorot-style) so the scores start at a sensible size; biases start at zero.
    Introduced in ``05_feed_forward_networks``.
    """
    d = check_positive_int(n_features, "n_features")
    h = check_positive_int(n_hidden, "n_hidden")
    gain = np.sqrt(2.0) if _check_activation(activation) in ("relu", "leaky_relu") else 1.0
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((d, h)) * gain / np.sqrt(d),
        "b1": np.zeros(h),
        "W2": rng.standard_normal((h, 1)) / np.sqrt(h),
        "b2": np.zeros(1),
    }


def _check_params(params: dict, n_features: int) -> None:
    missing = {"W1", "b1", "W2", "b2"} - set(params)
    if missing:
        raise ValueError(
            f"params must have keys W1, b1, W2, b2; missing {sorted(missing)}. "
            "Build them with init_params(D, H)."
        )
    d, h = np.shape(params["W1"])
    if d != n_features:
        raise ValueError(
            f"W1 must have shape (D, H) with D={n_features} (the features of x), got "
            f"{np.shape(params['W1'])}"
        )
    shapes = {"b1": (h,), "W2": (h, 1), "b2": (1,)}
    for name, shape in shapes.items():
        if np.shape(params[name]) != shape:
            raise ValueError(
                f"{name} must have shape {shape} for H={h} hidden units, "
                f"got {np.shape(params[name])}"
            )


def _as_column(y, n: int) -> np.ndarray:
    y = as_float_array(y, "y")
    if y.shape not in ((n,), (n, 1)):
        raise ValueError(f"y must have shape (N,) or (N, 1) with N={n}, got {y.shape}")
    return y.reshape(n, 1)


def forward(x, params: dict, activation: str = "tanh"):
    """The forward pass ``p = sigmoid(f1(x @ W1 + b1) @ W2 + b2)``.

    Shapes: ``x (N, D)`` -> ``p (N, 1)``. Returns ``(p, cache)``; the cache holds what the
    backward pass needs. Introduced in ``05_feed_forward_networks``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)")
    _check_params(params, x.shape[1])
    return _forward(x, params, _check_activation(activation))


def _forward(x, params, activation):
    act_forward, _ = ACTIVATIONS[activation]
    a = x @ params["W1"] + params["b1"]  # (N, H)
    h, act_cache = act_forward(a)  # (N, H)
    z = h @ params["W2"] + params["b2"]  # (N, 1)
    e = np.exp(-np.abs(z))  # stable sigmoid: exp only ever sees -|z|
    p = np.where(z >= 0, 1.0, e) / (1.0 + e)  # (N, 1): 1/(1+e) or e/(1+e)
    return p, (x, h, z, e, act_cache)


def predict_proba(x, params: dict, activation: str = "tanh") -> np.ndarray:
    """Probability of class 1 for every row of ``x (N, D)``, shape ``(N,)``."""
    return forward(x, params, activation)[0][:, 0]


def loss_and_grads(x, y, params: dict, activation: str = "tanh"):
    """Binary cross-entropy of the network and its gradient for every parameter.

    Shapes: ``x (N, D)``, ``y (N,)`` or ``(N, 1)`` in {0, 1}. Returns ``(loss, grads)`` with
    ``grads`` a dict shaped exactly like ``params``. This is backpropagation written by hand:
    see the module docstring for the seven lines. Introduced in ``05_feed_forward_networks``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)")
    _check_params(params, x.shape[1])
    return _loss_and_grads(x, _as_column(y, x.shape[0]), params, _check_activation(activation))


def _loss_and_grads(x, y, params, activation):
    """:func:`loss_and_grads` without the input checks (the training loop checks once)."""
    p, (x, h, z, e, act_cache) = _forward(x, params, activation)
    n = x.shape[0]
    # Binary cross-entropy from the score z, stable for any z (see numpy_nn.losses).
    loss = float(np.mean(np.maximum(z, 0) - z * y + np.log1p(e)))
    _, act_backward = ACTIVATIONS[activation]
    dz = (p - y) / n  # (N, 1)
    dW2 = h.T @ dz  # (H, 1)
    db2 = dz.sum(axis=0)  # (1,)
    dh = dz @ params["W2"].T  # (N, H)
    da = act_backward(dh, act_cache)  # (N, H): dh * f1'(a)
    dW1 = x.T @ da  # (D, H)
    db1 = da.sum(axis=0)  # (H,)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


@dataclass
class TrainResult:
    """What :func:`train` returns: the loss at every step and snapshots of the weights."""

    losses: np.ndarray  # (steps + 1,) full-batch loss before step 0, 1, ..., steps
    snapshots: dict[int, dict] = field(default_factory=dict)  # step -> params at that step
    activation: str = "tanh"

    def params_at(self, step: int) -> dict:
        """The weights after ``step`` steps (the nearest snapshot at or below it)."""
        kept = [s for s in self.snapshots if s <= step]
        if not kept:
            raise ValueError(f"no snapshot at or before step {step}; kept {sorted(self.snapshots)}")
        return self.snapshots[max(kept)]


class Trainer:
    """Full-batch Adam training of a ``D -> H -> 1`` network that can be resumed.

    ``Trainer(x, y, n_hidden, ...).run_to(300)`` trains for 300 steps; a later
    ``run_to(500)`` carries on from step 300 instead of starting again, which is what lets
    the playground explorer answer quickly. Every step uses all N examples, computes the
    gradients by backpropagation (:func:`loss_and_grads`) and moves the weights with Adam
    (Kingma and Ba, 2015: gradient descent whose step is scaled per weight by running
    averages of the gradient and of its square; ``beta1 = 0.9``, ``beta2 = 0.999``). The
    weights are copied every ``snapshot_every`` steps so a figure can show those moments.
    Introduced in ``05_feed_forward_networks``.
    """

    def __init__(
        self,
        x,
        y,
        n_hidden: int,
        *,
        activation: str = "tanh",
        lr: float = 0.05,
        seed: int = 0,
        snapshot_every: int = 25,
    ):
        self.x = as_float_array(x, "x", ndim=2, layout="(N, D)")
        self.y = _as_column(y, self.x.shape[0])
        self.activation = _check_activation(activation)
        self.lr = float(lr)
        self.every = check_positive_int(snapshot_every, "snapshot_every")
        start = init_params(self.x.shape[1], n_hidden, seed=seed, activation=activation)
        # All weights live in one flat vector; params holds shaped views into it, so Adam
        # updates every weight with a handful of whole-vector operations.
        self.theta = np.concatenate([w.ravel() for w in start.values()])
        self.params, offset = {}, 0
        for name, w in start.items():
            self.params[name] = self.theta[offset : offset + w.size].reshape(w.shape)
            offset += w.size
        self.optimizer = Adam({"theta": self.theta}, lr=self.lr)
        self.step = 0
        self.losses: list[float] = []
        self.snapshots: dict[int, dict] = {}

    def run_to(self, steps: int) -> TrainResult:
        """Train until ``steps`` steps are done (no-op if already there); return the result."""
        steps = check_nonnegative_int(steps, "steps")
        while True:
            t = self.step
            if len(self.losses) == t:  # loss and snapshot at the current weights, once
                loss, grads = _loss_and_grads(self.x, self.y, self.params, self.activation)
                self.losses.append(loss)
                self._grads = grads
                if t % self.every == 0:
                    self.snapshots[t] = {k: w.copy() for k, w in self.params.items()}
            if t >= steps:
                break
            g = np.concatenate([self._grads[k].ravel() for k in self.params])
            self.optimizer.step({"theta": g})
            self.step += 1
        if steps not in self.snapshots and steps == self.step:
            self.snapshots[steps] = {k: w.copy() for k, w in self.params.items()}
        return TrainResult(
            losses=np.array(self.losses[: steps + 1]),
            snapshots={s: p for s, p in self.snapshots.items() if s <= steps},
            activation=self.activation,
        )


def train(
    x,
    y,
    n_hidden: int,
    *,
    activation: str = "tanh",
    lr: float = 0.05,
    steps: int = 300,
    seed: int = 0,
    snapshot_every: int = 25,
) -> TrainResult:
    """Train a ``D -> H -> 1`` network for ``steps`` full-batch Adam steps (see :class:`Trainer`).

    Shapes: ``x (N, D)``, ``y (N,)`` in {0, 1}. Returns a :class:`TrainResult` with the loss at
    every step and the weights every ``snapshot_every`` steps and at the end.
    Introduced in ``05_feed_forward_networks``.
    """
    trainer = Trainer(
        x, y, n_hidden, activation=activation, lr=lr, seed=seed, snapshot_every=snapshot_every
    )
    return trainer.run_to(steps)


def train_single_neuron(x, y, *, lr: float = 0.05, steps: int = 300) -> dict:
    """Fit one sigmoid neuron ``p = sigmoid(x @ w + b)`` (logistic regression) with Adam.

    The baseline of ``05_feed_forward_networks``: no hidden layer, so its decision boundary is
    a straight line. Shapes: ``x (N, D)``, ``y (N,)``. Returns ``{"w": (D,), "b": ()}``, ready
    for :func:`course_lib.numpy_nn.neuron.predict`.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)")
    y = _as_column(y, x.shape[0])[:, 0]
    steps = check_nonnegative_int(steps, "steps")
    params = {"w": np.zeros(x.shape[1]), "b": np.zeros(())}

    def loss_and_grads_fn():
        loss, dz = binary_cross_entropy_with_logits(x @ params["w"] + params["b"], y)  # (N,)
        return loss, {"w": x.T @ dz, "b": dz.sum()}

    optimizer = Adam(params, lr=lr)
    for _ in range(steps):
        optimizer.step(loss_and_grads_fn()[1])
    return {"w": params["w"], "b": float(params["b"])}


def accuracy(x, y, params: dict, activation: str = "tanh") -> float:
    """Fraction of rows of ``x (N, D)`` whose predicted class (p >= 0.5) equals ``y (N,)``."""
    y = as_float_array(y, "y").reshape(-1)
    return float(np.mean((predict_proba(x, params, activation) >= 0.5) == (y == 1)))
