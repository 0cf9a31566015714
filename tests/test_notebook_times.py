"""benchmarks/notebook_times.py: targets, timings of real kernels, failures reported."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "notebook_times", ROOT / "benchmarks" / "notebook_times.py"
)
notebook_times = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(notebook_times)


def test_targets_follow_the_course_numbers():
    assert notebook_times.target_for("00_welcome") == 30
    assert notebook_times.target_for("00a_primer") == 30
    assert notebook_times.target_for("05_feed_forward_networks") == 30
    assert notebook_times.target_for("06_mnist_with_a_feed_forward_net") == 45
    assert notebook_times.target_for("07_convolutions") == 45
    assert notebook_times.target_for("08_convolutional_networks") == 90
    assert notebook_times.target_for("09_your_own_handwriting") == 60
    assert notebook_times.target_for("10_how_fast_can_it_go") == 90
    assert notebook_times.target_for("scratch") is None
    assert notebook_times.target_for("00ab_scratch") is None


def test_the_optional_notebook_10_is_outside_the_course_budget():
    assert not notebook_times.in_course_budget("10_how_fast_can_it_go")
    assert notebook_times.in_course_budget("08_convolutional_networks")
    assert notebook_times.in_course_budget("00_welcome")
    assert notebook_times.in_course_budget("scratch")  # timed and counted, as before


def _notebook(path: Path, source: str) -> Path:
    nb = new_notebook(cells=[new_code_cell(source)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_times_each_notebook_and_reports_failures(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")  # main() sets it; restore it afterwards
    slow = _notebook(tmp_path / "01_slow.ipynb", "import time\ntime.sleep(0.5)")
    broken = _notebook(tmp_path / "02_broken.ipynb", "raise ValueError('deliberate')")
    before = slow.read_bytes()

    status = notebook_times.main([str(slow), str(broken)])

    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert status == 1
    assert 0.5 <= result["seconds"]["01_slow"] < 30
    assert result["total"] == result["seconds"]["01_slow"]
    assert result["optional"] == []
    assert "02_broken" not in result["seconds"]
    assert "deliberate" in result["failed"]["02_broken"]
    assert "FAILED" in out
    assert slow.read_bytes() == before, "the benchmark must not write outputs into notebooks"


def test_optional_notebook_is_timed_but_left_out_of_the_total(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    course = _notebook(tmp_path / "01_course.ipynb", "x = 1")
    extra = _notebook(tmp_path / "10_extra.ipynb", "import time\ntime.sleep(0.3)")

    assert notebook_times.main([str(course), str(extra)]) == 0

    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert set(result["seconds"]) == {"01_course", "10_extra"}
    assert result["total"] == result["seconds"]["01_course"]
    assert result["optional"] == ["10_extra"]
    assert "optional: not in the total" in out


def test_save_writes_executed_copies_elsewhere(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")
    source = _notebook(tmp_path / "01_plot.ipynb", "print('figure goes here')")
    before = source.read_bytes()

    assert notebook_times.main([str(source), "--save", str(tmp_path / "executed")]) == 0

    executed = nbformat.read(tmp_path / "executed" / "01_plot.ipynb", as_version=4)
    assert "figure goes here" in executed.cells[0].outputs[0]["text"]
    assert source.read_bytes() == before
