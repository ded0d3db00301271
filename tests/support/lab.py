"""A Jupyter server on 127.0.0.1 and Debian's Chromium driven by Playwright, for the browser tests and bench/.

One Jupyter server serves both front ends (each is the other's server extension): JupyterLab 4 at /lab, Notebook 7
at /notebooks. Its kernels reach a fake Anthropic server through ANTHROPIC_BASE_URL, which a kernelspec may set for
its own kernels: so tests share one server, each in a folder of its own whose notebooks run on a kernelspec that
points at the test's own fake server (`Jupyter.folder`).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from ..conftest import TEST_KEY  # bench/ takes it from here too

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
QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"
# Both front ends put their app on `window.jupyterapp`, which the tests drive.
SERVER_CONFIG = {"LabApp": {"expose_app_in_browser": True}, "JupyterNotebookApp": {"expose_app_in_browser": True}}
TEST_KERNELS = "cw-test-"  # the prefix of the kernelspecs a folder adds (and removes)


def screenshot(element: Any, name: str, *, docs: bool = False) -> None:
    """Save `element`'s screenshot as test-results/`name`; with `docs`, under UPDATE_SCREENSHOTS=1 (the test
    command's flag for refreshing the README's pictures) also as docs/images/`name`."""
    RESULTS.mkdir(exist_ok=True)
    element.screenshot(path=RESULTS / name)
    if docs and os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(RESULTS / name, ROOT / "docs" / "images" / name)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_kernelspec(data_dir: Path, name: str, env: dict[str, str]) -> str:
    """Add the kernelspec `name` (the .venv's Python, with `env`) to a server's JUPYTER_PATH; return its name.
    The server reads kernelspecs from disk when a kernel starts, and a page when it loads."""
    spec = data_dir / "kernels" / name
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)", "language": "python", "env": env,
    }))  # fmt: skip
    return name


def older_ipykernel(version: str) -> dict[str, str]:
    """The environment of a kernel on one of the OLDER_IPYKERNELS."""
    if not (OLDER_IPYKERNELS / version / "ipykernel").is_dir():
        raise RuntimeError(f"no ipykernel {version} in {OLDER_IPYKERNELS}: run scripts/setup.sh test")
    return {"PYTHONPATH": str(OLDER_IPYKERNELS / version)}


def kernel_for(ipykernel_version: str) -> str:
    """The kernelspec name of one of the OLDER_IPYKERNELS on a server of its own (each such server offers them
    all, its kernels talking to its fake server); on the shared server, `Lab.kernel_for`."""
    older_ipykernel(ipykernel_version)
    return f"ipykernel-{ipykernel_version}"


@dataclass
class Lab:
    """A Jupyter front end as a test uses it: JupyterLab 4 (`kind="lab"`) or Notebook 7 (`kind="notebook"`) at
    `url`, its notebooks in `root`, which is `folder` of the server's root, run on the kernelspec `kernel`."""

    url: str
    root: Path
    kind: str = "lab"
    folder: str = ""
    kernel: str = "python3"
    # Where the server finds kernelspecs added while it runs, and what the folder's kernels get (None: a server of
    # its own, with every older ipykernel's kernelspec written at its start).
    data_dir: Path | None = None
    kernel_env: dict[str, str] = field(default_factory=dict)

    def add_notebook(self, name: str, *cells: str, kernel: str | None = None) -> str:
        """Write a notebook of code cells into `root`; return its name. `kernel`: a kernelspec name (default: the
        folder's), e.g. one of `kernel_for(version)`."""
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(notebook, self.root / name)
        self.set_kernel(name, kernel or self.kernel)
        return name

    def set_kernel(self, name: str, kernel: str) -> None:
        """Make the notebook `name` in `root` start on the kernelspec `kernel`."""
        notebook = nbformat.read(self.root / name, as_version=4)
        notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
        nbformat.write(notebook, self.root / name)

    def kernel_for(self, ipykernel_version: str) -> str:
        """The kernelspec of one of the OLDER_IPYKERNELS for this folder's notebooks."""
        if self.data_dir is None:
            return kernel_for(ipykernel_version)
        env = {**self.kernel_env, **older_ipykernel(ipykernel_version)}
        return write_kernelspec(self.data_dir, f"{self.kernel}-ipykernel-{ipykernel_version}", env)

    def shut_down_kernels(self) -> None:
        """End every kernel of the server (with the answers they hold)."""
        shut_down_kernels(self.url)

    def path(self, name: str) -> str:
        """A notebook's path from the server's root."""
        return f"{self.folder}/{name}" if self.folder else name

    def notebook_url(self, name: str) -> str:
        if self.kind == "notebook":
            return f"{self.url}/notebooks/{self.path(name)}"
        # A fresh workspace each time, so notebooks opened by earlier tests are not restored beside it.
        return f"{self.url}/lab/workspaces/{uuid.uuid4().hex[:8]}/tree/{self.path(name)}"


@dataclass
class Jupyter:
    """A running Jupyter server: JupyterLab 4 and Notebook 7 on `url`, serving `root`."""

    url: str
    root: Path

    @property
    def data_dir(self) -> Path:
        return self.root / ".jupyter-data"

    def lab(self, kind: str = "lab") -> Lab:
        """The whole server, its kernels talking to the fake server it was started with."""
        return Lab(self.url, self.root, kind)

    @contextmanager
    def folder(
        self, name: str, backend_url: str, kind: str = "lab", env: dict[str, str] | None = None
    ) -> Iterator[Lab]:
        """A new folder of the server's root (with a copy of the quickstart), whose notebooks' kernels talk to the
        fake server at `backend_url` (with `env` besides). When the block ends, every kernel of the server is shut
        down."""
        root = self.root / name
        root.mkdir()
        kernel = f"{TEST_KERNELS}{uuid.uuid4().hex[:8]}"
        env = {"ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_BASE_URL": backend_url, **(env or {})}
        write_kernelspec(self.data_dir, kernel, env)
        lab = Lab(self.url, root, kind, folder=name, kernel=kernel, data_dir=self.data_dir, kernel_env=env)
        shutil.copy(QUICKSTART, root)
        lab.set_kernel(QUICKSTART.name, kernel)
        try:
            yield lab
        finally:
            shut_down_kernels(self.url, wait=False)  # the next test need not wait for them
            for spec in (self.data_dir / "kernels").glob(f"{kernel}*"):
                shutil.rmtree(spec, ignore_errors=True)


def shut_down_kernels(url: str, *, wait: bool = True) -> None:
    """End every session and kernel of the Jupyter server at `url`: a test's answers stop streaming, and its kernels
    stop taking memory. Without `wait`, the kernels running now end in a thread (a kernel can take seconds to)."""
    sessions = [session["id"] for session in _call(url, "GET", "/api/sessions") or []]
    kernels = [kernel["id"] for kernel in _call(url, "GET", "/api/kernels") or []]

    def end() -> None:
        try:
            for session in sessions:
                _call(url, "DELETE", f"/api/sessions/{session}")
            for kernel in kernels:
                _call(url, "DELETE", f"/api/kernels/{kernel}")
        except OSError:
            if wait:
                raise  # else the server has stopped, and its kernels with it

    if wait:
        end()
    else:
        threading.Thread(target=end, name="shut-down-kernels", daemon=True).start()


def _call(url: str, method: str, path: str) -> Any:
    request = urllib.request.Request(url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:  # gone already (a session's kernel ends with it)
            return None
        raise
    return json.loads(body) if body else None


@contextmanager
def jupyter_server(root: Path, backend_url: str) -> Iterator[Jupyter]:
    """Start a Jupyter server on 127.0.0.1 serving `root`, its kernels talking to the fake server at `backend_url`
    (via ANTHROPIC_BASE_URL); stopped when the block ends. A root can be served again, by a new server."""
    shutil.copy(QUICKSTART, root)
    settings = root / ".lab-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)  # exists when the same root is served again
    # No "official Jupyter news?" toast over the widget.
    (settings / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    config = root / ".jupyter-config"
    config.mkdir(exist_ok=True)
    (config / "jupyter_server_config.json").write_text(json.dumps(SERVER_CONFIG))
    for target in sorted(OLDER_IPYKERNELS.glob("*")):
        write_kernelspec(root / ".jupyter-data", f"ipykernel-{target.name}", older_ipykernel(target.name))
    port = free_port()
    env = {
        **os.environ,
        "ANTHROPIC_API_KEY": TEST_KEY,
        "ANTHROPIC_BASE_URL": backend_url,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(root / ".jupyter-runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / ".lab-settings"),
        "JUPYTER_PATH": str(root / ".jupyter-data"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
        "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    log = open(root / "server.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url + "/api/status", process, root / "server.log")
        yield Jupyter(url, root)
    finally:
        stop_server(process)
        log.close()


@contextmanager
def serving(kind: str, root: Path, backend: Any) -> Iterator[Lab]:
    """A new Jupyter server on `root`, its kernels talking to `backend` (a FakeAnthropic): JupyterLab 4
    (`kind="lab"`) or Notebook 7 (`kind="notebook"`) there."""
    with jupyter_server(root, backend.url) as jupyter:
        yield jupyter.lab(kind)


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
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


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop a Jupyter server: politely, then for good."""
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()


# Pages that open each notebook in the JupyterLab they have loaded (`reuse_jupyterlab`).
_REUSING: weakref.WeakSet[Any] = weakref.WeakSet()
# Close every document of the main area (an edited notebook without the "save your work?" dialog; its kernel runs
# on, until its test shuts it down), then open `path` (if given), on a kernelspec written since the page loaded.
OPEN_IN_PLACE = """async (path) => {
  const app = window.jupyterapp;
  for (const widget of [...app.shell.widgets('main')]) {
    if (widget.context) widget.context.model.dirty = false;
    widget.dispose();
  }
  if (path === null) return;
  await app.serviceManager.kernelspecs.refreshSpecs();
  await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
}"""


def reuse_jupyterlab(page: Any) -> None:
    """Let `open_notebook` open notebooks in the JupyterLab `page` has loaded from the same server, closing the
    ones open, rather than load JupyterLab again: loading it takes a core 3 to 5 s, a third of a short browser
    test. For a page whose tests leave nothing behind on it but open notebooks (no init script, route, exposed
    function or permission)."""
    _REUSING.add(page)


def close_notebooks(page: Any) -> None:
    """Close what a test left open on a page `reuse_jupyterlab` lets open notebooks, so the next test starts
    from an empty JupyterLab."""
    if "/lab" in page.url and page.evaluate("() => window.jupyterapp !== undefined"):
        page.evaluate(OPEN_IN_PLACE, None)


def open_notebook(page: Any, lab: Lab, name: str) -> None:
    if page in _REUSING and lab.kind == "lab" and page.url.startswith(f"{lab.url}/lab/"):
        page.evaluate(OPEN_IN_PLACE, lab.path(name))
    else:
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
