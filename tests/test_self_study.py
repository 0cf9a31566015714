"""The self-study edition that `make lab` gives a learner: made once, never overwritten.

A learner's folder gets the student edition plus a collapsed "Show a solution" below each
exercise's check. Later runs add notebooks that are new in the course and name the ones that
changed, and `fresh` writes a changed notebook's new version beside the learner's copy.
The last test starts `make lab` itself, as root (as in a container), and fetches the page.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from course_lib.classroom import (
    MANIFEST_NAME,
    REVEAL_TAG,
    SOLUTION_TAG,
    ClassroomError,
    is_hint,
    main,
    make_student_edition,
    opens_with_hint,
    self_study_notebook,
    student_notebook,
    sync_self_study,
    write_fresh,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

SOLVED = """def double(x):
    \"\"\"Twice x.\"\"\"
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION
"""


def _exercise_notebook(title: str = "Doubling", solution: str = SOLVED):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}", id="cell-00"),
        nbformat.v4.new_code_cell(solution, id="cell-01", metadata={"tags": [SOLUTION_TAG]}),
        nbformat.v4.new_code_cell("check_double(double)", id="cell-02"),
        nbformat.v4.new_markdown_cell("## Summary", id="cell-03"),
    ]
    return nb


def _course(folder: Path, **notebooks) -> Path:
    """A small course: ``name=title`` writes ``name.ipynb`` with one exercise."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, title in notebooks.items():
        nbformat.write(_exercise_notebook(title), folder / f"{name}.ipynb")
    return folder


def _snapshot(folder: Path) -> dict:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


def _changed(results) -> dict:
    return {r.name: r.action for r in results if r.action != "unchanged"}


@pytest.fixture()
def course(tmp_path):
    src = _course(tmp_path / "notebooks", **{"01_one": "One", "02_two": "Two"})
    return src, tmp_path / "my_notebooks"


