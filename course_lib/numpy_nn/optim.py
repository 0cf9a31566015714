"""Optimisers: how the weights move to lower the loss.

One small interface so a notebook can swap them::

    opt = Adam(params, lr=1e-3)     # params: dict name -> array, updated IN PLACE
    loss, grads = model.loss_and_grads(x, y)
    opt.step(grads)                 # grads: dict name -> array, same names and shapes

The update rules (``g`` the gradient, ``lr`` the learning rate, ``t`` the step number):

* gradient descent:   ``w -= lr * g``            (g from the whole data set)
* SGD:                ``w -= lr * g``            (g from a random mini-batch)
* momentum:           ``v = mu * v + g``; ``w -= lr * v``
* Adam:               ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g^2``;
                      ``w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)``
* random search:      try ``w + step_size * noise``; keep it if the loss went down.

These follow ``torch.optim`` exactly (same formulas, same defaults), so the PyTorch twins
in :mod:`course_lib.torch_nn.optim` take identical steps. Introduced in
``03_learning``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator

import numpy as np

from course_lib.validate import (
    as_float_array,
    check_callable,
    check_positive_float,
    check_positive_int,
    check_seed,
)


def _check_params(params) -> dict:
    if not isinstance(params, dict) or not params:
        raise TypeError(
            "params must be a non-empty dict of name -> NumPy array such as "
            f"{{'w': w, 'b': b}}, got {type(params).__name__}"
        )
    for name, value in params.items():
        if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
            raise TypeError(
                f"params[{name!r}] must be a float NumPy array (it is updated in place), got "
                f"{type(value).__name__} with dtype {getattr(value, 'dtype', None)}; "
                "use np.asarray(value, dtype=float)"
            )
        if value.size and not np.isfinite(value).all():
            raise ValueError(
                f"params[{name!r}] contains NaN or an infinity; start from finite weights "
                "(a run that diverged needs a fresh start and a lower learning rate)"
            )
    return params


def _check_unit_interval(value, name: str, *, allow_zero: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1), got {value!r}")
    low_ok = value >= 0 if allow_zero else value > 0
    if not (low_ok and value < 1):
        raise ValueError(f"{name} must be a number in [0, 1), got {value}")
    return float(value)


class Optimizer:
    """Base class: holds ``params`` (updated in place) and checks ``grads`` in ``step``."""

    def __init__(self, params: dict, lr: float):
        self.params = _check_params(params)
        self.lr = check_positive_float(lr, "lr")
        self.t = 0  # number of steps taken

    def _checked_grads(self, grads) -> dict:
        if not isinstance(grads, dict):
            raise TypeError(
                f"grads must be a dict name -> array like params, got {type(grads).__name__}"
            )
        missing = set(self.params) - set(grads)
        if missing:
            raise ValueError(
                f"grads must have a gradient for every parameter {sorted(self.params)}, "
                f"missing {sorted(missing)}"
            )
        checked = {}
        for name, p in self.params.items():
            g = as_float_array(
                grads[name],
                f"grads[{name!r}]",
                finite=True,
                advice=(
                    "a step would turn the weights into garbage; lower the learning rate "
                    "or check the loss (is it NaN or huge?) before taking the step"
                ),
            )
            if g.shape != p.shape:
                raise ValueError(
                    f"grads[{name!r}] must have the shape of params[{name!r}], {p.shape}, "
                    f"got {g.shape}"
                )
            checked[name] = g
        return checked

    def step(self, grads: dict) -> None:
        """Update every parameter in place from its gradient."""
        self._apply(self._checked_grads(grads))

    def _apply(self, grads: dict) -> None:
        """The update itself, for gradients already known to be good (``MLP.fit`` uses it)."""
        self.t += 1
        for name, p in self.params.items():
            self._update(name, p, grads[name])

    def _update(self, name: str, p: np.ndarray, g: np.ndarray) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """(Stochastic) gradient descent, optionally with momentum, as ``torch.optim.SGD``.

    ``momentum = 0``: ``w -= lr * g``. ``momentum = mu > 0``: a velocity ``v`` remembers past
    gradients, ``v = mu * v + g`` (``v = g`` on the first step), and ``w -= lr * v``.
    "Stochastic" refers to the data: feed it gradients of random mini-batches
    (see :func:`minibatches`). Introduced in ``03_learning``.
    """

    def __init__(self, params: dict, lr: float = 0.01, momentum: float = 0.0):
        super().__init__(params, lr)
        self.momentum = _check_unit_interval(momentum, "momentum")
        self.velocity: dict[str, np.ndarray] = {}

    def _update(self, name, p, g):
        if self.momentum == 0:
            p -= self.lr * g
            return
        v = self.velocity.get(name)
        if v is None:
            v = self.velocity[name] = np.array(g, dtype=p.dtype)  # v = g on step 1
        else:
            v *= self.momentum
            v += g
        p -= self.lr * v


class GradientDescent(SGD):
    """Plain (full-batch) gradient descent: ``w -= lr * g`` with g from all the data.

    The update is SGD's without momentum; the difference is what you feed it (the gradient
    over the whole training set). Introduced in ``03_learning``.
    """

    def __init__(self, params: dict, lr: float = 0.1):
        super().__init__(params, lr, momentum=0.0)


class Momentum(SGD):
    """SGD with momentum ``mu`` (0.9 by default): ``v = mu v + g``; ``w -= lr v``.

    A heavy ball rolling downhill: it speeds up along consistent directions and damps
    zig-zags. Introduced in ``03_learning``.
    """

    def __init__(self, params: dict, lr: float = 0.01, momentum: float = 0.9):
        super().__init__(params, lr, momentum=_check_unit_interval(momentum, "momentum"))
        if self.momentum == 0:
            raise ValueError("momentum must be > 0 for Momentum, got 0; use SGD for none")


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), exactly as ``torch.optim.Adam``.

    Keeps running averages of the gradient ``m`` and of its square ``v``, corrects their
    start-up bias, and scales each weight's step by ``1 / sqrt(v)``:

    ``m = b1 m + (1 - b1) g``; ``v = b2 v + (1 - b2) g^2``;
    ``w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)``.

    Introduced in ``03_learning``; the default for the MLP in ``05``.
    """

    def __init__(
        self,
        params: dict,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (b1, b2) such as (0.9, 0.999), got {betas!r}")
        self.b1 = _check_unit_interval(betas[0], "betas[0]")
        self.b2 = _check_unit_interval(betas[1], "betas[1]")
        self.eps = check_positive_float(eps, "eps")
        self.m = {k: np.zeros_like(p) for k, p in params.items()}
        self.v = {k: np.zeros_like(p) for k, p in params.items()}
        self._buf = {k: np.empty_like(p) for k, p in params.items()}  # scratch space

    def _update(self, name, p, g):
        # The maths of the docstring, rearranged so that every pass writes into an existing
        # array (no temporaries): lr / bias1 * m / (sqrt(v) / sqrt(bias2) + eps)
        #                     = step * m / (sqrt(v) + eps * sqrt(bias2)),
        # with step = lr * sqrt(bias2) / bias1.
        m, v, buf = self.m[name], self.v[name], self._buf[name]
        np.subtract(g, m, out=buf)
        buf *= 1 - self.b1
        m += buf  # m = b1 m + (1 - b1) g: running mean of g
        np.multiply(g, g, out=buf)
        buf -= v
        buf *= 1 - self.b2
        v += buf  # v = b2 v + (1 - b2) g^2: running mean of g^2
        bias1 = 1 - self.b1**self.t
        root_bias2 = np.sqrt(1 - self.b2**self.t)
        np.sqrt(v, out=buf)
        buf += self.eps * root_bias2
        np.divide(m, buf, out=buf)
        buf *= self.lr * root_bias2 / bias1
        p -= buf


class RandomSearch:
    """Random search over weights: try a random nudge, keep it only if the loss drops.

    ``loss_fn(params) -> float`` evaluates the current ``params`` (the dict passed in, which
    is updated in place). Each ``step()`` adds ``step_size * N(0, 1)`` noise to every weight,
    evaluates the loss, and undoes the nudge if it did not help. No gradients needed, and
    hopeless beyond a handful of weights: the point of ``03_learning``.

    ``step(grads=None)`` accepts and ignores ``grads`` so it can stand in for the others.
    ``best_loss`` holds the lowest loss seen so far.
    """

    def __init__(
        self,
        params: dict,
        loss_fn: Callable[[dict], float],
        step_size: float = 0.1,
        seed: int | None = 0,
    ):
        self.params = _check_params(params)
        check_callable(loss_fn, "loss_fn", "a function params -> loss")
        self.loss_fn = loss_fn
        self.step_size = check_positive_float(step_size, "step_size")
        self.rng = np.random.default_rng(None if seed is None else check_seed(seed))
        self.best_loss = self._loss()
        self.t = 0
        self.accepted = 0  # how many nudges were kept

    def _loss(self) -> float:
        loss = self.loss_fn(self.params)
        if np.iscomplexobj(loss):
            raise TypeError(f"loss_fn must return a real number, got {loss!r}")
        try:
            loss = float(loss)
        except (TypeError, ValueError) as err:
            raise TypeError(f"loss_fn must return a number, got {type(loss).__name__}") from err
        if np.isnan(loss):
            weights = {
                name: p.tolist() if p.size <= 6 else f"shape {p.shape}"
                for name, p in self.params.items()
            }
            raise ValueError(
                f"loss_fn returned NaN at the weights {weights}; a loss must be a number "
                "(check loss_fn for log(0), 0/0 or NaN in the data)"
            )
        return loss

    def step(self, grads: dict | None = None) -> bool:
        """Try one random nudge; return ``True`` if it was kept."""
        self.t += 1
        nudges = {}
        for name, p in self.params.items():
            nudges[name] = (self.step_size * self.rng.standard_normal(p.shape)).astype(p.dtype)
            p += nudges[name]
        loss = self._loss()
        if loss < self.best_loss:
            self.best_loss = loss
            self.accepted += 1
            return True
        for name, p in self.params.items():
            p -= nudges[name]  # undo
        return False


OPTIMIZERS = {
    "gd": GradientDescent,
    "sgd": SGD,
    "momentum": Momentum,
    "adam": Adam,
}


def check_optimizer_name(optimizer, name: str = "optimizer") -> str:
    """Return ``optimizer`` if it names one of :data:`OPTIMIZERS` (any capitalisation)."""
    if not isinstance(optimizer, str):
        raise TypeError(f"{name} must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
    if optimizer.lower() not in OPTIMIZERS:
        raise ValueError(f"{name} must be one of {sorted(OPTIMIZERS)}, got {optimizer!r}")
    return optimizer


def make_optimizer(name: str, params: dict, lr: float, **kwargs) -> Optimizer:
    """Build an optimiser by name: ``"gd"``, ``"sgd"``, ``"momentum"`` or ``"adam"``.

    ``kwargs`` go to the class (``momentum=``, ``betas=``, ``eps=``). The PyTorch twin
    :func:`course_lib.torch_nn.optim.make_optimizer` takes the same arguments.
    """
    key = check_optimizer_name(name, "name").lower()
    return OPTIMIZERS[key](params, lr=lr, **kwargs)


def minibatches(n: int, batch_size: int, rng=None) -> Iterator[np.ndarray]:
    """Shuffle ``0 .. n-1`` and yield index arrays of ``batch_size`` (the last may be smaller).

    ``rng`` is a ``np.random.Generator`` or an integer seed (``None``: a fresh, unrepeatable
    shuffle). Use as ``for idx in minibatches(len(x), 64, rng): xb, yb = x[idx], y[idx]``.
    The arguments are checked at the call, not at the first batch. Introduced in
    ``03_learning``.
    """
    n = check_positive_int(n, "n")
    batch_size = check_positive_int(batch_size, "batch_size")
    if not isinstance(rng, np.random.Generator):
        if rng is not None and (isinstance(rng, bool) or not isinstance(rng, numbers.Integral)):
            raise TypeError(f"rng must be a np.random.Generator, a seed or None, got {rng!r}")
        rng = np.random.default_rng(None if rng is None else check_seed(rng, "rng"))
    order = rng.permutation(n)
    return (order[start : start + batch_size] for start in range(0, n, batch_size))
