from __future__ import annotations

import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anthropic
import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import claude_widget.chat as chat_module
from claude_widget.engine.loops import call_soon
from claude_widget.fake_server import FakeAnthropic
from claude_widget.fake_server.demo import INSTANT, LIVE, PACE_VARIABLE, Pace, demo_server
from claude_widget.widget.chat_widget import ChatWidget

TEST_KEY = "sk-ant-test-0123456789-secret"
# What a Jupyter server sets in the kernels it starts for notebooks: a kernel JupyterLab or Notebook 7 shows,
# where cells return while their answers stream (without it, nbclient is headless: see headless.py).
SHOWN_BY_JUPYTERLAB = {"JPY_SESSION_NAME": "/work/answers.ipynb"}
# scripts/test.sh runs the engine's tests again on the oldest and newest SDK the package allows, each put first on
# PYTHONPATH: it names the version it means here, and the session refuses to start on any other.
EXPECT_ANTHROPIC = "CLAUDE_WIDGET_EXPECT_ANTHROPIC"


def sdk_version() -> tuple[int, int]:
    """The anthropic SDK's (major, minor), for the tests that document what one version or another raises."""
    major, minor = anthropic.__version__.split(".")[:2]
    return int(major), int(minor)


# A notebook that spends most of its run waiting (the teaching one waits out a retry-after, backoffs and a stall
# timeout, as a reader would see them): `slow`, in a lane of its own in the full run.
SLOW_NOTEBOOKS = {"streaming-concepts.ipynb"}


def notebook_of(item: pytest.Item) -> str | None:
    """The name of the notebook whose cell `item` is (one of nbval's items), else None."""
    return item.path.name if type(item).__module__.startswith("nbval") else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The notebooks (nbval's items) each run in a kernel of their own: in the `kernel` tier."""
    for item in items:
        if notebook := notebook_of(item):
            item.add_marker(pytest.mark.kernel)
            if notebook in SLOW_NOTEBOOKS:
                item.add_marker(pytest.mark.slow)


# The notebooks that watch the offline demo's pace (a Stop mid-answer, the time to the first token) run at it; the
# others answer at once, as every test that does not watch the pace does.
LIVE_PACE_NOTEBOOKS = {"streaming-concepts.ipynb", "conversations-and-tools.ipynb"}


class NotebookPace:
    """nbval starts a notebook's kernel as its first cell is set up: in the environment of the pace it watches.
    (A plugin, not a hook of this conftest, which would see only the items under tests/.)"""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        if notebook_of(item) in (None, *LIVE_PACE_NOTEBOOKS):
            return (yield)
        before = os.environ.get(PACE_VARIABLE)
        os.environ[PACE_VARIABLE] = "instant"
        try:
            return (yield)
        finally:  # for this kernel alone: the Jupyter servers and kernels started later take theirs from their tests
            if before is None:
                del os.environ[PACE_VARIABLE]
            else:
                os.environ[PACE_VARIABLE] = before


def pytest_report_header() -> str:
    return f"anthropic {anthropic.__version__} from {os.path.dirname(anthropic.__file__)}"


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(NotebookPace(), "claude-widget-notebook-pace")
    # Every answer a test (or a kernel it starts) makes is kept in a store of this run's own, never the user's;
    # replay is off unless a test turns it on.
    os.environ["CLAUDE_WIDGET_STORE"] = str(Path(tempfile.mkdtemp(prefix="claude-widget-store-")) / "answers.sqlite")
    os.environ.pop("CLAUDE_WIDGET_REPLAY", None)
    expected = os.environ.get(EXPECT_ANTHROPIC)
    if expected and anthropic.__version__ != expected:
        raise pytest.UsageError(
            f"{EXPECT_ANTHROPIC}={expected}, but anthropic {anthropic.__version__} was loaded from "
            f"{anthropic.__file__}: is .venv/sdks/{expected} first on PYTHONPATH?"
        )


def kernel_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """A test kernel's environment: headless unless `env` says otherwise (JPY_SESSION_NAME), and its
    `Chat(offline=True)` answers at once (INSTANT) unless `env` sets CLAUDE_WIDGET_DEMO_PACE otherwise."""
    base = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"} | {PACE_VARIABLE: "instant"}
    return base | (env or {})


def run_notebook(
    *sources: str, env: dict[str, str] | None = None, timeout: int = 60, kernel: KernelManager | None = None
) -> nbformat.NotebookNode:
    """Execute code cells with nbclient in a fresh kernel (its environment `kernel_env(env)`), or in `kernel`, one
    kept running for several tests where a fresh one is not the point (`shared_kernel`); return the notebook."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    if kernel is None:
        NotebookClient(notebook, timeout=timeout, kernel_name="python3").execute(env=kernel_env(env))
        return notebook
    client = NotebookClient(notebook, timeout=timeout, km=kernel)
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
    return notebook


@contextmanager
def shared_kernel(env: dict[str, str] | None = None) -> Iterator[KernelManager]:
    """A kernel (environment `kernel_env(env)`) for `run_notebook(..., kernel=...)` across a module's tests."""
    kernel = KernelManager(kernel_name="python3")
    kernel.start_kernel(env=kernel_env(env))
    try:
        yield kernel
    finally:
        kernel.shutdown_kernel(now=True)


@pytest.fixture(scope="session", autouse=True)
def offline_servers() -> Iterator[dict[Pace, FakeAnthropic]]:
    """`Chat(offline=True)` answers at once (the demo's INSTANT pace) for the session, even in a module-scoped
    fixture: only a test that watches the pace (marked `live_pace`) waits for it. One server a pace, as in a kernel."""
    servers = {pace: demo_server(pace).start() for pace in (INSTANT, LIVE)}
    kept, chat_module._offline_server = chat_module._offline_server, servers[INSTANT]
    yield servers
    chat_module._offline_server = kept
    for server in servers.values():
        server.stop()


@pytest.fixture(autouse=True)
def offline_pace(request: pytest.FixtureRequest, offline_servers: dict[Pace, FakeAnthropic]) -> Iterator[None]:
    """A test marked `live_pace` gets the offline demo at its live pace (1.5 s of thinking, ~60 deltas a second)."""
    if request.node.get_closest_marker("live_pace") is None:
        yield
        return
    chat_module._offline_server = offline_servers[LIVE]
    yield
    chat_module._offline_server = offline_servers[INSTANT]


@pytest.fixture
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(api_key=TEST_KEY) as fake:
        yield fake


@pytest.fixture
def client(server: FakeAnthropic) -> anthropic.AsyncAnthropic:
    return anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)


def until(condition: Callable[[], Any], timeout: float = 30) -> Any:
    """Wait until `condition()` is true, and return it; an AssertionError after `timeout` s (generous: the machine
    is shared, and a test waits for an event, not a time)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.005)
    raise AssertionError(f"timed out after {timeout} s waiting for {condition}")


def settled(widget: ChatWidget) -> None:
    """Wait until the widget's loop has run what its answer's end scheduled there (its last messages are out)."""
    for _ in range(2):  # and what that scheduled in turn
        handled = threading.Event()
        call_soon(widget._loop, handled.set)
        assert handled.wait(5)


def front_end_says(widget: ChatWidget, content: Any) -> None:
    """Deliver `content` as a view does (a custom comm message) and wait until the widget has handled it."""
    widget._handle_msg({"content": {"data": {"method": "custom", "content": content}}, "buffers": []})
    handled = threading.Event()
    call_soon(widget._loop, handled.set)  # after the message, on the same loop
    assert handled.wait(5)
