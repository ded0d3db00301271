"""marimo (`marimo run`, Chromium): the widget inside marimo's shadow root streams live, counts tokens, and Stop
closes the connection and keeps the partial answer; the offline demo; a reopened app runs its answer again."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic

from .conftest import LONG_ANSWER, TEST_KEY, demo_pace, free_port

pytestmark = [pytest.mark.browser, pytest.mark.own_page]  # marimo, not JupyterLab

APP = """import marimo

app = marimo.App()


@app.cell
def _():
    import marimo as mo
    from claude_widget import Chat

    answer = mo.ui.anywidget(Chat({options}).send("Explain server-sent events"))
    answer
    return (answer,)


if __name__ == "__main__":
    app.run()
"""


@pytest.fixture
def marimo_app(
    tmp_path: Path, slow_server: FakeAnthropic, request: pytest.FixtureRequest
) -> Iterator[Callable[..., str]]:
    """Serve a marimo app whose one cell shows an answer; return its URL. Stopped at the end of the test."""
    processes: list[subprocess.Popen[bytes]] = []

    def serve(options: str = "", *, with_key: bool = True) -> str:
        path = tmp_path / "app.py"
        path.write_text(APP.format(options=options))
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")} | demo_pace(request)
        if with_key:
            env |= {"ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_BASE_URL": slow_server.url}
        port = free_port()
        command = [sys.executable, "-m", "marimo", "run", str(path), "--headless", "--host", "127.0.0.1",
                   "--port", str(port), "--no-token"]  # fmt: skip
        log = open(tmp_path / "marimo.log", "w")  # noqa: SIM115 - the process writes it until the end
        processes.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return url
            except OSError:
                if time.monotonic() > deadline or processes[-1].poll() is not None:
                    raise RuntimeError((tmp_path / "marimo.log").read_text()[-3000:]) from None
                time.sleep(0.3)

    yield serve
    for process in processes:
        process.terminate()
        process.wait(15)


def test_in_marimo_the_answer_streams_counts_tokens_and_stop_closes_the_connection(
    marimo_app: Callable[..., str], page: Any, slow_server: FakeAnthropic
) -> None:
    url = marimo_app()
    before = len(slow_server.message_requests())
    page.goto(url)
    widget = page.locator(".cw-root").first  # inside marimo's shadow root: Playwright's locators pierce it
    content = widget.locator("[data-role=content]")
    page.wait_for_function("el => el.textContent.length > 200", arg=content.element_handle())
    assert " in · " in widget.locator("[data-role=tokens]").inner_text()  # input tokens from message_start
    first = len(content.text_content())
    page.wait_for_function(f"el => el.textContent.length > {first + 100}", arg=content.element_handle())  # live

    request = slow_server.message_requests()[before]
    widget.locator("[data-role=stop]").click()
    page.wait_for_function(
        "el => el.dataset.status === 'stopped'", arg=widget.locator("[data-role=status]").element_handle()
    )
    assert request.done.wait(5) and request.client_closed_at is not None  # the socket is closed
    kept = content.text_content()
    time.sleep(0.5)
    assert content.text_content() == kept and 200 < len(kept) < len(LONG_ANSWER)  # the partial answer stays

    # Reopened: marimo runs the app again for the new page, and its answer streams again.
    page.reload()
    page.wait_for_function(
        "el => el.textContent.length > 200", arg=page.locator(".cw-root [data-role=content]").first.element_handle()
    )
    assert len(slow_server.message_requests()) == before + 2


def test_the_offline_demo_runs_in_marimo(marimo_app: Callable[..., str], page: Any) -> None:
    page.goto(marimo_app("offline=True", with_key=False))
    widget = page.locator(".cw-root").first
    page.wait_for_function(
        "el => el.dataset.status === 'done'", arg=widget.locator("[data-role=status]").element_handle()
    )
    assert widget.get_by_text("offline", exact=True).is_visible()
    assert widget.locator("[data-role=content] h2").first.inner_text() == "Server-sent events in one minute"
    assert widget.locator("[data-role=content] .katex").count() > 0
