"""Answers live in the page's scroll (issue 22): while streaming, the wheel over an answer that follows its tail
scrolls the notebook on; a finished answer shows from its start at its full height, with no "Jump to latest"."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import LONG_ANSWER, ROOT, Lab, show_widget

pytestmark = pytest.mark.browser
RESULTS = ROOT / "test-results"

CELLS = (
    "from claude_widget import Chat\nw = Chat().send('Explain server-sent events at length')\nw",
    "print('\\n'.join(f'line {i}' for i in range(120)))",  # the notebook is taller than the window
)
NOTEBOOK_SCROLL = "() => document.querySelector('.jp-WindowedPanel-outer')?.scrollTop ?? 0"


def test_the_wheel_scrolls_the_page_past_a_streaming_answer_and_a_finished_one_shows_whole(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    # A long answer, held mid-stream (more than its box holds) while the wheel goes over it, then let go.
    wheeled = threading.Event()
    backend.enqueue(Script(text=LONG_ANSWER, chunk_size=4, delay=0.002, hold=wheeled, hold_after=2400))
    widget = show_widget(page, lab, "scroll.ipynb", *CELLS)
    box = widget.locator("[data-role=scroll]")
    # Streaming and overflowing its box, which follows the tail (at its bottom edge).
    page.wait_for_function("el => el.scrollHeight > el.clientHeight + 100", arg=box.element_handle(), timeout=60_000)
    assert widget.get_attribute("data-status") == "streaming"
    box.hover()
    before = page.evaluate(NOTEBOOK_SCROLL)
    for _ in range(4):
        page.mouse.wheel(0, 400)
        page.wait_for_timeout(150)
    assert page.evaluate(NOTEBOOK_SCROLL) > before + 200  # the page moved on: the wheel is not trapped
    assert widget.get_attribute("data-status") == "streaming"
    wheeled.set()

    # Back to the top (the notebook lays out only the cells in view), until the answer is done.
    page.evaluate("() => { document.querySelector('.jp-WindowedPanel-outer').scrollTop = 0; }")
    widget = page.locator(".cw-root").first
    box = widget.locator("[data-role=scroll]")
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=120_000)
    metrics = page.evaluate("el => [el.scrollHeight, el.clientHeight, el.scrollTop]", box.element_handle())
    assert metrics[0] <= metrics[1] + 1 and metrics[2] == 0  # whole, from its start: no box to scroll
    assert widget.locator("[data-role=jump]").is_hidden()
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "finished-answer.png"))
    assert widget.locator("[data-role=content] h2").first.inner_text() == "Server-sent events in one minute"
