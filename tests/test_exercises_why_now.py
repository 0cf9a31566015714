"""Checks of 01_why_deep_learning: answers pass, stubs are 'not implemented', slips are named."""

from __future__ import annotations

import time

import numpy as np
import pytest

from course_lib.exercises.why_now import (
    check_count_matmul_flops,
    check_time_per_call,
    check_two_layer_forward,
    count_matmul_flops,
    relu,
    time_per_call,
    two_layer_forward,
)


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def _stub(*args, **kwargs):
    raise NotImplementedError("fill me in")


def test_reference_answers_are_correct():
    assert check_count_matmul_flops(count_matmul_flops).status == "correct"
    assert check_two_layer_forward(two_layer_forward).status == "correct"
    assert check_time_per_call(time_per_call).status == "correct"


def test_stubs_are_not_implemented():
    fb = check_count_matmul_flops(_stub)
    assert fb.status == "not_implemented" and "dot product" in fb.message
    fb = check_two_layer_forward(_stub)
    assert fb.status == "not_implemented" and "np.maximum" in fb.message
    assert "@ w2" not in fb.message  # a nudge, not the answer
    fb = check_time_per_call(_stub)
    assert fb.status == "not_implemented" and "perf_counter" in fb.message


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda n, d, m: n * d * m, "factor 2"),
        (lambda n, d, m: n * m, "number of outputs"),
        (lambda n, d, m: 2 * n * m, "length d"),
        (lambda n, d, m: n * m * (2 * d - 1), "skip the first addition"),
        (lambda n, d, m: 2 * n**3, "square matrix"),
        (lambda n, d, m: n + d + m, "expected 210"),
        (lambda n, d, m: 210, "hard-coded"),
        (lambda n, d, m: "210", "return a number"),
    ],
)
def test_each_flop_slip_gets_its_hint(wrong, hint):
    fb = check_count_matmul_flops(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_one_addition_fewer_is_told_the_convention_not_the_formula():
    fb = check_count_matmul_flops(lambda n, d, m: n * m * (2 * d - 1))
    assert "multiply-add is 2 FLOPs" in fb.message and "starts at zero" in fb.message
    assert "2*n*d*m" not in fb.message and "2nd" not in fb.message, fb.message


def _inplace(x, w1, b1, w2, b2):
    x += 1
    return relu(x @ w1 + b1) @ w2 + b2


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (lambda x, w1, b1, w2, b2: (relu(x @ w1 + b1) @ w2 + b2).tolist(), "NumPy array"),
        (_inplace, "changed in place"),
        (lambda x, w1, b1, w2, b2: (relu(x @ w1 + b1) @ w2 + b2).T, "transposed"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1 + b1), "shape (N, K)"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1) @ w2 + b2, "b1 is missing"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1 + b1) @ w2, "b2 is missing"),
        (lambda x, w1, b1, w2, b2: relu(x @ w1) @ w2, "both biases"),
        (lambda x, w1, b1, w2, b2: (x @ w1 + b1) @ w2 + b2, "ReLU between the layers is missing"),
        (lambda x, w1, b1, w2, b2: relu(relu(x @ w1 + b1) @ w2 + b2), "between the layers only"),
        (lambda x, w1, b1, w2, b2: np.tanh(x @ w1 + b1) @ w2 + b2, "numbers differ"),
        (lambda x, w1, b1, w2, b2: x @ w2, "ValueError"),
    ],
)
def test_each_forward_slip_gets_its_hint(wrong, hint):
    fb = check_two_layer_forward(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def _repeat_times(fn, repeats, number, *, warm_up=True, clock=None):
    """Seconds per call of each timed repeat: the shared skeleton of the wrong timers below."""
    clock = clock or (lambda: time.perf_counter())
    if warm_up:
        fn()
    times = []
    for _ in range(repeats):
        start = clock()
        for _ in range(number):
            fn()
        times.append((clock() - start) / number)
    return times


def _no_warm_up(fn, repeats=5, number=10):
    return min(_repeat_times(fn, repeats, number, warm_up=False))


def _once_per_repeat(fn, repeats=5, number=10):
    return min(_repeat_times(fn, repeats, 1))


def _two_warm_ups(fn, repeats=5, number=10):
    fn()
    return min(_repeat_times(fn, repeats, number))


def _whole_repeat(fn, repeats=5, number=10):
    return min(_repeat_times(fn, repeats, number)) * number


def _start_once(fn, repeats=5, number=10):
    fn()
    start = time.perf_counter()
    best = float("inf")
    for _ in range(repeats):
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def _start_once_last(fn, repeats=5, number=10):
    fn()
    start = time.perf_counter()
    for _ in range(repeats):
        for _ in range(number):
            fn()
    return (time.perf_counter() - start) / number


def _wall_clock(fn, repeats=5, number=10):
    return min(_repeat_times(fn, repeats, number, clock=time.time))


def _hard_coded(fn, repeats=5, number=10):
    return min(_repeat_times(fn, 4, 5))


@pytest.mark.parametrize(
    "wrong, hint",
    [
        (_no_warm_up, "warm-up call is missing"),
        (_once_per_repeat, "once per repeat"),
        (_two_warm_ups, "expect 1 warm-up call"),
        (lambda fn, repeats=5, number=10: _repeat_times(fn, repeats, number), "returned 4 numbers"),
        (lambda fn, repeats=5, number=10: "fast", "return a number"),
        (_wall_clock, "never read"),
        (_whole_repeat, "divide the elapsed time by number"),
        (lambda fn, repeats=5, number=10: 1000 * time_per_call(fn, repeats, number), "millisec"),
        (
            lambda fn, repeats=5, number=10: float(np.mean(_repeat_times(fn, repeats, number))),
            "averaged the repeats",
        ),
        (lambda fn, repeats=5, number=10: max(_repeat_times(fn, repeats, number)), "slowest"),
        (_start_once, "started once"),
        (_start_once_last, "started once"),
        (lambda fn, repeats=5, number=10: _repeat_times(fn, repeats, number)[-1], "last repeat"),
        (
            lambda fn, repeats=5, number=10: sum(_repeat_times(fn, repeats, number)) * number,
            "total time",
        ),
        (_hard_coded, "do not hard-code"),
        (lambda fn, repeats=5, number=10: time_per_call(fn, repeats, number) + 1e-3, "fastest"),
    ],
)
def test_each_timing_slip_gets_its_hint(wrong, hint):
    fb = check_time_per_call(wrong)
    assert fb.status == "wrong", fb
    assert hint in fb.message


def test_the_timing_check_restores_the_real_clock():
    real = time.perf_counter
    check_time_per_call(time_per_call)
    check_time_per_call(_no_warm_up)
    assert time.perf_counter is real


def test_the_reference_timer_measures_real_work():
    def work():
        time.sleep(0.002)

    seconds = time_per_call(work, repeats=2, number=2)
    assert 0.0015 < seconds < 0.1


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="factor 2"):
        check_count_matmul_flops(lambda n, d, m: n * d * m)
