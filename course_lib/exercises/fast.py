"""Exercise of ``10_how_fast_can_it_go``: the one-cycle learning-rate schedule.

:func:`one_cycle_lr` gives the learning rate of one step: a half cosine up from
``peak_lr / 25`` to ``peak_lr`` over the first 30% of the steps, then a half cosine down to
``peak_lr / 25 / 10_000`` at the last step. This is the schedule that
``fit(..., schedule="onecycle")`` uses (PyTorch's ``OneCycleLR`` with its default settings
and ``pct_start=0.3``), and the check compares with PyTorch itself. Slips it names: straight
lines instead of half cosines, no warm-up, a warm-up from zero, an end at ``peak_lr / 25``
instead of near zero, half cosines that run the wrong way, the peak one step late or early
or rounded to a whole step, the end one step late or early, a list returned instead of one
number.

Introduced in ``10_how_fast_can_it_go``.
"""

from __future__ import annotations

import math
import numbers

from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = ["check_one_cycle_lr", "one_cycle_lr"]

WARMUP = 0.3  # share of the steps spent climbing to the peak
DIV_START = 25.0  # the first rate is peak_lr / 25
DIV_END = 1e4  # the last rate is the first one / 10 000


def _half_cosine(a: float, b: float, t: float) -> float:
    """From ``a`` at ``t = 0`` to ``b`` at ``t = 1`` along half a cosine wave."""
    return b + (a - b) * (1 + math.cos(math.pi * t)) / 2


def one_cycle_lr(step: int, total_steps: int, peak_lr: float) -> float:
    """Reference answer: the one-cycle learning rate of step ``step`` (0 .. total_steps - 1).

    Warm-up: from ``peak_lr / 25`` at step 0 to ``peak_lr`` at step ``0.3 * total_steps - 1``,
    along half a cosine. Then down, along another half cosine, to
    ``peak_lr / 25 / 10_000`` at the last step, ``total_steps - 1``. The same numbers as
    ``torch.optim.lr_scheduler.OneCycleLR(opt, peak_lr, total_steps=total_steps,
    pct_start=0.3)``. Introduced in ``10_how_fast_can_it_go``.
    """
    start = peak_lr / DIV_START
    end = start / DIV_END
    top = WARMUP * total_steps - 1  # the step at which the rate peaks
    if step <= top:
        return _half_cosine(start, peak_lr, step / top)
    return _half_cosine(peak_lr, end, (step - top) / (total_steps - 1 - top))


def _torch_schedule(total_steps: int, peak_lr: float, strategy: str = "cos") -> list[float]:
    """The rates PyTorch's OneCycleLR gives, step by step."""
    import torch

    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=peak_lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=peak_lr, total_steps=total_steps, pct_start=WARMUP, anneal_strategy=strategy
    )
    rates = []
    for _ in range(total_steps):
        rates.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return rates


def _accepted_schedules(total_steps: int, peak_lr: float) -> list[list[float]]:
    """The rates an answer must give: PyTorch's, step by step.

    Any way of writing the schedule that gives the same numbers passes (the comparison
    allows for rounding, :data:`_TOLERANCE`); counting the peak or the last step one step
    off does not, and :func:`_slip_schedules` names those slips.
    """
    return [_torch_schedule(total_steps, peak_lr)]


def _slip_schedules(total_steps: int, peak_lr: float) -> dict[str, list[float]]:
    start, top = peak_lr / DIV_START, WARMUP * total_steps - 1
    end = start / DIV_END
    last = total_steps - 1

    def two_phases(a0, a1, b1, fn=_half_cosine, top=top, last=last):
        return [
            fn(a0, a1, s / top) if s <= top else fn(a1, b1, (s - top) / (last - top))
            for s in range(total_steps)
        ]

    return {
        "linear": _torch_schedule(total_steps, peak_lr, "linear"),
        "no_warmup": [_half_cosine(peak_lr, end, s / last) for s in range(total_steps)],
        "from_zero": two_phases(0.0, peak_lr, end),
        "ends_high": two_phases(start, peak_lr, start),
        "wrong_way": two_phases(start, peak_lr, end, lambda a, b, t: _half_cosine(b, a, t)),
        "peak_and_end_late": two_phases(start, peak_lr, end, top=top + 1, last=last + 1),
        "peak_late": two_phases(start, peak_lr, end, top=top + 1),
        "peak_early": two_phases(start, peak_lr, end, top=top - 1),
        "peak_rounded": two_phases(start, peak_lr, end, top=round(top)),
        "peak_truncated": two_phases(start, peak_lr, end, top=math.floor(top)),
        "end_late": two_phases(start, peak_lr, end, last=last + 1),
        "end_early": two_phases(start, peak_lr, end, last=last - 1),
    }


