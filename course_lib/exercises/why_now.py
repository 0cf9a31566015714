"""Exercises of ``01_why_deep_learning``: a network is matrix products, and products cost FLOPs.

1. ``two_layer_forward(x, w1, b1, w2, b2)``: a two-layer network's forward pass written as
   two matrix products with a ReLU between them.
2. ``count_matmul_flops(n, d, m)``: how many floating-point operations an ``(n, d) @ (d, m)``
   product takes (the unit of the throughput measurement).
3. ``time_per_call(fn, repeats, number)``: the timing loop behind the "why now" measurement:
   one warm-up call, then ``repeats`` timed runs of ``number`` calls each, keeping the fastest.

Each check names the usual slips. Introduced in ``01_why_deep_learning``.
"""

from __future__ import annotations

import math
import numbers
import time

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
                f"you counted {got} = n*m*(2d - 1): a sum of d products needs only d - 1 "
                "additions if you skip the first addition. GFLOP/s figures, and this course, "
                "count differently: a multiply-add is 2 FLOPs, because each entry's running "
                "sum starts at zero and every multiplication is followed by its own addition "
                "into it. Count the additions that way."
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
        start_hint=(
            "compute the hidden layer first, shape (N, H), with the ReLU np.maximum(0, ...); "
            "the output layer starts from it."
        ),
    )


def time_per_call(fn, repeats: int = 5, number: int = 10) -> float:
    """Reference answer: the fastest time of one call of ``fn()``, in seconds.

    One untimed warm-up call pays one-off costs (starting threads, filling caches). Then
    ``repeats`` times: read ``time.perf_counter()``, call ``fn`` ``number`` times in a row, read
    the clock again, and divide the elapsed time by ``number`` (one call of a small product
    lasts less than the clock can resolve well). The fastest repeat is the answer: a slower
    one measured something else that needed the processor at that moment.
    Introduced in ``01_why_deep_learning``.
    """
    fn()  # warm-up, not timed
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


