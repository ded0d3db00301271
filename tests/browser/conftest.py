"""JupyterLab 4 and Notebook 7 on 127.0.0.1 and Debian's Chromium driven by Playwright: the real front end, end to
end. One Jupyter server, one Chromium and one page for all the browser tests (per worker); each test gets a folder of
that server, its own fake Anthropic server (`backend`), which the kernels of its notebooks talk to, and the JupyterLab
page the tests before it loaded, empty (or a page of its own, marked `own_page`).

Timeouts and selectors live here and in tests/support/lab.py, so the tests read as what a user does.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.demo import PACE_VARIABLE, SSE_ANSWER

from ..support.lab import (
    RESULTS,
    ROOT,
    TEST_KEY,
    Jupyter,
    Lab,
    close_notebooks,
    free_port,
    jupyter_server,
    kernel_for,
    open_notebook,
    reuse_jupyterlab,
    run_all_cells,
    screenshot,
    serving,
    show_widget,
    stop_server,
    wait_until_up,
)

__all__ = [  # what the browser tests take from here
    "LONG_ANSWER", "PAGE_TIMEOUT_MS", "RESULTS", "ROOT", "TEST_KEY", "Lab", "demo_pace", "free_port", "kernel_for",
    "open_notebook", "run_all_cells", "screenshot", "serving", "show_widget", "stop_server", "wait_until_up",
]  # fmt: skip

# The offline demo's answer (heading, code, table, math), then enough prose to stream for a while.
LONG_ANSWER = SSE_ANSWER + "\n" + "Each event carries a few characters, rendered as they arrive. " * 80
PAGE_TIMEOUT_MS = 60_000  # generous: the machine is shared, and a kernel starts in every test


@pytest.fixture
def backend() -> Iterator[FakeAnthropic]:
    """This test's fake Anthropic server, which the kernels of its notebooks (`lab`, `notebook7`) talk to: the
    scripts a test `enqueue`s, then the default answer, at once."""
    with FakeAnthropic(api_key=TEST_KEY) as server:
        yield server


@pytest.fixture
def slow_server(backend: FakeAnthropic) -> FakeAnthropic:
    """This test's fake server, answering every request it was not scripted for with a long, slow stream (1.5 s
    before the first token, 20 ms a delta), so a test has time to watch it and press Stop."""
    script = Script(text=LONG_ANSWER, chunk_size=4, delay=0.02, first_delay=1.5)
    backend.responder = lambda body: script
    return backend


# Package scope: the server and the browser end with the browser tests (and sync Playwright marks its event loop
# as running in the main thread while it is open, which the asyncio tests after the browser tests must not see).
@pytest.fixture(scope="package")
def jupyter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Jupyter]:
    """The one Jupyter server (JupyterLab 4 and Notebook 7) the browser tests share; kernels on its own kernelspecs
    talk to a fake server that answers at once."""
    with (
        FakeAnthropic(api_key=TEST_KEY) as default,
        jupyter_server(tmp_path_factory.mktemp("jupyter"), default.url) as server,
    ):
        yield server


def _folder(request: pytest.FixtureRequest) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)[:60].strip("-") + "-" + uuid.uuid4().hex[:4]


def demo_pace(request: pytest.FixtureRequest) -> dict[str, str]:
    """A kernel's environment for `Chat(offline=True)`: the demo answers at once, unless the test watches its pace
    (marked `live_pace`)."""
    return {} if request.node.get_closest_marker("live_pace") else {PACE_VARIABLE: "instant"}


@pytest.fixture
def lab(jupyter: Jupyter, backend: FakeAnthropic, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """JupyterLab 4 on the shared server, in a folder of this test's, its notebooks' kernels talking to `backend`
    (`slow_server`, if the test asks for it); `Chat(offline=True)` answers at once (`demo_pace`). Every kernel is
    shut down when the test ends."""
    with jupyter.folder(_folder(request), backend.url, "lab", demo_pace(request)) as folder:
        yield folder


@pytest.fixture
def notebook7(jupyter: Jupyter, backend: FakeAnthropic, request: pytest.FixtureRequest) -> Iterator[Lab]:
    """Notebook 7 on the shared server, as `lab` is JupyterLab."""
    with jupyter.folder(_folder(request), backend.url, "notebook", demo_pace(request)) as folder:
        yield folder


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from ..support.lab import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


VIEWPORT = {"width": 1280, "height": 900}


def _new_page(browser: Any) -> Any:
    """A page in a browser context of its own (no storage, permissions or routes shared with other tests)."""
    page = browser.new_context(viewport=VIEWPORT).new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    return page


@pytest.fixture(scope="package")
def shared_page(browser: Any) -> Iterator[dict[str, Any]]:
    """The page the browser tests share, made when one first asks (`page`)."""
    holder: dict[str, Any] = {}
    yield holder
    if "page" in holder:
        holder["page"].context.close()


@pytest.fixture
def page(browser: Any, shared_page: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    """The page the browser tests share, on which a test opens notebooks in the JupyterLab an earlier test loaded
    (`reuse_jupyterlab`), which it finds empty; a test marked `own_page`, which changes more of a page than its
    notebooks (an init script, a route, a permission, what it reloads), gets a page in a context of its own."""
    if request.node.get_closest_marker("own_page"):
        page = _new_page(browser)
        yield page
        page.context.close()
        return
    page = shared_page.get("page")
    if page is None or page.is_closed():
        page = shared_page["page"] = _new_page(browser)
        reuse_jupyterlab(page)
    yield page
    try:
        close_notebooks(page)
        page.set_viewport_size(VIEWPORT)
    except Exception:  # a page left broken: the next test gets a new one
        page.context.close()
