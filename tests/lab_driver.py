"""Drive JupyterLab in headless Chromium the way a learner does.

Used by ``tests/test_browser.py`` and ``benchmarks/browser_latency.py``. A
:class:`LabServer` runs JupyterLab on 127.0.0.1 on a free port with a random token, serving
a temporary copy of the notebooks, isolated from the user's Jupyter settings; with
``kind="notebook"`` it runs Jupyter Notebook 7 instead, which is built from JupyterLab's
components, so the same page code drives both. A :class:`LabPage` opens a notebook, runs
every cell, and finds and moves the explorers' sliders, reading the result back from the page.

Both are context managers: the server and the browser are shut down however the block ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def find_chromium() -> str | None:
    """Path of the Chromium executable: ``$COURSE_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    explicit = os.environ.get("COURSE_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, ask for SIGTERM when the parent dies, so a killed
    test run leaves no JupyterLab (and its kernels) behind. Elsewhere, nothing."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: What differs between the two front ends: the module to run, the flags, the notebook's URL.
KINDS = {
    "lab": {
        "module": "jupyterlab",
        "name": "JupyterLab",
        "flags": [
            "--LabApp.expose_app_in_browser=True",
            "--LabApp.news_url=",
            "--LabServerApp.extension_manager=readonly",
        ],
        # ``reset`` starts from an empty workspace (see LabPage.open).
        "open": "lab/tree/{path}",
        "query": "&reset",
    },
    "notebook": {
        "module": "notebook",
        "name": "Jupyter Notebook",
        "flags": [
            "--JupyterNotebookApp.expose_app_in_browser=True",
            # Notebook 7 runs JupyterLab's server extension too: the same quiet settings.
            "--LabApp.news_url=",
            "--LabServerApp.extension_manager=readonly",
        ],
        # One notebook per browser tab, no workspace to restore.
        "open": "notebooks/{path}",
        "query": "",
    },
}


class LabServer:
    """JupyterLab on 127.0.0.1 serving a copy of ``notebooks/`` under ``root/notebooks``.

    ``kind="notebook"`` serves the same with Jupyter Notebook 7 instead of JupyterLab.
    """

    def __init__(
        self,
        root: Path,
        notebooks: Path = REPO / "notebooks",
        startup_timeout=120.0,
        kind: str = "lab",
    ):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
        self.kind = kind
        self.app_name = KINDS[kind]["name"]
        self.root = Path(root)
        self.notebooks = Path(notebooks)
        self.port = _free_port()
        self.token = secrets.token_hex(24)
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None
        self.log_path = self.root / ("jupyterlab.log" if kind == "lab" else f"jupyter-{kind}.log")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}?token={self.token}"

    def notebook_url(self, path: str) -> str:
        """The URL that opens the notebook ``path`` (relative to the root) in this front end."""
        kind = KINDS[self.kind]
        return self.url(kind["open"].format(path=path)) + kind["query"]

    def __enter__(self) -> LabServer:
        shutil.copytree(self.notebooks, self.root / "notebooks")
        home = self.root / "jupyter-home"
        env = dict(os.environ)
        env.update(
            {
                "JUPYTER_CONFIG_DIR": str(home / "config"),
                "JUPYTER_DATA_DIR": str(home / "data"),
                "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
                "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
                "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
                "IPYTHONDIR": str(home / "ipython"),
            }
        )
        # The kernel must find the course's own Python, with course_lib installed.
        env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
        # No news or update pop-ups over the notebook (and no attempt to reach the internet).
        settings = home / "settings" / "@jupyterlab" / "apputils-extension"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "notification.jupyterlab-settings").write_text(
            '{"fetchNews": "false", "checkForUpdates": false}'
        )
        cmd = [
            sys.executable,
            "-m",
            KINDS[self.kind]["module"],
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            *KINDS[self.kind]["flags"],
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")  # CI containers run as root
        self._log = open(self.log_path, "w")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            cmd,
            cwd=self.root,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        try:
            self._wait_until_up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_up(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app_name} exited early; log:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise TimeoutError(
            f"{self.app_name} did not answer in {self.startup_timeout} s; log:\n{self.log()}"
        )

    def log(self) -> str:
        try:
            return self.log_path.read_text()[-4000:]
        except OSError:
            return ""

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=20)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.process.wait(timeout=10)
        if getattr(self, "_log", None):
            self._log.close()


