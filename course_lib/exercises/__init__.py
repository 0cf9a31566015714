"""Exercise checks, one module per notebook, on the shared :mod:`course_lib.exercises.base`."""

from course_lib.exercises.base import Feedback, Mistake, run_check

__all__ = ["Feedback", "Mistake", "run_check"]
