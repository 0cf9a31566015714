"""The course's PyTorch training loop: ``fit``, ``evaluate``, ``predict`` and a live loss plot.

One loop serves every notebook, from the MLP on MNIST (``06``) to the CNNs (``08``) and the
"How fast can it go?" record (:mod:`course_lib.torch_nn.fast`). Three habits make it fast
without making it hard to read:

1. **Convert once, move once.** The images are turned into ``float32`` (``uint8`` pixels are
   divided by 255) and copied to the device a single time, before the first step.
2. **Batches never leave the device.** Each epoch draws a random permutation *on the device*
   and every batch is a slice of it: ``x[perm[i : i + B]]``. No batch is built on the host and
   copied over, which is what a classic ``DataLoader`` does 938 times per MNIST epoch.
3. **Synchronise rarely.** Reading a number back from a GPU (``loss.item()``) makes the host
   wait for the GPU. The per-step losses are written into a tensor on the device and read back
   once per epoch (or when a callback wants to draw them).

Optional speed-ups for the course's record (each explained in :func:`fit` and in ``10``): a
one-cycle learning-rate schedule, channels-last memory layout, bf16 autocast, ``torch.compile``
(with CUDA graphs on a GPU) and fused optimisers.

Shape letters: N examples, B batch size, K classes, C channels, H/W image height and width.
"""

from __future__ import annotations

import contextlib
import io
import math
import numbers
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from course_lib.threads import use_sensible_threads
from course_lib.torch_nn._checks import check_bool, check_seed
from course_lib.validate import as_labels, check_positive_float, check_positive_int

__all__ = [
    "History",
    "LiveLossPlot",
    "OPTIMIZERS",
    "as_device_tensors",
    "evaluate",
    "fit",
    "predict",
    "predict_proba",
]

#: Optimiser names ``fit`` understands, mapped to their ``torch.optim`` class names.
OPTIMIZERS = {
    "adam": "Adam",
    "adamw": "AdamW",
    "sgd": "SGD",
    "momentum": "SGD",  # SGD with momentum 0.9
    "adadelta": "Adadelta",
}

_SCHEDULES = (None, "onecycle")
_AUTOCAST = (None, "bf16")
_COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")


@dataclass
class History:
    """What happened during :func:`fit`, one entry per step or per epoch.

    ``step_loss`` has one training loss per optimisation step (length ``epochs * steps``);
    the ``train_*`` lists have one value per epoch (the running mean over that epoch's
    batches, so the model was still changing while they were measured); ``val_*`` lists are
    empty when no validation data was given. ``epoch_seconds`` is the training time of each
    epoch (validation excluded), ``seconds`` the wall time of the whole call.
    """

    device: str = ""  # e.g. "cpu (2 threads)" or "cuda (NVIDIA H100 80GB HBM3)"
    steps_per_epoch: int = 0  # optimisation steps in one epoch
    step_loss: list[float] = field(default_factory=list)  # training loss of every step
    lr: list[float] = field(default_factory=list)  # learning rate used at every step
    train_loss: list[float] = field(default_factory=list)  # per epoch, running mean
    train_acc: list[float] = field(default_factory=list)  # per epoch, running mean
    val_loss: list[float] = field(default_factory=list)  # per epoch, after the epoch
    val_acc: list[float] = field(default_factory=list)  # per epoch, after the epoch
    epoch_seconds: list[float] = field(default_factory=list)  # training time per epoch
    seconds: float = 0.0  # wall time of the whole fit call

    @property
    def epochs(self) -> int:
        """Number of finished epochs."""
        return len(self.train_loss)

    @property
    def train_seconds(self) -> float:
        """Total training time, validation excluded."""
        return float(sum(self.epoch_seconds))

    def as_dict(self) -> dict:
        """A plain dict (for JSON or a table)."""
        return {
            "device": self.device,
            "steps_per_epoch": self.steps_per_epoch,
            "step_loss": list(self.step_loss),
            "lr": list(self.lr),
            "train_loss": list(self.train_loss),
            "train_acc": list(self.train_acc),
            "val_loss": list(self.val_loss),
            "val_acc": list(self.val_acc),
            "epoch_seconds": list(self.epoch_seconds),
            "seconds": self.seconds,
        }


