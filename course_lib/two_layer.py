"""A two-layer network written out by hand, with backpropagation in a dozen lines.

The network is the "stack of models" of notebook 05: H small neurons look at the input, and
one combiner neuron looks at their outputs. Rows of ``x`` are examples, so every layer is
``x @ W + b``::

    z1 = x @ W1 + b1         # (N, H)  scores of the H hidden neurons
    h  = f1(z1)              # (N, H)  their outputs (sigmoid, tanh, relu or leaky_relu)
    z2 = h @ W2 + b2         # (N, 1)  score of the combiner neuron
    p  = sigmoid(z2)         # (N, 1)  probability of class 1

that is ``p = f2(W2 f1(W1 x))`` with the biases written out. The loss is binary
cross-entropy averaged over the N examples. Backpropagation walks the same lines upwards
(``*`` is the elementwise product, written ⊙ in the notebook)::

    dz2 = (p - y) / N        # (N, 1)  the sigmoid + cross-entropy gradient of notebook 03
    dW2 = h.T @ dz2          # (H, 1)
    db2 = dz2.sum(axis=0)    # (1,)
    dh  = dz2 @ W2.T         # (N, H)
    dz1 = dh * f1'(z1)       # (N, H)  through the activation
    dW1 = x.T @ dz1          # (D, H)
    db1 = dz1.sum(axis=0)    # (H,)

This module is the reference behind the exercises of ``05_feed_forward_networks`` (see
:mod:`course_lib.exercises.backprop`), the numbers of its computational-graph explorer
(:func:`trace`) and the engine of its playground (:class:`Trainer`). Shapes: N examples, D
input features, H hidden units; ``y`` is ``(N,)`` or ``(N, 1)`` with 0/1 targets.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from course_lib.numpy_nn.activations import (
    ACTIVATIONS,
    LeakyReluCache,
    ReluCache,
    SigmoidCache,
    TanhCache,
)
from course_lib.numpy_nn.losses import binary_cross_entropy_with_logits
from course_lib.numpy_nn.optim import Adam
from course_lib.validate import (
    as_float_array,
    check_nonnegative_int,
    check_parameter_count,
    check_positive_float,
    check_positive_int,
    check_seed,
)

#: Hidden activations the network accepts (the elementwise ones of numpy_nn.activations).
HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)

#: The parameters by name, in the order of init_params's dict.
PARAM_NAMES = ("W1", "b1", "W2", "b2")

#: What :func:`forward` keeps for :func:`backward`: the inputs, the weights and every result.
CACHE_KEYS = ("x", "W1", "b1", "W2", "b2", "z1", "h", "z2", "p")

#: The slope of leaky ReLU on its left half (numpy_nn.activations' default).
LEAKY_SLOPE = 0.01


def _check_activation(activation: str) -> str:
    if not isinstance(activation, str):
        raise TypeError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
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
    otherwise), so a layer's scores keep about the variance of its inputs; biases start at
    zero. Random, so that no two hidden units start (and therefore stay) identical.
    Introduced in ``05_feed_forward_networks``.
    """
    d = check_positive_int(n_features, "n_features")
    h = check_positive_int(n_hidden, "n_hidden")
    check_parameter_count((d + 2) * h + 1, f"n_features={d} and n_hidden={h}")
    gain = np.sqrt(2.0) if _check_activation(activation) in ("relu", "leaky_relu") else 1.0
    rng = np.random.default_rng(check_seed(seed))
    return {
        "W1": rng.standard_normal((d, h)) * gain / np.sqrt(d),
        "b1": np.zeros(h),
        "W2": rng.standard_normal((h, 1)) / np.sqrt(h),
        "b2": np.zeros(1),
    }


def _check_params(params: dict, n_features: int) -> None:
    if not isinstance(params, dict):
        raise TypeError(
            f"params must be a dict with keys W1, b1, W2, b2, got {type(params).__name__}; "
            "build it with init_params(D, H)"
        )
    missing = set(PARAM_NAMES) - set(params)
    if missing:
        raise ValueError(
            f"params must have keys W1, b1, W2, b2; missing {sorted(missing)}. "
            "Build them with init_params(D, H)."
        )
    if np.ndim(params["W1"]) != 2:
        raise ValueError(f"W1 must have shape (D, H), got {np.shape(params['W1'])}")
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
    for name in PARAM_NAMES:
        as_float_array(params[name], f"params[{name!r}]", finite=True)


def _as_column(y, n: int) -> np.ndarray:
    y = as_float_array(y, "y")
    if y.shape not in ((n,), (n, 1)):
        raise ValueError(f"y must have shape (N,) or (N, 1) with N={n}, got {y.shape}")
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"y must hold targets in [0, 1] (0 or 1 for the two classes), got values from "
            f"{y.min()} to {y.max()}"
        )
    return y.reshape(n, 1)


