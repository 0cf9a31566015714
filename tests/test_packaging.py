"""The set-up promised by the README holds: packaging, conda, Binder, notebooks and CI.

Everything here runs offline and in seconds. The Binder image is checked with
``jupyter-repo2docker --no-build --debug``, which writes the Dockerfile without Docker.
"""

from __future__ import annotations

import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]

#: conda-forge names of the PyPI packages whose names differ there.
CONDA_NAMES = {
    "torch": {"pytorch", "pytorch-cpu"},
    "matplotlib": {"matplotlib", "matplotlib-base"},
}


def pyproject_requirements() -> tuple[list[Requirement], list[Requirement], list[Requirement]]:
    """(runtime dependencies, the ``lab`` extra, the ``test`` extra) as declared in pyproject.toml.

    An extra that names the course itself (``course_lib[lab]``) is replaced by that extra's
    own requirements, so every list holds only third-party packages.
    """
    if sys.version_info >= (3, 11):
        import tomllib

        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        runtime = [Requirement(r) for r in project["dependencies"]]
        extras = {
            name: [Requirement(r) for r in reqs]
            for name, reqs in project["optional-dependencies"].items()
        }
    else:
        # Python 3.10 has no tomllib: read the installed metadata, which `make` refreshes
        # whenever pyproject.toml changes.
        from importlib.metadata import requires

        runtime, extras = [], {"lab": [], "test": []}
        for line in requires("course_lib") or []:
            req = Requirement(line)
            if req.marker is None:
                runtime.append(req)
                continue
            for name, reqs in extras.items():
                if req.marker.evaluate({"extra": name}):
                    req.marker = None
                    reqs.append(req)
                    break

    def expand(name: str) -> list[Requirement]:
        out = []
        for req in extras[name]:
            if canonicalize_name(req.name) == "course-lib":
                for extra in sorted(req.extras):
                    out.extend(expand(extra))
            else:
                out.append(req)
        return out

    return runtime, expand("lab"), expand("test")


def constraints() -> dict[str, str]:
    """Exact pins from constraints.txt: canonical name -> version."""
    pins = {}
    for raw in (ROOT / "constraints.txt").read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep, f"constraints.txt line {raw!r} is not an exact pin NAME==VERSION"
        pins[canonicalize_name(name)] = version.strip()
    return pins


_CONDA_SPEC = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$")


def conda_environment(path: Path) -> tuple[dict[str, str], list[str], dict]:
    """(conda dependencies: name -> version spec, pip lines, the whole parsed file)."""
    env = yaml.safe_load(path.read_text())
    conda, pip = {}, []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip.extend(dep.get("pip", []))
            continue
        match = _CONDA_SPEC.match(dep)
        assert match, f"{path.name}: cannot read the dependency {dep!r}"
        conda[match.group(1).lower()] = match.group(2).strip()
    return conda, pip, env


def conda_name_for(req: Requirement, available) -> str | None:
    """The name under which ``available`` (conda or pip names) lists ``req``, if any."""
    name = canonicalize_name(req.name)
    candidates = CONDA_NAMES.get(name, {name})
    normalised = {canonicalize_name(a): a for a in available}
    for candidate in candidates:
        if canonicalize_name(candidate) in normalised:
            return normalised[canonicalize_name(candidate)]
    return None


RUNTIME, LAB_EXTRA, TEST_EXTRA = pyproject_requirements()
PINS = constraints()


def _conda_spec_allows(spec: str, version: str) -> bool:
    """Whether a conda version spec (``=1.2.3``, ``>=1.0,<2``, empty) admits ``version``."""
    if not spec:
        return True
    if spec.startswith("=") and not spec.startswith("=="):
        # conda's "=2.13" means 2.13.*; "=2.13.0=cpu*" adds a build string, ignored here.
        pinned = spec[1:].split("=")[0].removesuffix(".*")
        return SpecifierSet(f"=={pinned}.*").contains(version, prereleases=True)
    return SpecifierSet(spec).contains(version, prereleases=True)


# --- pyproject.toml and constraints.txt -------------------------------------------------------


@pytest.mark.parametrize("req", RUNTIME + TEST_EXTRA, ids=str)
def test_constraints_pin_every_dependency_within_its_range(req):
    name = canonicalize_name(req.name)
    assert name in PINS, (
        f"constraints.txt has no pin for {req.name}; install it and regenerate constraints.txt "
        "with: .venv/bin/pip freeze --exclude-editable"
    )
    assert req.specifier.contains(PINS[name], prereleases=True), (
        f"constraints.txt pins {req.name}=={PINS[name]}, outside pyproject.toml's range "
        f"'{req.specifier}'; change one of them so they agree"
    )


