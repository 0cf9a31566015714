"""Downloading through a real HTTP server on 127.0.0.1 that serves the real files.

Covers: the happy path into an empty cache; a first mirror answering 404; corrupted and
truncated downloads (checksum error, nothing left in the cache); a connection cut off
halfway; offline (a closed port) with the actionable message; a damaged file already in
the cache (reported, never deleted); an unwritable cache folder.
"""

from __future__ import annotations

import hashlib

import pytest
from data_support import Mirror, closed_port_url, require_real_data

from course_lib.data import (
    ChecksumError,
    DataNotFoundError,
    cache_status,
    clear_memory_cache,
    fetch,
    load_fashion_mnist,
    load_mnist,
)
from course_lib.data.download import (
    DATASETS,
    TEST_LABELS,
    TRAIN_LABELS,
    ensure_file,
    mirror_urls,
)

SMALL = TEST_LABELS  # 4.5 KB for MNIST: most tests download only this file


@pytest.fixture(scope="module")
def mirror():
    root = require_real_data()
    with Mirror(root) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh_memory():
    clear_memory_cache()
    yield
    clear_memory_cache()


def files_in(folder):
    """Every file left in ``folder`` (hidden temporary files included)."""
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_happy_path_downloads_verifies_and_loads(mirror, tmp_path, capsys):
    cache = tmp_path / "cache"
    folders = fetch("mnist", cache_dir=cache, mirrors=[mirror.url("good")], progress=True)
    assert folders == {"mnist": cache / "mnist"}
    assert files_in(cache / "mnist") == sorted(DATASETS["mnist"].sha256)
    for name, expected in DATASETS["mnist"].sha256.items():
        assert sha256(cache / "mnist" / name) == expected
    out = capsys.readouterr()
    assert "Downloading MNIST train-images-idx3-ubyte.gz from http://127.0.0.1" in out.out
    assert "B/s" in out.err or "B/" in out.err  # tqdm's progress bar

    x_train, y_train, x_test, y_test = load_mnist(cache_dir=cache, download=False)
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert cache_status(cache)["mnist"]["cached"] is True
    assert cache_status(cache)["fashion-mnist"]["cached"] is False


def test_environment_variables_choose_cache_and_mirrors(mirror, tmp_path, monkeypatch):
    cache = tmp_path / "env-cache"
    monkeypatch.setenv("COURSE_LIB_DATA", str(cache))
    # Without {dataset}, the environment's URLs get the data set's name appended.
    monkeypatch.setenv("COURSE_LIB_MIRRORS", f"{mirror.base}/missing/ {mirror.base}/good")
    path = ensure_file("fashion-mnist", TRAIN_LABELS, progress=False)
    assert path == cache / "fashion-mnist" / TRAIN_LABELS
    assert sha256(path) == DATASETS["fashion-mnist"].sha256[TRAIN_LABELS]
    assert mirror.requests[-2:] == [
        f"/missing/fashion-mnist/{TRAIN_LABELS}",
        f"/good/fashion-mnist/{TRAIN_LABELS}",
    ]


def test_first_mirror_404_then_second_is_used(mirror, tmp_path):
    cache = tmp_path / "cache"
    start = len(mirror.requests)
    path = ensure_file(
        "mnist",
        SMALL,
        cache_dir=cache,
        mirrors=[mirror.url("missing"), mirror.url("good")],
        progress=False,
    )
    assert mirror.requests[start:] == [f"/missing/mnist/{SMALL}", f"/good/mnist/{SMALL}"]
    assert sha256(path) == DATASETS["mnist"].sha256[SMALL]
    assert files_in(cache) == [SMALL]