class _ScriptedWork:
    """A stand-in for ``fn`` whose calls take scripted times on a fake ``time.perf_counter``.

    Call 0 (the warm-up) lasts ``warm_up`` seconds; during timed repeat ``r`` every call lasts
    ``per_call[r]``. The check swaps the clock in, so nothing really waits and the right
    answer is known exactly: ``min(per_call)``.
    """

    def __init__(self, warm_up: float, per_call: list[float], number: int):
        self.warm_up, self.per_call, self.number = warm_up, per_call, number
        self.now = 1000.0  # fake seconds: any start value works, only differences count
        self.calls = 0
        self.clock_reads = 0

    def clock(self) -> float:
        self.clock_reads += 1
        return self.now

    def __call__(self) -> None:
        if self.calls == 0:
            self.now += self.warm_up
        else:
            r = min((self.calls - 1) // self.number, len(self.per_call) - 1)
            self.now += self.per_call[r]
        self.calls += 1


def _run_scripted(time_per_call, warm_up: float, per_call: list[float], number: int):
    """Run the learner's timer on scripted work with the fake clock; restore the real one."""
    work = _ScriptedWork(warm_up, per_call, number)
    real_clock = time.perf_counter
    time.perf_counter = work.clock
    try:
        got = time_per_call(work, repeats=len(per_call), number=number)
    finally:
        time.perf_counter = real_clock
    return got, work


def check_time_per_call(time_per_call) -> Feedback:
    """Check a learner's ``time_per_call(fn, repeats, number)``; explain the usual slips.

    The learner's loop times scripted work on a fake ``time.perf_counter`` (nothing really
    waits), so every slip gives its own, exactly known, wrong answer.
    """

    def attempt() -> str:
        per_call = [0.006, 0.002, 0.011, 0.004]  # seconds per call in each of 4 repeats
        repeats, number = len(per_call), 5
        got, work = _run_scripted(time_per_call, 0.5, per_call, number)
        if isinstance(got, (list, tuple, np.ndarray)) and np.size(got) > 1:
            raise Mistake(
                f"you returned {np.size(got)} numbers; return one: the fastest time per call, "
                "in seconds (the smallest of your repeats)"
            )
        if isinstance(got, bool) or not isinstance(got, (numbers.Real, np.ndarray)):
            raise Mistake(f"return a number of seconds, got {type(got).__name__}")
        got = float(np.asarray(got))
        if work.clock_reads == 0:
            raise Mistake(
                "the clock was never read: time the calls with time.perf_counter() (call it "
                "just before and just after each repeat)"
            )
        expected_calls = 1 + repeats * number
        if work.calls == repeats * number:
            raise Mistake(
                f"fn was called {work.calls} = repeats * number times: the warm-up call is "
                "missing. Call fn once before any timing, so one-off start-up costs (threads, "
                "caches) stay out of the measurement."
            )
        if work.calls == 1 + repeats:
            raise Mistake(
                f"fn was called {work.calls} times: once per repeat. Each timed repeat calls fn "
                "`number` times in a row (a single small product is too short to time well), "
                "then divides the elapsed time by number."
            )
        if work.calls != expected_calls:
            raise Mistake(
                f"fn was called {work.calls} times; with repeats = {repeats} and number = "
                f"{number} expect 1 warm-up call + {repeats} x {number} timed calls = "
                f"{expected_calls}"
            )
        fastest = min(per_call)
        if math.isclose(got, fastest, rel_tol=1e-6):
            # The same loop on other work, other repeats and number: nothing may be hard-coded.
            other = [0.03, 0.01, 0.02]
            got2, work2 = _run_scripted(time_per_call, 0.2, other, 1)
            if work2.calls != 1 + len(other) or not math.isclose(
                float(np.asarray(got2)), min(other), rel_tol=1e-6
            ):
                raise Mistake(
                    f"right for repeats=4, number=5, but for repeats=3, number=1 fn was called "
                    f"{work2.calls} times (expected 4) and the answer was {got2} s (expected "
                    f"{min(other)} s): use the arguments repeats and number, do not hard-code them"
                )
            return "one warm-up call, then the fastest of the repeats, per call, in seconds."
        totals = [number * t for t in per_call]  # seconds of each timed repeat
        if math.isclose(got, min(totals), rel_tol=1e-6):
            raise Mistake(
                f"you returned {got:.3f} s, the time of a whole repeat ({number} calls): divide "
                "the elapsed time by number to get the time of one call"
            )
        if math.isclose(got, fastest * 1000, rel_tol=1e-6):
            raise Mistake(
                "that looks like milliseconds; return seconds, exactly as time.perf_counter() "
                "gives them"
            )
        if math.isclose(got, float(np.mean(per_call)), rel_tol=1e-6):
            raise Mistake(
                "you averaged the repeats. Keep the FASTEST (min): a slower repeat only shows "
                "that something else needed the processor for a moment."
            )
        if math.isclose(got, max(per_call), rel_tol=1e-6):
            raise Mistake("you kept the slowest repeat; keep the fastest (min)")
        # A clock started once, before the loop, measures repeat 1, then repeats 1-2, ...:
        # its smallest reading is the first repeat and its largest the sum of them all.
        if math.isclose(got, per_call[0], rel_tol=1e-6) or math.isclose(
            got, sum(per_call), rel_tol=1e-6
        ):
            raise Mistake(
                "you got the time of the first repeat, or of all of them together: is the "
                "clock started once, before the loop? Start it anew inside the loop, for "
                "every repeat, and keep the smallest time per call."
            )
        if math.isclose(got, per_call[-1], rel_tol=1e-6):
            raise Mistake(
                "you kept the last repeat's time; compare every repeat and keep the smallest"
            )
        if math.isclose(got, sum(totals), rel_tol=1e-6):
            raise Mistake(
                "that is the total time of all timed calls; time each repeat on its own and "
                "keep the fastest time per call"
            )
        raise Mistake(
            f"for repeats whose calls take {per_call} s each you returned {got:.6g} s; the "
            f"fastest time per call is {fastest} s"
        )

    return run_check(
        "time_per_call",
        attempt,
        start_hint=(
            "call fn once before timing anything. Then, for each repeat, read "
            "time.perf_counter() before and after number calls."
        ),
    )