# ----------------------------------------------------------------------------- input checks


def _is_tensor(x) -> bool:
    import torch

    return isinstance(x, torch.Tensor)


def _check_images(x, name: str):
    """Return ``x`` as a NumPy array or tensor of real numbers with at least one example.

    NaN and infinities are looked for after the conversion to ``float32`` (see
    :func:`_to_device`), which also catches numbers too large for ``float32``.
    """
    if x is None or isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a NumPy array or torch.Tensor, got {type(x).__name__}")
    if not _is_tensor(x):
        try:
            x = np.asarray(x)
        except ValueError as err:  # a ragged nested list
            raise ValueError(f"{name} must be a rectangular array of numbers: {err}") from None
        if x.dtype == bool or x.dtype.kind not in "iuf":
            raise TypeError(
                f"{name} must hold numbers (uint8 pixels or floats), got dtype {x.dtype}"
            )
    elif x.dtype.is_complex or x.dtype == _torch().bool:
        raise TypeError(f"{name} must hold real numbers, got dtype {x.dtype}")
    if x.ndim < 2:
        raise ValueError(
            f"{name} must have shape (N, ...) with one row per example, e.g. (N, 28, 28) "
            f"images or (N, D) features; got shape {tuple(x.shape)}"
        )
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(x.shape)}); give at least one example")
    return x


def _check_labels(y, name: str, n: int, num_classes: int | None = None):
    """Return ``y`` as an int64 NumPy array of length ``n`` with labels in ``0..K-1``."""
    if y is None or isinstance(y, (str, bytes)):
        raise TypeError(f"{name} must be an array of integer class labels, got {type(y).__name__}")
    if _is_tensor(y):
        y = y.detach().cpu().numpy()
    try:
        y = np.asarray(y)
    except ValueError as err:  # a ragged nested list
        raise ValueError(f"{name} must be a 1-D array of integer class labels: {err}") from None
    if y.dtype.kind == "f" and y.size and np.isfinite(y).all() and np.abs(y).max() >= 2**62:
        raise ValueError(f"{name} must hold class labels 0..K-1, got {np.abs(y).max():g}")
    arr = as_labels(y, name, n)
    if arr.size and arr.min() < 0:
        raise ValueError(f"{name} must hold labels 0..K-1, got a negative label {arr.min()}")
    if num_classes is not None and arr.size and arr.max() >= num_classes:
        raise ValueError(
            f"{name} holds the label {arr.max()}, but the model has K={num_classes} outputs, "
            f"so labels must lie in 0..{num_classes - 1}; give the model's last layer as many "
            "outputs as there are classes"
        )
    return arr


def _torch():
    import torch

    return torch


def _resolve_device(device):
    """``device`` as a ``torch.device``; a ``torch.device`` is taken as given (a recipe may
    be planned for a GPU this machine lacks), anything else is checked by :func:`_device`."""
    import torch

    return device if isinstance(device, torch.device) else _device(device)


def _device(device):
    """``device`` checked (named ``device`` in errors, available here) as a ``torch.device``."""
    from course_lib.device import as_device

    return as_device(device)


def as_device_tensors(x, y=None, *, device=None, channels_last: bool = False):
    """Convert images/features (and labels) once and put them on ``device``, ready to slice.

    ``x``: NumPy array or tensor ``(N, ...)``; ``uint8`` pixels become ``float32`` in
    ``[0, 1]`` (division by 255), other numbers become ``float32`` unchanged. The copy to the
    device happens while the data are still ``uint8`` (4x fewer bytes), the conversion runs
    on the device. ``y``: ``(N,)`` integer labels -> ``int64`` tensor. With
    ``channels_last=True`` a 4-D ``x`` ``(N, C, H, W)`` is stored channels-last (see
    :func:`fit`). Returns ``x`` or ``(x, y)``. Used by :func:`fit` and :func:`evaluate`.
    """
    device = _device(device)
    channels_last = check_bool(channels_last, "channels_last")
    return _to_device(x, y, device, channels_last)


