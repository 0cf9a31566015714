"""Choosing where PyTorch computes: CUDA, then Apple MPS, then the CPU.

Nothing here runs at import time; call :func:`pick_device` when you need a device.
Introduced in ``00_welcome``; used by every PyTorch notebook.
"""

from __future__ import annotations

_KNOWN = ("cuda", "mps", "cpu")


def pick_device(prefer: str | None = None):
    """Return the fastest available ``torch.device``: CUDA, then MPS, then CPU.

    ``prefer`` forces a kind (``"cuda"``, ``"mps"`` or ``"cpu"``); asking for one that this
    machine does not have raises a ``ValueError`` that says what is available.
    """
    import torch

    available = available_devices()
    if prefer is None:
        return torch.device(available[0])
    if not isinstance(prefer, str):
        raise TypeError(f"prefer must be a string such as 'cpu', got {type(prefer).__name__}")
    kind = prefer.split(":")[0].lower()
    if kind not in _KNOWN:
        raise ValueError(f"prefer must be one of {_KNOWN}, got {prefer!r}")
    if kind not in available:
        raise ValueError(
            f"device {prefer!r} is not available on this machine; available: {available}. "
            "Leave prefer=None to pick the best one automatically."
        )
    return torch.device(prefer)


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

    device = pick_device() if device is None else torch.device(device)
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "mps":
        return "mps (Apple GPU)"
    return f"cpu ({torch.get_num_threads()} threads)"
