"""Cost functions: how far the predictions are from the truth, and their gradients.

Every loss returns ``(loss, dinput)``: the mean loss over the batch (a Python float) and its
gradient with respect to the first argument (same shape as that argument), ready to start
backpropagation. All three are numerically stable: logits of +-1e4 neither overflow nor
produce ``log(0)``.

Introduced in ``03_learning`` (binary cross-entropy) and ``05_feed_forward_networks``
(softmax cross-entropy).
"""

from __future__ import annotations

import numpy as np

from course_lib.validate import as_float_array, as_labels

# Probabilities are clipped to [EPS, 1 - EPS] before taking logs, so log(0) never happens.
EPS = 1e-7


def _binary_targets(y, like: np.ndarray) -> np.ndarray:
    """Targets for a binary loss: numbers in [0, 1] with the shape of the predictions."""
    y = as_float_array(y, "y")
    if y.shape != like.shape:
        raise ValueError(
            f"y must have one target per prediction, shape {like.shape}, got shape {y.shape}; "
            "check that the labels and the predictions come from the same examples"
        )
    if y.size and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"y must hold targets in [0, 1] (usually 0 or 1), got values from {y.min()} "
            f"to {y.max()}"
        )
    return y.astype(like.dtype, copy=False)


def binary_cross_entropy(p, y):
    """Binary cross-entropy from probabilities, averaged over the N examples.

    ``L = -mean(y log p + (1 - y) log(1 - p))``, ``dL/dp = (p - y) / (p (1 - p)) / N``.

    ``p`` is clipped to ``[EPS, 1 - EPS]`` (``EPS = 1e-7``) so ``log(0)`` cannot happen; where
    the clip was active the gradient is 0, exactly as for ``torch.clamp``. Prefer
    :func:`binary_cross_entropy_with_logits` when you have the score before the sigmoid.

    Shapes: ``p (N,)`` probabilities in [0, 1], ``y (N,)`` targets in {0, 1} (any matching
    shape works; the mean is over every entry). Returns ``(loss, dp)`` with ``dp`` like ``p``.
    Introduced in ``03_learning``.
    """
    p = as_float_array(p, "p")
    y = _binary_targets(y, p)
    if p.size == 0:
        raise ValueError("p must hold at least one prediction, got an empty array")
    if p.min() < 0 or p.max() > 1:
        raise ValueError(
            f"p must hold probabilities in [0, 1], got values from {p.min()} to {p.max()}; "
            "if these are scores before the sigmoid, use binary_cross_entropy_with_logits"
        )
    n = p.size
    pc = np.clip(p, EPS, 1 - EPS)  # no log(0)
    loss = -np.mean(y * np.log(pc) + (1 - y) * np.log1p(-pc))
    inside = (p >= EPS) & (p <= 1 - EPS)  # the clip passes the gradient only inside
    dp = (pc - y) / (pc * (1 - pc)) / n * inside
    return float(loss), dp.astype(p.dtype, copy=False)


def binary_cross_entropy_with_logits(z, y):
    """Binary cross-entropy of ``sigmoid(z)``, computed from the score ``z`` directly.

    ``L = mean(max(z, 0) - z y + log(1 + exp(-|z|)))``, which equals
    ``-mean(y log s + (1 - y) log(1 - s))`` with ``s = sigmoid(z)`` but never overflows and
    never takes ``log(0)``, even for ``|z| = 1e4``. The gradient is the famous
    ``dL/dz = (sigmoid(z) - y) / N``.

    Shapes: ``z (N,)`` scores, ``y (N,)`` targets in {0, 1}. Returns ``(loss, dz)``.
    Introduced in ``03_learning``.
    """
    z = as_float_array(z, "z", finite=True)
    y = _binary_targets(y, z)
    if z.size == 0:
        raise ValueError("z must hold at least one score, got an empty array")
    n = z.size
    loss = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    e = np.exp(-np.abs(z))  # in (0, 1]: a stable sigmoid below
    s = np.where(z >= 0, 1 / (1 + e), e / (1 + e))
    dz = (s - y) / n
    return float(loss), dz.astype(z.dtype, copy=False)


def softmax_cross_entropy(logits, y):
    """Softmax followed by cross-entropy with integer labels, averaged over N.

    ``L = -mean_n log softmax(logits_n)[y_n]``. With the log-sum-exp trick
    ``log softmax(x)_k = x_k - m - log sum_j exp(x_j - m)`` (``m`` the row maximum) nothing
    overflows. The gradient is ``dL/dlogits = (softmax(logits) - onehot(y)) / N``.

    Shapes: ``logits (N, K)``, ``y (N,)`` integers in ``0 .. K-1``. Returns
    ``(loss, dlogits)`` with ``dlogits (N, K)``. Introduced in ``05_feed_forward_networks``.
    """
    logits = as_float_array(logits, "logits", ndim=2, layout="(N, K)", finite=True)
    n, k = logits.shape
    if n == 0 or k == 0:
        raise ValueError(f"logits must have shape (N, K) with N, K >= 1, got {logits.shape}")
    y = as_labels(y, "y", n, num_classes=k)
    shifted = logits - logits.max(axis=1, keepdims=True)  # (N, K), row max is 0
    exp = np.exp(shifted)
    sum_exp = exp.sum(axis=1, keepdims=True)  # (N, 1), >= 1 so its log is safe
    rows = np.arange(n)
    log_probs_true = shifted[rows, y] - np.log(sum_exp[:, 0])  # (N,)
    loss = -np.mean(log_probs_true)
    dlogits = exp / sum_exp  # softmax, (N, K)
    dlogits[rows, y] -= 1
    dlogits /= n
    return float(loss), dlogits
