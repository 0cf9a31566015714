"""Bad input to the command lines and the plumbing modules: one clear line, never a traceback.

The promise kept here: a wrong path, a damaged file or a value of the wrong type gets an
error that names what was wrong and how to fix it; nothing reports success on a state it
could not read; nothing a user made is lost or silently overwritten. The command lines run
as subprocesses, as a teacher runs them, so their exit status and stderr are what is checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

SOLVED = """def double(x):
    ### BEGIN SOLUTION
    return 2 * x
    ### END SOLUTION
"""


def run(module: str, *args: str, env: dict | None = None, cwd: Path = ROOT):
    """Run ``python -m module args``; return the finished process (text output)."""
    full_env = dict(os.environ, PYTHONPATH=str(ROOT))
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=120,
    )


class Finished:
    """What a command line run in this process left: exit status, stdout, stderr."""

    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_here(main, capsys, *args: str) -> Finished:
    """Run a command line's ``main(args)`` in this process (starting Python costs seconds
    on a busy machine); an exception escaping ``main`` fails the test, as a traceback would.
    """
    capsys.readouterr()
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    out = capsys.readouterr()
    return Finished(code, out.out, out.err)


def assert_clean_failure(proc, *phrases: str) -> str:
    """A non-zero exit, no traceback, and an error line holding every phrase; returns it."""
    assert proc.returncode != 0, f"exit 0 for bad input:\n{proc.stdout}\n{proc.stderr}"
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors, f"no 'error:' line in stderr:\n{proc.stderr}"
    for phrase in phrases:
        assert phrase in errors[-1], f"{phrase!r} not in {errors[-1]!r}"
    return errors[-1]


def _notebook(source: str = SOLVED, tagged: bool = True) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    meta = {"tags": ["solution"]} if tagged else {}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A"),
        nbformat.v4.new_code_cell(source, metadata=meta),
    ]
    return nb


def _write(path: Path, nb) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


# --- python -m course_lib.classroom student SRC OUT --------------------------------------

BROKEN_NOTEBOOKS = {
    "not JSON": ("{'cells': [", "not valid JSON"),
    "not UTF-8": (b"\xff\xfe\x00garbage", "not UTF-8"),
    "a JSON list": ("[1, 2, 3]", "JSON but not a notebook"),
    "no nbformat": ('{"cells": []}', "no 'nbformat'"),
    "cells not a list": ('{"cells": 3, "nbformat": 4, "nbformat_minor": 5}', "'cells'"),
    "schema broken": (
        '{"cells": [{"cell_type": "code", "source": "1", "metadata": {}, "outputs": [],'
        ' "execution_count": null, "id": "c0", "bogus": 1}], "metadata": {},'
        ' "nbformat": 4, "nbformat_minor": 5}',
        "not a valid notebook",
    ),
}


def student(capsys, *args: str) -> Finished:
    from course_lib.classroom import main

    return run_here(main, capsys, "student", *args)


@pytest.mark.parametrize("kind", list(BROKEN_NOTEBOOKS))
def test_student_edition_names_a_broken_notebook_and_writes_nothing(tmp_path, capsys, kind):
    content, phrase = BROKEN_NOTEBOOKS[kind]
    src = tmp_path / "src"
    _write(src / "a_good.ipynb", _notebook())
    bad = src / "b_bad.ipynb"
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    out = tmp_path / "out"
    out.mkdir()
    (out / "a_good.ipynb").write_text("a learner's own work")
    before = _snapshot(out)
    proc = student(capsys, str(src), str(out), "--force")
    assert_clean_failure(proc, "b_bad.ipynb", phrase)
    assert proc.stderr.count("\n") == 1  # one line
    # One bad notebook stops the run before anything is written, even with --force.
    assert _snapshot(out) == before


def test_student_edition_command_fails_cleanly_in_a_fresh_process(tmp_path):
    """The same as a teacher sees it: exit status and stderr of a real process."""
    src = tmp_path / "src"
    _write(src / "a_good.ipynb", _notebook())
    (src / "b_bad.ipynb").write_text("{'cells': [")
    proc = run("course_lib.classroom", "student", str(src), str(tmp_path / "out"))
    assert_clean_failure(proc, "b_bad.ipynb", "not valid JSON")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "source, phrase",
    [
        ("x = 1\n### BEGIN SOLUTION\nreturn 2\n", "never closed"),
        ("x = 1\n### END SOLUTION\n", "without a"),
        ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside another"),
        ("y = 2  ### BEGIN SOLUTION\nanswer = 3\n### END SOLUTION\n", "alone on its line"),
        ("answer = 3\n", "no ### BEGIN SOLUTION"),
    ],
)
def test_student_edition_names_bad_markers(tmp_path, capsys, source, phrase):
    _write(tmp_path / "src" / "a.ipynb", _notebook(source))
    proc = student(capsys, str(tmp_path / "src"), str(tmp_path / "out"))
    assert_clean_failure(proc, "a.ipynb", "cell 1", phrase)
    assert not (tmp_path / "out").exists()


def test_student_edition_refuses_bad_paths(tmp_path, capsys):
    src = tmp_path / "src"
    _write(src / "a.ipynb", _notebook())
    before = _snapshot(src)
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("mine")
    cases = [
        ((str(tmp_path / "missing"), str(tmp_path / "out")), "does not exist"),
        ((str(src), str(a_file)), "not a folder"),
        ((str(src), str(src)), "source folder"),
        ((str(src), str(src / "student")), "inside the source folder"),
        ((str(src / "a.ipynb"), str(src / "student")), "inside the source folder"),
        ((str(a_file), str(tmp_path / "out")), "not a .ipynb"),
        ((str(tmp_path), str(tmp_path / "out")), "no .ipynb"),
    ]
    for args, phrase in cases:
        proc = student(capsys, *args)
        assert_clean_failure(proc, phrase)
    assert _snapshot(src) == before and a_file.read_text() == "mine"
    assert not (tmp_path / "out").exists() and not (src / "student").exists()


def test_student_edition_refuses_a_folder_where_a_notebook_would_go(tmp_path, capsys):
    _write(tmp_path / "src" / "a.ipynb", _notebook())
    (tmp_path / "out" / "a.ipynb").mkdir(parents=True)
    (tmp_path / "out" / "a.ipynb" / "keep.txt").write_text("mine")
    proc = student(capsys, str(tmp_path / "src"), str(tmp_path / "out"), "--force")
    assert_clean_failure(proc, "not a file")
    assert (tmp_path / "out" / "a.ipynb" / "keep.txt").read_text() == "mine"


def test_a_notebook_without_solutions_is_copied_and_says_so(tmp_path, capsys):
    nb = _notebook("print('no exercise here')", tagged=False)
    _write(tmp_path / "src" / "a.ipynb", nb)
    proc = student(capsys, str(tmp_path / "src"), str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    assert "no solution regions" in proc.stdout
    assert json.loads((tmp_path / "out" / "a.ipynb").read_text())["cells"][1]["outputs"] == []


def test_make_student_edition_refuses_arguments_of_the_wrong_type(tmp_path):
    from course_lib.classroom import make_student_edition

    with pytest.raises(TypeError, match="source must be a path"):
        make_student_edition(3, tmp_path)
    with pytest.raises(TypeError, match="target must be a path"):
        make_student_edition(tmp_path, None)
    with pytest.raises(TypeError, match="force must be True or False"):
        make_student_edition(tmp_path, tmp_path / "out", force="no")


# --- python -m course_lib.data ------------------------------------------------------------

CLOSED_PORT = "http://127.0.0.1:9/"  # nothing here may reach the network


def data_cli(*args: str, data: Path | str, mirrors: str | None = None):
    """The data command line in a fresh process."""
    env = {"COURSE_LIB_DATA": str(data), "COURSE_LIB_MIRRORS": mirrors or CLOSED_PORT}
    return run("course_lib.data", *args, env=env)


@pytest.fixture
def data_here(capsys, monkeypatch):
    """The data command line in this process: ``data_here(*args, data=..., mirrors=...)``."""
    from course_lib.data.__main__ import main

    def call(*args: str, data: Path | str, mirrors: str | None = None) -> Finished:
        monkeypatch.setenv("COURSE_LIB_DATA", str(data))
        monkeypatch.setenv("COURSE_LIB_MIRRORS", mirrors or CLOSED_PORT)
        return run_here(main, capsys, *args)

    return call


def test_data_folder_that_is_a_file_is_named_in_a_fresh_process(tmp_path):
    blocker = tmp_path / "data.txt"
    blocker.write_text("a user's file")
    proc = data_cli("info", data=blocker)
    assert_clean_failure(proc, str(blocker), "is a file, not a folder", "COURSE_LIB_DATA")
    assert "not cached" not in proc.stdout


@pytest.mark.parametrize("command", [("status",), ("info", "--verify"), ("fetch", "mnist")])
def test_data_folder_that_is_a_file_is_named_not_called_empty(tmp_path, data_here, command):
    blocker = tmp_path / "data.txt"
    blocker.write_text("a user's file")
    proc = data_here(*command, data=blocker)
    assert_clean_failure(proc, str(blocker), "is a file, not a folder", "COURSE_LIB_DATA")
    assert "not cached" not in proc.stdout
    assert blocker.read_text() == "a user's file"


def test_data_set_folder_that_is_a_file_is_named(tmp_path, data_here):
    (tmp_path / "mnist").write_text("not a folder")
    proc = data_here("info", data=tmp_path)
    assert_clean_failure(proc, "mnist", "is a file, not a folder")


def test_data_file_that_is_a_folder_is_named(tmp_path, data_here):
    from course_lib.data.download import TRAIN_LABELS

    (tmp_path / "mnist" / TRAIN_LABELS).mkdir(parents=True)
    assert_clean_failure(data_here("info", data=tmp_path), TRAIN_LABELS, "is a folder")
    assert_clean_failure(data_here("fetch", "mnist", data=tmp_path), TRAIN_LABELS, "is a folder")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads every folder"
)
def test_unreadable_data_folder_is_named(tmp_path, data_here):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0)
    try:
        proc = data_here("info", data=folder)
    finally:
        folder.chmod(0o755)
    assert_clean_failure(proc, "cannot be read")


def test_unreadable_data_folder_is_named_even_for_root(tmp_path, data_here, monkeypatch):
    """Root reads everything, so the permission check is forced here."""
    from course_lib.data import download

    monkeypatch.setattr(download.os, "access", lambda *args, **kwargs: False)
    for command in (("info",), ("fetch", "mnist")):
        assert_clean_failure(data_here(*command, data=tmp_path), "cannot be read")


def test_unreadable_data_file_is_named(tmp_path, data_here, monkeypatch):
    from course_lib.data import download
    from course_lib.data.download import TEST_LABELS

    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / TEST_LABELS).write_bytes(b"locked")
    real_open = open

    def locked_open(path, *args, **kwargs):
        if str(path).endswith(TEST_LABELS):
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(download, "open", locked_open, raising=False)
    assert_clean_failure(data_here("info", data=tmp_path), TEST_LABELS, "cannot be read")


def _damaged_cache(tmp_path: Path) -> Path:
    from course_lib.data.download import TEST_LABELS

    (tmp_path / "mnist").mkdir()
    path = tmp_path / "mnist" / TEST_LABELS
    path.write_bytes(b"\x1f\x8b truncated download")
    return path


def test_damaged_data_file_is_named_with_the_fix_in_a_fresh_process(tmp_path):
    damaged = _damaged_cache(tmp_path)
    proc = data_cli("info", data=tmp_path)
    line = assert_clean_failure(proc, str(damaged), "damaged", "Delete it")
    assert "python -m course_lib.data fetch mnist" in line
    assert "cached (checksums verified)" not in proc.stdout


def test_damaged_data_file_is_reported_before_any_download_and_kept(tmp_path, data_here):
    damaged = _damaged_cache(tmp_path)
    assert_clean_failure(data_here("status", data=tmp_path), damaged.name, "damaged")
    proc = data_here("fetch", "mnist", data=tmp_path)
    assert_clean_failure(proc, damaged.name, "damaged", "delete it")
    assert "Downloading" not in proc.stdout  # checked first, not after the other downloads
    assert damaged.read_bytes() == b"\x1f\x8b truncated download"  # a user's file is kept


@pytest.mark.parametrize(
    "args, mirrors, phrase",
    [
        (("fetch", "cifar"), None, "unknown data set"),
        (("fetch", "mnist"), "not-a-url", "http://"),
        (("fetch", "mnist", "--quiet"), None, "failed from every mirror"),
        (("nonsense",), None, "invalid choice"),
        (("info", "--bogus"), None, "unrecognized arguments"),
        ((), None, "required"),
    ],
)
def test_data_cli_bad_arguments_get_a_clear_message(tmp_path, data_here, args, mirrors, phrase):
    proc = data_here(*args, data=tmp_path / "cache", mirrors=mirrors)
    assert proc.returncode != 0, proc.stdout
    assert phrase in proc.stderr, proc.stderr
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_empty_cache_is_reported_as_such_and_exits_zero(tmp_path, data_here):
    proc = data_here("info", data=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "not cached" in proc.stdout


# --- the drawing pad's preprocessing and the prediction path -------------------------------


def test_an_empty_canvas_gives_the_draw_a_digit_result_without_a_warning():
    import warnings

    import numpy as np

    from course_lib.data.preprocess import centre_by_mass, centre_of_mass, mnist_preprocess

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a 0 / 0 RuntimeWarning anywhere fails the test
        steps = mnist_preprocess([])
        assert steps.empty and steps.centre is None and not steps.image.any()
        assert mnist_preprocess([[], []]).empty  # strokes without points draw nothing
        assert centre_of_mass(np.zeros((28, 28))) is None
        assert not centre_by_mass(np.zeros((28, 28))).any()
        assert centre_of_mass(np.zeros((0, 0))) is None


@pytest.mark.parametrize(
    "img, error, match",
    [
        ("np.full((28, 28), np.nan)", ValueError, "NaN or infinity"),
        ("np.full((28, 28), np.inf)", ValueError, "NaN or infinity"),
        ("-np.ones((28, 28))", ValueError, "negative values"),
        ("np.ones((2, 28, 28))", ValueError, "shape"),
        ("np.ones(28)", ValueError, "shape"),
        ("np.ones((28, 28), bool)", TypeError, "dtype"),
        ("np.array([['a']])", TypeError, "dtype"),
        ("'image.png'", TypeError, "grey image"),
        ("None", TypeError, "grey image"),
    ],
)
def test_a_bad_image_to_centre_is_named(img, error, match):
    import warnings

    import numpy as np

    from course_lib.data.preprocess import centre_by_mass, centre_of_mass

    value = eval(img, {"np": np})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (centre_by_mass, centre_of_mass):
            with pytest.raises(error, match=match):
                fn(value)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"supersample": "8"}, "supersample"),
        ({"supersample": True}, "supersample"),
        ({"supersample": 0}, "supersample"),
        ({"canvas_px": float("inf")}, "canvas_px"),
        ({"canvas_px": float("nan")}, "canvas_px"),
        ({"pen_width": float("inf")}, "pen_width"),
        ({"centre": lambda img: img * np.nan}, "NaN"),
        ({"centre": lambda img: "moved"}, "image of numbers"),
        ({"centre": lambda img: img[:20]}, "28, 28"),
    ],
)
def test_bad_preprocessing_settings_are_named(kwargs, match):
    from course_lib.data.preprocess import EXAMPLE_STROKES, mnist_preprocess

    with pytest.raises((TypeError, ValueError), match=match):
        mnist_preprocess(EXAMPLE_STROKES["7"], **kwargs)


def test_bad_rasteriser_arguments_are_named():
    from course_lib.data.preprocess import canvas_image, centre_by_mass, check_strokes, rasterise

    dot = [[(1.0, 1.0)]]
    for offset in ((np.nan, 0.0), (1, 2, 3), "ab", None):
        with pytest.raises(ValueError, match="offset"):
            rasterise(dot, 28, offset=offset)
    for size in ("28", 0, 2.5, True):
        with pytest.raises(ValueError, match="size"):
            canvas_image(dot, size=size)
    with pytest.raises(TypeError, match="True/False"):
        check_strokes([[(True, False)]])
    with pytest.raises(ValueError, match="target"):
        centre_by_mass(np.ones((28, 28)), target=(np.nan, 14))


def _tiny_ffn():
    import torch

    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(784, 10))


@pytest.mark.parametrize(
    "image, error, match",
    [
        ("np.full((28, 28), np.nan)", ValueError, "NaN"),
        ("np.full((28, 28), 255.0)", ValueError, r"\[0, 1\]"),
        ("-np.ones((28, 28))", ValueError, r"\[0, 1\]"),
        ("np.zeros((28, 28), np.int64)", TypeError, "uint8"),
        ("np.zeros((28, 28), np.uint16)", TypeError, "uint8"),
        ("np.zeros((1, 28, 28))", ValueError, "shape"),
        ("None", TypeError, "grey levels"),
    ],
)
def test_a_bad_digit_image_is_named_not_misread(image, error, match):
    from course_lib.handwriting import probabilities

    with pytest.raises(error, match=match):
        probabilities(_tiny_ffn(), eval(image, {"np": np}), flatten=True)


def test_prediction_arguments_of_the_wrong_type_are_named():
    from course_lib.handwriting import first_layer_maps, probabilities, read_digit

    digit = np.zeros((28, 28))
    with pytest.raises(TypeError, match="flatten must be True"):
        probabilities(_tiny_ffn(), digit, flatten="no")
    with pytest.raises(TypeError, match="model must be a trained torch.nn.Module"):
        probabilities(None, digit, flatten=True)
    with pytest.raises(TypeError, match="cnn must be"):
        first_layer_maps("cnn", digit)
    with pytest.raises(TypeError, match="ffn must be"):
        read_digit(digit, lambda x: x, _tiny_ffn())
    good = probabilities(_tiny_ffn(), (digit + 255).astype(np.uint8), flatten=True)
    assert good.shape == (10,) and np.isclose(good.sum(), 1)


# --- properties: garbage in gives a named TypeError/ValueError or a valid result -----------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.integers(2**31, 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=4),
    st.binary(max_size=4),
    st.lists(st.integers(0, 3), max_size=3),
    st.just(np.float64(2.0)),
    st.just(np.int64(5)),
)
IMAGES = hnp.arrays(
    dtype=st.sampled_from([np.float64, np.float32, np.uint8, np.int64, np.bool_]),
    shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
)
FLOAT_IMAGES = hnp.arrays(
    dtype=np.float64,
    shape=st.sampled_from([(28, 28), (5, 7), (0, 0), (1, 1)]),
    elements=st.one_of(st.floats(-2, 300), st.sampled_from([np.nan, np.inf, 0.0, 1.0])),
)


@given(n=GARBAGE, seed=GARBAGE, noise=GARBAGE)
def test_synthetic_data_sets_refuse_or_are_valid(n, seed, noise):
    from course_lib.data import synthetic

    for make in (synthetic.make_xor, synthetic.make_moons, synthetic.make_spirals):
        try:
            X, y = make(n, noise=noise, seed=seed)
        except (TypeError, ValueError) as error:
            assert str(error)  # a message, naming the argument
            continue
        assert not isinstance(seed, (bool, str, float)) and not isinstance(n, (bool, float))
        assert X.shape == (n, 2) and y.shape == (n,) and np.all(np.isfinite(X))


@given(img=st.one_of(IMAGES, FLOAT_IMAGES, GARBAGE))
def test_centring_refuses_or_moves_ink_without_warnings(img):
    import warnings

    from course_lib.data.preprocess import centre_by_mass, centre_of_mass

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            out = centre_by_mass(img)
        except (TypeError, ValueError) as error:
            assert str(error)
            return
        com = centre_of_mass(img)
    arr = np.asarray(img, dtype=np.float64)
    assert out.shape == arr.shape and np.all(np.isfinite(out)) and out.min(initial=0) >= 0
    assert out.sum() <= arr.sum() + 1e-9  # ink can only leave the picture
    if com is None:
        assert not out.any()


STROKES = st.one_of(
    GARBAGE,
    st.lists(
        st.lists(
            st.tuples(
                st.floats(allow_nan=True, allow_infinity=True, width=32),
                st.floats(-50, 400),
            ),
            max_size=4,
        ),
        max_size=3,
    ),
)


@given(strokes=STROKES, canvas_px=st.one_of(st.just(280.0), GARBAGE))
def test_preprocessing_refuses_or_makes_a_digit(strokes, canvas_px):
    import warnings

    from course_lib.data.preprocess import mnist_preprocess

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            steps = mnist_preprocess(strokes, canvas_px=canvas_px)
        except (TypeError, ValueError) as error:
            assert str(error)
            return
    assert steps.image.shape == (28, 28) and np.all(np.isfinite(steps.image))
    assert 0 <= steps.image.min() and steps.image.max() <= 1
    assert steps.empty == (not any(len(s) for s in strokes))


@given(image=st.one_of(IMAGES, FLOAT_IMAGES, GARBAGE), flatten=st.one_of(st.booleans(), GARBAGE))
def test_reading_a_digit_refuses_or_gives_probabilities(image, flatten):
    from course_lib.handwriting import probabilities

    try:
        p = probabilities(_FFN, image, flatten=flatten)
    except (TypeError, ValueError) as error:
        assert str(error)
        return
    assert isinstance(flatten, bool) and p.shape == (10,) and np.isclose(p.sum(), 1, atol=1e-5)


_FFN = _tiny_ffn()


@given(name=GARBAGE, mirrors=st.one_of(st.none(), GARBAGE, st.lists(GARBAGE, max_size=2)))
def test_data_names_and_mirrors_refuse_or_are_valid(name, mirrors):
    from course_lib.data.download import DATASETS, get_dataset, mirror_urls

    for n in (name, "mnist"):
        try:
            urls = mirror_urls(n, mirrors)
        except (TypeError, ValueError) as error:
            assert str(error)
            continue
        assert n in DATASETS and get_dataset(n).name == n
        assert urls and all(u.startswith(("http://", "https://")) and u.endswith("/") for u in urls)


@given(
    data=st.one_of(st.binary(max_size=40), GARBAGE),
    ndim=st.one_of(st.none(), st.sampled_from([1, 3])),
)
def test_idx_parsing_refuses_or_gives_the_promised_array(data, ndim):
    from course_lib.data.idx import parse_idx

    for blob in (data, b"\0\0\x08\x01" + bytes(data[:8]) if isinstance(data, bytes) else data):
        try:
            arr = parse_idx(blob, expected_ndim=ndim)
        except (TypeError, ValueError) as error:
            assert str(error)
            continue
        assert ndim is None or arr.ndim == ndim


MARKED = st.lists(
    st.sampled_from(
        [
            "### BEGIN SOLUTION",
            "### END SOLUTION",
            "    ### BEGIN SOLUTION",
            "x = 1",
            "answer = 42  # secret",
            "y = 2  ### END SOLUTION",
            "# note",
            "",
        ]
    ),
    max_size=8,
)


@given(lines=MARKED)
def test_stripping_solutions_refuses_or_leaks_no_answer(lines):
    from course_lib.classroom import BEGIN, END, ClassroomError, strip_solutions

    # Every answer line unique, so "inside a region" can be checked line by line.
    lines = [
        f"answer_{i} = 42" if line.startswith("answer") else line for i, line in enumerate(lines)
    ]
    try:
        out, count = strip_solutions("\n".join(lines), "cell")
    except ClassroomError as error:
        assert "cell" in str(error)
        return
    assert BEGIN not in out and END not in out
    assert count == sum(line.strip() == BEGIN for line in lines)
    inside, hidden = False, []
    for line in lines:
        inside = (inside or line.strip() == BEGIN) and line.strip() != END
        if inside and line.startswith("answer"):
            hidden.append(line)
    kept = out.splitlines()
    assert not any(line in kept for line in hidden)  # no answer leaks
    assert all(line in kept for line in lines if line.startswith("answer") and line not in hidden)


@given(name=GARBAGE, folder=st.one_of(st.none(), GARBAGE), recipe=st.one_of(st.just(""), GARBAGE))
def test_saved_weights_arguments_refuse_or_stay_in_their_folder(
    tmp_path_factory, name, folder, recipe
):
    import torch

    from course_lib.saved_models import load_weights

    home = tmp_path_factory.mktemp("models")
    if isinstance(folder, str):
        folder = home / folder  # never a path outside the test's folder
    try:
        found = load_weights(torch.nn.Linear(2, 1), name, recipe=recipe, folder=folder or home)
    except (TypeError, ValueError) as error:
        assert str(error)
        return
    assert found is False and isinstance(name, str) and isinstance(recipe, str)


@pytest.mark.parametrize("seed", ["0", 1.5, True, -1, None])
def test_crosscheck_refuses_a_seed_it_would_misread(seed):
    from course_lib.crosscheck import assert_numpy_matches_torch

    with pytest.raises((TypeError, ValueError), match="seed"):
        assert_numpy_matches_torch(lambda x: (x, lambda d: d), lambda x: x, [np.ones(2)], seed=seed)


def test_crosscheck_refuses_bad_tolerances_and_classroom_a_non_text_cell():
    from course_lib.classroom import strip_solutions
    from course_lib.crosscheck import assert_numpy_matches_torch

    for bad in ({"atol": -1}, {"rtol": "1e-6"}, {"kwargs": [1]}):
        with pytest.raises((TypeError, ValueError), match=next(iter(bad))):
            assert_numpy_matches_torch(lambda x: (x, lambda d: d), lambda x: x, [np.ones(2)], **bad)
    with pytest.raises(TypeError, match="source must be"):
        strip_solutions(["### BEGIN SOLUTION"])
