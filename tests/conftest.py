"""Shared test configuration: hypothesis profiles and the devices to test on."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Session fixtures: the course wheel in a fresh venv, and the notebooks executed there.
from runtime_venv import executed_notebooks, notebook_runner, runtime_venv  # noqa: F401

# "ci" has no deadlines (a shared 2-core machine makes per-example timing meaningless) and a
# fixed seed, so a red CI can be reproduced. "dev" draws new examples on every run, which is
# how new failures are found; hypothesis prints the failing example to add with @example.
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=40,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=15)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _devices() -> list[str]:
    from course_lib.device import available_devices

    return list(reversed(available_devices()))  # CPU always; CUDA and MPS when present


@pytest.fixture(params=_devices())
def device(request) -> str:
    """Each test that takes ``device`` runs on the CPU and on every GPU that is present."""
    return request.param


def pytest_terminal_summary(terminalreporter):
    """Say where the browser tests left their screenshots, so a person can look at them."""
    from pathlib import Path

    root = Path(
        os.environ.get("COURSE_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts")
    )
    folder = root / "browser"
    if folder.is_dir() and any(folder.rglob("*.png")):
        terminalreporter.write_line(f"Browser screenshots: {folder}")
