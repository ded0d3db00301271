"""The quickstart in JupyterLab + Chromium: typing indicator, live text, Stop closes the socket, text stays."""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic

from .conftest import LONG_ANSWER, ROOT, Lab, show_widget

pytestmark = pytest.mark.browser
RESULTS = ROOT / "test-results"


@pytest.fixture(params=["lab", "notebook7"])
def host(request: pytest.FixtureRequest) -> Lab:
    """The quickstart runs the same in JupyterLab 4 and in Notebook 7."""
    return request.getfixturevalue(request.param)


def test_quickstart_streams_live_and_stop_closes_the_connection(
    host: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    lab = host
    before = len(slow_server.message_requests())
    widget = show_widget(page, lab, "quickstart.ipynb")
    typing = widget.locator("[data-role=typing]")
    typing.wait_for(state="visible")  # the request is on its way, no token yet
    content = widget.locator("[data-role=content]")
    page.wait_for_function(
        "el => el.querySelector('table') && el.querySelector('.katex')", arg=content.element_handle(), timeout=30_000
    )
    assert not typing.is_visible()  # the indicator goes once text arrives
    # Rendered as markdown while streaming: heading, highlighted code, table, math.
    assert content.locator("h2").first.inner_text() == "Server-sent events in one minute"
    assert content.locator("pre code.hljs .hljs-keyword").count() > 0
    assert "in" in widget.locator("[data-role=tokens]").inner_text()

    RESULTS.mkdir(exist_ok=True)
    widget.screenshot(path=RESULTS / f"quickstart-streaming-{lab.kind}.png")
    if os.environ.get("UPDATE_SCREENSHOTS") and lab.kind == "lab":
        shutil.copy(RESULTS / "quickstart-streaming-lab.png", ROOT / "docs" / "images" / "quickstart-streaming.png")

    request = slow_server.message_requests()[before]
    clicked_at = time.monotonic()
    widget.locator("[data-role=stop]").click()
    assert request.done.wait(5), "the server never saw the stream end"
    assert request.client_closed_at is not None, "Stop did not close the connection"
    stop_to_close_ms = (request.client_closed_at - clicked_at) * 1000
    assert "message_stop" not in [name for _, name in request.events]

    status = widget.locator("[data-role=status]")
    page.wait_for_function("el => el.dataset.status === 'stopped'", arg=status.element_handle())
    widget.locator("[data-role=stop]").wait_for(state="hidden")
    kept = content.text_content()
    time.sleep(0.5)
    assert content.text_content() == kept  # the partial answer stays, and nothing more arrives
    assert 1000 < len(kept) < len(LONG_ANSWER)

    # The kernel side says so too: the cell awaiting the widget printed its final status.
    page.locator(".jp-OutputArea-output", has_text="stopped").first.wait_for()
    (RESULTS / f"stop-figures-{lab.kind}.json").write_text(
        json.dumps({"stop_click_to_socket_closed_ms": stop_to_close_ms})
    )
    print(f"Stop click to socket closed: {stop_to_close_ms:.1f} ms")
