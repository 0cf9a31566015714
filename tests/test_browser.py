"""The sliders, proven in a real browser.

nbval shows that cells run; it cannot see a slider. These tests start JupyterLab on
127.0.0.1 (free port, random token, a temporary copy of the notebooks), open every notebook
that has an explorer in headless Chromium, run all its cells, and then use each slider the
way a learner does: by keyboard and by dragging. The figure must change (compared as
screenshots) and the readouts must show the new value. Screenshots before and after each move
are written to ``artifacts/browser/`` (or ``$COURSE_ARTIFACTS/browser``) for people to look at.

Needs Debian's ``chromium`` (``apt-get install chromium``); ``.ci/run`` installs it and sets
``COURSE_REQUIRE_BROWSER=1`` so CI fails rather than skips when it is missing.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from lab_driver import (
    REPO,
    Browser,
    LabPage,
    LabServer,
    drag_slider,
    enable_slider,
    figure_src,
    find_chromium,
    key_towards_room,
    press_on_slider,
    settle,
    slider_value,
    wait_for_new_figure,
)

pytestmark = pytest.mark.browser

ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", REPO / "artifacts")) / "browser"
WIDGET_FALLBACK = re.compile(r"\b(IntSlider|FloatSlider|Dropdown|VBox|HBox|Image)\(")


#: Window sizes in CSS pixels, with JupyterLab's file browser open: a small laptop, and a
#: 1440-pixel screen at 200% zoom. Every explorer must fit and stay usable in both.
LAYOUTS = {"a 1024-pixel window": (1024, 768), "200% zoom of a 1440-pixel window": (720, 450)}
#: Shortest slider track (CSS pixels) that still allows a fine drag.
MIN_TRACK_PX = {"a 1024-pixel window": 110, "200% zoom of a 1440-pixel window": 60}

_JS_LAYOUT = """(el) => {
  const out = el.closest('.jp-OutputArea-output');
  const o = out.getBoundingClientRect();
  const sticking = [];
  for (const d of [el, ...el.querySelectorAll('*')]) {
    const r = d.getBoundingClientRect();
    if (r.width > 0 && r.right > o.right + 4) {
      const what = String(d.className || d.tagName).slice(0, 60);
      sticking.push(what + ' by ' + Math.round(r.right - o.right) + ' px');
    }
  }
  const box = (t) => {
    const r = t.getBoundingClientRect();
    return [Math.round(r.left), Math.round(r.width)];
  };
  const rows = [...el.querySelectorAll('.widget-slider .slider-container')];
  return {
    output: Math.round(o.width),
    scrolls: out.scrollWidth > out.clientWidth + 1,
    sticking: sticking.slice(0, 5),
    tracks: rows.filter(t => !t.closest('.widget-gridbox')).map(box),
    grid_tracks: rows.filter(t => t.closest('.widget-gridbox')).map(box),
  };
}"""


def notebooks_with_explorers() -> list[str]:
    """Notebooks whose source uses the course's explorers (course_lib.widgets)."""
    found = []
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]*_*.ipynb")):
        if "course_lib.widgets" in path.read_text(encoding="utf-8"):
            found.append(path.name)
    return found


