"""How long from a slider key press to the updated figure on screen, per explorer.

Starts JupyterLab on 127.0.0.1 and headless Chromium exactly as ``tests/test_browser.py``
does, runs every notebook that has an explorer, and then, for each explorer, presses the
arrow keys on its sliders many times. Each sample is measured inside the page: from the key
event to the first animation frame after the new figure image has loaded. It prints a table
and ends with a JSON line ``{"median_ms": {explorer: ms, ...}, ...}``. Target: median
<= 150 ms on a 2-core machine.

    .venv/bin/python benchmarks/browser_latency.py [--presses 10] [notebook.ipynb ...]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from lab_driver import Browser, LabPage, LabServer, enable_slider, find_chromium  # noqa: E402

# Press a key on the slider handle and resolve with the milliseconds until the explorer's new
# figure has loaded and a frame has been drawn (null if nothing changed within 30 s).
_JS_PRESS_AND_TIME = """([handle, img, key]) => new Promise((resolve) => {
  const old = img.getAttribute('src');
  let finished = false;
  const finish = (value) => { if (!finished) { finished = true; resolve(value); } };
  const t0 = performance.now();
  const observer = new MutationObserver(() => {
    if (img.getAttribute('src') === old) return;
    observer.disconnect();
    const shown = () => requestAnimationFrame(() => finish(performance.now() - t0));
    if (img.complete) shown(); else img.addEventListener('load', shown, {once: true});
  });
  observer.observe(img, {attributes: true, attributeFilter: ['src']});
  handle.focus();
  handle.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, cancelable: true}));
  setTimeout(() => { observer.disconnect(); finish(null); }, 30000);
})"""


def measure_notebook(page: LabPage, presses: int) -> dict[str, list[float]]:
    """Latency samples in ms for every explorer in the open notebook, by explorer title."""
    samples: dict[str, list[float]] = {}
    explorers = page.explorers()
    for e in range(explorers.count()):
        explorer = explorers.nth(e)
        explorer.scroll_into_view_if_needed()
        title = (
            explorer.locator(".widget-html b").first.text_content() or ""
        ).strip() or f"explorer {e}"
        img = explorer.locator("img.course-explorer-figure").element_handle()
        sliders = explorer.locator(".widget-slider")
        times = samples.setdefault(title, [])
        for s in range(sliders.count()):
            # A greyed-out slider (the leaky slope while ReLU is picked) would never redraw.
            enable_slider(page, explorer, sliders.nth(s), f"{title}, slider {s}")
            handle = sliders.nth(s).locator(".noUi-handle").element_handle()
            for i in range(presses):
                key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                ms = page.page.evaluate(_JS_PRESS_AND_TIME, [handle, img, key])
                if ms is not None:
                    times.append(ms)
                page.page.wait_for_timeout(150)  # let the kernel go idle between samples
    return samples


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    parser.add_argument("--presses", type=int, default=10, help="key presses per slider")
    args = parser.parse_args(argv)

    chromium = find_chromium()
    if chromium is None:
        sys.exit("Chromium not found: install it (apt-get install chromium) or set COURSE_CHROMIUM")
    from test_browser import notebooks_with_explorers

    names = args.notebooks or notebooks_with_explorers()
    all_samples: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        with LabServer(Path(tmp)) as server, Browser(chromium) as browser:
            for name in names:
                page = LabPage(browser.new_page(), server)
                try:
                    page.open(f"notebooks/{name}")
                    page.run_all()
                    for title, times in measure_notebook(page, args.presses).items():
                        all_samples[f"{Path(name).stem}: {title}"] = times
                finally:
                    page.page.context.close()

    print(f"Browser latency, key press to updated figure ({platform.processor() or 'cpu'})")
    print(f"{'explorer':60s} {'n':>4s} {'median ms':>10s} {'p90 ms':>8s}")
    medians = {}
    for name, times in all_samples.items():
        if not times:
            print(f"{name:60s} {0:4d} {'no update':>10s}")
            continue
        med = statistics.median(times)
        p90 = sorted(times)[int(0.9 * (len(times) - 1))]
        medians[name] = round(med, 1)
        print(f"{name:60s} {len(times):4d} {med:10.1f} {p90:8.1f}")
    result = {"median_ms": medians, "target_ms": 150, "presses_per_slider": args.presses}
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
