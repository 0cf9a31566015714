"""The explorer latency benchmark runs and reports every explorer (its speed is not tested)."""

from __future__ import annotations

import importlib.util
import inspect
import json
import pkgutil
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "explorer_latency.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("explorer_latency", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def explorer_classes_by_hand() -> set[str]:
    """Every Explorer subclass defined in course_lib.widgets, found independently."""
    import importlib as il

    import course_lib.widgets as package
    from course_lib.widgets.base import Explorer

    names = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = il.import_module(f"course_lib.widgets.{info.name}")
        for name, cls in vars(module).items():
            if (
                inspect.isclass(cls)
                and issubclass(cls, Explorer)
                and cls is not Explorer
                and cls.__module__ == module.__name__
            ):
                names.add(f"{info.name}.{name}")
    return names


def test_every_explorer_offers_example_and_moves():
    import importlib as il

    for key in explorer_classes_by_hand():
        module_name, cls_name = key.split(".")
        cls = getattr(il.import_module(f"course_lib.widgets.{module_name}"), cls_name)
        assert callable(getattr(cls, "example", None)), f"{key} has no example()"
        assert cls.example_moves, f"{key} has no example_moves"


def test_main_reports_every_discovered_explorer(bench, capsys, monkeypatch):
    from data_support import find_real_data

    data = find_real_data()
    if data is not None:  # explorers that show MNIST need it
        monkeypatch.setenv("COURSE_LIB_DATA", str(data))
    record = bench.main(["--repeats", "1"])
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last_line) == record
    expected = explorer_classes_by_hand()
    assert {"neuron.NeuronExplorer", "learning.LandscapeExplorer"} <= expected
    assert set(record["median_ms"]) | set(record["errors"]) == expected
    assert set(record["median_ms"]) == set(record["p90_ms"])
    if data is not None:
        assert record["errors"] == {}
    for key, ms in record["median_ms"].items():
        assert ms > 0 and record["p90_ms"][key] >= ms
        cls = bench.discover_explorers()[key]
        assert record["updates"][key] == len(cls.example_moves)
    assert isinstance(record["all_within_target"], bool)


def test_percentile_and_bad_repeats(bench):
    assert bench.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50) == 3.0
    assert bench.percentile([1.0, 2.0], 90) == pytest.approx(1.9)
    with pytest.raises(SystemExit):
        bench.main(["--repeats", "0"])
