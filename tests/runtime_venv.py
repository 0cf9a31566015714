"""The course as Google Colab gets it: the wheel and its runtime dependencies, nothing else.

Colab's first notebook cell runs ``pip install course_lib @ git+...``, which installs the
course package with its *runtime* dependencies into a kernel that Colab provides. The closest
this machine comes to that is a fresh virtual environment that holds only the course wheel
and those dependencies (pinned by ``constraints.txt``), with a Jupyter kernel started from
its Python. No JupyterLab, Notebook server or pytest is installed there, so a notebook that
quietly relies on one of them fails.

Session fixtures (imported by ``tests/conftest.py``):

- ``runtime_venv``: builds the wheel and the environment, once per test session.
- ``notebook_runner``: executes notebooks in that environment's kernel, each at most once
  per session, and keeps the executed copies (with their outputs).
- ``executed_notebooks``: every notebook executed; a dict ``file name -> Path`` of the
  executed copy. Other tests (the course website) read these instead of executing the
  notebooks again.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))

#: Packages only the server side needs; none may be importable in the runtime environment.
SERVER_SIDE = ("jupyterlab", "notebook", "jupyter_server", "pytest")

KERNEL_NAME = "course-runtime"
#: The longest one cell may run, as for `make test` (--nbval-cell-timeout=600).
CELL_TIMEOUT_S = 600

#: What the wheel is built from: the package and the files pyproject.toml reads.
_WHEEL_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "course_lib")

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def kernel_env() -> dict[str, str]:
    """The environment of every process started in the runtime venv.

    PYTHONPATH is dropped (a developer's ``PYTHONPATH=$PWD`` would import the checkout's
    ``course_lib`` instead of the wheel's); checks run strictly, as in ``make test``; and the
    data sets come from ``$COURSE_LIB_DATA`` (CI sets it), else from ``../shared/data``.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env["COURSE_STRICT_CHECKS"] = "1"
    if not env.get("COURSE_LIB_DATA", "").strip():
        from data_support import find_real_data

        folder = find_real_data()
        if folder is not None:
            env["COURSE_LIB_DATA"] = str(folder)
    return env


def _run(cmd: list[str], what: str, timeout: float, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-4000:]
        pytest.fail(f"{what} failed ({' '.join(map(str, cmd))}):\n{output}", pytrace=False)
    return result


def build_wheel(workdir: Path) -> Path:
    """Build the course wheel from a copy of the sources; return its path.

    The copy keeps the build's ``build/`` and ``*.egg-info`` folders out of the checkout. The
    wheel is built with the test environment's own setuptools (no download).
    """
    src = workdir / "src"
    src.mkdir(parents=True)
    for name in _WHEEL_SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, src / name)
    dist = workdir / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(dist), str(src)],
        "building the course wheel",
        timeout=300,
    )
    wheels = sorted(dist.glob("course_lib-*.whl"))
    assert len(wheels) == 1, f"expected one course wheel in {dist}, found {wheels}"
    return wheels[0]


@dataclass
class RuntimeVenv:
    """A virtual environment with the course wheel and its runtime dependencies only."""

    root: Path
    python: Path
    wheel: Path
    kernel_dir: Path
    setup_s: float

    def run(self, code: str, timeout: float = 300, cwd: Path | None = None):
        """Run Python ``code`` in the environment; fail the test if it exits non-zero."""
        return _run(
            [str(self.python), "-c", code],
            "a script in the runtime venv",
            timeout=timeout,
            env=kernel_env(),
            cwd=cwd or self.root,
        )


