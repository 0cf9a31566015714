"""benchmarks/reproducibility.py: which printed numbers are compared, and how runs differ."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "reproducibility", ROOT / "benchmarks" / "reproducibility.py"
)
repro = importlib.util.module_from_spec(_spec)
sys.modules["reproducibility"] = repro  # dataclasses look their module up there
_spec.loader.exec_module(repro)


def _executed(*cells: tuple[str, list[str], list[str]]):
    """A notebook as nbclient leaves it: each cell (printed text, extra outputs, tags)."""
    nb = new_notebook()
    for i, (stdout, results, tags) in enumerate(cells):
        cell = new_code_cell("...", id=f"cell-{i:02d}")
        cell.metadata["tags"] = tags
        cell.outputs = [new_output("stream", name="stdout", text=stdout)]
        cell.outputs += [new_output("execute_result", data=d, execution_count=1) for d in results]
        nb.cells.append(cell)
    return nb


def _run(accuracy: str = "97.31%", seconds: str = "12.4", loss: str = "0.123"):
    return repro.extract(
        _executed(
            (f"test accuracy {accuracy}, loss {loss} ({seconds} s)\n", [], []),
            ("3 epochs of 469 steps\n", [{"text/plain": "<Figure size 600x300 with 1 Axes>"}], []),
        )
    )


def test_the_same_numbers_give_no_difference():
    runs = [_run(), _run(), _run()]
    assert repro.compare(runs) == []
    values = [n.value for n in runs[0].numbers]
    assert values == [97.31, 0.123, 3, 469, 600, 1]  # "600x300": the 300 is glued to the x


def test_a_differing_accuracy_is_reported_with_its_line():
    found = repro.compare([_run(), _run(accuracy="97.32%"), _run()])
    assert len(found) == 1
    (difference,) = found
    assert (difference.cell, difference.position) == ("cell-00", 0)
    assert difference.printed == ("97.31", "97.32", "97.31")
    assert "test accuracy" in difference.line
    assert "97.32" in repro.describe(difference)


def test_a_differing_loss_is_reported():
    found = repro.compare([_run(), _run(loss="0.124")])
    assert [(d.cell, d.position) for d in found] == [("cell-00", 1)]


def test_timings_before_a_unit_are_left_out_and_counted():
    runs = [_run(seconds="12.4"), _run(seconds="31.9")]
    assert repro.compare(runs) == []
    assert runs[0].timing == 1
    for line, kept, timing in [
        ("one pass 3.2 ms, 45.1 GFLOP/s on 2.1 million FLOPs", ["2.1"], 2),
        ("batches of 512: 12,345 images per second", ["512"], 1),
        ("512 against 32: 3.1 times the images per second", ["512", "32"], 1),
        ("PyTorch 2.4x faster; the other 1.5 times slower", [], 2),
        ("PyTorch uses 2 threads on 16 cores", ["16"], 1),
        ("took 3 seconds, 2 minutes, 1 hour", [], 3),
        # not timings: a step count, a shape, a ratio of losses, a name with digits
        (
            "200 steps of 0.3 in 3x3 windows; conv1 pushes 500x harder",
            ["200", "0.3", "3", "500"],
            0,
        ),
    ]:
        assert repro.numbers_in_line(line) == (kept, timing), line


def test_a_cell_tagged_timing_is_left_out_whole():
    nb = _executed(
        ("loss 0.5\n", [], []),
        ("size 64: 3.1, size 1024: 52.0\n", [], ["timing"]),
    )
    extracted = repro.extract(nb)
    assert [n.text for n in extracted.numbers] == ["0.5"]
    assert extracted.timing == 4


def test_the_same_number_formatted_differently_is_the_same():
    runs = [
        repro.extract(_executed(("lr 0.50, 60,000 images, 1e-05\n", [], []))),
        repro.extract(_executed(("lr 0.5, 60000 images, 0.00001\n", [], []))),
    ]
    assert repro.compare(runs) == []


def test_a_cell_that_prints_more_numbers_in_one_run_is_reported_once():
    runs = [
        repro.extract(_executed(("epoch 1: 0.5\nepoch 2: 0.4\n", [], []))),
        repro.extract(_executed(("epoch 1: 0.5\n", [], []))),
    ]
    (difference,) = repro.compare(runs)
    assert difference.position is None
    assert difference.printed == ("4 numbers", "2 numbers")


def test_markdown_results_are_read_and_standard_error_and_addresses_are_not():
    nb = _executed(("<function f at 0x7f3a2b>\n", [{"text/markdown": "| FFN | **97.80%** |"}], []))
    nb.cells[0].outputs.append(new_output("stream", name="stderr", text="100%|### 469/469\n"))
    assert [n.text for n in repro.extract(nb).numbers] == ["97.80"]


def _fields_kept(cell_source: str) -> int:
    """How many f-string fields of a cell's source the timing rules would keep as numbers."""
    kept = 0
    for literal in re.findall(r'f"((?:[^"\\]|\\.)*)"', cell_source):
        rendered = re.sub(r"\{[^{}]*\}", "7.5", literal)  # every field printed as a number
        kept += len(repro.numbers_in_line(rendered)[0])
    return kept


@pytest.mark.parametrize(
    "path",
    [p for p in repro.default_notebooks() if int(p.name[:2]) >= 2],
    ids=lambda p: p.stem,
)
def test_every_notebook_from_02_on_has_numbers_to_compare(path):
    """The timing rules must not swallow a notebook's accuracies and losses: every notebook
    from 02 on prints at least five numbers outside cells tagged ``timing`` and not before a
    unit of time."""
    nb = nbformat.read(path, as_version=4)
    kept = sum(
        _fields_kept(cell.source)
        for cell in nb.cells
        if cell.cell_type == "code" and not repro.is_timing_cell(cell)
    )
    assert kept >= 5, f"{path.name}: only {kept} printed numbers would be compared"


def test_two_runs_of_the_neuron_notebook_print_the_same_numbers(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COURSE_STRICT_CHECKS", "1")  # main() sets it; restore it afterwards
    monkeypatch.setenv("COURSE_LIB_MODELS", str(tmp_path / "the learner's own"))
    notebook = ROOT / "notebooks" / "02_the_neuron.ipynb"
    before = notebook.read_bytes()

    status = repro.main([str(notebook), "--runs", "2", "--keep", str(tmp_path / "kept")])

    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0, result
    assert result["runs"] == 2 and result["differences"] == {} and result["failed"] == {}
    assert result["notebooks"]["02_the_neuron"]["compared"] >= 20
    assert (tmp_path / "kept" / "run2" / notebook.name).is_file()
    assert notebook.read_bytes() == before  # the source is left as it was
    assert not (tmp_path / "the learner's own").exists()  # each run had its own models folder
    assert repro.os.environ["COURSE_LIB_MODELS"] == str(tmp_path / "the learner's own")


def test_the_thread_counts_a_run_printed_are_recorded():
    nb = _executed(("trained on cpu (2 threads) in 3.1 s: 97.31%\n", [], []))
    extracted = repro.extract(nb)
    assert extracted.threads == (2,)
    assert [n.text for n in extracted.numbers] == ["97.31"]


def test_widgets_such_as_progress_bars_are_not_read():
    bar = {
        "text/plain": "training:  37%|###7      | 174/469 [00:03<00:05, 52.1step/s]",
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2},
    }
    nb = _executed(("test accuracy 99.10%\n", [bar], []))
    assert [n.text for n in repro.extract(nb).numbers] == ["99.10"]
