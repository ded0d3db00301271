"""Today's models think before they answer, in JupyterLab + Chromium: hidden thinking says "Thinking · N s" and is
never taken for a stall; summaries stream live; the narration between tool calls shows on the cards."""

from __future__ import annotations

import re
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import ROOT, Lab, show_widget

pytestmark = pytest.mark.browser
RESULTS = ROOT / "test-results"

HIDDEN_NOTEBOOK = """
from claude_widget import Chat

# hidden, the API's default on Sonnet 5.5; a short stall timeout, for a think several times longer than it
chat = Chat(thinking={"type": "adaptive", "display": "omitted"}, stall_timeout=2)
w = chat.send("A hard question")
w
"""

SUMMARIZED_NOTEBOOK = """
from claude_widget import Chat

w = Chat().send("Another hard question")  # the default: the summaries are asked for
w
"""

TOOLS_NOTEBOOK = '''
from claude_widget import Chat

def get_weather(city: str) -> dict:
    """Get the current weather in a city.

    Args:
        city: The city.
    """
    return {"city": city, "temperature_c": 18}

w = Chat(tools=[get_weather]).send("Weather in Lisbon and Porto?")
w
'''


def seconds_shown(widget: Any) -> int:
    label = widget.locator("[data-role=typing-label]").inner_text()
    found = re.fullmatch(r"Thinking · (\d+) s|Thinking · (\d+) min (\d+) s", label)
    assert found, label
    if found[1]:
        return int(found[1])
    return int(found[2]) * 60 + int(found[3])


def test_a_long_hidden_think_says_thinking_and_answers_from_one_request(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    before = len(slow_server.message_requests())
    slow_server.enqueue(Script(text="After a long think: **42**.", thinking="Weighing every option.",
                               thinking_seconds=10.0, ping_interval=1.0))  # fmt: skip
    widget = show_widget(page, lab, "hidden-thinking.ipynb", HIDDEN_NOTEBOOK)
    label = widget.locator("[data-role=typing-label]")
    page.wait_for_function("el => /Thinking · [1-9]/.test(el.textContent)", arg=label.element_handle())
    first = seconds_shown(widget)
    page.wait_for_timeout(3000)
    assert seconds_shown(widget) >= first + 2  # it counts
    RESULTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(RESULTS / "thinking-hidden.png"))
    page.wait_for_function("el => /Thinking · ([5-9]|[1-9]\\d) s/.test(el.textContent)", arg=label.element_handle(),
                           timeout=60_000)  # past the stall timeout twice over, still thinking, no banner  # fmt: skip
    assert widget.locator("[data-role=error]").is_hidden()
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=60_000)
    assert "After a long think: 42." in widget.locator("[data-role=content]").inner_text()
    assert widget.locator("[data-role=typing]").is_hidden()
    assert widget.locator("[data-role=thinking]").is_hidden()  # nothing of a hidden think to show
    assert len(slow_server.message_requests()) == before + 1  # one request, never re-sent


def test_summarized_thinking_streams_live_with_its_time(lab: Lab, page: Any, slow_server: FakeAnthropic) -> None:
    summary = "First, what is being asked. Then the cases one by one, and which of them matters most. " * 3
    slow_server.enqueue(Script(text="The answer.", thinking=summary, thinking_seconds=6.0, chunk_size=12))
    widget = show_widget(page, lab, "summarized-thinking.ipynb", SUMMARIZED_NOTEBOOK)
    thinking = widget.locator("[data-role=thinking]")
    page.wait_for_function("el => el.open && el.textContent.includes('what is being asked')",
                           arg=thinking.element_handle())  # fmt: skip
    partial = thinking.locator(".cw-thinking-text").inner_text()
    assert len(partial) < len(summary.strip())  # streaming, not all at once
    page.wait_for_function("el => /Thinking · \\d+ s/.test(el.querySelector('summary').textContent)",
                           arg=thinking.element_handle())  # fmt: skip
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle())
    assert re.match(r"Thought for \d+ s", thinking.locator("summary").inner_text())
    assert (thinking.locator(".cw-thinking-text").text_content() or "").strip() == summary.strip()  # collapsed


def test_the_narration_between_two_tool_calls_shows_between_the_cards(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(
        Script(text="Let me check Lisbon first.", tool_use={"name": "get_weather", "input": {"city": "Lisbon"}}),
        Script(text="Now Porto.", tool_use={"name": "get_weather", "input": {"city": "Porto"}}),
        Script(text="Both are at **18 °C**."),
    )
    widget = show_widget(page, lab, "narration.ipynb", TOOLS_NOTEBOOK)
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle())
    notes = widget.locator("[data-role=tool-note]").all_inner_texts()
    assert notes == ["Let me check Lisbon first.", "Now Porto."]
    order = page.evaluate(
        "el => [...el.querySelectorAll('[data-role=tool-note], [data-role=tool-input], [data-role=content] p')]"
        ".map(n => n.textContent.trim())",
        widget.element_handle(),
    )
    assert order.index("Let me check Lisbon first.") < order.index("Now Porto.")
    assert "Both are at 18 °C." in widget.locator("[data-role=content]").inner_text()
    RESULTS.mkdir(exist_ok=True)
    widget.screenshot(path=str(RESULTS / "thinking-narration.png"))