def _to_device(x, y, device, channels_last: bool, names=("x", "y"), num_classes=None):
    """:func:`as_device_tensors` for already checked options; errors use ``names``."""
    import torch

    x_name, y_name = names
    x = _check_images(x, x_name)
    labels = None if y is None else _check_labels(y, y_name, x.shape[0], num_classes)
    xt = x if _is_tensor(x) else torch.from_numpy(np.ascontiguousarray(x))
    xt = xt.to(device)
    if xt.dtype == torch.uint8:
        xt = xt.float().div_(255.0)
    elif xt.dtype != torch.float32:
        xt = xt.float()
    _check_finite_data(xt, x, x_name)
    if channels_last and xt.ndim == 4:
        xt = xt.contiguous(memory_format=torch.channels_last)
    if labels is None:
        return xt
    return xt, torch.from_numpy(labels).to(device)


def _check_finite_data(xt, original, name: str) -> None:
    """One check of the whole converted data set (one read-back from the device): NaN,
    infinities, and numbers too large for ``float32``, named with their first position."""
    import torch

    if bool(torch.isfinite(xt).all()):
        return
    where = tuple(int(i) for i in torch.nonzero(~torch.isfinite(xt))[0])
    value = float(original[where])
    if value != value:
        what = "NaN"
    elif math.isinf(value):
        what = f"{value}"
    else:
        what = f"{value:g}, too large for float32 (at most 3.4e38)"
    raise ValueError(
        f"{name} contains {what} at index {where}; every pixel or feature must be a finite "
        "number: clean the data (for example np.nan_to_num, or drop those examples) before "
        "training"
    )


def _check_logits(logits, rows: int, labels, names=("x", "y")) -> None:
    """The model's output for the first batch: logits ``(B, K)``, and every label < K.

    Called once, on the first batch, before any update: the shapes are known without
    waiting for the device, and ``labels`` (the checked NumPy labels) are on the host.
    """
    import torch

    x_name, y_name = names
    if not isinstance(logits, torch.Tensor) or logits.ndim != 2 or logits.shape[0] != rows:
        got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
        raise ValueError(
            f"model must map a batch of {x_name} (B, ...) to logits (B, K), one row of K class "
            f"scores per example; for a batch of {rows} it returned {got}"
        )
    k = logits.shape[1]
    if labels is not None and labels.size and labels.max() >= k:
        raise ValueError(
            f"{y_name} holds the label {labels.max()}, but the model has K={k} outputs, so "
            f"labels must lie in 0..{k - 1}; give the model's last layer as many outputs as "
            "there are classes"
        )


@contextlib.contextmanager
def _inputs_checked(model):
    """While ``fit`` runs: the data were checked once, so the course models skip their
    per-call NaN/inf check (``check_inputs``), which would wait for the GPU at every step."""
    switched = [m for m in model.modules() if getattr(m, "check_inputs", None) is True]
    for m in switched:
        m.check_inputs = False
    try:
        yield
    finally:
        for m in switched:
            m.check_inputs = True


def _check_options(epochs, batch_size, lr, optimizer, schedule, autocast, compile, log_every):
    check_positive_int(epochs, "epochs")
    check_positive_int(batch_size, "batch_size")
    check_positive_float(lr, "lr")
    check_positive_int(log_every, "log_every")
    if isinstance(optimizer, str):
        if optimizer.lower() not in OPTIMIZERS:
            raise ValueError(
                f"optimizer must be one of {sorted(OPTIMIZERS)} or a callable "
                f"params -> torch.optim.Optimizer; got {optimizer!r}"
            )
    elif not callable(optimizer):
        raise TypeError(
            "optimizer must be a name such as 'adam' or a callable params -> Optimizer, "
            f"got {type(optimizer).__name__}"
        )
    if schedule not in _SCHEDULES:
        raise ValueError(f"schedule must be one of {_SCHEDULES}, got {schedule!r}")
    if autocast not in _AUTOCAST:
        raise ValueError(f"autocast must be one of {_AUTOCAST}, got {autocast!r}")
    if not (isinstance(compile, bool) or compile in _COMPILE_MODES):
        raise TypeError(
            f"compile must be False, True or a torch.compile mode, one of {_COMPILE_MODES}; "
            f"got {compile!r}"
        )


