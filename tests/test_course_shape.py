"""The course keeps its shape: the learner writes the ideas, and no hint gives them away.

"Learner lines" are the non-blank, non-comment lines inside ``### BEGIN SOLUTION`` /
``### END SOLUTION`` regions: what the student edition takes out and the learner writes back.
See "The rule for notebooks" in ``docs/maintaining.md``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from course_lib.classroom import BEGIN, END, HINT_PREFIX, SOLUTION_TAG

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def solution_regions(path: Path) -> list[list[str]]:
    """The learner's lines of each solution region of a notebook, blanks and comments dropped."""
    regions: list[list[str]] = []
    for cell in nbformat.read(path, as_version=4).cells:
        if SOLUTION_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        current: list[str] | None = None
        for line in cell.source.splitlines():
            stripped = line.strip()
            if stripped == BEGIN:
                current = []
            elif stripped == END:
                regions.append(current or [])
                current = None
            elif current is not None and stripped and not stripped.startswith("#"):
                current.append(stripped)
    return regions


def learner_lines(prefixes: tuple[str, ...]) -> dict[str, int]:
    counts = {}
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        if path.name.startswith(prefixes):
            counts[path.stem] = sum(len(r) for r in solution_regions(path))
    return counts


def test_solution_regions_are_counted_without_blanks_or_comments(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(
        f"def f(x):\n    {BEGIN}\n    # a comment\n\n    y = x + 1\n    return y\n    {END}\n"
    )
    cell.metadata["tags"] = [SOLUTION_TAG]
    nb.cells.append(cell)
    path = tmp_path / "01_x.ipynb"
    nbformat.write(nb, path)
    assert solution_regions(path) == [["y = x + 1", "return y"]]


@pytest.mark.parametrize(
    "group, prefixes, at_least",
    [
        ("the primer and notebooks 01-05", ("00a_", "01_", "02_", "03_", "04_", "05_"), 60),
        ("notebooks 06-08", ("06_", "07_", "08_"), 60),
    ],
)
def test_the_learner_writes_the_ideas(group, prefixes, at_least):
    counts = learner_lines(prefixes)
    assert len(counts) == len(prefixes), f"missing notebooks in {group}: found {sorted(counts)}"
    total = sum(counts.values())
    assert total >= at_least, (
        f"the learner writes {total} lines in {group} ({counts}); the course asks for at least "
        f"{at_least}: turn shown code into exercises (docs/maintaining.md)"
    )


@pytest.mark.parametrize("prefix", ["01_", "02_", "03_", "04_", "05_", "06_", "07_", "08_"])
def test_each_notebook_has_an_exercise_of_five_lines_or_more(prefix):
    (path,) = NOTEBOOKS.glob(f"{prefix}*.ipynb")
    longest = max((len(r) for r in solution_regions(path)), default=0)
    assert longest >= 5, (
        f"{path.name}: its longest exercise is {longest} lines; each notebook needs one where "
        "the learner writes a loop or a function of five lines or more"
    )


def test_no_hint_sits_in_plain_sight_above_an_answer():
    offenders = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type == "code" and any(
                line.strip().startswith(HINT_PREFIX) for line in cell.source.splitlines()
            ):
                offenders.append(f"{path.name} cell {index}")
    assert not offenders, (
        f"'{HINT_PREFIX}' lines stay visible in the student edition: {offenders}. Move the hint "
        "into the check's start_hint or behind a <details> reveal in the markdown."
    )