_WARMUP_STEPS = (
    "the warm-up covers steps 0 .. pct*total - 1, so the peak is at 0.3 * total_steps - 1"
)
_HINTS = {
    "linear": (
        "your rate moves along straight lines; one-cycle follows half a cosine wave in each "
        "phase, so it leaves the start and arrives at the end gently"
    ),
    "no_warmup": (
        "there is no warm-up: the rate starts at the peak. It should climb from peak_lr / 25 "
        "to peak_lr over the first 30% of the steps"
    ),
    "from_zero": (
        "the warm-up starts at 0; it starts at peak_lr / 25 (a rate of zero would waste the "
        "first steps)"
    ),
    "ends_high": (
        "the rate ends at peak_lr / 25; after the peak it falls much further, to "
        "peak_lr / 25 / 10_000, almost zero"
    ),
    "wrong_way": (
        "each half cosine runs the wrong way: (1 + cos(pi t)) / 2 is 1 at t = 0 and 0 at "
        "t = 1, so it must multiply the distance from the phase's END value"
    ),
    "peak_and_end_late": (
        "your peak and your last step are both one step late: steps count from 0, so "
        f"{_WARMUP_STEPS}, and the last step, where the rate reaches its end value, is "
        "total_steps - 1"
    ),
    "peak_late": f"your peak is one step late: {_WARMUP_STEPS}",
    "peak_early": f"your peak is one step early: {_WARMUP_STEPS}",
    "peak_rounded": (
        "you rounded the peak step to a whole number: PyTorch keeps 0.3 * total_steps - 1 as "
        "it is (139.7 for 469 steps), and t runs from step 0 towards that exact point"
    ),
    "peak_truncated": (
        "you rounded the peak step down to a whole number: PyTorch keeps 0.3 * total_steps - 1 "
        "as it is (139.7 for 469 steps), and t runs from step 0 towards that exact point"
    ),
    "end_late": (
        "your decay ends one step late: the last step is total_steps - 1 (steps count from "
        "0), and the rate must reach its end value there"
    ),
    "end_early": (
        "your decay ends one step early: the last step is total_steps - 1, so t reaches 1 "
        "there and not one step before (yours passes 1 and the cosine turns back up)"
    ),
}

#: (total_steps, peak_lr): a short run, the CPU recipe's 469 steps of one epoch, a long run
_CASES = [(100, 0.01), (469, 0.01), (1000, 0.5)]
_TOLERANCE = 1e-6  # of peak_lr: rounding passes, every slip is far further away somewhere


def check_one_cycle_lr(one_cycle_lr) -> Feedback:
    """Check a learner's ``one_cycle_lr(step, total_steps, peak_lr)`` against PyTorch's.

    For 100, 469 and 1000 steps every step's rate must be within a millionth of ``peak_lr``
    of what ``torch.optim.lr_scheduler.OneCycleLR`` gives (``pct_start=0.3``, other settings
    default): any way of writing the same schedule passes, a peak or an end one step off
    does not.
    """

    def attempt() -> str:
        for total, peak in _CASES:
            mine = []
            for step in range(total):
                value = one_cycle_lr(step, total, peak)
                if hasattr(value, "item") and getattr(value, "shape", None) == ():
                    value = value.item()
                if isinstance(value, bool) or not isinstance(value, numbers.Real):
                    raise Mistake(
                        f"one_cycle_lr({step}, {total}, {peak}) returned a "
                        f"{type(value).__name__}; return the one rate of that step, a number"
                    )
                mine.append(float(value))
            if any(_close(mine, ok, peak) for ok in _accepted_schedules(total, peak)):
                continue
            want = _torch_schedule(total, peak)
            for slip, rates in _slip_schedules(total, peak).items():
                if _close(mine, rates, peak):
                    raise Mistake(_HINTS[slip])
            worst = max(range(total), key=lambda s: abs(mine[s] - want[s]))
            raise Mistake(
                f"with {total} steps and peak_lr={peak}, step {worst} should have a rate of "
                f"{want[worst]:.4g}, yours is {mine[worst]:.4g}: up from peak_lr / 25 to the "
                "peak at 30% of the steps, then down to almost zero at the last step"
            )
        return (
            "your schedule matches PyTorch's OneCycleLR step by step (to a millionth of the "
            "peak rate) for 100, 469 and 1000 steps: the rates fit uses."
        )

    return run_check(
        "one_cycle_lr",
        attempt,
        start_hint=(
            "Find where the peak is, decide which phase `step` is in, and how far through that "
            "phase it is (a number t from 0 to 1)."
        ),
    )


def _close(mine: list[float], want: list[float], peak: float) -> bool:
    return all(abs(a - b) <= _TOLERANCE * peak for a, b in zip(mine, want, strict=True))