def forward(x, params: dict, activation: str = "tanh"):
    """The forward pass ``p = sigmoid(f1(x @ W1 + b1) @ W2 + b2)``.

    Shapes: ``x (N, D)`` -> ``p (N, 1)``. Returns ``(p, cache)``; the cache is a dict with
    everything :func:`backward` needs: ``x``, the weights ``W1, b1, W2, b2`` and the results
    ``z1 (N, H)``, ``h (N, H)``, ``z2 (N, 1)``, ``p (N, 1)``.
    Introduced in ``05_feed_forward_networks``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    _check_params(params, x.shape[1])
    return _forward(x, params, _check_activation(activation))


def _forward(x, params, activation):
    act_forward, _ = ACTIVATIONS[activation]
    z1 = x @ params["W1"] + params["b1"]  # (N, H)
    h, _ = act_forward(z1)  # (N, H)
    z2 = h @ params["W2"] + params["b2"]  # (N, 1)
    e = np.exp(-np.abs(z2))  # stable sigmoid: exp only ever sees -|z2|
    p = np.where(z2 >= 0, 1.0, e) / (1.0 + e)  # (N, 1): 1/(1+e) or e/(1+e)
    cache = {"x": x, **{k: params[k] for k in PARAM_NAMES}, "z1": z1, "h": h, "z2": z2, "p": p}
    return p, cache


def _bce_from_score(z2, y) -> float:
    """Mean binary cross-entropy from the score ``z2``, stable for any size (notebook 03)."""
    return float(np.mean(np.maximum(z2, 0) - z2 * y + np.log1p(np.exp(-np.abs(z2)))))


def predict_proba(x, params: dict, activation: str = "tanh") -> np.ndarray:
    """Probability of class 1 for every row of ``x (N, D)``, shape ``(N,)``."""
    return forward(x, params, activation)[0][:, 0]


def backward(y, cache: dict, activation: str = "tanh") -> dict:
    """Backpropagation: the gradient of the mean cross-entropy for every parameter.

    ``cache`` is what :func:`forward` returned; ``y (N,)`` or ``(N, 1)`` holds the 0/1
    targets. Returns ``{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}``, each shaped like its
    parameter (the seven lines of the module docstring).
    Introduced in ``05_feed_forward_networks``.
    """
    if not isinstance(cache, dict) or set(CACHE_KEYS) - set(cache):
        have = sorted(cache) if isinstance(cache, dict) else type(cache).__name__
        raise ValueError(
            f"cache must be the dict that forward() returned, with keys {list(CACHE_KEYS)}; "
            f"got {have}"
        )
    y = _as_column(y, np.shape(cache["p"])[0])
    steps = _backward(y, cache, _check_activation(activation))
    return {k: steps["d" + k] for k in PARAM_NAMES}


def _activation_backward(activation: str, dh, z1, h):
    """``dh * f1'(z1)``, by numpy_nn.activations' own backward functions."""
    _, act_backward = ACTIVATIONS[activation]
    act_cache = _ACTIVATION_CACHES[activation](z1, h)  # what that activation's forward keeps
    return act_backward(dh, act_cache)


# The cache each activation's forward returns, rebuilt from z1 (its input) and h (its output).
_ACTIVATION_CACHES = {
    "sigmoid": lambda z1, h: SigmoidCache(h),
    "tanh": lambda z1, h: TanhCache(h),
    "relu": lambda z1, h: ReluCache(h),
    "leaky_relu": lambda z1, h: LeakyReluCache(z1, LEAKY_SLOPE),
}


def _backward(y, cache, activation) -> dict:
    """Every gradient of the backward pass, by name: dz2, dW2, db2, dh, dz1, dW1, db1."""
    n = cache["x"].shape[0]
    dz2 = (cache["p"] - y) / n  # (N, 1)
    dW2 = cache["h"].T @ dz2  # (H, 1)
    db2 = dz2.sum(axis=0)  # (1,)
    dh = dz2 @ cache["W2"].T  # (N, H)
    dz1 = _activation_backward(activation, dh, cache["z1"], cache["h"])  # (N, H): dh * f1'(z1)
    dW1 = cache["x"].T @ dz1  # (D, H)
    db1 = dz1.sum(axis=0)  # (H,)
    return {"dz2": dz2, "dW2": dW2, "db2": db2, "dh": dh, "dz1": dz1, "dW1": dW1, "db1": db1}


def loss_and_grads(x, y, params: dict, activation: str = "tanh"):
    """Binary cross-entropy of the network and its gradient for every parameter.

    Shapes: ``x (N, D)``, ``y (N,)`` or ``(N, 1)`` in {0, 1}. Returns ``(loss, grads)`` with
    ``grads`` a dict shaped exactly like ``params``: :func:`forward`, then :func:`backward`.
    Introduced in ``05_feed_forward_networks``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    _check_params(params, x.shape[1])
    return _loss_and_grads(x, _as_column(y, x.shape[0]), params, _check_activation(activation))