def binder_lab_path() -> str:
    """The notebook path in the README's Binder badge (urlpath=lab/tree/<path>)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"urlpath=(?:%2F|/)?lab(?:%2F|/)tree(?:%2F|/)([\w./%-]+\.ipynb)", readme)
    assert match, "README.md has no Binder badge with urlpath=lab/tree/<notebook>"
    return match.group(1).replace("%2F", "/")


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = (
            "Chromium was not found, so the browser tests cannot run. Install it with "
            "`sudo apt-get install chromium` (Debian/Ubuntu) or point COURSE_CHROMIUM at a "
            "Chromium executable."
        )
        if os.environ.get("COURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(message + " COURSE_REQUIRE_BROWSER=1 forbids skipping (CI).")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    with LabServer(tmp_path_factory.mktemp("lab")) as server, Browser(chromium) as browser:
        yield server, browser


def test_binder_badge_path_opens_the_welcome_notebook(lab):
    server, browser = lab
    lab_path = binder_lab_path()
    assert (REPO / lab_path).is_file(), f"the Binder badge points at {lab_path}, which is missing"
    page = LabPage(browser.new_page(), server)
    try:
        page.open(lab_path)
        assert page.current_path() == lab_path
        assert page.page.locator(".jp-NotebookPanel .jp-MarkdownOutput").count() > 0
    finally:
        page.page.context.close()


@pytest.mark.parametrize("notebook", notebooks_with_explorers())
def test_every_slider_moves_its_figure(lab, notebook):
    server, browser = lab
    page = LabPage(browser.new_page(), server)
    try:
        page.open(f"notebooks/{notebook}")
        state = page.run_all()
        assert not state["errors"], (
            f"{notebook} has error outputs in the browser: {state['errors']}"
        )

        texts = "\n".join(page.text_outputs())
        fallback = WIDGET_FALLBACK.search(texts)
        assert not fallback, (
            f"{notebook}: a widget rendered as text ({fallback.group(0)}...): "
            "the widget frontend is not working"
        )
        explorers = page.explorers()
        assert explorers.count() >= 1, f"{notebook} shows no explorer"
        folder = ARTIFACTS / Path(notebook).stem
        shutil.rmtree(folder, ignore_errors=True)  # only this run's screenshots
        for e in range(explorers.count()):
            explorer = explorers.nth(e)
            explorer.scroll_into_view_if_needed()
            sliders = explorer.locator(".widget-slider")
            assert sliders.count() >= 1, f"{notebook}: explorer {e} has no real slider widget"
            for s in range(sliders.count()):
                slider = sliders.nth(s)
                label = re.sub(
                    r"\W+", "_", slider.locator(".widget-label").first.text_content() or ""
                ).strip("_")
                stem = f"explorer{e}_{s}_{label or 'slider'}"
                enable_slider(page, explorer, slider, f"{notebook} explorer {e} slider {label!r}")
                _check_move(page, explorer, slider, folder, stem, "key")
                _check_move(page, explorer, slider, folder, stem, "drag")
        _check_layouts(page, explorers, notebook, folder)
    finally:
        page.page.context.close()


def _check_layouts(page: LabPage, explorers, notebook: str, folder: Path) -> None:
    """At a small window and at 200% zoom nothing is hidden and every track is usable."""
    page.page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
    for name, (width, height) in LAYOUTS.items():
        page.page.set_viewport_size({"width": width, "height": height})
        page.page.wait_for_timeout(500)  # let the widgets lay themselves out again
        for e in range(explorers.count()):
            explorer = explorers.nth(e)
            explorer.scroll_into_view_if_needed()
            where = f"{notebook} explorer {e} at {name}"
            got = explorer.evaluate(_JS_LAYOUT)
            explorer.screenshot(path=str(folder / f"layout_{width}px_explorer{e}.png"))
            assert not got["sticking"] and not got["scrolls"], (
                f"{where}: parts stick out of the {got['output']}-pixel output area and hide "
                f"behind a scrollbar: {got['sticking']}"
            )
            lefts = {left for left, _ in got["tracks"]}
            widths = {w for _, w in got["tracks"]}
            assert max(lefts, default=0) - min(lefts, default=0) <= 3, (
                f"{where}: slider tracks start at different places {sorted(lefts)}"
            )
            assert max(widths, default=0) - min(widths, default=0) <= 3, (
                f"{where}: slider tracks have different lengths {sorted(widths)}"
            )
            shortest = min(widths, default=MIN_TRACK_PX[name])
            assert shortest >= MIN_TRACK_PX[name], (
                f"{where}: a slider track is only {shortest} px long, too short to drag finely"
            )
            # Sliders in a grid (the kernel's 3 x 3 weights) share a row three ways.
            in_grid = min((w for _, w in got["grid_tracks"]), default=MIN_TRACK_PX[name])
            assert in_grid >= MIN_TRACK_PX[name] / 2, (
                f"{where}: a slider track in a grid is only {in_grid} px long"
            )


def _shot(explorer, path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    return explorer.locator("img.course-explorer-figure").screenshot(path=str(path))


def _check_move(page: LabPage, explorer, slider, folder: Path, stem: str, how: str) -> None:
    settle(page, explorer)
    before_png = _shot(explorer, folder / f"{stem}_before_{how}.png")
    before_value = slider_value(slider)
    before_readout = explorer.locator(".course-explorer-readout").inner_text()
    src = figure_src(explorer)
    if how == "key":
        press_on_slider(slider, key_towards_room(slider))
    else:
        drag_slider(slider)
    wait_for_new_figure(explorer, src)
    settle(page, explorer)
    after_png = _shot(explorer, folder / f"{stem}_after_{how}.png")
    after_value = slider_value(slider)
    after_readout = explorer.locator(".course-explorer-readout").inner_text()
    where = f"{folder.name} {stem} ({how})"
    assert after_value != before_value, f"{where}: the slider's readout did not change"
    assert after_png != before_png, f"{where}: the figure looks the same after the move"
    assert after_readout != before_readout, f"{where}: the explorer's readout did not change"
