"""The drawing pad of ``09_your_own_handwriting`` works in Jupyter Notebook 7, not only in
JupyterLab 4.

Starts a Notebook 7 server (``LabServer(kind="notebook")``) and headless Chromium, opens a
small notebook written for the test whose one cell builds the explorer of 09 around the pad,
with untrained networks (``HandwritingExplorer.example()``: the pad and the round trip to
Python are what is tested here, not what the networks read, so nothing is trained and no data
is loaded). Then it draws with real mouse strokes (button down, moves, button up) and checks
that Python received each stroke (the readout, written by Python from the pad's strokes,
counts them and the figure changes), and that Undo and Clear work. The browser console and
the server log are attached to any failure. Screenshots go to ``artifacts/browser/notebook7/``
(or ``$COURSE_ARTIFACTS/browser/notebook7``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from lab_driver import REPO, Browser, LabPage, LabServer, figure_src
from test_browser_drawing import (  # noqa: F401 (chromium is a fixture)
    chromium,
    draw_stroke,
    drawing_explorer,
    readout,
    wait_for_readout,
)

from course_lib.data.preprocess import EXAMPLE_STROKES

pytestmark = pytest.mark.browser

NOTEBOOK = "notebook7_drawing_pad.ipynb"
ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", REPO / "artifacts")) / "browser" / "notebook7"

#: The cell that shows the pad, as 09 does it (09 passes its trained networks and the
#: learner's centring step; the untrained networks of ``example()`` need no data).
PAD_CELL = """\
from course_lib.widgets.drawing import HandwritingExplorer

explorer = HandwritingExplorer.example()
explorer"""


def write_notebook(folder: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(PAD_CELL, id="cell-00")]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NOTEBOOK
    nbformat.write(nb, path)
    return path


def test_drawing_pad_in_notebook7(tmp_path, chromium):  # noqa: F811 (the fixture)
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    write_notebook(tmp_path / "source")
    console: list[str] = []
    with (
        LabServer(tmp_path / "server", notebooks=tmp_path / "source", kind="notebook") as server,
        Browser(chromium) as browser,
    ):
        page = LabPage(browser.new_page(), server)
        page.page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.page.on("pageerror", lambda e: console.append(f"pageerror: {e}\n{e.stack}"))

        def errors(since: int = 0) -> list[str]:
            return [line for line in console[since:] if line.startswith(("error", "pageerror"))]

        def evidence() -> str:
            return (
                "\nbrowser console errors:\n" + "\n".join(errors()[-20:])
                + f"\n{server.app_name} log (end):\n{server.log()[-2000:]}"
            )  # fmt: skip

        try:
            page.open(f"notebooks/{NOTEBOOK}")
            # Notebook 7's own page, not JupyterLab's: one notebook, no side panels or tabs.
            assert "/notebooks/" in page.page.url, page.page.url
            assert page.page.locator(".jp-NotebookPanel").count() == 1
            state = page.run_all(timeout_s=120)
            assert not state["errors"], f"the pad's cell failed: {state['errors']}" + evidence()
            try:
                explorer = drawing_explorer(page)
            except Exception as exc:
                page.page.screenshot(path=str(ARTIFACTS / "page_no_pad.png"))
                raise AssertionError(f"no drawing pad rendered: {exc}" + evidence()) from exc
            assert "Draw a digit" in readout(explorer), "the pad must start empty"
            explorer.screenshot(path=str(ARTIFACTS / "0_empty.png"))
            # Notebook 7.6's page logs one error while it loads, before any cell has run: its
            # keyboard-shortcuts settings code reads a plugin's schema that is not there (in
            # notebook_core.js). From here on, while the pad is used, no error may appear.
            rendered = len(console)

            canvas = explorer.locator("canvas.course-drawing-canvas")
            first, second = EXAMPLE_STROKES["1"]
            src, text = figure_src(explorer), readout(explorer)
            draw_stroke(page.page, canvas, first)
            text = wait_for_readout(explorer, text)
            assert text.startswith("1 stroke:"), f"Python did not get the stroke: {text}"
            assert "feed-forward network reads" in text and "CNN reads" in text, text
            assert figure_src(explorer) != src, "the preview and bars did not update"
            draw_stroke(page.page, canvas, second)
            text = wait_for_readout(explorer, text)
            assert text.startswith("2 strokes:"), text
            explorer.screenshot(path=str(ARTIFACTS / "1_two_strokes.png"))

            explorer.locator(".course-drawing-undo").click()
            text = wait_for_readout(explorer, text)
            assert text.startswith("1 stroke:"), f"Undo should leave one stroke: {text}"
            explorer.screenshot(path=str(ARTIFACTS / "2_after_undo.png"))

            explorer.locator(".course-drawing-clear").click()
            text = wait_for_readout(explorer, text)
            assert "Draw a digit" in text, f"Clear should empty the pad: {text}"
            page.page.screenshot(path=str(ARTIFACTS / "page.png"))
            assert not errors(rendered), "errors while drawing:\n" + "\n".join(errors(rendered))
        finally:
            (ARTIFACTS / "console.txt").write_text("\n".join(console) + "\n")
            (ARTIFACTS / "server.log").write_text(server.log())
            page.page.context.close()