def _make_optimizer(optimizer, params, lr: float, fused: bool, weight_decay: float):
    import torch

    if callable(optimizer) and not isinstance(optimizer, str):
        return optimizer(params)
    name = optimizer.lower()
    cls = getattr(torch.optim, OPTIMIZERS[name])
    kwargs: dict = {"lr": lr}
    if weight_decay:
        kwargs["weight_decay"] = weight_decay
    if name == "momentum":
        kwargs["momentum"] = 0.9
    if fused:
        if name == "adadelta":
            raise ValueError("fused=True works with 'adam', 'adamw' and 'sgd', not 'adadelta'")
        kwargs["fused"] = True
    return cls(params, **kwargs)


def _loss_function(loss):
    import torch.nn.functional as F

    if loss == "cross_entropy":
        return F.cross_entropy
    if callable(loss) and not isinstance(loss, str):
        return loss
    raise ValueError(
        f"loss must be 'cross_entropy' or a callable (logits, labels) -> loss, got {loss!r}"
    )


def _check_model(model):
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(
            f"model must be a torch.nn.Module (for example course_lib.torch_nn.CNN()), "
            f"got {type(model).__name__}"
        )
    if not any(p.requires_grad for p in model.parameters()):
        raise ValueError("model has no trainable parameters; there is nothing to fit")


def _sync(device) -> None:
    """Wait for the device to finish its queued work (needed for honest GPU timings)."""
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


# ---------------------------------------------------------------------------------- fit


