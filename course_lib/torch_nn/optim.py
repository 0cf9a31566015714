"""PyTorch twins of :mod:`course_lib.numpy_nn.optim`: the same class names on ``torch.optim``.

``GradientDescent``, ``SGD``, ``Momentum`` and ``Adam`` ARE ``torch.optim`` optimisers (so
``zero_grad()`` / ``loss.backward()`` / ``step()`` work as usual); they also accept a dict of
named tensors like the NumPy ones, and ``step(grads)`` with a dict of gradients, so a
notebook can swap one half for the other. Introduced in ``03_learning``.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

import torch

from course_lib.device import as_device
from course_lib.torch_nn._checks import check_finite, check_seed, first_bad_index
from course_lib.validate import as_float_array, check_positive_float, check_positive_int


def _param_list(params) -> tuple[list, list | None]:
    """Parameters as a list (and their names when a dict was given)."""
    if isinstance(params, dict):
        if not params:
            raise ValueError("params must not be empty")
        names, values = list(params), list(params.values())
    elif isinstance(params, torch.Tensor) or isinstance(params, (str, bytes)):
        raise TypeError(
            "params must be model.parameters() or a dict name -> tensor, got "
            f"{type(params).__name__}"
        )
    else:
        try:
            names, values = None, list(params)
        except TypeError as err:
            raise TypeError(
                "params must be model.parameters() or a dict name -> tensor, got "
                f"{type(params).__name__}"
            ) from err
        if not values:
            raise ValueError("params must not be empty (did the model get any layers?)")
    for i, v in enumerate(values):
        if not isinstance(v, torch.Tensor) or not v.is_floating_point():
            raise TypeError(
                f"params must hold floating-point torch.Tensors (model.parameters() or a dict "
                f"name -> tensor), parameter {names[i] if names else i} is {type(v).__name__}"
            )
        check_finite(v.detach(), _param_name(names, i), "start from finite weights")
    return values, names


def _param_name(names: list | None, i: int) -> str:
    return f"params[{names[i]!r}]" if names else f"parameter {i}"


def _check_momentum(momentum) -> float:
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"momentum must be a number in [0, 1), got {momentum!r}")
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be a number in [0, 1), got {momentum}")
    return float(momentum)


def _as_grad(value, name: str, p: torch.Tensor) -> torch.Tensor:
    """``value`` as a tensor like the parameter ``p``. A NumPy gradient gets the NumPy half's
    checks; complex or boolean values are refused rather than silently cut to real numbers."""
    if not isinstance(value, torch.Tensor):
        value = as_float_array(value, name, finite=True)
    elif value.is_complex() or value.dtype == torch.bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {value.dtype}")
    else:
        check_finite(value.detach(), name, _DIVERGED)
    return torch.as_tensor(value, dtype=p.dtype, device=p.device)


_DIVERGED = (
    "the loss probably diverged: lower the learning rate (try a tenth) or check the loss "
    "for log(0) or a division by zero"
)


class _GradsStep:
    """Mixin: ``step(grads)`` with a dict of gradients, as in the NumPy half."""

    _names: list | None

    def step(self, grads=None):
        """One update. ``grads``: ``None`` (use ``.grad``, the usual PyTorch way), a dict
        name -> tensor (the NumPy interface; needs params given as a dict), or a closure."""
        if grads is None or callable(grads):
            loss = None
            if grads is not None:
                with torch.enable_grad():
                    loss = grads()  # the closure computes the loss and the gradients
            self._check_grads()
            super().step()
            return loss
        if not isinstance(grads, dict):
            raise TypeError(
                f"grads must be a dict name -> tensor or None, got {type(grads).__name__}"
            )
        if self._names is None:
            raise TypeError("step(grads) needs the optimiser to be built on a dict of named params")
        params = self.param_groups[0]["params"]
        missing = set(self._names) - set(grads)
        if missing:
            raise ValueError(
                f"grads must have a gradient for every parameter, missing {sorted(missing)}"
            )
        for name, p in zip(self._names, params, strict=True):
            g = _as_grad(grads[name], f"grads[{name!r}]", p)
            if g.shape != p.shape:
                raise ValueError(
                    f"grads[{name!r}] must have shape {tuple(p.shape)}, got {tuple(g.shape)}"
                )
            p.grad = g.clone()
        return super().step()

    def _check_grads(self) -> None:
        """Refuse NaN or infinite gradients before they reach the weights (one read-back per
        step, for all parameters together)."""
        pairs = [
            (i, p.grad)
            for group in self.param_groups
            for i, p in enumerate(group["params"])
            if p.grad is not None
        ]
        if not pairs:
            return
        device = pairs[0][1].device
        finite = torch.stack([torch.isfinite(g).all().to(device) for _, g in pairs])
        if bool(finite.all()):
            return
        i, g = pairs[int((~finite).nonzero()[0])]
        where = first_bad_index(g)
        lr = self.param_groups[0]["lr"]
        raise ValueError(
            f"the gradient of {_param_name(self._names, i)} contains {float(g[where])} at index "
            f"{where}; {_DIVERGED} (lr={lr:g}, try lr={lr / 10:g})"
        )


class SGD(_GradsStep, torch.optim.SGD):
    """``torch.optim.SGD(params, lr, momentum)``; ``w -= lr * v``, ``v = mu v + g``."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.0):
        values, self._names = _param_list(params)
        super().__init__(
            values, lr=check_positive_float(lr, "lr"), momentum=_check_momentum(momentum)
        )


