"""Check of 10_how_fast_can_it_go's one-cycle schedule: the answer passes, each slip is named."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from course_lib.exercises import fast
from course_lib.exercises.fast import check_one_cycle_lr, one_cycle_lr


@pytest.fixture(autouse=True)
def _lenient(monkeypatch):
    monkeypatch.delenv("COURSE_STRICT_CHECKS", raising=False)


def _cos(a, b, t):
    return b + (a - b) * (1 + math.cos(math.pi * t)) / 2


def _schedule(*, start_div=25, end_div=25 * 1e4, top_shift=-1, end_shift=-1, curve=_cos):
    def lr(step, total_steps, peak_lr):
        top = 0.3 * total_steps + top_shift
        last = total_steps + end_shift
        if step <= top:
            return curve(peak_lr / start_div if start_div else 0.0, peak_lr, step / top)
        return curve(peak_lr, peak_lr / end_div, (step - top) / (last - top))

    return lr


@functools.cache
def torch_sched(total, peak):
    return fast._torch_schedule(total, peak)


def test_reference_matches_torch_exactly():
    for total, peak in fast._CASES:
        want = fast._torch_schedule(total, peak)
        got = [one_cycle_lr(s, total, peak) for s in range(total)]
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    assert check_one_cycle_lr(one_cycle_lr).status == "correct"


def test_stub_is_not_implemented():
    def stub(step, total_steps, peak_lr):
        raise NotImplementedError("replace this line with your answer.")

    fb = check_one_cycle_lr(stub)
    assert fb.status == "not_implemented" and "which phase" in fb.message


@pytest.mark.parametrize(
    "other",
    [
        _schedule(),  # the same schedule, written another way
        lambda s, t, p: np.float64(one_cycle_lr(s, t, p)),  # a NumPy number
        lambda s, t, p: float(torch_sched(t, p)[s]),  # PyTorch's own numbers
        lambda s, t, p: np.float32(one_cycle_lr(s, t, p)),  # rounded to 32-bit floats
    ],
    ids=["rewritten", "numpy_number", "torch_itself", "float32"],
)
def test_other_correct_forms_pass(other):
    assert check_one_cycle_lr(other).status == "correct"


def _rounded_peak(rounding):
    def lr(step, total_steps, peak_lr):
        top = rounding(0.3 * total_steps - 1)
        if step <= top:
            return _cos(peak_lr / 25, peak_lr, step / top)
        return _cos(peak_lr, peak_lr / 25 / 1e4, (step - top) / (total_steps - 1 - top))

    return lr


def test_the_peak_one_step_late_is_far_off():
    """The slip a 1% tolerance let through: 2.96% of the peak off at step 19 of 100."""
    late = [_schedule(top_shift=0)(s, 100, 0.01) for s in range(100)]
    want = torch_sched(100, 0.01)
    assert abs(late[19] - want[19]) > 0.029 * 0.01


def _linear(a, b, t):
    return a + (b - a) * t


@pytest.mark.parametrize(
    ("wrong", "hint"),
    [
        (_schedule(curve=_linear), "straight lines"),
        (lambda s, t, p: _cos(p, p / 25 / 1e4, s / (t - 1)), "no warm-up"),
        (_schedule(start_div=0), "starts at 0"),
        (_schedule(end_div=25), "ends at peak_lr / 25"),
        (_schedule(curve=lambda a, b, t: _cos(b, a, t)), "wrong way"),
        (_schedule(top_shift=0), "peak is one step late"),
        (_schedule(top_shift=-2), "peak is one step early"),
        (_schedule(top_shift=0, end_shift=0), "peak and your last step are both one step late"),
        (_schedule(end_shift=0), "decay ends one step late"),
        (_schedule(end_shift=-2), "decay ends one step early"),
        (_rounded_peak(round), "rounded the peak step to a whole number"),
        (_rounded_peak(math.floor), "rounded the peak step down"),
        (lambda s, t, p: [one_cycle_lr(s, t, p)], "return the one rate"),
        (lambda s, t, p: p, "should have a rate of"),
    ],
)
def test_slips_get_their_hint(wrong, hint):
    fb = check_one_cycle_lr(wrong)
    assert fb.status == "wrong"
    assert hint in fb.message


def test_every_slip_differs_from_the_answer_and_from_the_others():
    """In at least one case (a rounded peak is right when 0.3 * T is whole)."""
    per_case = [
        (fast._accepted_schedules(total, peak), fast._slip_schedules(total, peak), peak)
        for total, peak in fast._CASES
    ]
    names = list(per_case[0][1])
    for i, name in enumerate(names):
        assert any(
            not any(fast._close(slips[name], ok, peak) for ok in accepted)
            for accepted, slips, peak in per_case
        ), name
        for other in names[i + 1 :]:
            assert any(
                not fast._close(slips[name], slips[other], peak) for _, slips, peak in per_case
            ), (name, other)


def test_strict_mode_raises(monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    with pytest.raises(AssertionError, match="warm-up"):
        check_one_cycle_lr(lambda s, t, p: _cos(p, p / 25 / 1e4, s / (t - 1)))
