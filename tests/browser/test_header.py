"""A header that fits (issue 22, items 4 and 5): from 600 px wide up the header is one line with its buttons at the
right edge, Stop's place is kept when it goes (nothing moves at the end), and the counter reads as a person says it
("4.9k in (4.4k cached) · 233 out · $0.011"), its full breakdown at hand before and after the end."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import LONG_ANSWER, ROOT, Lab, open_notebook, run_all_cells

pytestmark = pytest.mark.browser
RESULTS = ROOT / "test-results"
WIDTHS = (600, 1024, 1400)  # of the widget, not the window

# A long system prompt: the first question writes it to the prompt cache, the follow-up reads it from there.
CELLS = (
    "from claude_widget import Chat\n"
    "chat = Chat(system='You answer questions about data, briefly and precisely. ' * 120)\n"
    "first = chat.send('What is server-sent events?')\nfirst",
    "await first\nsecond = chat.send('And how does a client reconnect?')\nsecond",
)
SECOND = ".cw-root >> nth=1"

# The header's parts, as boxes relative to the widget's root: one line, the buttons at its right edge.
HEADER_BOXES = """root => {
    const r = root.getBoundingClientRect();
    const box = el => { const b = el.getBoundingClientRect();
        return {left: b.left - r.left, right: b.right - r.left, top: b.top - r.top, bottom: b.bottom - r.top,
                shown: getComputedStyle(el).visibility !== 'hidden' && b.width > 0}; };
    const header = root.querySelector('[data-role=header]');
    const buttons = [...header.querySelectorAll('button')].filter(b => b.getBoundingClientRect().width > 0);
    return {
        width: r.width, header: box(header), line: parseFloat(getComputedStyle(header).lineHeight) || 0,
        tokens: box(root.querySelector('[data-role=tokens]')), status: box(root.querySelector('[data-role=status]')),
        buttons: Object.fromEntries(buttons.map(b => [b.dataset.role, box(b)])),
        content: box(root.querySelector('[data-role=content]')),
    };
}"""


def set_widget_width(page: Any, target: int) -> None:
    """Size the window so that the widget is `target` px wide (JupyterLab's side panel and prompts take the rest)."""
    root = page.locator(SECOND)
    for _ in range(4):
        width = root.evaluate("el => el.getBoundingClientRect().width")
        if abs(width - target) < 2:
            return
        viewport = page.viewport_size
        page.set_viewport_size({"width": int(viewport["width"] + target - width), "height": viewport["height"]})
        page.wait_for_timeout(400)  # JupyterLab lays out again on resize
    raise AssertionError(f"could not size the widget to {target} px (it is {width} px)")


def assert_one_line(boxes: dict[str, Any], width: int) -> None:
    header, buttons = boxes["header"], boxes["buttons"]
    assert abs(boxes["width"] - width) < 2
    one_line = header["bottom"] - header["top"]
    assert one_line <= 40, f"the header wraps at {width} px: {one_line} px high"
    middle = (header["top"] + header["bottom"]) / 2
    for role, box in [("tokens", boxes["tokens"]), ("status", boxes["status"]), *buttons.items()]:
        assert box["top"] < middle < box["bottom"], f"{role} is not on the header's line at {width} px: {box}"
    assert max(box["right"] for box in buttons.values()) > width - 16, f"the buttons leave the right edge at {width}"
    assert boxes["tokens"]["right"] <= min(box["left"] for box in buttons.values() if box["shown"]) + 1


def header_shot(page: Any, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / name
    header = page.locator(SECOND).locator("[data-role=header]")
    header.screenshot(path=str(path))
    return path


def test_the_header_is_one_line_nothing_moves_at_the_end_and_the_counter_reads_plainly(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    # The follow-up is held mid-answer while it is looked at at each width, Stop there.
    measured = threading.Event()
    follow_up = Script(text=LONG_ANSWER, chunk_size=4, delay=0.002, hold=measured, hold_after=400)
    scripts = (Script(text="Events over one HTTP response."), follow_up)
    backend.enqueue(*scripts)
    lab.add_notebook("header.ipynb", *CELLS)
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_notebook(page, lab, "header.ipynb")
    run_all_cells(page)
    second = page.locator(SECOND)
    page.wait_for_function("() => document.querySelectorAll('.cw-root').length === 2", timeout=60_000)
    page.wait_for_function("el => el.dataset.status === 'streaming' && el.querySelector('[data-role=content] h2')",
                           arg=second.element_handle(), timeout=60_000)  # fmt: skip
    streaming: dict[int, Any] = {}
    for width in WIDTHS:
        set_widget_width(page, width)
        streaming[width] = second.evaluate(HEADER_BOXES)
        header_shot(page, f"header-streaming-{width}.png")
    assert second.get_attribute("data-status") == "streaming", "the answer ended before it was measured"
    before_end = streaming[1024]
    measured.set()

    page.wait_for_function("el => el.dataset.status === 'done'", arg=second.element_handle(), timeout=120_000)
    page.evaluate("() => { document.querySelector('.jp-WindowedPanel-outer').scrollTop = 0; }")
    done: dict[int, Any] = {}
    for width in (1024, 600, 1400):
        set_widget_width(page, width)
        done[width] = second.evaluate(HEADER_BOXES)
        header_shot(page, f"header-{width}.png")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(RESULTS / "header-1024.png", ROOT / "docs" / "images" / "header-1024.png")

    # The counter after a follow-up that read the system prompt from the cache, its breakdown at hand.
    set_widget_width(page, 1024)
    tokens = second.locator("[data-role=tokens]")
    counter = tokens.inner_text()
    tokens.hover()
    breakdown = second.locator("[data-role=breakdown]")
    breakdown.wait_for(state="visible", timeout=5_000)
    breakdown_text = breakdown.inner_text()
    box = second.bounding_box()
    page.screenshot(path=str(RESULTS / "counter.png"),
                    clip={"x": box["x"], "y": box["y"], "width": box["width"], "height": 260})  # fmt: skip
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(RESULTS / "counter.png", ROOT / "docs" / "images" / "counter.png")
    described = tokens.get_attribute("aria-describedby")
    assert described and second.locator(f"#{described}").count() == 1  # the breakdown is the counter's description
    # From the keyboard too: focus shows it, Esc hides it.
    page.mouse.move(0, 0)
    breakdown.wait_for(state="hidden", timeout=5_000)
    tokens.focus()
    breakdown.wait_for(state="visible", timeout=5_000)
    page.keyboard.press("Escape")
    breakdown.wait_for(state="hidden", timeout=5_000)

    for width in WIDTHS:
        assert_one_line(streaming[width], width)
        assert_one_line(done[width], width)
    # At the end nothing moves: the buttons keep their places (Stop's is kept), the answer stays where it was.
    after_end = done[1024]
    for role, box in after_end["buttons"].items():
        assert box["left"] == before_end["buttons"][role]["left"], f"{role} moved at the end"
    assert after_end["header"]["bottom"] == before_end["header"]["bottom"]
    assert after_end["content"]["top"] == before_end["content"]["top"], "the answer jumped at the end"

    assert re.fullmatch(r"[\d.,]+k? in \([\d.,]+k? cached\) · [\d.,]+k? out · \$[\d.]+", counter), counter
    assert not counter.startswith("~")  # exact once done
    assert "cache write" not in breakdown_text and "cache read" not in breakdown_text
    assert re.search(r"from the cache", breakdown_text), breakdown_text
    assert re.search(r"[Ss]aved", breakdown_text) and "$" in breakdown_text, breakdown_text
