"""Exercises of ``01_why_deep_learning``: a network is matrix products, and products cost FLOPs.

1. ``count_matmul_flops(n, d, m)``: how many floating-point operations an ``(n, d) @ (d, m)``
   product takes (the unit of the throughput measurement).
2. ``two_layer_forward(x, w1, b1, w2, b2)``: a two-layer network's forward pass written as
   two matrix products with a ReLU between them.

Each check names the usual slips. Introduced in ``01_why_deep_learning``.
"""

from __future__ import annotations

import numbers

import numpy as np

from course_lib.exercises.base import Feedback, Mistake, run_check


def count_matmul_flops(n: int, d: int, m: int) -> int:
    """Reference answer: FLOPs of ``(n, d) @ (d, m)``: ``n * m`` dot products of length ``d``,
    each ``d`` multiplications and ``d`` additions, so ``2 n d m``.

    Introduced in ``01_why_deep_learning``.
    """
    return 2 * n * d * m


def relu(z: np.ndarray) -> np.ndarray:
    """``max(0, z)`` elementwise: the activation used between the two layers."""
    return np.maximum(0.0, z)


def two_layer_forward(x, w1, b1, w2, b2) -> np.ndarray:
    """Reference answer: ``relu(x @ w1 + b1) @ w2 + b2``.

    Shapes: ``x (N, D)``, ``w1 (D, H)``, ``b1 (H,)``, ``w2 (H, K)``, ``b2 (K,)`` -> ``(N, K)``.
    Introduced in ``01_why_deep_learning``.
    """
    hidden = relu(x @ w1 + b1)  # (N, H)
    return hidden @ w2 + b2  # (N, K)


def check_count_matmul_flops(count_matmul_flops) -> Feedback:
    """Check a learner's ``count_matmul_flops(n, d, m)``; explain the usual slips."""

    def attempt() -> str:
        n, d, m = 3, 5, 7  # all different, so every slip gives a different number
        got = count_matmul_flops(n, d, m)
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Mistake(f"return a number, got {type(got).__name__}")
        if got == n * d * m:
            raise Mistake(
                f"you counted {got} = n*d*m: the multiplications only. Each multiplication is "
                "followed by an addition into the running sum, so count those too (a factor 2)."
            )
        if got == n * m:
            raise Mistake(
                f"you counted {got} = n*m: the number of outputs. Each output is a dot product "
                "of length d, which costs d multiplications and d additions."
            )
        if got == n * m * (2 * d - 1):
            raise Mistake(
                "n*m*(2d - 1) is exact if you skip the first addition; the course (like "
                "everyone quoting GFLOP/s) counts d additions, giving 2*n*d*m."
            )
        if got == 2 * n * m:
            raise Mistake(
                f"you counted {got} = 2*n*m: the length d of each dot product is missing."
            )
        if got == 2 * n * n * n or got == 2 * d * d * d:
            raise Mistake(
                "that is the count for a square matrix; use all three sizes: n rows, d inner, "
                "m columns."
            )
        if got != 2 * n * d * m:
            raise Mistake(
                f"for (3, 5) @ (5, 7) you returned {got}; expected {2 * n * d * m}. Count the "
                "outputs (n*m), the multiply-adds per output (d), and the operations per "
                "multiply-add (2)."
            )
        if count_matmul_flops(1024, 1024, 1024) != 2 * 1024**3:
            raise Mistake("the count is wrong for large sizes: is something hard-coded?")
        return "2 * n * d * m: n*m outputs, each d multiplications and d additions."

    return run_check(
        "count_matmul_flops",
        attempt,
        start_hint="each of the n*m outputs is a dot product of length d.",
    )


def _probe():
    """Inputs where every slip changes the answer: negative pre-activations, non-zero biases."""
    rng = np.random.default_rng(1)
    n, d, h, k = 4, 3, 5, 2
    x = rng.standard_normal((n, d))
    w1 = rng.standard_normal((d, h))
    b1 = rng.standard_normal(h)
    w2 = rng.standard_normal((h, k))
    b2 = np.array([0.7, -1.3])
    return x, w1, b1, w2, b2


def check_two_layer_forward(two_layer_forward) -> Feedback:
    """Check a learner's ``two_layer_forward(x, w1, b1, w2, b2)``; explain the usual slips."""

    def attempt() -> str:
        x, w1, b1, w2, b2 = _probe()
        originals = [a.copy() for a in (x, w1, b1, w2, b2)]
        out = two_layer_forward(x, w1, b1, w2, b2)
        if not isinstance(out, np.ndarray):
            raise Mistake(f"return a NumPy array, got {type(out).__name__}")
        if any(
            not np.array_equal(a, o) for a, o in zip((x, w1, b1, w2, b2), originals, strict=True)
        ):
            raise Mistake("an input array was changed in place; compute new arrays instead")
        n, k = x.shape[0], w2.shape[1]
        if out.shape == (k, n):
            raise Mistake(
                f"the output has shape {out.shape} = (K, N), transposed. With x (N, D) and "
                "w1 (D, H) the product is x @ w1, not w1.T @ x.T; keep examples in rows."
            )
        if out.shape != (n, k):
            raise Mistake(
                f"the output must have shape (N, K) = {(n, k)}, got {out.shape}; "
                "x @ w1 is (N, H), then @ w2 gives (N, K)"
            )
        if np.allclose(out, relu(x @ w1 + b1) @ w2 + b2):
            return "relu(x @ w1 + b1) @ w2 + b2, shape (N, K)."
        if np.allclose(out, relu(x @ w1) @ w2 + b2):
            raise Mistake("the first layer's bias b1 is missing: relu(x @ w1 + b1)")
        if np.allclose(out, relu(x @ w1 + b1) @ w2):
            raise Mistake("the second layer's bias b2 is missing: ... @ w2 + b2")
        if np.allclose(out, relu(x @ w1) @ w2):
            raise Mistake("both biases are missing: add b1 after x @ w1 and b2 after @ w2")
        if np.allclose(out, (x @ w1 + b1) @ w2 + b2):
            raise Mistake(
                "the ReLU between the layers is missing. Without it the two products collapse "
                "into one matrix, x @ (w1 @ w2), and depth buys nothing."
            )
        if np.allclose(out, relu(relu(x @ w1 + b1) @ w2 + b2)):
            raise Mistake(
                "the ReLU belongs between the layers only; the output layer returns raw "
                "scores (they may be negative)."
            )
        raise Mistake(
            "the numbers differ from relu(x @ w1 + b1) @ w2 + b2; compute the hidden layer "
            "first, then the output layer from it"
        )

    return run_check(
        "two_layer_forward",
        attempt,
        start_hint="hidden = np.maximum(0, x @ w1 + b1); then return hidden @ w2 + b2.",
    )
