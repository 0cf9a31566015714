"""Build the course website: every notebook run once, with its outputs and figures.

    python site/build.py                     # run the notebooks, then build _build/site/
    python site/build.py --executed DIR      # build from notebooks already run (DIR/*.ipynb)
    python site/build.py --out FOLDER        # build somewhere else

Two steps, so that the notebooks run only once:

1. each notebook of ``notebooks/`` is executed with nbclient, in course order, in
   ``notebooks/`` (so its relative paths work) with the environment of this process
   (``COURSE_LIB_DATA`` included), into ``_build/site-executed/``; ``--executed`` skips this;
2. Sphinx (myst-nb, sphinx-book-theme; configuration in ``site/conf.py``) builds HTML from
   those copies with its own execution turned off.

The index page is made from the README: its title and opening paragraphs, then its section
"The course map", with the links pointing at the pages. Each page gets its Binder and Colab
launch links under its title, in place of the Colab badge the notebook carries.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CONF_DIR = Path(__file__).resolve().parent
BUILD = ROOT / "_build"

REPOSITORY = "deep-learning-demystified/course"
BINDER = "https://mybinder.org/v2/gh/{repo}/HEAD?urlpath=lab/tree/notebooks/{name}"
COLAB = "https://colab.research.google.com/github/{repo}/blob/main/notebooks/{name}"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
_BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)[ \t]*\n?", re.MULTILINE)


def course_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """The course's notebooks in course order (their names sort that way: 00, 00a, 01 ...)."""
    return sorted(folder.glob("[0-9]*.ipynb"))


def launch_links(name: str) -> dict[str, str]:
    """The Binder and Colab addresses that open notebook ``name`` (a file name)."""
    return {
        "Binder": BINDER.format(repo=REPOSITORY, name=name),
        "Colab": COLAB.format(repo=REPOSITORY, name=name),
    }


def execute(notebooks: list[Path], target: Path, timeout: int = 900) -> dict[str, Path]:
    """Run each notebook once with nbclient (working folder: its own), write it to ``target``."""
    from nbclient import NotebookClient

    target.mkdir(parents=True, exist_ok=True)
    executed = {}
    for path in notebooks:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
        out = target / path.name
        nbformat.write(nb, out)
        executed[path.name] = out
        print(f"executed {path.name} in {time.perf_counter() - start:.0f} s", flush=True)
    return executed


def _page_source(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The notebook as the page shows it: launch links under the title, no widget state."""
    links = " ".join(
        f'<a class="course-launch-link" href="{url}">Open in {label}</a>'
        for label, url in launch_links(name).items()
    )
    first = nb.cells[0]
    text = _BADGE.sub("", first.source)
    lines = text.split("\n")
    title = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    block = ["", f'<p class="course-launch">Run this notebook: {links}</p>', ""]
    lines[title + 1 : title + 1] = block
    first.source = re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
    state = nb.metadata.pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for cell in nb.cells:
        if "outputs" in cell:
            cell.outputs = [o for o in map(lambda o: _static_output(o, state), cell.outputs) if o]
    return nb


def _static_output(output, state: dict):
    """An output as a page without a kernel can show it.

    An explorer carries its own still picture. Any other widget has only the text of its
    first moment, e.g. a progress bar at 0%: a progress bar (an HBox of text, bar, text, as
    tqdm draws it) becomes the line it ended with; other bare widgets are left out.
    """
    data = output.get("data", {})
    if WIDGET_VIEW not in data or set(data) - {WIDGET_VIEW, "text/plain"}:
        return output
    model = state.get(data[WIDGET_VIEW].get("model_id"), {})
    children = [
        state.get(str(ref).removeprefix("IPY_MODEL_"), {})
        for ref in model.get("state", {}).get("children", [])
    ]
    kinds = [child.get("model_name") for child in children]
    if kinds != ["HTMLModel", "FloatProgressModel", "HTMLModel"]:
        return None
    first, _, last = (html.unescape(str(c["state"].get("value", ""))) for c in children)
    text = f"{first}|{last}".replace("\u2007", " ")
    return nbformat.v4.new_output("stream", name="stdout", text=text + "\n")


def index_page(readme: Path, names: list[str]) -> str:
    """The index: the README's title and opening, its course map, and the table of contents."""
    text = readme.read_text(encoding="utf-8")
    opening = text.split("\n## ", 1)[0]
    opening = re.sub(r"^\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)\s*\n", "", opening, flags=re.MULTILINE)
    match = re.search(r"^## The course map\n(.*?)(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    if match is None:
        raise ValueError(f"{readme} has no section '## The course map' to build the index from")
    course_map = match.group(0).replace("](notebooks/", "](")
    toctree = "\n".join(["```{toctree}", ":hidden:", ":maxdepth: 1", "", *names, "```"])
    note = (
        "Every page below is its notebook run once, with its printed results and figures; "
        "each explorer shows a still picture of its first state. Open a notebook on Binder "
        "or Colab (links at the top of every page) to run it and move the sliders yourself."
    )
    return f"{opening.rstrip()}\n\n{note}\n\n{course_map.rstrip()}\n\n{toctree}\n"


def prepare(executed: Mapping[str, Path], source: Path, readme: Path = ROOT / "README.md") -> None:
    """Write the Sphinx source folder: the index and each executed notebook as a page."""
    if source.exists():
        shutil.rmtree(source)
    source.mkdir(parents=True)
    names = sorted(executed)
    for name in names:
        nb = nbformat.read(executed[name], as_version=4)
        nbformat.write(_page_source(nb, name), source / name)
    (source / "index.md").write_text(
        index_page(readme, [Path(n).stem for n in names]), encoding="utf-8"
    )


def sphinx(source: Path, out: Path, *, warnings_file: Path | None = None) -> None:
    """Run sphinx-build (HTML, warnings are errors) on ``source`` with ``site/conf.py``."""
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]
    command += ["-c", str(CONF_DIR), "-d", str(out.parent / f".{out.name}-doctrees")]
    if warnings_file is not None:
        command += ["-w", str(warnings_file)]
    subprocess.run([*command, str(source), str(out)], check=True)


def build(
    out: Path = BUILD / "site",
    executed: Mapping[str, Path] | Path | None = None,
    work: Path | None = None,
) -> Path:
    """Build the website into ``out``; return the index page.

    ``executed``: notebooks already run, as a folder or as {file name: path}; None runs every
    course notebook first. ``work``: where the executed copies and the Sphinx source go
    (default: next to ``out``).
    """
    out = Path(out)
    work = Path(work) if work is not None else out.parent
    if executed is None:
        executed = execute(course_notebooks(), work / f"{out.name}-executed")
    elif isinstance(executed, (str, Path)):
        executed = {p.name: p for p in course_notebooks(Path(executed))}
    if not executed:
        raise ValueError("no executed notebooks to build the site from")
    source = work / f"{out.name}-source"
    prepare(executed, source)
    sphinx(source, out, warnings_file=work / f"{out.name}-warnings.txt")
    return out / "index.html"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BUILD / "site", help="the HTML folder")
    parser.add_argument(
        "--executed", type=Path, help="a folder of notebooks already run (skips executing)"
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    index = build(args.out, args.executed)
    print(f"The course website is in {index.parent}/ ({time.perf_counter() - start:.0f} s).")
    print(f"Open {index} in a browser.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