def create_runtime_venv(workdir: Path) -> RuntimeVenv:
    """Build the wheel, then a fresh venv holding it and its runtime dependencies."""
    start = time.perf_counter()
    wheel = build_wheel(workdir / "wheel")
    venv = workdir / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], "creating the venv", timeout=300)
    python = venv / "bin" / "python"
    # --no-compile: byte-compiling all of torch takes longer than the install itself; the
    # kernel compiles what it imports.
    _run(
        [str(python), "-m", "pip", "install", "-q", "--no-compile"]
        + ["-c", str(ROOT / "constraints.txt"), str(wheel)],
        "installing the course wheel and its runtime dependencies",
        timeout=900,
        env=kernel_env(),
    )
    kernel_dir = workdir / "kernels"
    spec = kernel_dir / KERNEL_NAME / "kernel.json"
    spec.parent.mkdir(parents=True)
    spec.write_text(
        json.dumps(
            {
                "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "course_lib wheel (runtime dependencies only)",
                "language": "python",
            }
        )
    )
    return RuntimeVenv(venv, python, wheel, kernel_dir, time.perf_counter() - start)


@dataclass
class NotebookRun:
    """One notebook executed in the runtime venv's kernel."""

    name: str
    path: Path  # the executed copy, with outputs
    seconds: float
    error: str | None = None  # "cell-07: ValueError ..." when a cell failed


@dataclass
class NotebookRunner:
    """Executes notebooks in the runtime venv's kernel, each at most once."""

    venv: RuntimeVenv
    out_dir: Path
    runs: dict[str, NotebookRun] = field(default_factory=dict)

    def run(self, name: str) -> NotebookRun:
        if name not in self.runs:
            self.runs[name] = self._execute(name)
        return self.runs[name]

    def run_all(self) -> dict[str, NotebookRun]:
        return {name: self.run(name) for name in NOTEBOOKS}

    def _execute(self, name: str) -> NotebookRun:
        import nbformat
        from jupyter_client.kernelspec import KernelSpecManager
        from jupyter_client.manager import AsyncKernelManager
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        nb = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
        km = AsyncKernelManager(
            kernel_name=KERNEL_NAME,
            kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(self.venv.kernel_dir)]),
        )
        current = {"id": "(kernel start)"}

        def on_cell_start(cell, cell_index):
            current["id"] = cell.get("id", f"cell index {cell_index}")

        client = NotebookClient(
            nb,
            km=km,
            timeout=CELL_TIMEOUT_S,
            resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
            on_cell_start=on_cell_start,
        )
        error = None
        start = time.perf_counter()
        try:
            client.execute(env=kernel_env())
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
            text = _ANSI.sub("", str(exc)).strip()
            error = f"{current['id']}: {type(exc).__name__}\n{text[-3000:]}"
        seconds = time.perf_counter() - start
        path = self.out_dir / name
        nbformat.write(nb, path)
        return NotebookRun(name, path, seconds, error)


@pytest.fixture(scope="session")
def runtime_venv(tmp_path_factory) -> RuntimeVenv:
    """The course wheel and its runtime dependencies in a fresh venv (built once).

    The venv (about a gigabyte, mostly PyTorch) stays in pytest's temporary folder, which
    pytest prunes to the last three runs: removing it here would cost CI half a minute.
    """
    return create_runtime_venv(tmp_path_factory.mktemp("runtime-venv"))


@pytest.fixture(scope="session")
def notebook_runner(runtime_venv, tmp_path_factory) -> NotebookRunner:
    """Executes each notebook at most once per session in the runtime venv's kernel."""
    return NotebookRunner(runtime_venv, tmp_path_factory.mktemp("executed-notebooks"))


@pytest.fixture(scope="session")
def executed_notebooks(notebook_runner) -> dict[str, Path]:
    """Every notebook executed in the runtime venv: file name -> the executed copy.

    Notebooks already executed in this session (by ``tests/test_runtime_wheel.py``, when it
    ran earlier) are not executed again; the others are executed in the setup of the test
    that asks for this fixture, so a test run alone pays for them all (about 5 minutes in
    CI; ``pytest-timeout`` counts fixture setup). Fails, naming the notebook and cell, when
    one of them does not run to the end.
    """
    runs = notebook_runner.run_all()
    failed = [f"{run.name} at {run.error}" for run in runs.values() if run.error]
    if failed:
        pytest.fail("notebooks that did not run to the end:\n" + "\n\n".join(failed))
    return {name: run.path for name, run in runs.items()}
