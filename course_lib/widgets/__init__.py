"""Interactive explorers for the notebooks, built on :class:`~course_lib.widgets.base.Explorer`."""

from course_lib.widgets.base import Explorer, dropdown, slider

__all__ = ["Explorer", "dropdown", "slider"]
