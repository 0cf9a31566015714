"""Feedback for the exercises: kind, specific, and never a wall of traceback.

Every exercise in a notebook is a code cell the learner fills in, followed by a check such
as ``check_sigmoid(sigmoid)``. A check runs the learner's code on chosen inputs and returns a
:class:`Feedback` that shows as a short coloured note with a text label:

* **correct**: what was verified;
* **not implemented yet**: the cell still raises ``NotImplementedError`` (the student edition's
  stub); a one-line hint says where to start;
* **not yet right**: the specific mistake found (wrong shape, missing bias, flipped sign,
  overflow for large inputs, ...) and how to fix it.

A check never raises for a learner's mistake, so the rest of the notebook keeps working.
With the environment variable ``COURSE_STRICT_CHECKS=1`` (set by ``make test``) a check that
does not pass raises ``AssertionError`` instead, so the test suite proves that every solution
in the source notebooks is right.

Writing a check::

    def check_sigmoid(sigmoid):
        def attempt():
            out = sigmoid(np.array([0.0]))
            if not np.allclose(out, 0.5):
                raise Mistake("sigmoid(0) should be 0.5: is it 1 / (1 + exp(-x))?")
        return run_check("sigmoid", attempt, start_hint="Return 1 / (1 + np.exp(-x)).")
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass

STRICT_ENV = "COURSE_STRICT_CHECKS"

_LOOK = {
    "correct": ("Correct", "#009E73", "\u2714"),
    "not_implemented": ("Not implemented yet", "#0072B2", "\u270e"),
    "wrong": ("Not yet right", "#D55E00", "\u2716"),
}


class Mistake(Exception):
    """A specific, explained mistake that a check found in the learner's answer."""


@dataclass(frozen=True)
class Feedback:
    """The outcome of one exercise check."""

    exercise: str  # short name of the exercise, e.g. "sigmoid"
    status: str  # "correct", "not_implemented" or "wrong"
    message: str  # one or two sentences for the learner

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        label = _LOOK[self.status][0]
        return f"{label} ({self.exercise}): {self.message}"

    def _repr_html_(self) -> str:
        label, colour, mark = _LOOK[self.status]
        return (
            f'<div class="course-feedback course-feedback-{self.status}" role="status" '
            f'style="border-left:6px solid {colour};padding:4px 10px;margin:4px 0">'
            f"<b>{mark} {label}</b> ({html.escape(self.exercise)}): "
            f"{html.escape(self.message)}</div>"
        )

    def __repr__(self) -> str:
        return str(self)


def run_check(
    exercise: str,
    attempt: Callable[[], str | None],
    *,
    start_hint: str,
) -> Feedback:
    """Run ``attempt`` (which calls the learner's code) and turn what happens into feedback.

    ``attempt`` raises :class:`Mistake` with a specific hint for a known mistake and may
    return a sentence describing what was verified. ``start_hint`` is shown while the
    learner's code still raises ``NotImplementedError``.
    """
    try:
        verified = attempt()
    except NotImplementedError:
        fb = Feedback(exercise, "not_implemented", f"fill in the cell above. Hint: {start_hint}")
    except Mistake as mistake:
        fb = Feedback(exercise, "wrong", str(mistake))
    except Exception as error:  # the learner's code crashed: say how, without a traceback
        fb = Feedback(
            exercise,
            "wrong",
            f"your code raised {type(error).__name__}: {error}. "
            "Read the message, fix the cell above and run both cells again.",
        )
    else:
        fb = Feedback(exercise, "correct", verified or "all checks passed.")
    if not fb.passed and os.environ.get(STRICT_ENV) == "1":
        raise AssertionError(str(fb))
    return fb


def yours_or_reference(feedback: Feedback, yours: Callable, reference: Callable) -> Callable:
    """The learner's function once its check has passed, otherwise the course's reference.

    A notebook that goes on to *use* what the learner wrote (their loss in a training loop,
    their loop in an explorer) calls this right after the check::

        feedback = check_bce_loss(bce_loss)
        feedback
        ...
        loss_fn = yours_or_reference(feedback, bce_loss, reference_bce_loss)

    It prints one line saying which version the rest of the notebook runs, so a learner whose
    answer is not finished yet (or still wrong) can read on with working code, and knows it.
    """
    if not isinstance(feedback, Feedback):
        raise TypeError(
            f"feedback must be the Feedback that the exercise's check returned, got "
            f"{type(feedback).__name__}; pass the result of check_...(your_function)"
        )
    name = getattr(yours, "__name__", feedback.exercise)
    if feedback.passed:
        print(f"The rest of this notebook runs your {name}.")
        return yours
    print(
        f"Your {name} has not passed its check yet, so the rest of this notebook runs the "
        "course's reference version. Fix yours, run its cell and the check again, then rerun "
        "from here to see your own code at work."
    )
    return reference