class Browser:
    """Headless Chromium through Playwright; closed however the block ends."""

    def __init__(self, executable: str, viewport=(1300, 1000)):
        self.executable = executable
        self.viewport = viewport

    def __enter__(self) -> Browser:
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        try:
            self.browser = self._pw.chromium.launch(
                executable_path=self.executable, headless=True, args=CHROMIUM_ARGS
            )
        except BaseException:
            self._pw.stop()
            raise
        return self

    def new_page(self):
        width, height = self.viewport
        context = self.browser.new_context(viewport={"width": width, "height": height})
        return context.new_page()

    def __exit__(self, *exc) -> None:
        try:
            self.browser.close()
        finally:
            self._pw.stop()


# JavaScript run in the page; ``window.jupyterapp`` exists thanks to expose_app_in_browser.
_JS_NOTEBOOK_STATE = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  if (!panel || !panel.content || !panel.sessionContext) return null;
  const cells = panel.content.widgets;
  let running = 0, errors = [], executed = 0, code = 0;
  cells.forEach((cell, i) => {
    if (cell.model.type !== 'code') return;
    code += 1;
    const prompt = cell.node.querySelector('.jp-InputPrompt');
    if (prompt && prompt.textContent.includes('*')) running += 1;
    if (cell.model.executionCount) executed += 1;
    const outputs = cell.model.outputs.toJSON();
    for (const o of outputs) {
      if (o.output_type === 'error') errors.push({cell: i, ename: o.ename, evalue: o.evalue});
    }
  });
  const status = panel.sessionContext.session && panel.sessionContext.session.kernel
      ? panel.sessionContext.session.kernel.status : 'none';
  return {running, errors, executed, code, status, path: panel.context.path};
}"""


class LabPage:
    """One notebook opened in JupyterLab in a browser page."""

    def __init__(self, page, server: LabServer):
        self.page = page
        self.server = server
        self.lab_path: str | None = None

    def open(self, lab_path: str, timeout_s: float = 120) -> None:
        """Open ``/lab/tree/<lab_path>`` (the URL form of the README's Binder badge), or
        ``/notebooks/<lab_path>`` when the server is Notebook 7.

        ``reset`` starts from an empty workspace: otherwise JupyterLab restores the tabs of the
        previous page, and for a moment the current tab is the last notebook, not this one.
        Returns once this notebook is the current tab and its kernel is idle.
        """
        self.page.goto(self.server.notebook_url(lab_path), timeout=timeout_s * 1000)
        self.page.wait_for_function(
            """(path) => {
              const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
              const kernel = w && w.context && w.context.path === path && w.sessionContext
                  && w.sessionContext.session && w.sessionContext.session.kernel;
              return Boolean(kernel) && kernel.status === 'idle';
            }""",
            arg=lab_path,
            timeout=timeout_s * 1000,
        )
        self.lab_path = lab_path

    def current_path(self) -> str:
        return self.page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")

    def run_all(self, timeout_s: float = 600) -> dict:
        """Run every cell and wait until the kernel is idle with no cell still running."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        deadline = time.monotonic() + timeout_s
        time.sleep(1.0)
        idle_seen = 0
        while time.monotonic() < deadline:
            state = self.page.evaluate(_JS_NOTEBOOK_STATE)
            if state and self.lab_path and state["path"] != self.lab_path:
                raise RuntimeError(f"expected {self.lab_path} in front, found {state['path']}")
            done = state and state["running"] == 0 and state["status"] == "idle"
            done = done and state["executed"] == state["code"]
            idle_seen = idle_seen + 1 if done else 0
            if idle_seen >= 2:  # idle twice in a row: the widgets' replies have settled
                return state
            time.sleep(0.5)
        raise TimeoutError(f"cells still running after {timeout_s} s: {state}")

    def state(self) -> dict:
        return self.page.evaluate(_JS_NOTEBOOK_STATE)

    def explorers(self):
        """Locators of every rendered explorer, in notebook order."""
        return self.page.locator(".course-explorer")

    def text_outputs(self) -> str:
        return self.page.locator(".jp-OutputArea-output").all_inner_texts()


def figure_src(explorer) -> str:
    return explorer.locator("img.course-explorer-figure").get_attribute("src") or ""


def wait_for_new_figure(explorer, old_src: str, timeout_s: float = 30) -> float:
    """Wait until the explorer's figure shows a new image; return the seconds it took."""
    start = time.perf_counter()
    img = explorer.locator("img.course-explorer-figure")
    handle = img.element_handle()
    explorer.page.wait_for_function(
        "([img, old]) => img.getAttribute('src') !== old && img.complete",
        arg=[handle, old_src],
        timeout=timeout_s * 1000,
    )
    return time.perf_counter() - start


def slider_value(slider) -> str:
    """The slider's value as its readout shows it, or as its handle announces it to screen
    readers when the readout is hidden (the kernel grid's sliders)."""
    readout = slider.locator(".widget-readout")
    if readout.count() and readout.first.is_visible():
        return readout.first.inner_text().strip()
    return slider.locator(".noUi-handle").get_attribute("aria-valuenow") or ""


def press_on_slider(slider, key: str) -> None:
    """Focus the slider's handle (as Tab would) and press ``key``."""
    handle = slider.locator(".noUi-handle")
    handle.focus()
    handle.press(key)


def key_towards_room(slider) -> str:
    """ArrowRight, unless the slider is at its maximum, then ArrowLeft."""
    handle = slider.locator(".noUi-handle")
    now = float(handle.get_attribute("aria-valuenow") or 0)
    top = float(handle.get_attribute("aria-valuemax") or 0)
    return "ArrowLeft" if now >= top else "ArrowRight"


def drag_slider(slider, fraction: float = 0.25) -> None:
    """Drag the slider's handle by ``fraction`` of the track, towards the side with room."""
    handle = slider.locator(".noUi-handle")
    track = slider.locator(".noUi-base, .noUi-target").first
    hbox = handle.bounding_box()
    tbox = track.bounding_box()
    x0 = hbox["x"] + hbox["width"] / 2
    y0 = hbox["y"] + hbox["height"] / 2
    direction = 1 if x0 < tbox["x"] + tbox["width"] / 2 else -1
    x1 = x0 + direction * fraction * tbox["width"]
    page = slider.page
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x0 + (x1 - x0) * step / 5, y0)
    page.mouse.up()


