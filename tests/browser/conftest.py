"""JupyterLab on 127.0.0.1 and Debian's Chromium driven by Playwright: the real front end, end to end.

Timeouts and selectors live here, so the tests read as what a user does.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.demo import SSE_ANSWER

from ..conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Older ipykernels, installed by `scripts/setup.sh test` beside the .venv's own (each on its kernel's PYTHONPATH).
OLDER_IPYKERNELS = Path(sys.prefix) / "ipykernels"
RESULTS = ROOT / "test-results"  # every browser test's screenshots, to look at


def screenshot(element: Any, name: str, *, docs: bool = False) -> None:
    """Save `element`'s screenshot as test-results/`name`; with `docs`, under UPDATE_SCREENSHOTS=1 (the test
    command's flag for refreshing the README's pictures) also as docs/images/`name`."""
    RESULTS.mkdir(exist_ok=True)
    element.screenshot(path=RESULTS / name)
    if docs and os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(RESULTS / name, ROOT / "docs" / "images" / name)


# The offline demo's answer (heading, code, table, math), then enough prose to stream for a while.
LONG_ANSWER = SSE_ANSWER + "\n" + "Each event carries a few characters, rendered as they arrive. " * 80


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def slow_server() -> Iterator[FakeAnthropic]:
    """Answers every request with a long, slow stream, so a test has time to watch it and press Stop."""
    script = Script(text=LONG_ANSWER, chunk_size=4, delay=0.02, first_delay=1.5)
    with FakeAnthropic(api_key=TEST_KEY, responder=lambda body: script) as server:
        yield server


@dataclass
class Lab:
    """A running Jupyter front end: JupyterLab 4 (`kind="lab"`) or Notebook 7 (`kind="notebook"`)."""

    url: str
    root: Path
    kind: str = "lab"

    def add_notebook(self, name: str, *cells: str, kernel: str = "python3") -> str:
        """Write a notebook of code cells into the server's root; return its name. `kernel`: a kernelspec name,
        `python3` or one of `kernel_for(version)`."""
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(notebook, self.root / name)
        return name

    def notebook_url(self, name: str) -> str:
        if self.kind == "notebook":
            return f"{self.url}/notebooks/{name}"
        # A fresh workspace each time, so notebooks opened by earlier tests are not restored beside it.
        return f"{self.url}/lab/workspaces/{uuid.uuid4().hex[:8]}/tree/{name}"


def kernel_for(ipykernel_version: str) -> str:
    """The kernelspec name of one of the OLDER_IPYKERNELS (each server offers them all)."""
    if not (OLDER_IPYKERNELS / ipykernel_version / "ipykernel").is_dir():
        raise RuntimeError(f"no ipykernel {ipykernel_version} in {OLDER_IPYKERNELS}: run scripts/setup.sh test")
    return f"ipykernel-{ipykernel_version}"


def _write_kernelspecs(data_dir: Path) -> None:
    for target in sorted(OLDER_IPYKERNELS.glob("*")):
        spec = data_dir / "kernels" / f"ipykernel-{target.name}"
        spec.mkdir(parents=True, exist_ok=True)
        (spec / "kernel.json").write_text(json.dumps({
            "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": f"Python 3 (ipykernel {target.name})", "language": "python",
            "env": {"PYTHONPATH": str(target)},
        }))  # fmt: skip


def serve(kind: str, root: Path, backend: FakeAnthropic) -> Iterator[Lab]:
    """Start JupyterLab or Notebook 7 on 127.0.0.1 whose kernels talk to `backend` (via ANTHROPIC_BASE_URL),
    serving `root`; stopped when the generator is closed. A root can be served again, by a new server."""
    shutil.copy(ROOT / "notebooks" / "quickstart.ipynb", root)
    settings = root / ".lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)  # exists when the same root is served again
    # No "official Jupyter news?" toast over the widget.
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    _write_kernelspecs(root / ".jupyter-data")
    port = free_port()
    env = {
        **os.environ,
        "ANTHROPIC_API_KEY": TEST_KEY,
        "ANTHROPIC_BASE_URL": backend.url,
        "JUPYTER_CONFIG_DIR": str(root / ".jupyter-config"),
        "JUPYTER_RUNTIME_DIR": str(root / ".jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".lab-settings"),
        "JUPYTER_PATH": str(root / ".jupyter-data"),
    }
    app = {"lab": "jupyterlab", "notebook": "notebook"}[kind]
    expose = {"lab": "--LabApp.expose_app_in_browser=True", "notebook": "--expose-app-in-browser"}[kind]
    command = [
        sys.executable, "-m", app, "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root}", expose,
    ]  # fmt: skip
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url + "/api/status", process, root / "server.log")
        yield Lab(url, root, kind)
    finally:
        stop_server(process)
        log.close()


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a Jupyter server: politely, then for good."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


serving = contextmanager(serve)  # `with serving(kind, root, backend) as lab:` stops the server when the block ends


@contextmanager
def served(kind: str, root: Path, *scripts: Script) -> Iterator[Lab]:
    """A new JupyterLab or Notebook 7 server on `root`, its kernels answered by a new fake server (these scripts
    first, then its default answer)."""
    with FakeAnthropic(api_key=TEST_KEY) as backend, serving(kind, root, backend) as lab:
        backend.enqueue(*scripts)
        yield lab


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory, slow_server: FakeAnthropic) -> Iterator[Lab]:
    """JupyterLab 4, its kernels talking to the slow fake server."""
    yield from serve("lab", tmp_path_factory.mktemp("lab"), slow_server)


@pytest.fixture(scope="session")
def notebook7(tmp_path_factory: pytest.TempPathFactory, slow_server: FakeAnthropic) -> Iterator[Lab]:
    """Notebook 7, its kernels talking to the slow fake server."""
    yield from serve("notebook", tmp_path_factory.mktemp("notebook7"), slow_server)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Jupyter exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"Jupyter did not start in {timeout} s:\n{log.read_text()[-3000:]}")


# Module scope, not session: sync Playwright keeps an event loop running in the main thread while it is open,
# which the asyncio tests after the browser tests must not see.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def open_notebook(page: Any, lab: Lab, name: str) -> None:
    page.goto(lab.notebook_url(name))
    page.wait_for_function(
        "() => { const w = window.jupyterapp?.shell.currentWidget;"
        " return w?.sessionContext?.session?.kernel?.status === 'idle'; }",
        timeout=90_000,
    )


def run_all_cells(page: Any) -> None:
    # Not awaited: the command resolves only when every cell has finished.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def show_widget(page: Any, lab: Lab, name: str, *cells: str) -> Any:
    """Open a notebook (written from `cells`, if given), run it, and return its first widget."""
    if cells:
        lab.add_notebook(name, *cells)
    open_notebook(page, lab, name)
    run_all_cells(page)
    return page.locator(".cw-root").first