def _loss_and_grads(x, y, params, activation):
    """:func:`loss_and_grads` without the input checks (the training loop checks once)."""
    _, cache = _forward(x, params, activation)
    steps = _backward(y, cache, activation)
    return _bce_from_score(cache["z2"], y), {k: steps["d" + k] for k in PARAM_NAMES}


def trace(x, y, params: dict, activation: str = "tanh") -> dict:
    """Every number of one forward and backward pass, by name, for a figure of the graph.

    Forward: ``x, W1, b1, z1, h, W2, b2, z2, p, y, L``. Backward (``dX`` is the gradient of
    the loss ``L`` with respect to ``X``, shaped like ``X``): ``dL`` (= 1), ``dp``, ``dz2``,
    ``dW2``, ``db2``, ``dh``, ``dz1``, ``dW1``, ``db1``. ``dp`` is the loss's own derivative
    ``(p - y) / (N p (1 - p))``; times the sigmoid's local derivative ``p (1 - p)`` it gives
    ``dz2 = (p - y) / N``. Shapes as in :func:`forward`; ``y`` comes back as ``(N, 1)``.
    Introduced in ``05_feed_forward_networks``.
    """
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    _check_params(params, x.shape[1])
    y = _as_column(y, x.shape[0])
    activation = _check_activation(activation)
    _, cache = _forward(x, params, activation)
    steps = _backward(y, cache, activation)
    p, n = cache["p"], x.shape[0]
    loss = _bce_from_score(cache["z2"], y)
    dp = (p - y) / (n * p * (1 - p))  # (N, 1): dL/dp; finite while 0 < p < 1
    return {**cache, "y": y, "L": loss, "dL": 1.0, "dp": dp, **steps}


@dataclass
class TrainResult:
    """What :func:`train` returns: the loss at every step and snapshots of the weights."""

    losses: np.ndarray  # (steps + 1,) full-batch loss before step 0, 1, ..., steps
    snapshots: dict[int, dict] = field(default_factory=dict)  # step -> params at that step
    activation: str = "tanh"
    test_losses: np.ndarray | None = None  # (steps + 1,) loss on held-out data, if given

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
    Given held-out data ``x_test (M, D)``, ``y_test (M,)``, the loss on them is recorded at
    every step too (they are never trained on), which shows overfitting as it happens.
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
        x_test=None,
        y_test=None,
    ):
        self.x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
        self.y = _as_column(y, self.x.shape[0])
        if (x_test is None) != (y_test is None):
            raise ValueError("give both x_test and y_test (held-out data), or neither")
        self.x_test = self.y_test = None
        if x_test is not None:
            self.x_test = as_float_array(x_test, "x_test", ndim=2, layout="(M, D)", finite=True)
            if self.x_test.shape[1] != self.x.shape[1]:
                raise ValueError(
                    f"x_test must have the D={self.x.shape[1]} features of x, got shape "
                    f"{self.x_test.shape}"
                )
            self.y_test = _as_column(y_test, self.x_test.shape[0])
        self.activation = _check_activation(activation)
        self.lr = check_positive_float(lr, "lr")
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
        self.test_losses: list[float] = []
        self.snapshots: dict[int, dict] = {}

    def _test_loss(self) -> float:
        _, cache = _forward(self.x_test, self.params, self.activation)
        return _bce_from_score(cache["z2"], self.y_test)

    def run_to(self, steps: int) -> TrainResult:
        """Train until ``steps`` steps are done (no-op if already there); return the result."""
        steps = check_nonnegative_int(steps, "steps")
        while True:
            t = self.step
            if len(self.losses) == t:  # loss and snapshot at the current weights, once
                loss, grads = _loss_and_grads(self.x, self.y, self.params, self.activation)
                self.losses.append(loss)
                if self.x_test is not None:
                    self.test_losses.append(self._test_loss())
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
            test_losses=None if self.x_test is None else np.array(self.test_losses[: steps + 1]),
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
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
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
    p = predict_proba(x, params, activation)  # (N,)
    y = _as_column(y, p.shape[0])[:, 0]
    return float(np.mean((p >= 0.5) == (y == 1)))