def fit(
    model,
    x_train,
    y_train,
    *,
    epochs: int,
    batch_size: int,
    lr: float,
    optimizer="adam",
    device=None,
    x_val=None,
    y_val=None,
    loss="cross_entropy",
    callback: Callable | None = None,
    progress: bool = True,
    seed: int = 0,
    weight_decay: float = 0.0,
    schedule: str | None = None,
    drop_last: bool = False,
    channels_last: bool = False,
    autocast: str | None = None,
    compile: bool | str = False,
    fused: bool = False,
    log_every: int = 50,
) -> History:
    """Train ``model`` on ``(x_train, y_train)`` with mini-batches; return a :class:`History`.

    Shapes: ``x_train`` ``(N, ...)`` (``(N, 28, 28)`` or ``(N, 1, 28, 28)`` ``uint8`` images,
    or ``(N, D)`` floats), ``y_train`` ``(N,)`` labels in ``0..K-1``; the model maps a batch
    ``(B, ...)`` to logits ``(B, K)``. ``uint8`` pixels are scaled to ``[0, 1]``. The model is
    moved to ``device`` (``None``: CUDA, then MPS, then CPU) and trained in place.

    Each epoch draws a fresh permutation of ``0..N-1`` *on the device* and takes the batches
    ``perm[0:B], perm[B:2B], ...``; the data never go back to the host. ``seed`` fixes the
    permutations and PyTorch's global generator (dropout), so a run is reproducible.

    ``callback(history)`` runs every ``log_every`` steps and after every epoch (for example
    :class:`LiveLossPlot`); ``progress`` shows a ``tqdm.auto`` bar.

    Speed-ups (used by :mod:`course_lib.torch_nn.fast`, taught in ``10``):

    * ``schedule="onecycle"``: the learning rate climbs from ``lr / 25`` to ``lr`` over the
      first 30% of the steps, then anneals towards zero. A large peak rate is safe because it
      is reached only after a warm-up, which lets large batches train in one epoch.
    * ``channels_last=True``: store 4-D images as ``(N, H, W, C)`` in memory (the shape stays
      ``(N, C, H, W)``); convolution kernels on modern GPUs (tensor cores) prefer it.
    * ``autocast="bf16"``: run matrix products and convolutions in bfloat16, which tensor
      cores process several times faster than float32; weights and the loss stay float32.
      Meant for CUDA (CPUs support it too, usually without a speed-up).
    * ``compile=True`` (or a mode string): ``torch.compile`` fuses the model's small
      operations into few kernels. ``compile="reduce-overhead"`` also records the step into
      a CUDA graph, so one launch replays the whole forward pass (GPU only). The first steps
      pay the compilation; :func:`course_lib.torch_nn.fast.warm_up` does that up front.
    * ``fused=True``: the optimiser updates all parameters in one fused kernel instead of a
      handful of kernels per parameter tensor (``adam``, ``adamw``, ``sgd``).
    * ``drop_last=True``: skip the last, smaller batch so every step has the same shape
      (compiled code and CUDA graphs then never see a new shape).

    Introduced in ``06_mnist_with_a_feed_forward_net``; used in ``07``, ``08`` and ``10``.
    """
    import torch

    _check_model(model)
    _check_options(epochs, batch_size, lr, optimizer, schedule, autocast, compile, log_every)
    check_seed(seed)
    for name, value in (
        ("progress", progress),
        ("drop_last", drop_last),
        ("channels_last", channels_last),
        ("fused", fused),
    ):
        check_bool(value, name)
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, numbers.Real):
        raise TypeError(f"weight_decay must be a number >= 0 such as 1e-4, got {weight_decay!r}")
    if not (math.isfinite(weight_decay) and weight_decay >= 0):
        raise ValueError(f"weight_decay must be a finite number >= 0, got {weight_decay}")
    if (x_val is None) != (y_val is None):
        raise ValueError(
            "give both x_val and y_val for validation, or neither; "
            f"got x_val={'set' if x_val is not None else None}, "
            f"y_val={'set' if y_val is not None else None}"
        )
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable(history), got {type(callback).__name__}")
    loss_fn = _loss_function(loss)
    device = _device(device)

    started = time.perf_counter()
    # 1. Convert once, move once; check the data once (values, labels against K) up front.
    model.to(device)
    x = _to_device(x_train, None, device, channels_last, ("x_train", "y_train"))
    n = x.shape[0]
    labels = _check_labels(y_train, "y_train", n)  # against K at the first step
    y = torch.from_numpy(labels).to(device)
    if drop_last and n < batch_size:
        raise ValueError(
            f"drop_last=True with batch_size={batch_size} but only {n} examples: no batch "
            "would remain; lower batch_size or set drop_last=False"
        )
    val = None
    if x_val is not None:
        val_labels = _check_labels(y_val, "y_val", _check_images(x_val, "x_val").shape[0])
        val = _to_device(x_val, val_labels, device, channels_last, ("x_val", "y_val"))

    torch.manual_seed(seed)
    generator = torch.Generator(device=device)
    generator.manual_seed(seed)

    model.to(device)
    if channels_last:
        model.to(memory_format=torch.channels_last)
    opt = _make_optimizer(optimizer, model.parameters(), lr, fused, weight_decay)
    steps_per_epoch = n // batch_size if drop_last else math.ceil(n / batch_size)
    total_steps = epochs * steps_per_epoch
    scheduler = None
    if schedule == "onecycle":
        scheduler = torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=lr, total_steps=total_steps, pct_start=0.3
        )
    step_model = model
    if compile:
        mode = compile if isinstance(compile, str) else None
        step_model = torch.compile(model, mode=mode, dynamic=False)
    autocast_ctx = (
        (lambda: torch.autocast(device.type, dtype=torch.bfloat16))
        if autocast == "bf16"
        else contextlib.nullcontext
    )

    history = History(device=_describe(device), steps_per_epoch=steps_per_epoch)
    bar = _progress_bar(total_steps, progress)
    with _inputs_checked(model):  # checked once above, not at every step
        try:
            for epoch in range(epochs):
                if device.type == "cpu":
                    use_sensible_threads()  # leaves cores in use elsewhere (course_lib.threads)
                _sync(device)
                t0 = time.perf_counter()
                model.train()
                perm = torch.randperm(n, device=device, generator=generator)  # on the device
                losses = torch.zeros(steps_per_epoch, device=device)  # read back once per epoch
                correct = torch.zeros((), device=device, dtype=torch.int64)
                seen = 0
                flushed = 0
                for step in range(steps_per_epoch):
                    idx = perm[step * batch_size : (step + 1) * batch_size]
                    xb, yb = x[idx], y[idx]  # a gather on the device: no host copy
                    with autocast_ctx():
                        logits = step_model(xb)
                        if epoch == 0 and step == 0:  # shapes only: no wait for the device
                            _check_logits(logits, yb.shape[0], labels, ("x_train", "y_train"))
                            if val is not None:
                                _check_logits(logits, yb.shape[0], val_labels, ("x_val", "y_val"))
                        batch_loss = loss_fn(logits.float(), yb)
                    opt.zero_grad(set_to_none=True)
                    batch_loss.backward()
                    opt.step()
                    history.lr.append(opt.param_groups[0]["lr"])
                    if scheduler is not None:
                        scheduler.step()
                    losses[step] = batch_loss.detach()
                    correct += (logits.detach().argmax(dim=1) == yb).sum()
                    seen += yb.shape[0]
                    if bar is not None:
                        bar.update(1)
                    if callback is not None and (step + 1) % log_every == 0:
                        history.step_loss.extend(losses[flushed : step + 1].tolist())
                        flushed = step + 1
                        callback(history)
                _sync(device)
                history.epoch_seconds.append(time.perf_counter() - t0)
                history.step_loss.extend(losses[flushed:].tolist())
                history.train_loss.append(float(losses.mean()))
                history.train_acc.append(int(correct) / max(seen, 1))
                if val is not None:
                    metrics = _evaluate_tensors(model, *val, batch_size=1024, loss_fn=loss_fn)
                    history.val_loss.append(metrics["loss"])
                    history.val_acc.append(metrics["accuracy"])
                if bar is not None:
                    bar.set_postfix(_postfix(history, epoch + 1, epochs), refresh=True)
                if not math.isfinite(history.train_loss[-1]):
                    raise FloatingPointError(
                        f"the training loss became {history.train_loss[-1]} in epoch {epoch + 1}; "
                        f"the learning rate lr={lr} is probably too large, try lr={lr / 10:g}"
                    )
                if callback is not None:
                    callback(history)
        finally:
            if bar is not None:
                bar.close()
            model.eval()
    history.seconds = time.perf_counter() - started
    return history