class GradientDescent(SGD):
    """Plain gradient descent ``w -= lr * g`` (feed it full-batch gradients)."""

    def __init__(self, params, lr: float = 0.1):
        super().__init__(params, lr, momentum=0.0)


class Momentum(SGD):
    """SGD with momentum (0.9 by default)."""

    def __init__(self, params, lr: float = 0.01, momentum: float = 0.9):
        if _check_momentum(momentum) == 0:
            raise ValueError("momentum must be > 0 for Momentum, got 0; use SGD for none")
        super().__init__(params, lr, momentum=momentum)


class Adam(_GradsStep, torch.optim.Adam):
    """``torch.optim.Adam(params, lr, betas, eps)``, same defaults as the NumPy ``Adam``."""

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        values, self._names = _param_list(params)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas must be a pair (b1, b2) such as (0.9, 0.999), got {betas!r}")
        for i, beta in enumerate(betas):
            if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
                raise TypeError(f"betas[{i}] must be a number in [0, 1), got {beta!r}")
            if not 0 <= beta < 1:
                raise ValueError(f"betas[{i}] must be a number in [0, 1), got {beta}")
        super().__init__(
            values,
            lr=check_positive_float(lr, "lr"),
            betas=(float(betas[0]), float(betas[1])),
            eps=check_positive_float(eps, "eps"),
        )


class RandomSearch:
    """Random search over tensors: keep a random nudge only if ``loss_fn(params)`` drops.

    ``params`` is a dict name -> tensor (updated in place, under ``torch.no_grad``).
    """

    def __init__(self, params, loss_fn: Callable, step_size: float = 0.1, seed: int | None = 0):
        values, names = _param_list(params)
        if names is None:
            raise TypeError("params must be a dict name -> tensor for RandomSearch")
        if not callable(loss_fn):
            raise TypeError(
                f"loss_fn must be a function params -> loss, got {type(loss_fn).__name__}"
            )
        self.params = params
        self.loss_fn = loss_fn
        self.step_size = check_positive_float(step_size, "step_size")
        self.generator = torch.Generator()
        if seed is not None:
            self.generator.manual_seed(check_seed(seed))
        self.best_loss = self._loss()
        self.t = 0
        self.accepted = 0

    def _loss(self) -> float:
        with torch.no_grad():
            loss = self.loss_fn(self.params)
        try:
            value = float(loss)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(f"loss_fn must return a number, got {type(loss).__name__}") from err
        if value != value:
            raise ValueError(
                "loss_fn returned NaN; check the loss for log(0) or a division by zero, or use "
                f"a smaller step_size (step_size={self.step_size:g})"
            )
        return value

    def step(self, grads=None) -> bool:
        """Try one random nudge; return ``True`` if it was kept. ``grads`` is ignored."""
        self.t += 1
        nudges = {}
        with torch.no_grad():
            for name, p in self.params.items():
                noise = torch.randn(p.shape, generator=self.generator, dtype=torch.float64)
                nudges[name] = (self.step_size * noise).to(dtype=p.dtype, device=p.device)
                check_finite(
                    nudges[name],
                    f"the random nudge of params[{name!r}]",
                    f"step_size={self.step_size:g} is too large for {p.dtype}: use a smaller one",
                )
            for name, p in self.params.items():
                p += nudges[name]
        try:
            loss = self._loss()
        except (TypeError, ValueError):
            self._undo(nudges)  # leave the parameters as they were
            raise
        if loss < self.best_loss:
            self.best_loss = loss
            self.accepted += 1
            return True
        self._undo(nudges)
        return False

    def _undo(self, nudges: dict) -> None:
        with torch.no_grad():
            for name, p in self.params.items():
                p -= nudges[name]


OPTIMIZERS = {"gd": GradientDescent, "sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, params, lr: float, **kwargs):
    """Build an optimiser by name (``"gd"``, ``"sgd"``, ``"momentum"``, ``"adam"``)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    if name.lower() not in OPTIMIZERS:
        raise ValueError(f"name must be one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name.lower()](params, lr=lr, **kwargs)


def minibatches(n: int, batch_size: int, rng=None, device=None):
    """Shuffled index tensors of ``batch_size`` (last may be smaller), created on ``device``.

    ``rng`` is a ``torch.Generator`` or an integer seed (``None``: unseeded).
    """
    n = check_positive_int(n, "n")
    batch_size = check_positive_int(batch_size, "batch_size")
    if device is not None:
        device = as_device(device)
    if not isinstance(rng, torch.Generator):
        if rng is not None and (isinstance(rng, bool) or not isinstance(rng, numbers.Integral)):
            raise TypeError(f"rng must be a torch.Generator, a seed or None, got {rng!r}")
        gen = torch.Generator()
        if rng is None:
            gen.seed()
        else:
            gen.manual_seed(check_seed(rng, "rng"))
        rng = gen
    order = torch.randperm(n, generator=rng).to(device)
    return (order[start : start + batch_size] for start in range(0, n, batch_size))
