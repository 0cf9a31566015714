"""The Colab path: the notebooks' install cell, and the course as that cell installs it.

On Google Colab a notebook's first code cell pip-installs the course from GitHub into
Colab's kernel: the package and its runtime dependencies, no JupyterLab. Here the closest
equivalent is a fresh venv holding only the course wheel and its runtime dependencies
(``tests/runtime_venv.py``): every notebook is executed in a kernel started from that
venv's Python, and the explorers are moved there headlessly.

The install cell itself is checked without installing anything: its source runs with a fake
``google.colab`` module and a recording ``subprocess.run``.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import types

import pytest
from runtime_venv import NOTEBOOKS, NOTEBOOKS_DIR, ROOT, SERVER_SIDE

REPO_URL = "https://github.com/deep-learning-demystified/course"
COURSE_SPEC = f"course_lib @ git+{REPO_URL}"
COLAB_BADGE = re.compile(
    r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\((https://colab\.research\.google\.com/github/[^)\s]+)\)"
)


def _colab_url(path: str) -> str:
    return f"https://colab.research.google.com/github/deep-learning-demystified/course/blob/main/{path}"


def _cells(name: str) -> list[dict]:
    return json.loads((NOTEBOOKS_DIR / name).read_text())["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _colab_cell(name: str) -> dict:
    return next(c for c in _cells(name) if c["cell_type"] == "code")


# --- the Colab badge and install cell (fast: nothing is installed) ------------------------


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_first_cell_has_a_colab_badge_to_this_notebook_on_main(name):
    first = _cells(name)[0]
    assert first["cell_type"] == "markdown", f"{name}: the first cell is not the markdown title"
    badges = COLAB_BADGE.findall(_source(first))
    assert badges == [_colab_url(f"notebooks/{name}")], (
        f"{name}: the first cell's Open-in-Colab badge links to {badges}, "
        f"not to {_colab_url(f'notebooks/{name}')}"
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_first_code_cell_installs_the_course_only_on_colab(name):
    cell = _colab_cell(name)
    assert "colab" in cell["metadata"].get("tags", []), (
        f"{name}: the first code cell ({cell.get('id')}) is not the `colab`-tagged install cell"
    )
    tree = ast.parse(_source(cell))
    guards = [node for node in tree.body if isinstance(node, ast.If)]
    others = [node for node in tree.body if not isinstance(node, ast.If | ast.Import)]
    assert len(guards) == 1 and not others, (
        f"{name}: the install cell must be `import sys` and one `if` block, nothing else"
    )
    assert ast.unparse(guards[0].test) == "'google.colab' in sys.modules", (
        f"{name}: the install cell is guarded by `{ast.unparse(guards[0].test)}`, "
        'not by `"google.colab" in sys.modules`'
    )
    assert not guards[0].orelse, f"{name}: the install cell must do nothing outside Colab"


def _run_colab_cell(name: str, monkeypatch, on_colab: bool) -> list[tuple[list, dict]]:
    """Execute the install cell; return the ``subprocess.run`` calls it made."""
    calls = []

    def fake_run(args, *rest, **kwargs):
        calls.append((list(args), kwargs))
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    if on_colab:
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(_source(_colab_cell(name)), f"{name}:colab", "exec"), {})
    return calls


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_install_cell_pip_installs_the_course_and_nothing_else_on_colab(name, monkeypatch):
    calls = _run_colab_cell(name, monkeypatch, on_colab=True)
    assert len(calls) == 1, f"{name}: on Colab the cell ran {len(calls)} commands, not one"
    args, kwargs = calls[0]
    assert args[:4] == [sys.executable, "-m", "pip", "install"], (
        f"{name}: the cell runs {args[:4]}, not `sys.executable -m pip install` (the kernel's pip)"
    )
    packages = [a for a in args[4:] if not a.startswith("-")]
    assert packages == [COURSE_SPEC], f"{name}: the cell installs {packages}, not the course"
    assert kwargs.get("check") is True, f"{name}: a failed install must stop the notebook"
    assert _run_colab_cell(name, monkeypatch, on_colab=False) == [], (
        f"{name}: the install cell runs a command outside Colab"
    )


def test_readme_colab_badge_opens_the_welcome_notebook_on_main():
    badges = COLAB_BADGE.findall((ROOT / "README.md").read_text())
    assert _colab_url("notebooks/00_welcome.ipynb") in badges, (
        "README.md has no Open-in-Colab badge for notebooks/00_welcome.ipynb on main"
    )


# --- the wheel in a fresh venv (Colab's install, as close as this machine gets) ------------

_PROBE = f"""
import importlib.util, json, sys
from pathlib import Path
import course_lib
print(json.dumps({{
    "course_lib": course_lib.__file__,
    "prefix": sys.prefix,
    "server_side": [m for m in {list(SERVER_SIDE)!r} if importlib.util.find_spec(m)],
}}))
"""


def test_the_venv_holds_the_wheel_and_only_runtime_dependencies(runtime_venv):
    print(f"wheel built and venv installed in {runtime_venv.setup_s:.0f} s")
    probe = json.loads(runtime_venv.run(_PROBE).stdout.splitlines()[-1])
    installed = probe["course_lib"]
    assert "site-packages" in installed and installed.startswith(probe["prefix"]), (
        f"the venv imports course_lib from {installed}, not from the installed wheel"
    )
    assert probe["server_side"] == [], (
        f"{probe['server_side']} are importable after installing only the course wheel: "
        "a runtime dependency pulls in the server side; move it to the `lab` extra"
    )


_WIDGETS = """
import matplotlib
matplotlib.use("Agg")
import anywidget
from course_lib.widgets.drawing import DrawingPad
from course_lib.widgets.learning import LandscapeExplorer
from course_lib.widgets.playground import PlaygroundExplorer
from course_lib.widgets.welcome import WaveExplorer

for cls in (WaveExplorer, LandscapeExplorer, PlaygroundExplorer):
    explorer = cls.example()
    pngs, readouts = {explorer.image.value}, {explorer.readout_text}
    for move in cls.example_moves:
        explorer.set(**move)
        pngs.add(explorer.image.value)
        readouts.add(explorer.readout_text)
    assert len(pngs) > 1, f"{cls.__name__}: moving the controls never changed the picture"
    assert len(readouts) > 1, f"{cls.__name__}: moving the controls never changed the readout"
    print(cls.__name__, len(pngs), "pictures,", len(readouts), "readouts")

pad = DrawingPad()
assert isinstance(pad, anywidget.AnyWidget)
pad.add_stroke([(10, 20), (30, 40)])
state = pad.get_state()
assert "_esm" in state and state["value"] == [[[10.0, 20.0], [30.0, 40.0]]], state["value"]
print("DrawingPad ok")
"""


def test_the_explorers_move_and_redraw_in_the_venv(runtime_venv):
    output = runtime_venv.run(_WIDGETS).stdout
    assert "DrawingPad ok" in output, output


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_a_kernel_with_only_the_runtime_install(name, notebook_runner):
    run = notebook_runner.run(name)
    print(f"{name}: executed in {run.seconds:.0f} s -> {run.path}")
    assert run.error is None, f"{name} failed in the runtime venv at {run.error}"