def _describe(device) -> str:
    from course_lib.device import describe_device

    return describe_device(device)


def _postfix(history: History, epoch: int, epochs: int) -> dict:
    out = {"epoch": f"{epoch}/{epochs}", "loss": f"{history.train_loss[-1]:.3f}"}
    if history.val_acc:
        out["val_acc"] = f"{history.val_acc[-1]:.2%}"
    return out


def _progress_bar(total: int, progress: bool):
    if not progress:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="training", unit="step", leave=True)


# ------------------------------------------------------------------------------ evaluate


def _evaluate_tensors(model, x, y, *, batch_size: int, loss_fn, labels=None) -> dict:
    import torch

    model.eval()
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.int64)
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            logits = model(x[start : start + batch_size])
            yb = y[start : start + batch_size]
            if start == 0 and labels is not None:
                _check_logits(logits, yb.shape[0], labels)
            logits = logits.float()
            total_loss += loss_fn(logits, yb) * yb.shape[0]  # loss is a batch mean
            correct += (logits.argmax(dim=1) == yb).sum()
    n = x.shape[0]
    return {"loss": float(total_loss) / n, "accuracy": int(correct) / n}


def _model_device(model):
    import torch

    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def evaluate(model, x, y, *, batch_size: int = 1024, device=None, loss="cross_entropy") -> dict:
    """Mean loss and accuracy of ``model`` on ``(x, y)``: ``{"loss": float, "accuracy": float}``.

    ``x`` ``(N, ...)`` as for :func:`fit`, ``y`` ``(N,)``. ``device=None`` uses the device the
    model's parameters are on. Runs in evaluation mode without gradients.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    import torch

    _check_model(model)
    check_positive_int(batch_size, "batch_size")
    device = _model_device(model) if device is None else _device(device)
    loss_fn = _loss_function(loss)
    model.to(device)
    xt = _to_device(x, None, device, False)
    labels = _check_labels(y, "y", xt.shape[0])  # against K at the first batch
    yt = torch.from_numpy(labels).to(device)
    return _evaluate_tensors(model, xt, yt, batch_size=batch_size, loss_fn=loss_fn, labels=labels)


def predict_proba(model, x, *, batch_size: int = 1024, device=None) -> np.ndarray:
    """Class probabilities ``(N, K)`` (softmax of the logits) as a NumPy array.

    ``x`` ``(N, ...)`` as for :func:`fit`; ``device=None`` uses the model's device.
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    import torch

    _check_model(model)
    check_positive_int(batch_size, "batch_size")
    device = _model_device(model) if device is None else _device(device)
    model.to(device)
    xt = _to_device(x, None, device, False)
    model.eval()
    chunks = []
    with torch.no_grad():
        for start in range(0, xt.shape[0], batch_size):
            logits = model(xt[start : start + batch_size])
            if start == 0:
                _check_logits(logits, min(batch_size, xt.shape[0]), None)
            logits = logits.float()
            chunks.append(torch.softmax(logits, dim=1))
    return torch.cat(chunks).cpu().numpy()