def settle(lab_page: LabPage, explorer, timeout_s: float = 30) -> None:
    """Wait until the kernel is idle and the figure has stopped changing."""
    deadline = time.monotonic() + timeout_s
    last, stable = None, 0
    while time.monotonic() < deadline:
        state = lab_page.state()
        src = figure_src(explorer)
        stable = stable + 1 if (src == last and state["status"] == "idle") else 0
        if stable >= 3:
            return
        last = src
        time.sleep(0.2)
    raise TimeoutError("the explorer's figure kept changing")


def is_disabled(slider) -> bool:
    return slider.locator(".noUi-target").get_attribute("disabled") in ("true", "")


def enable_slider(page: LabPage, explorer, slider, where: str) -> None:
    """A slider that only applies to some choices (the leaky slope, say) starts greyed out;
    pick each option of the explorer's drop-downs in turn, as a learner would, until it is
    live."""
    if not is_disabled(slider):
        return
    menus = explorer.locator(".widget-dropdown select")
    for m in range(menus.count()):
        menu = menus.nth(m)
        for value in menu.locator("option").evaluate_all("os => os.map(o => o.value)"):
            menu.select_option(value)
            settle(page, explorer)
            if not is_disabled(slider):
                return
    raise AssertionError(f"{where} stays disabled whatever is picked in the drop-downs")
