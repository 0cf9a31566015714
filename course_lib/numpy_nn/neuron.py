"""The single sigmoid neuron: a score, a probability, a decision.

A neuron weighs its D inputs, adds a bias, and squashes the score with a sigmoid::

    score = x @ w + b            # (N, D) @ (D,) -> (N,)
    p     = sigmoid(score)       # probability of class 1, in (0, 1)
    yhat  = p >= threshold       # the decision, 0 or 1

This is logistic regression; an SVM uses the same linear score ``x @ w + b``.
Introduced in ``02_the_neuron``.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_lib.numpy_nn.activations import sigmoid
from course_lib.validate import as_float_array


def _check_neuron(x, w, b):
    x = as_float_array(x, "x", ndim=2, layout="(N, D)", finite=True)
    w = as_float_array(w, "w", ndim=1, layout="(D,)", finite=True)
    if w.shape[0] != x.shape[1]:
        raise ValueError(
            f"w must have one weight per input feature, shape ({x.shape[1]},), got shape "
            f"{w.shape}; x has {x.shape[1]} features"
        )
    b_arr = as_float_array(b, "b", finite=True)
    if b_arr.size != 1:
        raise ValueError(f"b must be a single number (the bias), got shape {b_arr.shape}")
    return x, w, b_arr.reshape(()).astype(x.dtype)


def neuron_score(x, w, b):
    """The neuron's score ``x @ w + b`` (before the sigmoid).

    Shapes: ``x (N, D)``, ``w (D,)``, ``b`` a scalar -> ``(N,)``.
    Introduced in ``02_the_neuron``.
    """
    x, w, b = _check_neuron(x, w, b)
    return x @ w + b  # (N,)


def predict_proba(x, w, b):
    """Probability of class 1: ``sigmoid(x @ w + b)``. Shapes: as :func:`neuron_score`.

    Introduced in ``02_the_neuron``.
    """
    return sigmoid(neuron_score(x, w, b))


def predict(x, w, b, threshold: float = 0.5):
    """Class decision: 1 where the probability is at least ``threshold``, else 0.

    Shapes: as :func:`neuron_score`; returns ``(N,)`` integers. Introduced in
    ``02_the_neuron``.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Real):
        raise TypeError(f"threshold must be a number in [0, 1], got {threshold!r}")
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a number in [0, 1], got {threshold}")
    return (predict_proba(x, w, b) >= threshold).astype(np.int64)