def test_mirrors_argument_is_used_as_given(mirror, tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_LIB_MIRRORS", raising=False)
    start = len(mirror.requests)
    ensure_file(
        "mnist",
        SMALL,
        cache_dir=tmp_path / "a",
        mirrors=mirror.base + "/good/mnist",
        progress=False,
    )
    assert mirror.requests[start:] == [f"/good/mnist/{SMALL}"]
    assert mirror_urls("fashion-mnist", ["http://h/x/{dataset}", "http://h/y/"]) == [
        "http://h/x/fashion-mnist/",
        "http://h/y/",
    ]
    assert mirror_urls("mnist")[0] == "https://ossci-datasets.s3.amazonaws.com/mnist/"


@pytest.mark.parametrize("mode", ["corrupt", "short"])
def test_bad_bytes_give_checksum_error_and_leave_nothing(mirror, tmp_path, mode):
    cache = tmp_path / "cache"
    with pytest.raises(ChecksumError) as info:
        ensure_file("mnist", SMALL, cache_dir=cache, mirrors=[mirror.url(mode)], progress=False)
    message = str(info.value)
    assert SMALL in message and "wrong SHA-256" in message
    assert DATASETS["mnist"].sha256[SMALL] in message
    assert "nothing was saved" in message
    assert files_in(cache) == []  # no partial file, no temporary file
    assert isinstance(info.value, ValueError)


def test_bad_first_mirror_falls_back_to_a_good_one(mirror, tmp_path):
    cache = tmp_path / "cache"
    path = ensure_file(
        "mnist",
        SMALL,
        cache_dir=cache,
        mirrors=[mirror.url("corrupt"), mirror.url("good")],
        progress=False,
    )
    assert sha256(path) == DATASETS["mnist"].sha256[SMALL]
    assert files_in(cache) == [SMALL]


def test_connection_cut_off_halfway_leaves_nothing(mirror, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(DataNotFoundError) as info:
        ensure_file(
            "mnist", TRAIN_LABELS, cache_dir=cache, mirrors=[mirror.url("cutoff")], progress=False
        )
    assert f"/cutoff/mnist/{TRAIN_LABELS}" in str(info.value)
    assert files_in(cache) == []


def test_offline_gives_actionable_message(tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(cache_dir=cache, mirrors=[closed_port_url(), closed_port_url()])
    message = str(info.value)
    assert "MNIST is not in the cache" in message
    assert str(cache) in message  # where it looked
    assert "python -m course_lib.data fetch mnist" in message  # how to fetch in advance
    assert "COURSE_LIB_DATA" in message  # or point at a folder holding the files
    assert "ConnectionError" in message  # why it failed
    assert files_in(cache) == []


def test_offline_fashion_message_names_that_dataset(tmp_path):
    with pytest.raises(DataNotFoundError) as info:
        load_fashion_mnist(cache_dir=tmp_path, mirrors=[closed_port_url()], progress=False)
    assert "Fashion-MNIST is not in the cache" in str(info.value)
    assert "python -m course_lib.data fetch fashion-mnist" in str(info.value)


def test_download_false_refuses_to_download(mirror, tmp_path):
    start = len(mirror.requests)
    with pytest.raises(DataNotFoundError, match="download=False"):
        load_mnist(cache_dir=tmp_path, download=False, mirrors=[mirror.url("good")])
    assert len(mirror.requests) == start


def test_damaged_file_in_cache_is_reported_and_kept(mirror, tmp_path):
    root = require_real_data()
    folder = tmp_path / "mnist"
    folder.mkdir()
    original = (root / "mnist" / SMALL).read_bytes()
    damaged = folder / SMALL
    damaged.write_bytes(original[: len(original) // 3])  # an interrupted copy
    start = len(mirror.requests)
    with pytest.raises(ChecksumError) as info:
        ensure_file("mnist", SMALL, cache_dir=tmp_path, mirrors=[mirror.url("good")])
    message = str(info.value)
    assert str(damaged) in message
    assert "delete it" in message and "python -m course_lib.data fetch mnist" in message
    assert damaged.read_bytes() == original[: len(original) // 3]  # never deleted or replaced
    assert len(mirror.requests) == start  # and nothing was downloaded over it


def test_file_changed_after_loading_is_checked_again(tmp_path):
    root = require_real_data()
    cache = tmp_path / "cache"
    (cache / "mnist").mkdir(parents=True)
    for name in DATASETS["mnist"].sha256:
        (cache / "mnist" / name).write_bytes((root / "mnist" / name).read_bytes())
    load_mnist(cache_dir=cache, download=False)  # now kept in memory
    labels = cache / "mnist" / SMALL
    labels.write_bytes(labels.read_bytes()[:-10])  # damaged on disk afterwards
    with pytest.raises(ChecksumError, match=SMALL):
        load_mnist(cache_dir=cache, download=False)


def test_unwritable_cache_folder_explains(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(DataNotFoundError) as info:
        ensure_file("mnist", SMALL, cache_dir=blocker, mirrors=[closed_port_url()])
    assert "is a file, not a folder" in str(info.value) and "COURSE_LIB_DATA" in str(info.value)
    assert blocker.read_text() == "a file where the cache folder should be"


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="unknown data set 'cifar'"):
        fetch("cifar")
    with pytest.raises(ValueError, match="has no file"):
        ensure_file("mnist", "README.md")
