"""A small convolutional network in NumPy, trained by the backward passes we wrote.

The layout (every block halves the image with a 2x2 max-pool)::

    x (N, C, S, S)
      -> conv1 (k x k, pad k//2) -> ReLU -> maxpool 2x2     (N, F1, S/2, S/2)
      -> conv2 (k x k, pad k//2) -> ReLU -> maxpool 2x2     (N, F2, S/4, S/4)
      -> flatten                                             (N, F2 * S/4 * S/4)
      -> fc1 -> ReLU (only when ``hidden`` is set)           (N, hidden)
      -> fc2 (or fc1 when there is no hidden layer)          (N, K) logits

``channels`` sets how many conv blocks there are and their filter counts F1, F2, ....
The parameters live in one dict whose keys are the PyTorch twin's layer names followed by
the function argument they feed: ``"conv1.w"`` ``(F1, C, k, k)``, ``"conv1.b"`` ``(F1,)``,
..., ``"fc1.w"`` ``(D, M)``, ``"fc1.b"`` ``(M,)`` (the :func:`linear_forward` layout,
``x @ w + b``). :class:`course_lib.torch_nn.cnn.CNN` has the same layers, and its
``load_numpy_params``/``numpy_params`` convert between the two.

Images may be ``(N, C, S, S)`` or, with one channel, ``(N, S, S)``; ``uint8`` pixels are
divided by 255 (as :func:`course_lib.torch_nn.train.fit` does), floats are used as given.

Introduced in ``08_convolutional_networks``.
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from course_lib.numpy_nn.activations import relu_backward, relu_forward
from course_lib.numpy_nn.conv import (
    conv2d_backward,
    conv2d_forward,
    conv_output_size,
    maxpool2d_backward,
    maxpool2d_forward,
)
from course_lib.numpy_nn.layers import (
    flatten_backward,
    flatten_forward,
    linear_backward,
    linear_forward,
)
from course_lib.numpy_nn.losses import softmax_cross_entropy
from course_lib.numpy_nn.optim import check_optimizer_name, make_optimizer, minibatches
from course_lib.threads import use_sensible_threads
from course_lib.validate import (
    as_float_array,
    as_labels,
    check_cache,
    check_callable,
    check_flag,
    check_parameter_count,
    check_positive_float,
    check_positive_int,
    check_seed,
)

__all__ = ["CNN", "CNNConfig"]


class CNNCache(NamedTuple):
    """What :meth:`CNN.backward` needs: the caches of every layer of :meth:`CNN.forward`.

    ``blocks`` holds one ``(conv, relu, pool)`` triple per conv block, ``flat`` the flatten
    cache, ``fc`` the hidden layer's ``(linear, relu)`` pair (empty without one) and ``out``
    the output layer's linear cache.
    """

    blocks: list
    flat: object
    fc: list
    out: object
    forward_name = "CNN.forward"


@dataclass(frozen=True)
class CNNConfig:
    """The shape of a :class:`CNN`; the NumPy and PyTorch versions share it."""

    channels: tuple[int, ...] = (8, 16)  # filters F of each conv block, in order
    kernel_sizes: tuple[int, ...] = (3, 3)  # kernel side k of each conv block (pad k // 2)
    hidden: int | None = None  # units of the hidden fully connected layer; None: no hidden
    num_classes: int = 10  # K, the number of outputs (logits)
    in_channels: int = 1  # C of the input images (1 for grey, 3 for colour)
    image_size: int = 28  # S: images are S x S pixels

    @classmethod
    def build(
        cls,
        channels=(8, 16),
        kernel_size=3,
        hidden=None,
        num_classes=10,
        in_channels=1,
        image_size=28,
    ) -> CNNConfig:
        """Check the constructor arguments of either CNN and return the config."""
        if isinstance(channels, (numbers.Integral, str, bytes)) or not isinstance(
            channels, Sequence
        ):
            raise TypeError(
                f"channels must be a sequence of filter counts such as (8, 16), got {channels!r}"
            )
        if len(channels) == 0:
            raise ValueError("channels must name at least one conv block, e.g. (8, 16)")
        channels = tuple(check_positive_int(c, f"channels[{i}]") for i, c in enumerate(channels))
        if isinstance(kernel_size, Sequence) and not isinstance(kernel_size, str):
            if len(kernel_size) != len(channels):
                raise ValueError(
                    f"kernel_size must be one int or one per conv block ({len(channels)}), "
                    f"got {tuple(kernel_size)}"
                )
            kernels = tuple(
                check_positive_int(k, f"kernel_size[{i}]") for i, k in enumerate(kernel_size)
            )
        else:
            kernels = (check_positive_int(kernel_size, "kernel_size"),) * len(channels)
        if hidden is not None:
            hidden = check_positive_int(hidden, "hidden")
        config = cls(
            channels=channels,
            kernel_sizes=kernels,
            hidden=hidden,
            num_classes=check_positive_int(num_classes, "num_classes"),
            in_channels=check_positive_int(in_channels, "in_channels"),
            image_size=check_positive_int(image_size, "image_size"),
        )
        too_wide = [k for k in kernels if k > config.image_size]
        if too_wide:
            raise ValueError(
                f"kernel_size must be at most image_size={config.image_size}, got {too_wide[0]}"
            )
        config.feature_sizes()  # raises if the image shrinks away
        shapes = config.param_shapes().values()
        check_parameter_count(
            sum(int(np.prod(s, dtype=object)) for s in shapes), "channels, hidden and num_classes"
        )
        return config

    def feature_sizes(self) -> list[int]:
        """Side of the feature maps after each conv block (conv keeps it, the pool halves it)."""
        sizes, s = [], self.image_size
        for i, k in enumerate(self.kernel_sizes):
            s = conv_output_size(s, k, 1, k // 2)
            if s < 2:
                raise ValueError(
                    f"image_size={self.image_size} is too small for {len(self.channels)} conv "
                    f"blocks: before pool {i + 1} the maps are {s}x{s}, a 2x2 pool needs at "
                    "least 2x2; use fewer channels entries or larger images"
                )
            s = (s - 2) // 2 + 1
            sizes.append(s)
        return sizes

    @property
    def flat_features(self) -> int:
        """D, the length of the flattened output of the last conv block."""
        s = self.feature_sizes()[-1]
        return self.channels[-1] * s * s

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Every parameter's name and shape, in order (NumPy layout)."""
        shapes, c_in = {}, self.in_channels
        for i, (f, k) in enumerate(zip(self.channels, self.kernel_sizes, strict=True), 1):
            shapes[f"conv{i}.w"] = (f, c_in, k, k)
            shapes[f"conv{i}.b"] = (f,)
            c_in = f
        d = self.flat_features
        if self.hidden is not None:
            shapes["fc1.w"], shapes["fc1.b"] = (d, self.hidden), (self.hidden,)
            shapes["fc2.w"] = (self.hidden, self.num_classes)
            shapes["fc2.b"] = (self.num_classes,)
        else:
            shapes["fc1.w"], shapes["fc1.b"] = (d, self.num_classes), (self.num_classes,)
        return shapes


