"""A multi-layer perceptron (feed-forward network) in NumPy, trained by backpropagation.

The network is a stack of the layers in :mod:`course_lib.numpy_nn.layers`::

    h1     = f(x  @ W1 + b1)        # (N, D)  -> (N, H1)
    h2     = f(h1 @ W2 + b2)        # (N, H1) -> (N, H2)
    ...
    logits = h_{L-1} @ WL + bL      # (N, H_{L-1}) -> (N, K)
    loss   = softmax_cross_entropy(logits, y)

Backpropagation runs the same stack backwards, each layer turning the gradient with respect
to its output into gradients with respect to its input and its weights (the chain rule).

Fast where it matters: everything stays in float32 (like PyTorch), the matrix products go to
BLAS, the bias is added in place, the first layer skips the gradient with respect to the
data (nobody needs it), and Adam updates in place. On a busy machine, start Python with
``OPENBLAS_NUM_THREADS=1``: idle BLAS worker threads that spin for a core can make small
matrix products many times slower. Introduced in ``05_feed_forward_networks``; trained on MNIST in
``06_mnist_with_a_feed_forward_net``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from course_lib.numpy_nn.activations import ACTIVATIONS, softmax
from course_lib.numpy_nn.layers import linear_backward, linear_forward
from course_lib.numpy_nn.losses import softmax_cross_entropy
from course_lib.numpy_nn.optim import Optimizer, check_optimizer_name, make_optimizer, minibatches
from course_lib.threads import use_sensible_threads
from course_lib.validate import (
    as_float_array,
    as_labels,
    check_cache,
    check_callable,
    check_flag,
    check_parameter_count,
    check_positive_int,
    check_seed,
)


class MLPCache(tuple):
    """What :meth:`MLP.backward` needs: one ``(linear_cache, activation_cache)`` per layer.

    A tuple, indexed like the list of layers (``cache[0]`` is the first layer's pair); the
    activation cache of the last layer is ``None`` (its outputs are the logits).
    """

    forward_name = "MLP.forward"


@dataclass
class History:
    """What happened during :meth:`MLP.fit`, for tables and loss curves."""

    step_loss: list[float] = field(default_factory=list)  # loss of every mini-batch
    epoch_train_loss: list[float] = field(default_factory=list)  # mean step loss per epoch
    epoch_train_acc: list[float] = field(default_factory=list)  # accuracy on the batches seen
    val_acc: list[float] = field(default_factory=list)  # accuracy on (x_val, y_val) per epoch
    epoch_seconds: list[float] = field(default_factory=list)  # wall time of each epoch
    seconds: float = 0.0  # total training wall time

    @property
    def epochs(self) -> int:
        """Number of finished epochs."""
        return len(self.epoch_train_loss)


def _check_sizes(sizes) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(
            f"sizes must be a list of layer widths such as [784, 256, 10], got {sizes!r}"
        )
    if len(sizes) < 2:
        raise ValueError(
            f"sizes must list at least the inputs and the outputs, e.g. [784, 10], got {sizes}"
        )
    sizes = [check_positive_int(s, f"sizes[{i}]") for i, s in enumerate(sizes)]
    check_parameter_count(
        sum((d + 1) * m for d, m in zip(sizes, sizes[1:], strict=False)), f"sizes={sizes}"
    )
    return sizes


def _check_dtype(dtype) -> np.dtype:
    """``np.dtype(dtype)``, with a named ``TypeError`` for what is not a dtype at all."""
    try:
        return np.dtype(dtype)
    except (TypeError, ValueError) as err:
        raise TypeError(f"dtype must be a float type such as np.float32, got {dtype!r}") from err


class MLP:
    """A feed-forward network ``sizes = [D, H1, ..., K]`` with one activation between layers.

    ``params`` holds ``W1 (D, H1), b1 (H1,), ..., WL (H_{L-1}, K), bL (K,)``. Weights start
    as ``N(0, 2 / fan_in)`` for ReLU-like activations (He) and ``N(0, 1 / fan_in)`` for
    sigmoid/tanh (LeCun), biases at 0; ``seed`` makes them repeatable. The PyTorch twin
    :class:`course_lib.torch_nn.mlp.MLP` with the same arguments starts from the same weights.

    Introduced in ``05_feed_forward_networks``.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str = "relu",
        seed: int = 0,
        dtype=np.float32,
    ):
        self.sizes = _check_sizes(sizes)
        if not isinstance(activation, str):
            raise TypeError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.dtype = _check_dtype(dtype)
        if self.dtype.kind != "f":
            raise TypeError(f"dtype must be a float type such as np.float32, got {self.dtype}")
        rng = np.random.default_rng(check_seed(seed))
        gain = 2.0 if activation in ("relu", "leaky_relu") else 1.0
        self.params: dict[str, np.ndarray] = {}
        for i, (d, m) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True), start=1):
            w = rng.standard_normal((d, m)) * np.sqrt(gain / d)
            self.params[f"W{i}"] = w.astype(self.dtype)  # (D_i, M_i)
            self.params[f"b{i}"] = np.zeros(m, dtype=self.dtype)  # (M_i,)

    @property
    def num_layers(self) -> int:
        """Number of linear layers L (hidden layers plus the output layer)."""
        return len(self.sizes) - 1

    def __repr__(self) -> str:
        return f"MLP(sizes={self.sizes}, activation={self.activation!r}, dtype={self.dtype})"

    def _check_x(self, x) -> np.ndarray:
        x = as_float_array(x, "x", ndim=2, layout=f"(N, {self.sizes[0]})", finite=True)
        if x.shape[1] != self.sizes[0]:
            raise ValueError(
                f"x must have shape (N, {self.sizes[0]}) (the network has {self.sizes[0]} "
                f"inputs), got shape {x.shape}; flatten images with x.reshape(len(x), -1)"
            )
        return x.astype(self.dtype, copy=False)

    # ------------------------------------------------------------------ forward / backward

    def forward(self, x):
        """Logits for a batch: ``x (N, D) -> logits (N, K)``, and the cache for backward."""
        x = self._check_x(x)
        act_forward, _ = ACTIVATIONS[self.activation]
        caches = []
        h = x
        for i in range(1, self.num_layers + 1):
            h, linear_cache = linear_forward(h, self.params[f"W{i}"], self.params[f"b{i}"])
            act_cache = None
            if i < self.num_layers:  # no activation after the last layer: those are logits
                h, act_cache = act_forward(h)  # (N, H_i)
            caches.append((linear_cache, act_cache))
        return h, MLPCache(caches)  # (N, K)

    def backward(self, dlogits, cache) -> dict[str, np.ndarray]:
        """Gradients of the loss for every parameter, from ``dlogits (N, K)``."""
        check_cache(cache, MLPCache, "MLP.forward")
        if len(cache) != self.num_layers:
            raise ValueError(
                f"cache holds {len(cache)} layers but this network has {self.num_layers}; "
                "pass the cache from this model's own forward call"
            )
        n = cache[0][0].x.shape[0]
        dlogits = as_float_array(dlogits, "dlogits", ndim=2, layout="(N, K)", finite=True)
        if dlogits.shape != (n, self.sizes[-1]):
            raise ValueError(
                f"dlogits must have the shape of the logits, (N, K) = ({n}, {self.sizes[-1]}), "
                f"got {dlogits.shape}"
            )
        _, act_backward = ACTIVATIONS[self.activation]
        grads = {}
        dh = dlogits
        for i in range(self.num_layers, 0, -1):
            linear_cache, act_cache = cache[i - 1]
            if act_cache is not None:
                dh = act_backward(dh, act_cache)  # through the activation
            dh, grads[f"W{i}"], grads[f"b{i}"] = linear_backward(dh, linear_cache, input_grad=i > 1)
        return grads

    def loss_and_grads(self, x, y):
        """Mean softmax cross-entropy on ``(x (N, D), y (N,))`` and its gradients.

        Returns ``(loss, grads)`` with ``grads`` shaped like :attr:`params`.
        """
        logits, cache = self.forward(x)
        loss, dlogits = softmax_cross_entropy(logits, y)
        return loss, self.backward(dlogits, cache)

    def loss(self, x, y) -> float:
        """Mean softmax cross-entropy on ``(x, y)`` (no gradients)."""
        logits, _ = self.forward(x)
        return softmax_cross_entropy(logits, y)[0]

    # ------------------------------------------------------------------ predictions

    def predict_proba(self, x, batch_size: int = 4096) -> np.ndarray:
        """Class probabilities ``softmax(logits)``: ``(N, D) -> (N, K)``."""
        x = self._check_x(x)
        batch_size = check_positive_int(batch_size, "batch_size")
        out = [
            softmax(self.forward(x[s : s + batch_size])[0]) for s in range(0, len(x), batch_size)
        ]
        return np.concatenate(out) if out else np.zeros((0, self.sizes[-1]), self.dtype)

    def predict(self, x, batch_size: int = 4096) -> np.ndarray:
        """Predicted class for each row: ``(N, D) -> (N,)`` integers."""
        x = self._check_x(x)
        batch_size = check_positive_int(batch_size, "batch_size")
        out = [
            self.forward(x[s : s + batch_size])[0].argmax(axis=1)
            for s in range(0, len(x), batch_size)
        ]
        return np.concatenate(out) if out else np.zeros(0, np.int64)

    def accuracy(self, x, y) -> float:
        """Fraction of rows of ``x`` whose predicted class equals ``y``."""
        x = self._check_x(x)
        y = as_labels(y, "y", len(x), num_classes=self.sizes[-1])
        if len(x) == 0:
            raise ValueError("x must hold at least one example to measure accuracy, got 0")
        return float(np.mean(self.predict(x) == y))

    # ------------------------------------------------------------------ training

    def fit(
        self,
        x,
        y,
        *,
        epochs: int = 3,
        batch_size: int = 128,
        lr: float = 1e-3,
        optimizer: str | Optimizer = "adam",
        x_val=None,
        y_val=None,
        callback: Callable[[History], None] | None = None,
        callback_every: int | None = None,
        progress: bool = True,
        seed: int = 0,
    ) -> History:
        """Train with mini-batch backpropagation; returns a :class:`History`.

        ``optimizer`` is a name for :func:`~course_lib.numpy_nn.optim.make_optimizer`
        (``"adam"``, ``"sgd"``, ``"momentum"``, ``"gd"``) or an optimiser built on
        ``self.params``. ``callback(history)`` runs after every epoch and, with
        ``callback_every=k``, also every k steps (for a live loss curve). ``progress=False``
        hides the tqdm progress bar. ``seed`` fixes the shuffling.

        Shapes: ``x (N, D)``, ``y (N,)`` integer labels; ``x_val``/``y_val`` likewise.
        """
        from tqdm.auto import tqdm

        x = self._check_x(x)  # float32 once, not per batch
        y = as_labels(y, "y", len(x), num_classes=self.sizes[-1])
        if len(x) == 0:
            raise ValueError("x must hold at least one training example, got 0")
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        if (x_val is None) != (y_val is None):
            raise ValueError("give both x_val and y_val, or neither")
        if x_val is not None:
            x_val = self._check_x(x_val)
            y_val = as_labels(y_val, "y_val", len(x_val), num_classes=self.sizes[-1])
        if callback is not None:
            check_callable(callback, "callback", "a function of the history, or None")
        progress = check_flag(progress, "progress")
        if callback_every is not None:
            callback_every = check_positive_int(callback_every, "callback_every")
        if isinstance(optimizer, Optimizer):
            if optimizer.params is not self.params:
                raise ValueError("the optimizer must be built on this model's params dict")
            opt = optimizer
        else:
            opt = make_optimizer(check_optimizer_name(optimizer), self.params, lr)
        rng = np.random.default_rng(check_seed(seed))

        history = History()
        steps_per_epoch = -(-len(x) // batch_size)
        bar = tqdm(total=epochs * steps_per_epoch, desc="MLP.fit", disable=not progress)
        start = time.perf_counter()
        step = 0
        try:
            for _ in range(epochs):
                use_sensible_threads()  # cores in use elsewhere are left alone (course_lib.threads)
                epoch_start = time.perf_counter()
                loss_sum, correct = 0.0, 0
                for idx in minibatches(len(x), batch_size, rng):
                    xb, yb = x[idx], y[idx]  # (B, D), (B,)
                    logits, cache = self.forward(xb)
                    loss, dlogits = softmax_cross_entropy(logits, yb)
                    # our own backward gives well-formed gradients: skip step()'s checks
                    opt._apply(self.backward(dlogits, cache))
                    correct += int(np.count_nonzero(logits.argmax(axis=1) == yb))
                    loss_sum += loss * len(idx)
                    history.step_loss.append(loss)
                    step += 1
                    bar.update(1)
                    if step % 50 == 0:
                        bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
                    if callback is not None and callback_every and step % callback_every == 0:
                        callback(history)
                history.epoch_train_loss.append(loss_sum / len(x))
                history.epoch_train_acc.append(correct / len(x))
                if x_val is not None:
                    history.val_acc.append(float(np.mean(self.predict(x_val) == y_val)))
                history.epoch_seconds.append(time.perf_counter() - epoch_start)
                history.seconds = time.perf_counter() - start
                if callback is not None:
                    callback(history)
        finally:
            bar.close()
        return history
