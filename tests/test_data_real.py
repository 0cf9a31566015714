"""The real MNIST and Fashion-MNIST files: shapes, dtypes, known label counts, and a
read-only cache (a chmod'ed copy and the shared folder itself) used without a single write.

Needs the real files: ``$COURSE_LIB_DATA`` (CI: ``../shared/data``) or ``../shared/data``
next to the repository; otherwise these tests skip and say how to provide them.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import numpy as np
import pytest
from data_support import ROOT, closed_port_url, no_writes_under, require_real_data, snapshot

from course_lib.data import (
    FASHION_MNIST_CLASSES,
    cache_status,
    clear_memory_cache,
    fetch,
    load_fashion_mnist,
    load_mnist,
)

# Counted once from the real files; the MNIST numbers match the data set's documentation.
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
MNIST_TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.fixture(scope="module")
def real_data():
    return require_real_data()


@pytest.fixture
def shared_env(real_data, monkeypatch):
    """COURSE_LIB_DATA points at the real folder and every mirror is unreachable, so any
    attempt to download would fail loudly."""
    monkeypatch.setenv("COURSE_LIB_DATA", str(real_data))
    monkeypatch.setenv("COURSE_LIB_MIRRORS", closed_port_url())
    clear_memory_cache()
    yield real_data
    clear_memory_cache()


def check_arrays(arrays):
    x_train, y_train, x_test, y_test = arrays
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    for a in arrays:
        assert a.dtype == np.uint8
    assert x_train.min() == 0 and x_train.max() == 255
    # Digits and clothes are drawn in the middle: the image borders are nearly blank.
    assert x_train[:, :, 0].mean() < x_train[:, 10:18, 10:18].mean()


def test_mnist_shapes_dtypes_and_label_counts(shared_env):
    arrays = load_mnist()
    check_arrays(arrays)
    assert np.bincount(arrays[1], minlength=10).tolist() == MNIST_TRAIN_COUNTS
    assert np.bincount(arrays[3], minlength=10).tolist() == MNIST_TEST_COUNTS
    assert MNIST_TRAIN_COUNTS[1] == 6742


def test_fashion_mnist_shapes_dtypes_and_balanced_classes(shared_env):
    arrays = load_fashion_mnist()
    check_arrays(arrays)
    assert np.bincount(arrays[1], minlength=10).tolist() == [6000] * 10
    assert np.bincount(arrays[3], minlength=10).tolist() == [1000] * 10
    assert len(FASHION_MNIST_CLASSES) == 10 and FASHION_MNIST_CLASSES[9] == "Ankle boot"
    assert len(set(FASHION_MNIST_CLASSES)) == 10


def test_the_two_datasets_differ(shared_env):
    assert not np.array_equal(load_mnist()[2][:100], load_fashion_mnist()[2][:100])


def test_callers_get_private_writable_copies(shared_env):
    x_train, y_train, _, _ = load_mnist()
    first = x_train[0].copy()
    x_train[0] = 0  # a learner scribbles on the array...
    y_train[:] = 9
    x_again, y_again, _, _ = load_mnist()
    assert np.array_equal(x_again[0], first)  # ...and the next call is unaffected
    assert np.bincount(y_again, minlength=10).tolist() == MNIST_TRAIN_COUNTS


def test_shared_folder_itself_is_used_without_any_write(shared_env):
    before = snapshot(shared_env)
    with no_writes_under(shared_env) as writes:
        load_mnist()
        load_fashion_mnist()
        status = cache_status()
        fetch("all")
    assert writes == []
    assert snapshot(shared_env) == before
    assert all(entry["cached"] for entry in status.values())


def test_watcher_sees_writes(tmp_path):
    """The no-write check above can fail: it notices (and stops) writes under the folder."""
    (tmp_path / "x.txt").write_text("hello")
    attempts = [
        lambda: (tmp_path / "new.txt").write_text("hello"),
        lambda: os.mkdir(tmp_path / "sub"),
        lambda: os.replace(tmp_path / "x.txt", tmp_path / "y.txt"),
        lambda: os.utime(tmp_path / "x.txt"),
    ]
    with no_writes_under(tmp_path) as writes:
        for attempt in attempts:
            with pytest.raises(PermissionError, match="blocked a write"):
                attempt()
        (tmp_path / "x.txt").read_text()  # reading is fine
    assert [event for event, _ in writes] == ["open", "os.mkdir", "os.rename", "os.utime"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]  # nothing happened


@pytest.fixture
def read_only_copy(real_data, tmp_path):
    """A copy of the real data with every write bit removed (root may still write, so the
    tests also watch for write attempts)."""
    cache = tmp_path / "classroom"
    for name in ("mnist", "fashion-mnist"):
        shutil.copytree(real_data / name, cache / name)
    paths = sorted(cache.rglob("*"), reverse=True) + [cache]
    for p in paths:
        p.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH | (stat.S_IXUSR if p.is_dir() else 0))
    yield cache
    for p in [cache, *cache.rglob("*")]:
        p.chmod(stat.S_IRWXU)


def test_read_only_copy_loads_without_any_write(read_only_copy, monkeypatch):
    monkeypatch.setenv("COURSE_LIB_MIRRORS", closed_port_url())
    clear_memory_cache()
    before = snapshot(read_only_copy)
    with no_writes_under(read_only_copy) as writes:
        check_arrays(load_mnist(cache_dir=read_only_copy))
        monkeypatch.setenv("COURSE_LIB_DATA", str(read_only_copy))
        clear_memory_cache()
        check_arrays(load_fashion_mnist())
        assert fetch("all") == {
            "mnist": read_only_copy / "mnist",
            "fashion-mnist": read_only_copy / "fashion-mnist",
        }
        assert cache_status(verify=True)["mnist"] == {
            "cached": True,
            "path": str(read_only_copy / "mnist"),
            "missing": [],
            "damaged": [],
        }
    assert writes == []
    assert snapshot(read_only_copy) == before


def run_cli(*args, env_data):
    env = dict(os.environ, COURSE_LIB_DATA=str(env_data), COURSE_LIB_MIRRORS=closed_port_url())
    return subprocess.run(
        [sys.executable, "-m", "course_lib.data", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )


def test_cli_fetch_and_info_on_a_full_read_only_cache(read_only_copy):
    before = snapshot(read_only_copy)
    done = run_cli("fetch", env_data=read_only_copy)
    assert done.returncode == 0, done.stderr
    assert f"MNIST: ready in {read_only_copy / 'mnist'}" in done.stdout
    assert f"Fashion-MNIST: ready in {read_only_copy / 'fashion-mnist'}" in done.stdout
    info = run_cli("info", "--verify", env_data=read_only_copy)
    assert info.returncode == 0, info.stderr
    assert f"Cache folder: {read_only_copy}" in info.stdout
    assert "MNIST: cached (checksums verified)" in info.stdout
    assert snapshot(read_only_copy) == before


def test_cli_reports_missing_and_offline(tmp_path):
    info = run_cli("status", env_data=tmp_path)
    assert info.returncode == 0
    assert "MNIST: not cached" in info.stdout and "python -m course_lib.data fetch" in info.stdout
    fetched = run_cli("fetch", "--quiet", "mnist", env_data=tmp_path)
    assert fetched.returncode == 1
    assert "MNIST is not in the cache" in fetched.stderr
    assert "python -m course_lib.data fetch mnist" in fetched.stderr
    assert "Traceback" not in fetched.stderr
    wrong = run_cli("fetch", "cifar", env_data=tmp_path)
    assert wrong.returncode == 2 and "unknown data set 'cifar'" in wrong.stderr


def test_status_tells_incomplete_and_damaged_apart(real_data, tmp_path):
    from course_lib.data.download import TEST_LABELS, TRAIN_IMAGES, TRAIN_LABELS

    folder = tmp_path / "mnist"
    folder.mkdir()
    shutil.copy(real_data / "mnist" / TEST_LABELS, folder / TEST_LABELS)
    (folder / TRAIN_LABELS).write_bytes((real_data / "mnist" / TRAIN_LABELS).read_bytes()[:100])
    quick = cache_status(tmp_path)["mnist"]
    assert quick["cached"] is False and TRAIN_IMAGES in quick["missing"]
    assert TRAIN_LABELS not in quick["missing"] and "damaged" not in quick
    full = cache_status(tmp_path, verify=True)
    assert full["mnist"]["damaged"] == [TRAIN_LABELS]
    assert full["fashion-mnist"]["cached"] is False
    info = run_cli("info", "--verify", env_data=tmp_path)
    assert "MNIST: incomplete, missing train-images-idx3-ubyte.gz" in info.stdout
    assert "damaged (delete, then fetch again): train-labels-idx1-ubyte.gz" in info.stdout
    assert "Fashion-MNIST: not cached (downloaded on first use, 31 MB)" in info.stdout