#: Server-side packages: `pip install course_lib` (what Colab's first cell runs) must not
#: pull them in; the ``lab`` extra adds them.
SERVER_PACKAGES = {"jupyterlab", "notebook", "jupyter-server", "jupyterlab-server", "nbclassic"}


def test_runtime_dependencies_are_what_a_kernel_needs():
    server = [str(r) for r in RUNTIME if canonicalize_name(r.name) in SERVER_PACKAGES]
    assert not server, f"{server} are runtime dependencies; move them to the `lab` extra"
    assert "ipykernel" in {canonicalize_name(r.name) for r in RUNTIME}
    lab = {canonicalize_name(r.name) for r in LAB_EXTRA}
    assert "jupyterlab" in lab, "the `lab` extra must install JupyterLab (make lab opens it)"
    test = {canonicalize_name(r.name) for r in TEST_EXTRA}
    assert lab <= test, "the `test` extra must include the `lab` extra: the tests drive JupyterLab"


# --- environment.yml (conda users) ----------------------------------------------------------


def test_conda_environment_lists_every_dependency_and_test_tool():
    conda, pip_lines, env = conda_environment(ROOT / "environment.yml")
    assert "conda-forge" in env["channels"]
    pip_names = {Requirement(line).name: line for line in pip_lines if not line.startswith("-")}
    missing = [
        str(req)
        for req in RUNTIME + TEST_EXTRA
        if conda_name_for(req, conda) is None and conda_name_for(req, pip_names) is None
    ]
    assert not missing, f"environment.yml does not list {missing}; add them (conda-forge names)"
    assert "-e ." in pip_lines, "environment.yml must install the course itself: pip: [-e .]"


def test_conda_environment_ranges_admit_the_tested_versions():
    conda, pip_lines, _ = conda_environment(ROOT / "environment.yml")
    for req in RUNTIME + TEST_EXTRA:
        listed = conda_name_for(req, conda)
        if listed is None:
            continue
        pin = PINS[canonicalize_name(req.name)]
        assert _conda_spec_allows(conda[listed], pin), (
            f"environment.yml asks for {listed}{conda[listed]}, which excludes the tested "
            f"{req.name}=={pin} from constraints.txt"
        )


# --- binder/ (mybinder.org) -----------------------------------------------------------------


def test_binder_environment_is_python_311_with_cpu_pytorch_and_every_dependency():
    conda, _, env = conda_environment(ROOT / "binder" / "environment.yml")
    assert env["channels"][0] == "conda-forge"
    assert conda.get("python") == "=3.11", f"binder must pin python=3.11, has {conda.get('python')}"
    cpu_torch = "pytorch-cpu" in conda or "cpu" in conda.get("pytorch", "")
    assert cpu_torch, "binder must use conda-forge's CPU-only PyTorch (pytorch-cpu)"
    # Binder learners use JupyterLab, so the `lab` extra belongs there too.
    missing = [str(req) for req in RUNTIME + LAB_EXTRA if conda_name_for(req, conda) is None]
    assert not missing, f"binder/environment.yml does not list {missing}"


def test_binder_versions_match_the_tested_pins():
    conda, _, _ = conda_environment(ROOT / "binder" / "environment.yml")
    for req in RUNTIME + LAB_EXTRA:
        listed = conda_name_for(req, conda)
        pin = PINS[canonicalize_name(req.name)]
        assert _conda_spec_allows(conda[listed], pin), (
            f"binder/environment.yml has {listed}{conda[listed]} but the tests run with "
            f"{req.name}=={pin} (constraints.txt); make them agree"
        )


def test_postbuild_installs_the_course_and_prefetches_the_data():
    post = ROOT / "binder" / "postBuild"
    text = post.read_text()
    assert os.access(post, os.X_OK), "binder/postBuild must be executable: chmod +x"
    assert "set -euo pipefail" in text, "postBuild must stop at the first failing step"
    assert re.search(r"pip install --no-deps -e \.", text)
    assert re.search(r"python -m course_lib\.data fetch", text)
    mode = subprocess.run(
        ["git", "ls-files", "-s", "binder/postBuild"], cwd=ROOT, capture_output=True, text=True
    ).stdout
    if mode:  # committed: a fresh clone must get the executable bit too
        assert mode.startswith("100755"), f"git records postBuild as {mode.split()[0]}, not 755"


