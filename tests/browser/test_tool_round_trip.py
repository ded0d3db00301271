"""A tool round trip as a reader follows it (issue 22, item 6): each think where it happened, the card's Input and
Result labelled, its status in words while the kernel runs the function, and no silent wait for Claude's reply."""

from __future__ import annotations

from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import Lab, screenshot, show_widget

pytestmark = pytest.mark.browser

NOTEBOOK = '''
import time
from claude_widget import Chat

def get_weather(city: str) -> dict:
    """Get the current weather in a city.

    Args:
        city: The city.
    """
    time.sleep(3)  # a slow lookup: the card says what is happening meanwhile
    return {"city": city, "temperature_c": 18}

w = Chat(tools=[get_weather]).send("Weather in Lisbon?")
w
'''

# What the view shows, top to bottom: each section's role, or the start of its text.
ORDER = """el => [...el.querySelectorAll('[data-role=thinking], [data-role=tool-card], .cw-segment')]
    .filter(e => !e.hidden && e.textContent.trim() !== '')
    .map(e => e.dataset.role === 'thinking' ? 'thinking: ' + e.querySelector('.cw-thinking-text').textContent
              : e.dataset.role || e.textContent.trim())"""


def test_a_tool_round_trip_shows_each_think_in_order_with_its_card_labelled_and_no_silent_wait(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(
        Script(text="", thinking="First I look up the weather in Lisbon.",
               tool_use={"name": "get_weather", "input": {"city": "Lisbon"}}, delay=0.02),
        # Claude takes a moment before replying to the result: the view must say it waits.
        Script(text="It is **18 °C** in Lisbon.", thinking="The lookup says 18 degrees.", start_delay=2.5,
               delay=0.02),
    )  # fmt: skip
    widget = show_widget(page, lab, "round_trip.ipynb", NOTEBOOK)
    card = widget.locator("[data-role=tool-card]")
    status = card.locator("[data-role=tool-status]")
    page.wait_for_function("el => el.textContent === 'Calling get_weather…'", arg=status.element_handle(),
                           timeout=60_000)  # fmt: skip
    typing = widget.locator("[data-role=typing]")
    page.wait_for_function("el => !el.hidden && el.textContent.includes('Waiting for Claude…')",
                           arg=typing.element_handle(), timeout=30_000)  # fmt: skip
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=60_000)

    labels = card.locator(".cw-tool-label").all_inner_texts()
    assert [label.strip().lower() for label in labels] == ["input", "result"]
    assert '"temperature_c": 18' in card.locator("[data-role=tool-result]").inner_text()
    order = page.evaluate(ORDER, widget.element_handle())
    assert order == ["thinking: First I look up the weather in Lisbon.", "tool-card",
                     "thinking: The lookup says 18 degrees.", "It is 18 °C in Lisbon."], order  # fmt: skip
    for summary in widget.locator("[data-role=thinking] summary").all_inner_texts():
        assert summary.startswith("Thought")
    widget.locator("[data-role=thinking]").nth(1).locator("summary").click()  # open the second think to see it
    screenshot(widget, "tool-call.png", docs=True)
