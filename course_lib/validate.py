"""Input checks shared by the NumPy and PyTorch halves.

Every public function checks what it is given and, when something is wrong, raises a
``TypeError`` (wrong kind of value) or ``ValueError`` (right kind, wrong shape or content)
whose message names what was expected, what arrived, and how to fix it.

Shape letters used across the course: N batch, D features, H hidden units, K classes,
C channels, F filters, (HH, WW) kernel height and width.
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def _shape_of(x) -> tuple:
    return tuple(getattr(x, "shape", ()))


def _is_torch_tensor(x) -> bool:
    return type(x).__module__.startswith("torch")


def as_array(x, name: str) -> np.ndarray:
    """``np.asarray(x)``, with a named ``TypeError`` for what cannot be an array (ragged rows)."""
    try:
        return np.asarray(x)
    except (ValueError, TypeError, OverflowError):
        raise TypeError(
            f"{name} must be a numeric array with rows of equal length, got a "
            f"{type(x).__name__} NumPy cannot turn into one"
        ) from None


def as_float_array(
    x,
    name: str,
    ndim: int | None = None,
    layout: str | None = None,
    *,
    finite: bool = False,
    advice: str = "check the data or lower the learning rate if training diverged",
) -> np.ndarray:
    """Return ``x`` as a floating-point NumPy array after checking it.

    ``ndim`` is the required number of dimensions, ``layout`` its spelled-out shape such as
    ``"(N, D)"`` for the error message. Integers are converted to float64; float32 stays.
    NaN values are refused because every later number would be NaN too; with ``finite=True``
    so are infinities (scores such as softmax's, where ``inf - inf`` would make NaN).
    ``advice`` ends the message about a NaN or an infinity: how to fix it.
    """
    if isinstance(x, (str, bytes)) or x is None:
        raise TypeError(f"{name} must be a numeric array, got {type(x).__name__}")
    if _is_torch_tensor(x):
        raise TypeError(
            f"{name} must be a NumPy array, got a torch.Tensor; use {name}.detach().cpu().numpy() "
            "or the PyTorch twin in course_lib.torch_nn"
        )
    arr = as_array(x, name)
    if arr.dtype == bool or arr.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold numbers (float or int), got dtype {arr.dtype}")
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.float64)
    if ndim is not None and arr.ndim != ndim:
        want = layout or f"{ndim} dimensions"
        raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}")
    if arr.size == 0 or (np.isfinite(arr).all() if finite else not np.isnan(arr).any()):
        return arr  # one pass over the data in the usual case
    if np.isnan(arr).any():
        where = tuple(int(i) for i in np.argwhere(np.isnan(arr))[0])
        raise ValueError(f"{name} contains NaN (first at index {where}); {advice}")
    where = tuple(int(i) for i in np.argwhere(np.isinf(arr))[0])
    raise ValueError(
        f"{name} contains an infinite value (first at index {where}); it must hold finite "
        f"numbers: {advice}"
    )


def check_shape(arr: np.ndarray, expected: tuple, name: str) -> None:
    """Raise ``ValueError`` unless ``arr.shape`` equals ``expected`` (``None`` matches any size)."""
    shape = _shape_of(arr)
    pairs = zip(expected, shape, strict=False)
    ok = len(shape) == len(expected) and all(e is None or e == s for e, s in pairs)
    if not ok:
        want = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
        raise ValueError(f"{name} must have shape {want}, got {shape}")


def as_labels(y, name: str, n: int, num_classes: int | None = None) -> np.ndarray:
    """Return integer class labels of length ``n`` (one per example), checked.

    ``num_classes`` (K), when given, requires every label to lie in ``0 .. K-1``.
    """
    if _is_torch_tensor(y):
        raise TypeError(f"{name} must be a NumPy array, got a torch.Tensor")
    if isinstance(y, (str, bytes)) or y is None:
        raise TypeError(f"{name} must be an array of integer class labels, got {y!r}")
    arr = as_array(y, name)
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError(
                f"{name} contains NaN or an infinity; labels must be whole numbers such as 0, 1, 2"
            )
        if not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold whole-number class labels, got fractional values")
        if arr.size and np.abs(arr).max() > 2**62:
            raise ValueError(f"{name} holds labels far too large to be class numbers")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iub":
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must have shape (N,) with N={n}, got shape {arr.shape}")
    if arr.shape[0] != n:
        raise ValueError(
            f"{name} has {arr.shape[0]} labels but there are {n} examples; "
            "every example needs exactly one label"
        )
    arr = arr.astype(np.int64)
    if num_classes is not None and arr.size and (arr.min() < 0 or arr.max() >= num_classes):
        raise ValueError(
            f"{name} must hold labels in 0..{num_classes - 1}, "
            f"got values from {arr.min()} to {arr.max()}; there are K={num_classes} classes, "
            "numbered from 0 (shift labels that start at 1 down by one)"
        )
    return arr


def check_positive_int(value, name: str) -> int:
    """Return ``value`` if it is a positive integer, else raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_nonnegative_int(value, name: str) -> int:
    """Return ``value`` if it is an integer >= 0, else raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer >= 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value}")
    return int(value)


def _as_float(value, name: str) -> float:
    """``float(value)``, with a named ``ValueError`` for an integer too large for a float."""
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"{name} must be a finite number, got an integer too large") from None


def check_seed(seed, name: str = "seed") -> int:
    """Return ``seed`` if it is an integer >= 0 (what ``np.random.default_rng`` accepts).

    ``True``, ``1.5`` and ``"0"`` are refused rather than read as 1, 1 or an error deep in
    NumPy.
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= 0 such as 0 or 42, got {seed!r}")
    if seed < 0:
        raise ValueError(f"{name} must be a whole number >= 0 such as 0 or 42, got {seed}")
    return int(seed)


def check_flag(value, name: str) -> bool:
    """Return ``value`` if it is ``True`` or ``False``.

    A string such as ``"no"`` is refused: it would count as true.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_finite_number(value, name: str) -> float:
    """Return ``value`` as a float if it is a finite real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        arr = np.asarray(value) if isinstance(value, np.ndarray) else None
        if arr is None or arr.size != 1 or arr.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a single number, got {value!r}")
        value = arr.reshape(())[()]
    number = _as_float(value, name)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return number


def check_callable(value, name: str, what: str) -> None:
    """Raise ``TypeError`` unless ``value`` can be called; ``what`` says what it should be."""
    if not callable(value):
        raise TypeError(f"{name} must be {what}, got {type(value).__name__}")


def check_cache(cache, kind: type, forward: str):
    """Return ``cache`` if it is the ``kind`` of cache that ``forward`` returns.

    A backward pass given another forward's cache (or a tuple built by hand) would fail deep
    inside, or worse, compute numbers from the wrong arrays. Every cache class carries the
    name of its forward in ``forward_name``.
    """
    if isinstance(cache, kind):
        return cache
    other = getattr(type(cache), "forward_name", None)
    if other is not None:
        got = f"the cache of {other}"
    elif isinstance(cache, (tuple, list)):
        got = f"a plain {type(cache).__name__} of {len(cache)} items"
    elif isinstance(cache, np.ndarray):
        got = f"an array of shape {cache.shape}"
    else:
        got = type(cache).__name__
    fields = getattr(kind, "_fields", None)
    holding = f" (a {kind.__name__} holding {', '.join(fields)})" if fields else ""
    raise TypeError(
        f"cache did not come from {forward}: expected the cache that {forward} "
        f"returns{holding}, got {got}; pass the second value of the matching forward call, "
        f"as in out, cache = {forward}(...)"
    )


#: The most weights a course network may have: far beyond any network of the course, and
#: small enough to be allocated (400 MB of float32), so a typo fails with a clear message.
MAX_PARAMETERS = 100_000_000


def check_parameter_count(count: int, what: str) -> None:
    """Raise ``ValueError`` if a network of ``count`` weights is too large to build."""
    if count > MAX_PARAMETERS:
        raise ValueError(
            f"{what} would give the network {count:,} weights, more than the {MAX_PARAMETERS:,} "
            "this course allows; use smaller layers"
        )


def check_positive_float(value, name: str) -> float:
    """Return ``value`` as float if it is a finite number > 0, else raise a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {value!r}")
    number = _as_float(value, name)
    if not math.isfinite(number) or number <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}")
    return number


#: The largest leaky-ReLU slope accepted: far beyond any useful value (slopes are usually
#: below 1), and small enough to be stored even in float16.
MAX_SLOPE = 1e3


def check_slope(slope) -> float:
    """Return the leaky-ReLU ``slope`` as a float: a finite number with ``|slope| <= 1000``."""
    if isinstance(slope, bool) or not isinstance(slope, numbers.Real):
        raise TypeError(f"slope must be a number such as 0.01, got {slope!r}")
    value = _as_float(slope, "slope")  # a NumPy integer's abs() can overflow; a float's cannot
    if not math.isfinite(value) or abs(value) > MAX_SLOPE:
        raise ValueError(
            f"slope must be a finite number between -{MAX_SLOPE:g} and {MAX_SLOPE:g} "
            f"(usually small, such as 0.01), got {slope}"
        )
    return value
