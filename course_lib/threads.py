"""How many CPU threads the course's NumPy and PyTorch work should use.

NumPy's BLAS and PyTorch start one worker thread per core they can see. That is right on a
quiet laptop and badly wrong in three common places:

* **a container with a CPU quota** (Binder, JupyterHub, Docker ``--cpus``): the process sees
  every core of the host but may only use one or two of them;
* **a CPU affinity mask** (``taskset``, a batch scheduler): only some cores are ours;
* **a busy machine**: another program already keeps a core busy. Worker threads that wait
  for each other at every matrix product then keep missing their turn, and two threads
  can run many times slower than one.

:func:`sensible_threads` counts the cores this process may use (affinity and cgroup quota)
and subtracts the cores that *other* processes are keeping busy right now, measured over a
short sample of ``/proc/stat``. :func:`use_sensible_threads` applies the answer to PyTorch
and to NumPy's BLAS; the course's training loops call it at the start of every epoch, so a
competitor that starts or stops mid-run is noticed. On a quiet machine the answer is every
usable core, as before. Nothing here runs at import time.

Used by the training loops of ``06_mnist_with_a_feed_forward_net`` and
``08_convolutional_networks``.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

#: How long to watch the machine before deciding, in seconds. Short enough to call once
#: per epoch; long enough to see a process that keeps a core busy.
SAMPLE_S = 0.05

_CGROUP = Path("/sys/fs/cgroup")


def cpu_quota(root: Path = _CGROUP) -> float | None:
    """The cgroup CPU quota in cores (``1.5`` means one and a half), or None if unlimited.

    Reads cgroup v2's ``cpu.max`` (``"150000 100000"``) or cgroup v1's
    ``cpu/cpu.cfs_quota_us`` and ``cpu/cpu.cfs_period_us``.
    """
    root = _check_root(root)
    try:
        quota, period = (root / "cpu.max").read_text().split()[:2]
        if quota == "max":
            return None
        if int(quota) > 0 and int(period) > 0:  # anything else is no usable limit
            return int(quota) / int(period)
        return None
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((root / "cpu" / "cpu.cfs_quota_us").read_text())
        period_us = int((root / "cpu" / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    if quota_us <= 0 or period_us <= 0:
        return None
    return quota_us / period_us


def _check_root(root) -> Path:
    if not isinstance(root, (str, os.PathLike)):
        raise TypeError(
            f"root must be the cgroup folder as a path (str or Path), got {type(root).__name__}"
        )
    return Path(root)


def _check_sample(sample_s) -> float:
    # True is an int in Python, and would quietly mean a one-second sample.
    if (
        isinstance(sample_s, bool)
        or not isinstance(sample_s, (int, float))
        or not 0 < sample_s <= 5
    ):
        raise ValueError(f"sample_s must be a number of seconds in (0, 5], got {sample_s!r}")
    return float(sample_s)


def usable_cpus(root: Path = _CGROUP) -> int:
    """Cores this process may run on: its affinity mask, capped by the cgroup quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity mask
        cores = os.cpu_count() or 1
    quota = cpu_quota(root)
    if quota is not None:
        cores = min(cores, max(1, math.ceil(quota)))
    return max(1, cores)


def _cpu_ticks(cpus: set[int] | None) -> tuple[int, int] | None:
    """(busy, total) clock ticks of the given CPUs since boot, from /proc/stat; None if absent."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return None
    busy = total = 0
    for line in lines:
        name, *fields = line.split()
        if not name.startswith("cpu") or name == "cpu":
            continue
        if cpus is not None and int(name[3:]) not in cpus:
            continue
        ticks = [int(f) for f in fields[:8]]  # user nice system idle iowait irq softirq steal
        idle = ticks[3] + ticks[4]
        total += sum(ticks)
        busy += sum(ticks) - idle
    return busy, total


def busy_elsewhere(sample_s: float = SAMPLE_S) -> float:
    """How many of our usable cores *other* processes kept busy during a short sample.

    0.0 on a quiet machine, about 1.0 beside one CPU-bound program. Our own process's CPU
    time in the sample (worker threads still spinning after the last product) is not
    counted. Returns 0.0 where ``/proc/stat`` does not exist (macOS, Windows).
    """
    sample_s = _check_sample(sample_s)
    try:
        cpus = os.sched_getaffinity(0)
    except AttributeError:
        cpus = None
    before = _cpu_ticks(cpus)
    if before is None:
        return 0.0
    ours_before = sum(os.times()[:2])
    time.sleep(sample_s)
    after = _cpu_ticks(cpus)
    ours = sum(os.times()[:2]) - ours_before  # seconds of CPU our threads used meanwhile
    busy, total = after[0] - before[0], after[1] - before[1]
    if total <= 0:
        return 0.0
    cores = len(cpus) if cpus is not None else (os.cpu_count() or 1)
    busy_cores = busy / total * cores  # busy share of the sampled cores, in cores
    ours_cores = ours / sample_s
    return max(0.0, busy_cores - ours_cores)


def sensible_threads(sample_s: float = SAMPLE_S, root: Path = _CGROUP) -> int:
    """Threads to use now: usable cores minus those other processes keep busy, at least 1."""
    sample_s = _check_sample(sample_s)
    usable = usable_cpus(root)
    if usable == 1:
        return 1  # nothing to decide, and no need to sample
    free = usable - busy_elsewhere(sample_s)
    return max(1, min(usable, math.floor(free + 0.5)))


def use_sensible_threads(sample_s: float = SAMPLE_S) -> int:
    """Set NumPy's BLAS and (once imported) PyTorch's thread counts to
    :func:`sensible_threads`, and return that number.

    Set the environment variable ``COURSE_THREADS`` to a whole number to choose the count
    yourself (for example to time one configuration); it is then used as it is.
    """
    from threadpoolctl import threadpool_limits

    sample_s = _check_sample(sample_s)
    chosen = os.environ.get("COURSE_THREADS", "").strip()
    if chosen:
        # isascii: "²" and other Unicode digits pass isdigit() but are no thread count.
        if not (chosen.isascii() and chosen.isdigit()) or int(chosen) < 1:
            raise ValueError(
                f"COURSE_THREADS must be a whole number of threads such as 1 or 2, got "
                f"{chosen!r}; unset it to let the course choose"
            )
        n = int(chosen)
    else:
        n = sensible_threads(sample_s)
    torch = sys.modules.get("torch")  # only a PyTorch that is in use needs telling
    if torch is not None and torch.get_num_threads() != n:
        torch.set_num_threads(n)
    threadpool_limits(limits=n, user_api="blas")
    return n