class CNN:
    """A small NumPy CNN: conv-ReLU-pool blocks, then one or two fully connected layers.

    Args:
        channels: filters of each conv block, e.g. ``(8, 16)`` (two blocks).
        kernel_size: kernel side for every block, or one per block; padding is ``k // 2``.
        hidden: units of a hidden fully connected layer, or ``None`` for none.
        num_classes: K outputs. in_channels: C of the images. image_size: S (S x S images).
        seed: for the initial weights. dtype: ``np.float32`` (fast) or ``np.float64``.

    ``params`` maps names such as ``"conv1.w"`` to arrays (see the module docstring). The
    weights start He-initialised (normal with variance 2 / fan-in, good for ReLU), biases
    at zero.

    Introduced in ``08_convolutional_networks``.
    """

    def __init__(
        self,
        channels=(8, 16),
        kernel_size=3,
        hidden=None,
        num_classes=10,
        in_channels=1,
        image_size=28,
        *,
        seed=0,
        dtype=np.float32,
    ):
        self.config = CNNConfig.build(
            channels, kernel_size, hidden, num_classes, in_channels, image_size
        )
        try:
            self.dtype = np.dtype(dtype)
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"dtype must be a float type such as np.float32, got {dtype!r}"
            ) from err
        if self.dtype.kind != "f":
            raise TypeError(f"dtype must be a float type such as np.float32, got {self.dtype}")
        rng = np.random.default_rng(check_seed(seed))
        self.params: dict[str, np.ndarray] = {}
        for name, shape in self.config.param_shapes().items():
            if name.endswith(".b"):
                self.params[name] = np.zeros(shape, dtype=self.dtype)
            else:
                fan_in = int(np.prod(shape[1:])) if len(shape) == 4 else shape[0]
                w = rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)
                self.params[name] = w.astype(self.dtype)

    def __repr__(self) -> str:
        c = self.config
        return (
            f"CNN(channels={c.channels}, kernel_size={c.kernel_sizes}, hidden={c.hidden}, "
            f"num_classes={c.num_classes}, in_channels={c.in_channels}, "
            f"image_size={c.image_size}, dtype={self.dtype.name})"
        )

    @property
    def n_conv(self) -> int:
        return len(self.config.channels)

    # ------------------------------------------------------------------ input
    def prepare(self, x) -> np.ndarray:
        """Check images and return them as ``(N, C, S, S)`` in the model's dtype.

        Accepts ``(N, C, S, S)`` or, when C is 1, ``(N, S, S)``. ``uint8`` pixels are divided
        by 255; other numbers are used as they are.
        """
        c = self.config
        layout = f"(N, {c.in_channels}, {c.image_size}, {c.image_size})"
        scale = isinstance(x, np.ndarray) and x.dtype == np.uint8
        arr = as_float_array(x, "x", finite=True)
        if arr.ndim == 3 and c.in_channels == 1:
            arr = arr[:, None]  # (N, S, S) -> (N, 1, S, S)
        if arr.ndim != 4 or arr.shape[1:] != (c.in_channels, c.image_size, c.image_size):
            extra = " or (N, S, S)" if c.in_channels == 1 else ""
            raise ValueError(f"x must have shape {layout}{extra}, got shape {arr.shape}")
        if arr.shape[0] == 0:
            raise ValueError(f"x must hold at least one image, got shape {arr.shape}")
        arr = arr.astype(self.dtype, copy=False)
        return arr / self.dtype.type(255) if scale else arr

    # ------------------------------------------------------------------ forward / backward
    def forward(self, x):
        """Logits ``(N, K)`` for images x; returns ``(logits, cache)`` for :meth:`backward`."""
        p = self.params
        h = self.prepare(x)
        caches = []
        for i, k in enumerate(self.config.kernel_sizes, 1):
            h, conv_cache = conv2d_forward(h, p[f"conv{i}.w"], p[f"conv{i}.b"], 1, k // 2)
            h, relu_cache = relu_forward(h)
            h, pool_cache = maxpool2d_forward(h, 2, 2)  # (N, F_i, S_i, S_i)
            caches.append((conv_cache, relu_cache, pool_cache))
        h, flat_cache = flatten_forward(h)  # (N, D)
        fc_caches = []
        if self.config.hidden is not None:
            h, fc1_cache = linear_forward(h, p["fc1.w"], p["fc1.b"])  # (N, hidden)
            h, relu_cache = relu_forward(h)
            fc_caches.append((fc1_cache, relu_cache))
            logits, out_cache = linear_forward(h, p["fc2.w"], p["fc2.b"])  # (N, K)
        else:
            logits, out_cache = linear_forward(h, p["fc1.w"], p["fc1.b"])  # (N, K)
        return logits, CNNCache(caches, flat_cache, fc_caches, out_cache)

    def backward(self, dlogits, cache):
        """Backpropagate ``dlogits (N, K)``; returns ``(dx, grads)``.

        ``dx`` has the shape of the prepared images ``(N, C, S, S)``; ``grads`` has one
        entry per parameter, same names and shapes as :attr:`params`.
        """
        caches, flat_cache, fc_caches, out_cache = check_cache(cache, CNNCache, "CNN.forward")
        if len(caches) != self.n_conv or bool(fc_caches) != (self.config.hidden is not None):
            raise ValueError(
                "cache comes from a CNN with other layers than this one; pass the cache from "
                "this model's own forward call"
            )
        n, k = out_cache.x.shape[0], self.config.num_classes
        dlogits = as_float_array(dlogits, "dlogits", ndim=2, layout="(N, K)", finite=True)
        if dlogits.shape != (n, k):
            raise ValueError(
                f"dlogits must have the shape of the logits, (N, K) = ({n}, {k}), "
                f"got {dlogits.shape}"
            )
        grads = {}
        last = "fc2" if self.config.hidden is not None else "fc1"
        dh, grads[f"{last}.w"], grads[f"{last}.b"] = linear_backward(dlogits, out_cache)
        if fc_caches:
            fc1_cache, relu_cache = fc_caches[0]
            dh = relu_backward(dh, relu_cache)
            dh, grads["fc1.w"], grads["fc1.b"] = linear_backward(dh, fc1_cache)
        dh = flatten_backward(dh, flat_cache)
        for i in range(self.n_conv, 0, -1):
            conv_cache, relu_cache, pool_cache = caches[i - 1]
            dh = maxpool2d_backward(dh, pool_cache)
            dh = relu_backward(dh, relu_cache)
            dh, grads[f"conv{i}.w"], grads[f"conv{i}.b"] = conv2d_backward(dh, conv_cache)
        return dh, {name: grads[name] for name in self.params}

    def loss_and_grads(self, x, y):
        """Mean softmax cross-entropy on ``(x, y)`` and its gradient for every parameter.

        Shapes: x ``(N, C, S, S)`` (or ``(N, S, S)``), y ``(N,)`` labels in ``0 .. K-1``.
        Returns ``(loss, grads)``, grads a dict shaped like :attr:`params`.
        """
        logits, cache = self.forward(x)
        y = as_labels(y, "y", logits.shape[0], num_classes=self.config.num_classes)
        loss, dlogits = softmax_cross_entropy(logits, y)
        _, grads = self.backward(dlogits.astype(self.dtype, copy=False), cache)
        return loss, grads

    # ------------------------------------------------------------------ using the model
    def logits(self, x, batch_size: int = 500) -> np.ndarray:
        """Logits ``(N, K)``, computed ``batch_size`` images at a time to bound memory."""
        batch_size = check_positive_int(batch_size, "batch_size")
        x = self.prepare(x)
        return np.concatenate(
            [self.forward(x[i : i + batch_size])[0] for i in range(0, len(x), batch_size)]
        )

    def predict(self, x, batch_size: int = 500) -> np.ndarray:
        """Predicted class ``(N,)`` for every image."""
        return self.logits(x, batch_size).argmax(axis=1)

    def accuracy(self, x, y, batch_size: int = 500) -> float:
        """Fraction of images whose predicted class equals the label."""
        pred = self.predict(x, batch_size)
        y = as_labels(y, "y", len(pred), num_classes=self.config.num_classes)
        return float(np.mean(pred == y))

    def fit(
        self,
        x,
        y,
        *,
        epochs: int = 1,
        batch_size: int = 64,
        lr: float = 1e-3,
        optimizer: str = "adam",
        x_val=None,
        y_val=None,
        callback: Callable | None = None,
        progress: bool = True,
        seed: int = 0,
    ) -> dict:
        """Train with mini-batches; returns a history dict.

        The history has ``step_loss`` (every step), ``train_loss``/``train_acc`` (running
        mean per epoch), ``val_acc`` (per epoch, when ``x_val``/``y_val`` are given),
        ``epoch_seconds`` and ``seconds``. ``callback(history)`` runs after every epoch.
        ``optimizer`` is a name from :func:`course_lib.numpy_nn.optim.make_optimizer`.
        """
        epochs = check_positive_int(epochs, "epochs")
        batch_size = check_positive_int(batch_size, "batch_size")
        lr = check_positive_float(lr, "lr")
        optimizer = check_optimizer_name(optimizer)
        if callback is not None:
            check_callable(callback, "callback", "a function of the history, or None")
        progress = check_flag(progress, "progress")
        seed = check_seed(seed)
        x = self.prepare(x)
        y = as_labels(y, "y", len(x), num_classes=self.config.num_classes)
        if (x_val is None) != (y_val is None):
            raise ValueError("give both x_val and y_val, or neither")
        if x_val is not None:
            x_val = self.prepare(x_val)
            y_val = as_labels(y_val, "y_val", len(x_val), num_classes=self.config.num_classes)
        opt = make_optimizer(optimizer, self.params, lr)
        rng = np.random.default_rng(seed)
        history = {
            "step_loss": [],
            "train_loss": [],
            "train_acc": [],
            "val_acc": [],
            "epoch_seconds": [],
            "seconds": 0.0,
        }
        steps = -(-len(x) // batch_size)
        bar = _progress(epochs * steps, progress)
        start = time.perf_counter()
        try:
            for _ in range(epochs):
                use_sensible_threads()  # cores in use elsewhere are left alone (course_lib.threads)
                t0, total, correct = time.perf_counter(), 0.0, 0
                for idx in minibatches(len(x), batch_size, rng):
                    xb, yb = x[idx], y[idx]
                    logits, cache = self.forward(xb)
                    loss, dlogits = softmax_cross_entropy(logits, yb)
                    _, grads = self.backward(dlogits.astype(self.dtype, copy=False), cache)
                    opt.step(grads)
                    history["step_loss"].append(loss)
                    total += loss * len(idx)
                    correct += int(np.sum(logits.argmax(axis=1) == yb))
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(loss=f"{loss:.3f}", refresh=False)
                history["epoch_seconds"].append(time.perf_counter() - t0)
                history["train_loss"].append(total / len(x))
                history["train_acc"].append(correct / len(x))
                if x_val is not None:
                    history["val_acc"].append(self.accuracy(x_val, y_val))
                if callback is not None:
                    callback(history)
        finally:
            if bar is not None:
                bar.close()
        history["seconds"] = time.perf_counter() - start
        return history


def _progress(total: int, progress: bool):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="training", unit="step")