def predict(model, x, *, batch_size: int = 1024, device=None) -> np.ndarray:
    """Predicted class labels ``(N,)`` (the most probable class) as a NumPy int64 array.

    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """
    return predict_proba(model, x, batch_size=batch_size, device=device).argmax(axis=1)


# ------------------------------------------------------------------------ live loss plot


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency of the course
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


class LiveLossPlot:
    """A ``fit`` callback that draws the loss curve in a notebook, updating one figure in place.

    The figure shows the per-step training loss (light), its moving average, and the
    per-epoch validation loss when there is one. It is drawn into one output area that is
    replaced on every update (an IPython display handle), so a long run leaves one figure,
    not one per epoch. Outside a notebook (scripts, tests) it does nothing unless
    ``enabled=True``, and it redraws at most every ``min_interval`` seconds (the last epoch
    is always drawn). ``smooth`` is the moving-average window in steps.

    Drawing is not free: rendering the figure takes about 0.2 s on a slow laptop core, time
    the training loop waits for. So the pause between two redraws is also at least
    ``(1 - max_share) / max_share`` times the last redraw's cost, which keeps drawing below
    ``max_share`` of the run (10% by default) however slow the machine.

    Usage: ``fit(model, x, y, ..., callback=LiveLossPlot())``; it also draws the NumPy
    ``MLP.fit`` history (``callback=LiveLossPlot(), callback_every=50``).
    Introduced in ``06_mnist_with_a_feed_forward_net``.
    """

    def __init__(
        self,
        title: str = "Training loss",
        *,
        smooth: int = 25,
        min_interval: float = 0.5,
        max_share: float = 0.1,
        enabled: bool | None = None,
        figsize: tuple[float, float] = (6.0, 3.2),
    ):
        check_positive_int(smooth, "smooth")
        if not isinstance(title, str):
            raise TypeError(f"title must be a string, got {type(title).__name__}")
        if isinstance(min_interval, bool) or not isinstance(min_interval, numbers.Real):
            raise TypeError(f"min_interval must be a number of seconds, got {min_interval!r}")
        if not (math.isfinite(min_interval) and min_interval >= 0):
            raise ValueError(
                f"min_interval must be a finite number of seconds >= 0, got {min_interval}"
            )
        if enabled is not None:
            check_bool(enabled, "enabled")
        if (
            not isinstance(figsize, (tuple, list))
            or len(figsize) != 2
            or any(isinstance(v, bool) or not isinstance(v, numbers.Real) for v in figsize)
            or not all(0 < v <= 50 for v in figsize)
        ):
            raise ValueError(
                f"figsize must be a pair (width, height) in inches, each in (0, 50], "
                f"got {figsize!r}"
            )
        if (
            isinstance(max_share, bool)
            or not isinstance(max_share, numbers.Real)
            or not 0 < max_share <= 1
        ):
            raise ValueError(
                f"max_share must be a fraction in (0, 1], the most of the run drawing may "
                f"take, got {max_share!r}"
            )
        self.max_share = float(max_share)
        self.title = title
        self.smooth = smooth
        self.min_interval = float(min_interval)
        self.enabled = _in_notebook() if enabled is None else bool(enabled)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        self.draws = 0  # how many times the figure was redrawn
        self._handle = None
        self._fig = None
        self._last = -math.inf
        self._gap = 0.0  # seconds to wait after the last redraw, from what it cost
        self._last_epoch_drawn = -1

    def __call__(self, history: History) -> None:
        if not self.enabled or not history.step_loss:
            return
        now = time.perf_counter()
        new_epoch = history.epochs != self._last_epoch_drawn
        if not new_epoch and now - self._last < max(self.min_interval, self._gap):
            return
        self._last_epoch_drawn = history.epochs
        if self._fig is None:
            self._setup()  # a one-off cost, not counted as drawing
            now = time.perf_counter()
        self._draw(history)
        self._last = time.perf_counter()
        cost = self._last - now
        self._gap = cost * (1 - self.max_share) / self.max_share

    def _setup(self):
        from matplotlib.figure import Figure

        fig = Figure(figsize=self.figsize, dpi=90)
        ax = fig.add_subplot()
        (self._raw,) = ax.plot([], [], alpha=0.3, lw=0.8, label="training loss (each step)")
        (self._avg,) = ax.plot([], [], lw=1.8, label=f"moving average ({self.smooth} steps)")
        (self._val,) = ax.plot([], [], "o-", lw=1.5, label="validation loss (each epoch)")
        ax.set_title(self.title)
        ax.set_xlabel("optimisation step")
        ax.set_ylabel("cross-entropy loss")
        ax.set_yscale("log")
        self._fig, self._ax = fig, ax
        self._legend(with_val=False)  # the validation entry appears with its first point
        fig.tight_layout()

    def _legend(self, with_val: bool) -> None:
        handles = [self._raw, self._avg, self._val] if with_val else [self._raw, self._avg]
        self._ax.legend(handles=handles, loc="upper right", fontsize=8)

    def _draw(self, history: History) -> None:
        if self._fig is None:
            self._setup()
        losses = np.asarray(history.step_loss, dtype=float)
        steps = np.arange(1, losses.size + 1)
        self._raw.set_data(steps, losses)
        k = min(self.smooth, losses.size)
        avg = np.convolve(losses, np.ones(k) / k, mode="valid")
        self._avg.set_data(steps[k - 1 :], avg)
        val_loss = getattr(history, "val_loss", None)  # the NumPy MLP's History has none
        if val_loss:
            ends = history.steps_per_epoch * np.arange(1, len(val_loss) + 1)
            self._val.set_data(ends, val_loss)
            self._legend(with_val=True)
        self._ax.relim()
        self._ax.autoscale_view()
        self._show()
        self.draws += 1

    def png(self) -> bytes:
        """The current figure as PNG bytes (empty before the first draw)."""
        if self._fig is None:
            return b""
        buf = io.BytesIO()
        self._fig.savefig(buf, format="png")
        return buf.getvalue()

    def _show(self) -> None:
        if not _in_notebook():
            return
        from IPython.display import Image, display

        image = Image(data=self.png(), format="png")
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)