def test_first_run_writes_the_edition_with_no_solution_in_any_code_cell(course):
    src, mine = course
    results = sync_self_study(src, mine)
    assert _changed(results) == {"01_one.ipynb": "wrote", "02_two.ipynb": "wrote"}
    assert sorted(p.name for p in mine.iterdir()) == [MANIFEST_NAME, "01_one.ipynb", "02_two.ipynb"]
    nb = nbformat.read(mine / "01_one.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "2 * x" not in code and "NotImplementedError" in code
    assert '"""Twice x."""' in code  # the def line and docstring stay for the learner


def test_the_reveal_is_collapsed_below_the_check_and_holds_the_solution(course):
    src, mine = course
    sync_self_study(src, mine)
    nb = nbformat.read(mine / "01_one.ipynb", as_version=4)
    kinds = [(c.cell_type, c.metadata.get("tags", [])) for c in nb.cells]
    assert kinds[1] == ("code", [SOLUTION_TAG]) and kinds[2] == ("code", [])  # the check
    reveal = nb.cells[3]
    assert reveal.cell_type == "markdown" and reveal.metadata["tags"] == [REVEAL_TAG]
    assert reveal.source.startswith("<details>\n<summary>Show a solution</summary>")
    assert reveal.source.rstrip().endswith("</details>")
    assert "    y = 2 * x\n    return y" in reveal.source
    assert "BEGIN SOLUTION" not in reveal.source and "END SOLUTION" not in reveal.source
    assert reveal.id == "cell-01-reveal"
    nbformat.validate(nb)


def test_without_its_reveals_the_edition_is_exactly_the_teachers_student_edition():
    """The reveal is the only difference; `classroom student` itself is unchanged."""
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        student, removed = student_notebook(nb, path.name)
        edition, removed_too = self_study_notebook(nb, path.name)
        reveals = [c for c in edition.cells if REVEAL_TAG in c.metadata.get("tags", [])]
        assert removed == removed_too and len(reveals) == sum(
            SOLUTION_TAG in c.metadata.get("tags", []) for c in nb.cells
        ), path.name
        edition.cells = [c for c in edition.cells if c not in reveals]
        assert edition == student, path.name
        assert all(REVEAL_TAG not in c.metadata.get("tags", []) for c in student.cells)


def test_the_teachers_student_edition_has_no_reveal(course, tmp_path):
    src, _ = course
    make_student_edition(src, tmp_path / "class")
    text = (tmp_path / "class" / "01_one.ipynb").read_text()
    assert "2 * x" not in text and "Show a solution" not in text and REVEAL_TAG not in text


def test_a_second_run_changes_nothing(course):
    src, mine = course
    sync_self_study(src, mine)
    before = _snapshot(mine)
    assert _changed(sync_self_study(src, mine)) == {}
    assert _snapshot(mine) == before


def test_a_learners_edit_survives_every_run(course):
    src, mine = course
    sync_self_study(src, mine)
    work = mine / "01_one.ipynb"
    nb = nbformat.read(work, as_version=4)
    nb.cells[1].source = "def double(x):\n    return x + x  # my answer\n"
    nbformat.write(nb, work)
    mine_now = work.read_bytes()
    assert _changed(sync_self_study(src, mine)) == {}
    assert work.read_bytes() == mine_now


def test_a_notebook_new_in_the_course_is_added_and_nothing_else_touched(course):
    src, mine = course
    sync_self_study(src, mine)
    before = _snapshot(mine)
    _course(src, **{"03_three": "Three"})
    results = sync_self_study(src, mine)
    assert _changed(results) == {"03_three.ipynb": "wrote"}
    assert "new in the course" in next(r.message for r in results if r.action == "wrote")
    after = _snapshot(mine)
    assert {k: after[k] for k in ("01_one.ipynb", "02_two.ipynb")} == {
        k: before[k] for k in ("01_one.ipynb", "02_two.ipynb")
    }


def _change_upstream(src: Path, name: str = "02_two", title: str = "") -> None:
    title = title or f"{name.split('_')[1].capitalize()}, improved"
    nbformat.write(_exercise_notebook(title), src / f"{name}.ipynb")


def test_a_changed_notebook_is_reported_kept_and_its_fresh_copy_goes_beside_it(course):
    src, mine = course
    sync_self_study(src, mine)
    work = mine / "02_two.ipynb"
    work.write_text(work.read_text().replace("# Two", "# Two, with my notes"))
    learners = work.read_bytes()
    _change_upstream(src)

    for _ in range(2):  # reported on every run until the fresh copy is written
        results = sync_self_study(src, mine)
        assert _changed(results) == {"02_two.ipynb": "changed upstream"}
        (message,) = [r.message for r in results if r.message]
        assert "02_two.ipynb changed in the course" in message and "yours is kept" in message
        assert "make fresh NB=02" in message and "\n" not in message
        assert work.read_bytes() == learners

    (written,) = write_fresh(src, mine, "02")
    fresh = mine / "02_two.fresh.ipynb"
    assert written.target == fresh and written.action == "wrote"
    assert work.read_bytes() == learners
    assert "Two, improved" in fresh.read_text() and "2 * x" not in "\n".join(
        c.source for c in nbformat.read(fresh, as_version=4).cells if c.cell_type == "code"
    )
    # Once the fresh copy is there, the learner is not told again; a rerun writes nothing.
    assert _changed(sync_self_study(src, mine)) == {}
    assert write_fresh(src, mine, "02")[0].action == "already there"
    # Work done in the fresh copy is not overwritten either: that notebook is skipped.
    fresh.write_text(fresh.read_text().replace("improved", "improved, my notes"))
    notes = fresh.read_bytes()
    _change_upstream(src, title="Two, improved again")
    (skipped,) = write_fresh(src, mine, "02_two")
    assert skipped.action == "skipped (has changes of yours)"
    assert fresh.read_bytes() == notes and work.read_bytes() == learners


def test_an_untouched_older_fresh_copy_is_replaced_and_an_edited_one_only_skips_itself(
    course, capsys
):
    src, mine = course
    sync_self_study(src, mine)
    _change_upstream(src, "01_one")
    _change_upstream(src, "02_two")
    assert [r.action for r in write_fresh(src, mine)] == ["wrote", "wrote"]
    one, two = mine / "01_one.fresh.ipynb", mine / "02_two.fresh.ipynb"
    two.write_text(two.read_text().replace("improved", "improved, my notes"))
    notes = two.read_bytes()
    # The course moves on again: 01's fresh copy, never touched, is now an older version.
    _change_upstream(src, "01_one", title="One, improved again")
    _change_upstream(src, "02_two", title="Two, improved again")
    assert main(["fresh", str(src), str(mine)]) == 1  # something was skipped
    out, err = capsys.readouterr()
    assert "replaced: " in out and "01_one.fresh.ipynb" in out
    assert "One, improved again" in one.read_text()
    assert two.read_bytes() == notes  # never overwrite a file the learner changed
    (line,) = err.splitlines()
    assert line.startswith("skipped 02_two.ipynb: ") and "has changes of yours" in line
    assert "rename it to keep it, and run again" in line
    # Renamed, it is kept; the next run writes the new version.
    two.rename(mine / "02_two.my-notes.ipynb")
    assert main(["fresh", str(src), str(mine)]) == 0
    assert "Two, improved again" in two.read_text()
    assert (mine / "02_two.my-notes.ipynb").read_bytes() == notes


def test_a_fresh_copy_of_unknown_origin_is_never_overwritten(course):
    src, mine = course
    sync_self_study(src, mine)
    _change_upstream(src)
    (mine / "02_two.fresh.ipynb").write_text("made by hand")
    (result,) = write_fresh(src, mine)
    assert result.action.startswith("skipped")
    assert (mine / "02_two.fresh.ipynb").read_text() == "made by hand"


def test_fresh_for_a_named_notebook_that_did_not_change_writes_only_when_asked(course, capsys):
    src, mine = course
    sync_self_study(src, mine)
    (result,) = write_fresh(src, mine, "01")
    assert result.action == "unchanged" and not (mine / "01_one.fresh.ipynb").exists()
    assert main(["fresh", str(src), str(mine), "01"]) == 0
    out = capsys.readouterr().out
    assert "01_one.ipynb did not change" in out and "nothing written" in out
    assert "--anyway" in out and not (mine / "01_one.fresh.ipynb").exists()
    assert main(["fresh", str(src), str(mine), "01", "--anyway"]) == 0
    assert (mine / "01_one.fresh.ipynb").exists()


def test_fresh_without_a_name_writes_every_changed_notebook_and_only_those(course):
    src, mine = course
    sync_self_study(src, mine)
    assert write_fresh(src, mine) == []
    _change_upstream(src)
    assert [r.target.name for r in write_fresh(src, mine)] == ["02_two.fresh.ipynb"]
    assert not (mine / "01_one.fresh.ipynb").exists()


def test_a_deleted_copy_is_written_again_to_start_over(course):
    src, mine = course
    sync_self_study(src, mine)
    (mine / "01_one.ipynb").unlink()
    results = sync_self_study(src, mine)
    assert _changed(results) == {"01_one.ipynb": "restored"}
    assert (mine / "01_one.ipynb").exists()
    (message,) = [r.message for r in results if r.message]
    assert message == "wrote a new copy of 01_one.ipynb (yours was missing)"


def test_without_a_manifest_existing_files_are_kept_and_adopted(course):
    src, mine = course
    sync_self_study(src, mine)
    (mine / MANIFEST_NAME).unlink()
    (mine / "01_one.ipynb").write_text("a learner's own work")
    results = sync_self_study(src, mine)
    assert _changed(results) == {"01_one.ipynb": "kept"}  # 02 matched its copy: adopted
    assert (mine / "01_one.ipynb").read_text() == "a learner's own work"
    assert _changed(sync_self_study(src, mine)) == {}  # said once


def test_a_damaged_manifest_stops_with_a_fix_and_touches_nothing(course):
    src, mine = course
    sync_self_study(src, mine)
    (mine / MANIFEST_NAME).write_text("{not json")
    before = _snapshot(mine)
    with pytest.raises(ClassroomError, match="delete it and run again"):
        sync_self_study(src, mine)
    assert _snapshot(mine) == before


def test_bad_arguments_are_refused_before_anything_is_written(course, tmp_path):
    src, mine = course
    with pytest.raises(ClassroomError, match="inside the source folder"):
        sync_self_study(src, src / "mine")
    with pytest.raises(ClassroomError, match="is a file"):
        sync_self_study(src / "01_one.ipynb", mine)
    with pytest.raises(ClassroomError, match="run `make lab` first"):
        write_fresh(src, mine, "01")
    sync_self_study(src, mine)
    with pytest.raises(ClassroomError, match="choose one of 01, 02"):
        write_fresh(src, mine, "07")
    with pytest.raises(TypeError, match="source must be a path"):
        sync_self_study(3, mine)
    assert not (src / "mine").exists()


def test_command_lines_print_one_line_each(course, capsys):
    src, mine = course
    assert main(["self-study", str(src), str(mine)]) == 0
    first = capsys.readouterr().out.splitlines()
    assert len(first) == 1 and "2 notebooks" in first[0] and "Show a solution" in first[0]
    assert main(["self-study", str(src), str(mine)]) == 0
    assert capsys.readouterr().out == f"{mine}/ is up to date (2 notebooks)\n"
    _change_upstream(src)
    assert main(["self-study", str(src), str(mine)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and f"make fresh NB=02 MY_NOTEBOOKS={mine}" in out[0]
    assert main(["fresh", str(src), str(mine), "02"]) == 0
    assert "02_two.fresh.ipynb" in capsys.readouterr().out
    assert main(["fresh", str(src), str(mine), "nope"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no course notebook is called 'nope'") and err.count("\n") == 1


def test_the_course_itself_gets_a_reveal_for_every_exercise(tmp_path):
    sync_self_study(NOTEBOOKS, tmp_path / "mine")
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(tmp_path / "mine" / path.name, as_version=4)
        nbformat.validate(nb)
        cells = nb.cells
        for index, cell in enumerate(cells):
            if SOLUTION_TAG in cell.metadata.get("tags", []):
                assert "### BEGIN SOLUTION" not in cell.source
                # the check right below it, then (after a hint placed there) the reveal
                assert "check_" in cells[index + 1].source, (path.name, index)
                after = index + 2
                if cells[after].cell_type == "markdown" and opens_with_hint(cells[after].source):
                    after += 1
                assert REVEAL_TAG in cells[after].metadata.get("tags", []), (path.name, index)


def test_a_hint_below_the_check_still_comes_before_the_reveal():
    nb = _exercise_notebook()
    hint = "<details>\n<summary>Hint</summary>\n\nDouble it.\n\n</details>\n\n## Next"
    nb.cells.insert(3, nbformat.v4.new_markdown_cell(hint, id="cell-02-hint"))
    edition, _ = self_study_notebook(nb)
    order = [c.get("id") for c in edition.cells]
    assert order == ["cell-00", "cell-01", "cell-02", "cell-02-hint", "cell-01-reveal", "cell-03"]
    nb.cells[3].source = "## Next, with no hint"
    edition, _ = self_study_notebook(nb)
    assert [c.get("id") for c in edition.cells][3] == "cell-01-reveal"


def _late_hints(nb) -> list[str]:
    """Hints that a learner would meet after the exercise's answer, or outside its section.

    A hint belongs to the first solution cell after it. It must not sit right below an
    exercise's check (where that exercise's "Show a solution" goes), and no new section
    (a ``## `` heading) may start between the hint and its solution cell.
    """
    cells, problems = nb.cells, []
    tagged = [SOLUTION_TAG in c.metadata.get("tags", []) for c in cells]
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown" or not is_hint(cell.source):
            continue
        where = f"{cell.get('id')} (cell {index})"
        below_check = index >= 2 and tagged[index - 2] and cells[index - 1].cell_type == "code"
        if below_check and opens_with_hint(cell.source):
            problems.append(f"{where} sits below the check of {cells[index - 2].get('id')}")
        answer = next((j for j in range(index + 1, len(cells)) if tagged[j]), None)
        if answer is None:
            problems.append(f"{where} comes after the last exercise")
            continue
        between = [cell.source.rsplit("</details>", 1)[-1]]
        between += [c.source for c in cells[index + 1 : answer] if c.cell_type == "markdown"]
        if any(line.startswith("## ") for text in between for line in text.splitlines()):
            problems.append(f"{where} is in another section than its exercise")
    return problems


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_each_exercises_hint_comes_before_its_solution(path):
    problems = _late_hints(nbformat.read(path, as_version=4))
    assert not problems, (
        f"{path.name}: put each hint in a markdown cell above its exercise's solution cell, in "
        "its section: " + "; ".join(problems)
    )


# --- make lab, as a learner (or a container's root) starts it ---------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_lab_starts_jupyterlab_on_the_learners_copy(tmp_path):
    """`make lab` makes the learner's folder, serves it (with --allow-root as root), and the
    lab page loads. The learner folder and the set-up stamp point into tmp_path, so the
    repository is not touched and nothing is installed."""
    pytest.importorskip("jupyterlab")
    bin_dir = Path(sys.executable).parent
    if not (bin_dir / "jupyter").exists():
        pytest.skip(f"no jupyter next to {sys.executable}")
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: make does not reinstall
    mine, port, token = tmp_path / "mine", _free_port(), "self-study-test"
    log = tmp_path / "lab.log"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"))
    env.setdefault("PYTHONPATH", str(ROOT))
    args = f"--no-browser --port={port} --ip=127.0.0.1 --IdentityProvider.token={token}"
    with log.open("w") as out:
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "lab", f"BIN={bin_dir}", f"STAMP={stamp}"]
            + [f"MY_NOTEBOOKS={mine}", f"LAB_ARGS={args}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        status = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                status, page = _get(f"{base}/lab?token={token}")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        assert status == 200, f"make lab did not serve the lab page:\n{log.read_text()}"
        assert "<title>JupyterLab</title>" in page
        # The server's root is the learner's folder, and what it serves is the student edition.
        status, body = _get(f"{base}/api/contents/03_learning.ipynb?token={token}")
        assert status == 200, log.read_text()
        served = json.loads(body)["content"]
        assert any(REVEAL_TAG in c["metadata"].get("tags", []) for c in served["cells"])
        code = "\n".join(c["source"] for c in served["cells"] if c["cell_type"] == "code")
        assert "### BEGIN SOLUTION" not in code and "NotImplementedError" in code
        assert (mine / "00_welcome.ipynb").exists() and (mine / MANIFEST_NAME).exists()
        text = log.read_text()
        assert f"Your own copy of the course is in {mine}/" in text
        if os.getuid() == 0:
            assert text.count("so JupyterLab gets --allow-root") == 1
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
