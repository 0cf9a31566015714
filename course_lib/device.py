"""Choosing where PyTorch computes: CUDA, then Apple MPS, then the CPU.

The environment variable ``COURSE_DEVICE`` (``cpu``, ``cuda`` or ``mps``) overrides that
automatic choice everywhere the course picks a device itself, for instance to stay on the
CPU where an Apple GPU gives slightly different numbers; a ``device=`` argument given in
code still wins. Nothing here runs at import time; call :func:`pick_device` when you need a
device. Introduced in ``00_welcome``; used by every PyTorch notebook.
"""

from __future__ import annotations

import os

_KNOWN = ("cuda", "mps", "cpu")

#: The environment variable that overrides the automatic choice of device.
DEVICE_ENV = "COURSE_DEVICE"


def pick_device(prefer: str | None = None):
    """Return the fastest available ``torch.device``: CUDA, then MPS, then CPU.

    ``prefer`` forces a kind (``"cuda"``, ``"mps"`` or ``"cpu"``, or one GPU such as
    ``"cuda:1"``); asking for one that this machine does not have raises a ``ValueError``
    that says what is available. Without ``prefer``, a ``COURSE_DEVICE`` environment
    variable (see :func:`device_source`) replaces the automatic choice; a value that names
    no device available here raises a ``ValueError`` rather than falling back silently.
    """
    if prefer is None:
        import torch

        chosen = _device_from_environment()
        return chosen if chosen is not None else torch.device(available_devices()[0])
    if not isinstance(prefer, str):
        raise TypeError(f"prefer must be a string such as 'cpu', got {type(prefer).__name__}")
    return as_device(prefer, name="prefer")


def _device_from_environment():
    """The device ``COURSE_DEVICE`` names, checked; ``None`` when it is unset or empty."""
    value = os.environ.get(DEVICE_ENV, "")
    if not value.strip():
        return None
    import torch

    fix = f"valid here: {_choices()} (or unset {DEVICE_ENV} to let the course pick the fastest)"
    try:
        dev = torch.device(value.strip().lower())
    except RuntimeError:
        dev = None
    if dev is None or dev.type not in _KNOWN:
        raise ValueError(f"{DEVICE_ENV}={value!r} is not a device name; {fix}")
    if dev.type not in available_devices() or (
        dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count()
    ):
        raise ValueError(f"{DEVICE_ENV}={value!r} is not available on this machine; {fix}")
    return dev


def device_source() -> str:
    """Where :func:`pick_device` takes its device from: ``"COURSE_DEVICE=mps"`` or ``"automatic"``.

    Set the environment variable ``COURSE_DEVICE`` to ``cpu``, ``cuda`` or ``mps`` (or one
    GPU, such as ``cuda:1``) to override the automatic choice; unset or empty means
    automatic. Introduced in ``00_welcome``.
    """
    value = os.environ.get(DEVICE_ENV, "").strip()
    return f"{DEVICE_ENV}={value}" if value else "automatic"


def _choices() -> str:
    """The device names this machine accepts, for error messages."""
    import torch

    names = []
    for kind in available_devices():
        names.append(repr(kind))
        if kind == "cuda" and torch.cuda.device_count() > 1:
            names.append(f"'cuda:0' .. 'cuda:{torch.cuda.device_count() - 1}'")
    return ", ".join(names)


def as_device(device, name: str = "device"):
    """Check a device given by a learner and return it as a ``torch.device``.

    ``device``: ``None`` (the fastest available, as :func:`pick_device`), a string such as
    ``"cpu"``, ``"cuda"``, ``"cuda:0"`` or ``"mps"``, or a ``torch.device``. A device this
    machine does not have, a misspelling such as ``"gpu"``, or a value of another type raises
    an error that names ``name`` and lists the devices available here.
    """
    import torch

    usage = (
        f"{name} must be None (the fastest available), one of {list(_KNOWN)} (a GPU may be "
        f"numbered, e.g. 'cuda:0') or a torch.device; available here: {_choices()}"
    )
    if device is None:
        return pick_device()
    if isinstance(device, str):
        try:
            dev = torch.device(device.strip().lower())
        except RuntimeError:
            raise ValueError(f"{usage}; got {device!r}") from None
    elif isinstance(device, torch.device):
        dev = device
    else:
        raise TypeError(f"{usage}; got {type(device).__name__} {device!r}")
    if dev.type not in _KNOWN:
        raise ValueError(f"{usage}; got {device!r}")
    if dev.type not in available_devices():
        raise ValueError(
            f"{name}={device!r} is not available on this machine; available here: {_choices()}. "
            f"Leave {name}=None to pick the best one automatically."
        )
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        count = torch.cuda.device_count()
        raise ValueError(
            f"{name}={device!r} names GPU {dev.index}, but this machine has {count} "
            f"(cuda:0 .. cuda:{count - 1}); available here: {_choices()}"
        )
    return dev


def available_devices() -> list[str]:
    """The device kinds PyTorch can use here, fastest first (always ends with ``"cpu"``)."""
    import torch

    kinds = []
    if torch.cuda.is_available():
        kinds.append("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        kinds.append("mps")
    kinds.append("cpu")
    return kinds


def describe_device(device=None) -> str:
    """A one-line description such as ``"cuda (NVIDIA H100)"`` or ``"cpu (2 threads)"``."""
    import torch

    device = as_device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    n = torch.get_num_threads()
    return f"cpu ({n} thread{'' if n == 1 else 's'})"
