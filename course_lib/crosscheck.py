"""Proof that the NumPy reference and the PyTorch twin compute the same thing.

``assert_numpy_matches_torch`` feeds identical float64 inputs to both versions and compares
the outputs and every gradient: ours from the hand-written backward pass, PyTorch's from
autograd. The tests use it for every operation; notebooks use it to show learners that
"what PyTorch does" is exactly what they built by hand.

A NumPy side is a callable ``numpy_fn(*arrays, **kwargs) -> (out, backward)`` where
``backward(dout)`` returns one gradient per array (a tuple, or a single array when there is
one input). :func:`from_pair` and :func:`from_loss` adapt the course's two styles to that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def from_pair(forward: Callable, backward: Callable, n_inputs: int | None = None) -> Callable:
    """Adapt a cs231n-style pair ``forward(...) -> (out, cache)``, ``backward(dout, cache)``.

    ``n_inputs`` keeps only the first gradients when ``backward`` returns more than the
    arrays being checked.
    """

    def numpy_fn(*arrays, **kwargs):
        out, cache = forward(*arrays, **kwargs)

        def back(dout):
            grads = backward(dout, cache)
            grads = grads if isinstance(grads, tuple) else (grads,)
            return grads if n_inputs is None else grads[:n_inputs]

        return out, back

    return numpy_fn


def from_loss(loss_fn: Callable) -> Callable:
    """Adapt a loss ``loss_fn(x, y, ...) -> (loss, dx)``; only ``x`` gets a gradient."""

    def numpy_fn(x, *rest, **kwargs):
        loss, dx = loss_fn(x, *rest, **kwargs)
        return loss, lambda dout: (np.asarray(dout) * dx,)

    return numpy_fn


def assert_numpy_matches_torch(
    numpy_fn: Callable,
    torch_fn: Callable,
    inputs: Sequence[np.ndarray],
    *,
    grad_wrt: Sequence[int] | None = None,
    kwargs: dict | None = None,
    device: str = "cpu",
    atol: float = 1e-8,
    rtol: float = 1e-6,
    seed: int = 0,
    name: str = "op",
) -> None:
    """Check that ``numpy_fn`` and ``torch_fn`` agree on outputs and gradients.

    ``inputs`` are NumPy arrays; float ones are converted to float64 (float32 on Apple MPS,
    which has no float64, with tolerances loosened to match) and passed to both sides.
    ``grad_wrt`` lists the positions of the inputs whose gradients are compared (default:
    every floating-point input). Raises ``AssertionError`` naming the first disagreement.
    """
    import torch

    from course_lib.validate import check_nonnegative_int

    seed = check_nonnegative_int(seed, "seed")  # True or "0" would be read as a seed
    for value, what in ((atol, "atol"), (rtol, "rtol")):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"{what} must be a tolerance >= 0, got {value!r}")
    if kwargs is not None and not isinstance(kwargs, dict):
        raise TypeError(f"kwargs must be a dict of keyword arguments, got {type(kwargs).__name__}")
    kwargs = kwargs or {}
    dev = torch.device(device)
    dtype = torch.float32 if dev.type == "mps" else torch.float64
    if dtype == torch.float32:
        atol, rtol = max(atol, 1e-4), max(rtol, 1e-3)

    arrays = [np.array(a, dtype=np.float64) if _is_float(a) else np.array(a) for a in inputs]
    if grad_wrt is None:
        grad_wrt = [i for i, a in enumerate(arrays) if a.dtype.kind == "f"]

    out_np, backward = numpy_fn(*[a.copy() for a in arrays], **kwargs)
    tensors = []
    for i, a in enumerate(arrays):
        t = torch.tensor(a, dtype=dtype if a.dtype.kind == "f" else None, device=dev)
        if i in grad_wrt:
            t.requires_grad_(True)
        tensors.append(t)
    out_t = torch_fn(*tensors, **kwargs)

    _compare(f"{name}: output", np.asarray(out_np), out_t, atol, rtol)

    rng = np.random.default_rng(seed)
    dout = rng.standard_normal(np.shape(out_np)) if np.ndim(out_np) else np.float64(1.0)
    grads_np = backward(dout)
    grads_np = grads_np if isinstance(grads_np, tuple) else (grads_np,)
    if len(grads_np) < len(grad_wrt):
        raise AssertionError(
            f"{name}: backward returned {len(grads_np)} gradients, expected {len(grad_wrt)}"
        )
    out_t.backward(torch.as_tensor(dout, dtype=dtype, device=dev))
    for k, i in enumerate(grad_wrt):
        g_t = tensors[i].grad
        if g_t is None:
            g_t = torch.zeros_like(tensors[i])
        _compare(f"{name}: gradient of input {i}", np.asarray(grads_np[k]), g_t, atol, rtol)


def _is_float(a) -> bool:
    return np.asarray(a).dtype.kind == "f"


def _compare(what: str, ours: np.ndarray, theirs, atol: float, rtol: float) -> None:
    theirs = theirs.detach().cpu().double().numpy()
    if ours.shape != theirs.shape:
        raise AssertionError(f"{what}: NumPy shape {ours.shape} != PyTorch shape {theirs.shape}")
    if not np.allclose(ours, theirs, atol=atol, rtol=rtol, equal_nan=False):
        diff = np.abs(ours - theirs)
        i = np.unravel_index(np.argmax(diff), diff.shape) if diff.ndim else ()
        raise AssertionError(
            f"{what}: NumPy and PyTorch disagree; largest difference {diff.max():.3e} at "
            f"index {tuple(int(j) for j in i)} (NumPy {ours[i]!r}, PyTorch {theirs[i]!r})"
        )
