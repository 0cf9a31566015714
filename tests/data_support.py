"""Shared helpers for the data-layer tests: where the real files are, a local HTTP mirror,
and a watcher that proves a piece of code writes nothing under a folder.

The real MNIST / Fashion-MNIST files come from ``$COURSE_LIB_DATA`` when it is set (CI sets
it to ``../shared/data``), else from ``../shared/data`` next to the repository. Tests that
need them skip, saying so, when neither holds the files.
"""

from __future__ import annotations

import os
import socket
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from course_lib.data.download import DATASETS, ENV_DATA

ROOT = Path(__file__).resolve().parents[1]
FALLBACK_DATA = ROOT / ".." / "shared" / "data"


def _holds_all_files(folder: Path) -> bool:
    return all((folder / ds.name / f).is_file() for ds in DATASETS.values() for f in ds.sha256)


def find_real_data() -> Path | None:
    """The folder holding the real data sets, or None."""
    env = os.environ.get(ENV_DATA, "").strip()
    candidates = [Path(env).expanduser()] if env else []
    candidates.append(FALLBACK_DATA)
    for folder in candidates:
        if _holds_all_files(folder):
            return folder.resolve()
    return None


def require_real_data() -> Path:
    """Return the real data folder or skip the calling test with instructions."""
    folder = find_real_data()
    if folder is None:
        pytest.skip(
            f"the real MNIST / Fashion-MNIST files were not found; set {ENV_DATA} to a folder "
            "holding mnist/ and fashion-mnist/ (CI uses ../shared/data), or run "
            "`python -m course_lib.data fetch` and point it at that cache"
        )
    return folder


# --- a local HTTP mirror --------------------------------------------------------------------


class Mirror:
    """A real HTTP server on 127.0.0.1 that serves the real files under several behaviours.

    URL prefixes (append ``<dataset>/<file name>``):

    * ``/good/``: the exact bytes
    * ``/missing/``: 404 Not Found
    * ``/corrupt/``: the right length, one byte changed in the middle
    * ``/short/``: only the first half, announced honestly (Content-Length = half)
    * ``/cutoff/``: Content-Length of the whole file, then the connection closes halfway

    ``requests`` lists every path asked for, in order.
    """

    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                mirror.requests.append(self.path)
                mode, _, rest = self.path.lstrip("/").partition("/")
                path = (mirror.root / rest).resolve()
                if mode == "missing" or not path.is_file() or mirror.root not in path.parents:
                    self.send_error(404, "Not Found")
                    return
                data = path.read_bytes()
                length = len(data)
                if mode == "corrupt":
                    mid = len(data) // 2
                    data = data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1 :]
                    length = len(data)
                elif mode == "short":
                    data = data[: len(data) // 2]
                    length = len(data)
                elif mode == "cutoff":
                    data = data[: len(data) // 2]  # length stays the full size
                elif mode != "good":
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()
                if mode == "cutoff":
                    self.close_connection = True

            def log_message(self, format, *args):  # keep the test output clean
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, mode: str) -> str:
        """A base URL for ``mirrors=``; ``{dataset}`` becomes "mnist" or "fashion-mnist"."""
        return f"{self.base}/{mode}/{{dataset}}/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused): 'offline'."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


# --- proving that nothing is written ---------------------------------------------------------

_WATCHED: list[tuple[Path, list]] = []  # (folder, events seen) while a watch is active
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_PATH_EVENTS = {
    "os.mkdir",
    "os.rename",
    "os.remove",
    "os.rmdir",
    "os.chmod",
    "os.chown",
    "os.utime",
    "os.truncate",
    "os.link",
    "os.symlink",
    "shutil.rmtree",
    "shutil.copyfile",
    "tempfile.mkstemp",
    "tempfile.mkdtemp",
}
_hook_installed = False


def _under(path, folder: Path) -> bool:
    if isinstance(path, int) or path is None:
        return False
    try:
        p = Path(os.fsdecode(path)).resolve()
    except (TypeError, ValueError):
        return False
    return p == folder or folder in p.parents


def _audit(event: str, args: tuple) -> None:
    if not _WATCHED:
        return
    if event == "open":
        path, mode, flags = args
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & _WRITE_FLAGS
        )
        if not writes:
            return
        paths = [path]
    elif event in _PATH_EVENTS:
        paths = list(args[:2])
    else:
        return
    for folder, events in _WATCHED:
        for p in paths:
            if isinstance(p, (str, bytes, os.PathLike)) and _under(p, folder):
                events.append((event, os.fsdecode(p)))
                # Abort the operation too: even as root, a bug must not touch shared data.
                raise PermissionError(f"test blocked a write under {folder}: {event} {p}")


@contextmanager
def no_writes_under(folder: Path):
    """Record and block every write-like file operation under ``folder`` (an audit hook
    watches open-for-write, mkdir, rename/replace, remove, chmod, utime, mkstemp...; a
    watched operation raises ``PermissionError`` before it happens).

    Yields the list of events; callers assert it stays empty. Works as root, where chmod
    alone cannot stop writes.
    """
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)  # audit hooks cannot be removed; it idles when nothing is watched
        _hook_installed = True
    events: list = []
    entry = (Path(folder).resolve(), events)
    _WATCHED.append(entry)
    try:
        yield events
    finally:
        _WATCHED.remove(entry)


def snapshot(folder: Path) -> dict:
    """Every file and folder under ``folder`` with its size, mtime and mode."""
    out = {}
    for p in sorted(Path(folder).rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(folder))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    st = Path(folder).lstat()
    out["."] = (st.st_mtime_ns, st.st_mode)
    return out
