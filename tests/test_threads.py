"""course_lib.threads: the thread count follows the quota, the affinity and the competition."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from course_lib import threads


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_quota_in_cores(tmp_path):
    write(tmp_path / "cpu.max", "150000 100000\n")
    assert threads.cpu_quota(tmp_path) == 1.5


def test_cgroup_v2_unlimited(tmp_path):
    write(tmp_path / "cpu.max", "max 100000\n")
    assert threads.cpu_quota(tmp_path) is None


def test_cgroup_v1_quota_and_unlimited(tmp_path):
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "200000\n")
    write(tmp_path / "cpu" / "cpu.cfs_period_us", "100000\n")
    assert threads.cpu_quota(tmp_path) == 2.0
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "-1\n")
    assert threads.cpu_quota(tmp_path) is None


def test_no_cgroup_files_means_no_quota(tmp_path):
    assert threads.cpu_quota(tmp_path) is None


def test_a_quota_of_one_core_means_one_thread_without_sampling(tmp_path, monkeypatch):
    """A Binder pod sees the host's many cores but may use only one of them."""
    write(tmp_path / "cpu.max", "100000 100000\n")
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: set(range(64)))

    def must_not_sample(*args):
        raise AssertionError("no need to sample with one usable core")

    monkeypatch.setattr(threads, "busy_elsewhere", must_not_sample)
    assert threads.usable_cpus(tmp_path) == 1
    assert threads.sensible_threads(root=tmp_path) == 1


def test_a_fractional_quota_rounds_up_and_affinity_caps(tmp_path, monkeypatch):
    write(tmp_path / "cpu.max", "250000 100000\n")
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: set(range(64)))
    assert threads.usable_cpus(tmp_path) == 3
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1})
    assert threads.usable_cpus(tmp_path) == 2


@pytest.mark.parametrize("busy, expected", [(0.0, 4), (0.4, 4), (1.0, 3), (2.6, 1), (9.0, 1)])
def test_busy_cores_are_left_to_their_owners(tmp_path, monkeypatch, busy, expected):
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(threads, "busy_elsewhere", lambda sample_s: busy)
    assert threads.sensible_threads(root=tmp_path) == expected


@pytest.mark.parametrize("bad", [0, -1, 10, "0.1", float("nan")])
def test_sample_length_is_checked(bad):
    with pytest.raises(ValueError, match="sample_s"):
        threads.busy_elsewhere(bad)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/stat")
def test_a_competing_process_is_seen_and_our_own_work_is_not():
    """Beside one CPU-bound process about one core is busy elsewhere; our own spin is not."""
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        seen = max(threads.busy_elsewhere(0.2) for _ in range(3))
    finally:
        hog.kill()
        hog.wait()
    assert seen > 0.6, f"one CPU-bound process should show as about one busy core, saw {seen:.2f}"


def test_use_sensible_threads_sets_torch_and_blas(monkeypatch):
    import torch
    from threadpoolctl import threadpool_info

    before = torch.get_num_threads()
    monkeypatch.setattr(threads, "sensible_threads", lambda sample_s: 1)
    monkeypatch.delenv("COURSE_THREADS", raising=False)
    try:
        assert threads.use_sensible_threads() == 1
        assert torch.get_num_threads() == 1
        blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
        assert blas and all(p["num_threads"] == 1 for p in blas)
    finally:
        torch.set_num_threads(before)
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=before, user_api="blas")


def test_course_threads_overrides_and_is_checked(monkeypatch):
    import torch

    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("COURSE_THREADS", "1")
        assert threads.use_sensible_threads() == 1
        monkeypatch.setenv("COURSE_THREADS", "two")
        with pytest.raises(ValueError, match="COURSE_THREADS must be a whole number"):
            threads.use_sensible_threads()
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("bad", [True, None, [0.1]])
def test_a_sample_length_of_the_wrong_type_is_not_misread(bad):
    for fn in (threads.busy_elsewhere, threads.sensible_threads, threads.use_sensible_threads):
        with pytest.raises(ValueError, match="sample_s"):
            fn(bad)


@pytest.mark.parametrize("garbage", ["abc", "0", "-2", "1.5", "²", "2 threads"])
def test_course_threads_garbage_is_named_not_misread(monkeypatch, garbage):
    monkeypatch.setenv("COURSE_THREADS", garbage)
    with pytest.raises(ValueError, match="COURSE_THREADS must be a whole number"):
        threads.use_sensible_threads()


def test_a_cgroup_quota_with_a_zero_period_is_no_quota(tmp_path):
    (tmp_path / "cpu.max").write_text("100000 0\n")
    assert threads.cpu_quota(tmp_path) is None
    with pytest.raises(TypeError, match="root must be the cgroup folder"):
        threads.cpu_quota(3)


def test_the_cpu_description_counts_threads_in_good_english():
    import torch

    from course_lib.device import describe_device

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert describe_device("cpu") == "cpu (1 thread)"
        torch.set_num_threads(2)
        assert describe_device("cpu") == "cpu (2 threads)"
    finally:
        torch.set_num_threads(before)
