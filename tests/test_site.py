"""The course website (``make site``): built from the executed notebooks, every figure on it.

The site is built once for this module, from the notebooks the session fixture
``executed_notebooks`` ran (so the notebooks are not executed a second time here). The
checks: one page per notebook and an index that links to each; every page shows at least as
many pictures as its notebook has PNG outputs, and no error output; each page carries its
Binder and Colab links; Sphinx runs with warnings as errors (no broken links). A screenshot
of the index and of one rich page goes to ``artifacts/site/`` (or ``$COURSE_ARTIFACTS/site``)
for people to look at.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("COURSE_ARTIFACTS", ROOT / "artifacts")) / "site"

_spec = importlib.util.spec_from_file_location("course_site_build", ROOT / "site" / "build.py")
site_build = importlib.util.module_from_spec(_spec)
sys.modules["course_site_build"] = site_build
_spec.loader.exec_module(site_build)

NOTEBOOKS = [p.name for p in site_build.course_notebooks()]


@pytest.fixture(scope="module")
def site(executed_notebooks, tmp_path_factory) -> Path:
    """The HTML folder of the site built from the executed notebooks."""
    work = tmp_path_factory.mktemp("site")
    start = time.perf_counter()
    index = site_build.build(work / "html", executed=executed_notebooks, work=work)
    print(f"\nSphinx built the course website in {time.perf_counter() - start:.1f} s")
    return index.parent


def _page(site: Path, name: str) -> str:
    return (site / f"{Path(name).stem}.html").read_text(encoding="utf-8")


def _png_outputs(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(
        "image/png" in output.get("data", {})
        for cell in nb.cells
        for output in cell.get("outputs", [])
    )


def test_every_notebook_was_executed(executed_notebooks):
    assert sorted(executed_notebooks) == NOTEBOOKS


def test_one_page_per_notebook_and_the_index_links_to_each_in_course_order(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "The course map" in index
    positions = []
    for name in NOTEBOOKS:
        page = Path(name).stem + ".html"
        assert (site / page).is_file(), f"no page for {name}"
        assert f'href="{page}"' in index, f"the index does not link to {page}"
        positions.append(index.index(f'href="{page}"'))
    assert positions == sorted(positions), "the index lists the notebooks out of course order"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_page_shows_its_figures_and_no_error(site, executed_notebooks, name):
    html = _page(site, name)
    figures = _png_outputs(executed_notebooks[name])
    shown = len(re.findall(r'<img[^>]+src="(?:_images/[^"]+\.png|data:image/png;base64,)', html))
    assert shown >= figures, f"{name}: {figures} PNG outputs but {shown} pictures on the page"
    for src in re.findall(r'<img[^>]+src="(_images/[^"]+)"', html):
        assert (site / src).is_file(), f"{name}: the page shows {src}, which was not copied"
    for sign in ("Traceback", "NotImplementedError", "output traceback", "output error"):
        assert sign not in html, f"{name}: the page shows an error ({sign!r})"
    assert "Loading widget" not in html and "application/vnd.jupyter.widget" not in html
    assert not re.search(r"\b0%\|", html), f"{name}: a progress bar stuck at 0% (its first moment)"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_page_has_its_binder_and_colab_links(site, name):
    html = _page(site, name)
    for label, url in site_build.launch_links(name).items():
        assert f'href="{url}"' in html, f"{name}: no {label} link ({url})"
    assert "colab-badge.svg" not in html, "the badge is replaced by the launch links"


def test_explorers_show_their_still_picture_and_say_where_to_move_them(site, executed_notebooks):
    pages = [n for n in NOTEBOOKS if "course_lib.widgets" in (ROOT / "notebooks" / n).read_text()]
    assert pages, "no notebook uses an explorer"
    for name in pages:
        html = _page(site, name)
        assert 'class="course-explorer-static"' in html, f"{name}: no explorer picture"
        assert "open this notebook in JupyterLab, Binder or Colab" in html


def test_sphinx_gave_no_warning(site):
    warnings = site.parent / f"{site.name}-warnings.txt"
    assert warnings.read_text(encoding="utf-8").strip() == ""


@pytest.mark.browser
def test_screenshots_of_the_index_and_a_rich_page(site):
    from lab_driver import find_chromium

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("no Chromium (/usr/bin/chromium or $COURSE_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--headless"], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            for stem in ("index", "07_convolutions"):
                page.goto((site / f"{stem}.html").as_uri())
                page.wait_for_load_state("load")
                page.screenshot(path=str(ARTIFACTS / f"{stem}.png"), full_page=stem == "index")
                broken = page.evaluate(
                    "[...document.images].filter(i => i.src.startsWith('file:') &&"
                    " !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
                )
                assert not broken, f"{stem}: pictures that do not load: {broken}"
            # The first explorer's still picture, as a reader scrolls to it.
            page.goto((site / "07_convolutions.html").as_uri())
            explorer = page.locator(".course-explorer-static").first
            explorer.scroll_into_view_if_needed()
            explorer.screenshot(path=str(ARTIFACTS / "07_explorer.png"))
            box = explorer.bounding_box()
            assert box and box["width"] <= 1280, f"the explorer picture overflows: {box}"
        finally:
            browser.close()
