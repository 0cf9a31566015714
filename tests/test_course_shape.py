"""The course keeps its shape: the learner writes the ideas, and no hint gives them away.

"Learner lines" are the non-blank, non-comment lines inside ``### BEGIN SOLUTION`` /
``### END SOLUTION`` regions: what the student edition takes out and the learner writes back.
See "The rule for notebooks" in ``docs/maintaining.md``.
"""

from __future__ import annotations

import re
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


# nbgrader (https://nbgrader.readthedocs.io) reads these keys from each solution cell; schema
# version 3 is the one nbgrader 0.9 writes. ``grade: false`` means the cell earns no points of
# its own (the check in the next cell gives the feedback), so no ``points`` key is needed.
NBGRADER_SOLUTION = {
    "grade": False,
    "locked": False,
    "schema_version": 3,
    "solution": True,
    "task": False,
}
GRADE_ID = re.compile(r"^[a-zA-Z0-9_\-]+$")  # nbgrader's schema allows only these characters


def test_every_solution_cell_carries_nbgrader_metadata():
    """nbgrader releases a cell's answer only if the cell says it is a solution (and no other)."""
    problems = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        prefix = path.name.split("_", 1)[0]  # "03", "00a"
        ids: set[str] = set()
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            where = f"{path.name} cell {index} ({cell.get('id')})"
            meta = cell.get("metadata", {}).get("nbgrader")
            if SOLUTION_TAG not in cell.get("metadata", {}).get("tags", []):
                if meta is not None and meta.get("solution"):
                    problems.append(f"{where}: nbgrader solution but no '{SOLUTION_TAG}' tag")
                continue
            if meta is None:
                problems.append(f"{where}: tagged '{SOLUTION_TAG}' but has no nbgrader metadata")
                continue
            grade_id = meta.get("grade_id")
            rest = {k: v for k, v in meta.items() if k != "grade_id"}
            if rest != NBGRADER_SOLUTION:
                problems.append(f"{where}: nbgrader metadata {rest}, expected {NBGRADER_SOLUTION}")
            if not isinstance(grade_id, str) or not GRADE_ID.match(grade_id):
                problems.append(f"{where}: grade_id {grade_id!r} is not letters, digits, _ or -")
            elif not grade_id.startswith(f"{prefix}-"):
                problems.append(f"{where}: grade_id {grade_id!r} should start with '{prefix}-'")
            elif grade_id in ids:
                problems.append(f"{where}: grade_id {grade_id!r} is used twice in the notebook")
            ids.add(grade_id)
    assert not problems, (
        "solution cells need nbgrader metadata such as {'nbgrader': {'grade': False, "
        "'grade_id': '03-sgd', 'locked': False, 'schema_version': 3, 'solution': True, "
        "'task': False}} (see docs/teaching.md):\n" + "\n".join(problems)
    )