def test_repo2docker_accepts_the_binder_configuration(tmp_path):
    # A copy of the files the image is built from, so repo2docker never touches the checkout.
    for name in ("binder", "environment.yml", "pyproject.toml", "README.md"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name)
        else:
            shutil.copy2(src, tmp_path / name)
    exe = Path(sys.executable).with_name("jupyter-repo2docker")
    assert exe.exists(), f"{exe} is missing: install the test extra (make test does)"
    result = subprocess.run(
        [str(exe), "--no-build", "--debug", "."],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"repo2docker rejected binder/:\n{output[-3000:]}"
    assert "binder/environment.yml" in result.stdout, (
        "the Dockerfile ignores binder/environment.yml"
    )
    assert "./binder/postBuild" in result.stdout, "the Dockerfile does not run binder/postBuild"
    assert "python=3.11" in output


BINDER_BADGE = re.compile(
    r"\[!\[[^\]]*\]\(https://mybinder\.org/badge_logo\.svg\)\]"
    r"\((https://mybinder\.org/v2/gh/[^)\s]+)\)"
)


def test_readme_binder_badge_opens_the_welcome_notebook_in_lab():
    readme = (ROOT / "README.md").read_text()
    badges = BINDER_BADGE.findall(readme)
    assert badges, "README.md has no 'launch Binder' badge linking to mybinder.org/v2/gh/..."
    for url in badges:
        query = parse_qs(urlparse(url).query)
        assert "urlpath" in query, f"the Binder badge {url} does not say which file to open"
        urlpath = unquote(query["urlpath"][0])
        assert urlpath.startswith("lab/tree/"), f"{urlpath} does not open JupyterLab"
        target = ROOT / urlpath.removeprefix("lab/tree/")
        assert target.is_file(), f"the Binder badge opens {target.relative_to(ROOT)}: missing"
        assert target.name == "00_welcome.ipynb"


# --- README, notebooks, CI ------------------------------------------------------------------

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_readme_gives_the_two_commands_and_maps_every_notebook():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    unlisted = [nb.name for nb in NOTEBOOKS if nb.stem not in readme]
    assert not unlisted, f"README.md's course map does not mention {unlisted}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_clean_with_the_python3_kernel(path):
    nb = json.loads(path.read_text())
    kernel = nb["metadata"].get("kernelspec", {})
    assert kernel.get("name") == "python3", f"{path.name}: kernelspec is {kernel}, not python3"
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: code cells {dirty} carry outputs; clear them before committing "
        "(jupyter nbconvert --clear-output --inplace)"
    )


def test_ci_runs_exactly_make_test():
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text().splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    assert "make test" in lines, ".ci/run must run `make test`, as the README tells users to"
    assert lines[-1] == "make test", ".ci/run must end with `make test` so its status is CI's"
    assert "set -euo pipefail" in lines


def test_makefile_lets_one_notebook_be_tested_alone():
    makefile = (ROOT / "Makefile").read_text()
    # Every notebook runs once in `make test`, in tests/test_runtime_wheel.py (no second run
    # through nbval); a notebook named in TESTS runs alone with nbval.
    assert re.search(r"^TESTS \?= tests$", makefile, re.M)
    assert "--nbval-lax" in makefile
    assert "$(TESTS)" in makefile
    from runtime_venv import NOTEBOOKS

    assert NOTEBOOKS == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert "make test TESTS=" in (ROOT / "README.md").read_text()


_IMPORT_PROBE = """
import json, sys
import course_lib
print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in
    ('torch', 'matplotlib', 'ipywidgets', 'pooch', 'course_lib'))))
"""


def test_importing_course_lib_does_no_work():
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr, f"importing course_lib wrote to stderr: {result.stderr!r}"
    *printed, modules = result.stdout.splitlines()
    assert not printed, f"importing course_lib printed {printed!r}"
    loaded = json.loads(modules)
    assert loaded == ["course_lib"], f"importing course_lib also imported {loaded[1:]}"


def test_no_course_module_prints_when_imported():
    names = [
        m.name
        for m in pkgutil.walk_packages([str(ROOT / "course_lib")], prefix="course_lib.")
        if not m.name.endswith("__main__")
    ]
    probe = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run(
        [sys.executable, "-c", probe, *names], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == "", f"importing {names} printed:\n{result.stdout[:2000]}"


def test_notebook_names_in_the_package_exist():
    """Docstrings name notebooks (``03_learning``, ``00a_primer``); each must exist."""
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    pattern = re.compile(r"``(\d\d[a-z]?_[a-z_]+)``")
    wrong = {}
    for path in sorted((ROOT / "course_lib").rglob("*.py")):
        for name in pattern.findall(path.read_text(encoding="utf-8")):
            if name not in notebooks:
                wrong.setdefault(str(path.relative_to(ROOT)), set()).add(name)
    assert not wrong, f"docstrings name notebooks that do not exist: {wrong}"
