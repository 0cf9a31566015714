"""The drawing pad of ``09_your_own_handwriting``, proven in a real browser with a real mouse.

Starts JupyterLab and headless Chromium as ``tests/test_browser.py`` does, opens notebook 09,
runs all its cells, then draws a "1" and a "0" on the pad with mouse strokes (button down,
moves along the path, button up), and checks that the preview and the bars update, that both
networks read the right digit, and that Undo and Clear work. Screenshots go to
``artifacts/browser/09_drawing/`` (or ``$COURSE_ARTIFACTS/browser/09_drawing``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lab_driver import REPO, Browser, LabPage, LabServer, figure_src, find_chromium

from course_lib.data.preprocess import CANVAS_PX, EXAMPLE_STROKES

pytestmark = pytest.mark.browser

NOTEBOOK = "09_your_own_handwriting.ipynb"
ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", REPO / "artifacts")) / "browser" / "09_drawing"


# --- helpers, also used by benchmarks/drawing_latency.py -------------------------------------


def drawing_explorer(page: LabPage):
    """The explorer that holds the drawing pad."""
    pad = page.page.locator("canvas.course-drawing-canvas")
    explorer = page.page.locator(".course-explorer", has=pad)
    explorer = explorer.first
    explorer.wait_for(timeout=60_000)
    explorer.scroll_into_view_if_needed()
    # The widgets render a moment after the cell has run: wait for the readout's sentence.
    node = explorer.locator(".course-explorer-readout").element_handle()
    page.page.wait_for_function("(el) => el.innerText.trim().length > 0", arg=node, timeout=60_000)
    return explorer


def readout(explorer) -> str:
    return explorer.locator(".course-explorer-readout").inner_text()


def draw_stroke(page, canvas, points, steps_between: int = 4) -> None:
    """Drag the mouse along ``points`` (pad pixels) with the button held down."""
    box = canvas.bounding_box()
    kx, ky = box["width"] / CANVAS_PX, box["height"] / CANVAS_PX

    def at(p):
        return box["x"] + p[0] * kx, box["y"] + p[1] * ky

    page.mouse.move(*at(points[0]))
    page.mouse.down()
    for p in points[1:]:
        page.mouse.move(*at(p), steps=steps_between)
    page.mouse.up()


def wait_for_readout(explorer, old: str, timeout_s: float = 60) -> str:
    """Wait until the readout differs from ``old``; return the new text."""
    node = explorer.locator(".course-explorer-readout").element_handle()
    explorer.page.wait_for_function(
        "([el, old]) => el.innerText.trim() !== old.trim()",
        arg=[node, old],
        timeout=timeout_s * 1000,
    )
    return readout(explorer)


def draw_digit(page, explorer, name: str) -> str:
    """Draw one of the example digits stroke by stroke; return the readout after the last."""
    canvas = explorer.locator("canvas.course-drawing-canvas")
    text = readout(explorer)
    for stroke in EXAMPLE_STROKES[name]:
        draw_stroke(page, canvas, stroke)
        text = wait_for_readout(explorer, text)
    return text


# --- the test ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "Chromium was not found, so the browser tests cannot run. Install it with "
            "`sudo apt-get install chromium` or point COURSE_CHROMIUM at a Chromium executable."
        )
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " COURSE_REQUIRE_BROWSER=1 forbids skipping (CI).")
        pytest.skip(message)
    return path


def test_drawing_a_one_and_a_zero_with_the_mouse(tmp_path, chromium):
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with LabServer(tmp_path) as server, Browser(chromium) as browser:
        page = LabPage(browser.new_page(), server)
        try:
            page.open(f"notebooks/{NOTEBOOK}")
            state = page.run_all(timeout_s=900)
            assert not state["errors"], f"{NOTEBOOK} has error outputs: {state['errors']}"
            explorer = drawing_explorer(page)
            explorer.scroll_into_view_if_needed()
            assert "Draw a digit" in readout(explorer), "the pad must start empty"
            explorer.screenshot(path=str(ARTIFACTS / "0_empty.png"))

            src = figure_src(explorer)
            text = draw_digit(page.page, explorer, "1")
            assert figure_src(explorer) != src, "the preview and bars did not update"
            assert "2 strokes" in text, text
            assert "feed-forward network reads 1" in text and "CNN reads 1" in text, text
            explorer.screenshot(path=str(ARTIFACTS / "1_one.png"))

            explorer.locator(".course-drawing-undo").click()
            text = wait_for_readout(explorer, text)
            assert "1 stroke:" in text, f"Undo should leave one stroke: {text}"
            explorer.screenshot(path=str(ARTIFACTS / "2_after_undo.png"))

            explorer.locator(".course-drawing-clear").click()
            text = wait_for_readout(explorer, text)
            assert "Draw a digit" in text, f"Clear should empty the pad: {text}"

            text = draw_digit(page.page, explorer, "0")
            assert "feed-forward network reads 0" in text and "CNN reads 0" in text, text
            explorer.screenshot(path=str(ARTIFACTS / "3_zero.png"))
            page.page.screenshot(path=str(ARTIFACTS / "page.png"))
        finally:
            page.page.context.close()
