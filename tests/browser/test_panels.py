"""Thinking, tool cards, the Continue notice and the event inspector, in JupyterLab + Chromium."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import ROOT, Lab, show_widget

pytestmark = pytest.mark.browser
RESULTS = ROOT / "test-results"

TOOL_NOTEBOOK = '''
from claude_widget import Chat

def get_weather(city: str) -> dict:
    """Get the current weather in a city.

    Args:
        city: The city.
    """
    return {"city": city, "temperature_c": 18}

chat = Chat(tools=[get_weather], model="claude-haiku-5-5")  # its text before a tool call is text, not thinking
w = chat.send("Weather in Lisbon?")
w
'''


def wait_for(page: Any, script: str, element: Any) -> None:
    page.wait_for_function(script, arg=element.element_handle())


def test_thinking_streams_open_then_collapses_and_a_tool_card_sits_in_the_answer(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(
        Script(text="Let me check the weather.", thinking="The user wants the weather in Lisbon. " * 6,
               tool_use={"name": "get_weather", "input": {"city": "Lisbon"}}, delay=0.03),
        Script(text="It is **18 °C** in Lisbon.", delay=0.03),
    )  # fmt: skip
    widget = show_widget(page, lab, "tools.ipynb", TOOL_NOTEBOOK)
    thinking = widget.locator("[data-role=thinking]")
    wait_for(page, "el => el.open && el.textContent.includes('weather in Lisbon')", thinking)  # open while thinking
    wait_for(page, "el => !el.open", thinking)  # collapsed once the answer starts
    assert (
        "Thought" in thinking.locator("summary").inner_text() or "Thinking" in thinking.locator("summary").inner_text()
    )

    card = widget.locator("[data-role=tool-card]")
    wait_for(page, "el => el.dataset.status === 'done'", card)
    assert '"city": "Lisbon"' in card.locator("[data-role=tool-input]").inner_text()
    assert '"temperature_c": 18' in card.locator("[data-role=tool-result]").inner_text()
    wait_for(page, "el => el.dataset.status === 'done'", widget)
    content = widget.locator("[data-role=content]")
    assert content.inner_text().index("Let me check the weather.") < content.inner_text().index("18 °C")
    # The card sits between the text before the call and the text after it.
    order = page.evaluate(
        "el => [...el.querySelector('[data-role=content]').children].map(c => c.dataset.role || c.textContent.trim())",
        widget.element_handle(),
    )
    assert order[0].startswith("Let me check") and order[1] == "tool-card" and "18 °C" in order[2]
    assert "thinking" in widget.locator("[data-role=tokens]").inner_text()

    thinking.locator("summary").click()  # reopenable
    wait_for(page, "el => el.open", thinking)

    widget.locator("[data-role=inspect]").click()
    inspector = widget.locator("[data-role=inspector]")
    inspector.wait_for(state="visible")
    wait_for(page, "el => el.textContent.includes('message_stop')", inspector)
    stats = inspector.locator("[data-role=inspector-stats]").inner_text()
    assert "first token after" in stats and "events" in stats
    assert inspector.locator("svg [data-role=timeline-path]").get_attribute("d").startswith("M0,60")
    events = inspector.locator("[data-role=events] li").all_inner_texts()
    assert any("request" in e for e in events) and any("input_json_delta" in e for e in events)
    RESULTS.mkdir(exist_ok=True)
    widget.screenshot(path=RESULTS / "inspector.png")
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(RESULTS / "inspector.png", ROOT / "docs" / "images" / "inspector.png")


def test_the_inspector_of_a_long_answer_keeps_how_it_began_and_its_timeline_has_axes(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    text = "Each delta is four characters long. " * 84  # 756 text deltas: far more events than the list keeps
    slow_server.enqueue(Script(text=text, delay=0.002, first_delay=0.3))
    widget = show_widget(page, lab, "long-inspect.ipynb", "from claude_widget import Chat\nw = Chat().send('go')\nw")
    widget.locator("[data-role=inspect]").click()
    inspector = widget.locator("[data-role=inspector]")
    inspector.wait_for(state="visible")
    wait_for(page, "el => el.dataset.status === 'done'", widget)
    wait_for(page, "el => el.textContent.includes('message_stop')", inspector)
    rows = inspector.locator("[data-role=events] li:not([data-role=events-gap])")
    kinds = rows.evaluate_all("items => items.map(li => li.dataset.kind)")
    assert kinds[:3] == ["request", "message_start", "content_block_start"]  # how the answer began
    assert kinds[-1] == "message_stop"  # and how it ends
    count = int(inspector.locator("[data-role=inspector-stats]").inner_text().split(" events")[0])
    assert count > 756 and len(kinds) == 250  # bounded: the first 50 and the latest 200
    gap = inspector.locator("[data-role=events-gap]")
    assert gap.is_visible() and gap.inner_text() == f"… {count - 250:,} events not shown …"
    numbers = rows.evaluate_all("items => items.map(li => li.value)")
    assert numbers[:50] == list(range(1, 51)) and numbers[50:] == list(range(count - 199, count + 1))
    # The timeline's axes: seconds from the request below it, the deltas received beside it.
    ticks = inspector.locator("[data-role=timeline-x] span").all_inner_texts()
    assert ticks[0] == "0 s" and len(ticks) >= 2 and all(t.endswith(" s") for t in ticks)
    assert inspector.locator("[data-role=timeline-y-max]").inner_text() == f"{len(text) // 4} deltas"
    assert "seconds from the request" in inspector.inner_text()
    gap.evaluate("li => { li.parentElement.scrollTop = li.offsetTop - li.parentElement.offsetTop - 60; }")
    RESULTS.mkdir(exist_ok=True)
    inspector.screenshot(path=RESULTS / "inspector-long-answer.png")


def test_the_inspector_stays_open_through_the_finished_answers_final_update(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(Script(text="A short answer, streamed slowly. " * 8, delay=0.02))
    widget = show_widget(page, lab, "inspect.ipynb", "from claude_widget import Chat\nw = Chat().send('go')\nw")
    widget.locator("[data-role=inspect]").click()
    widget.locator("[data-role=inspector]").wait_for(state="visible")
    page.evaluate("el => { el.dataset.first = 'yes'; }", widget.element_handle())
    wait_for(page, "el => el.dataset.status === 'done'", widget)
    # At the end the kernel brings the output's markdown up to date: the same view stays (issue 23, item 8).
    page.wait_for_function("() => window.jupyterapp.shell.currentWidget.content.widgets[0].model.outputs.get(0)"
                           "?.data['application/vnd.claude-widget.answer+json']?.streaming === undefined")  # fmt: skip
    assert page.locator(".cw-root").count() == 1 and widget.get_attribute("data-first") == "yes"
    inspector = widget.locator("[data-role=inspector]")
    assert inspector.is_visible()
    assert widget.locator("[data-role=inspect]").get_attribute("aria-pressed") == "true"
    wait_for(page, "el => el.textContent.includes('message_stop')", inspector)


def test_an_answer_cut_at_the_token_limit_continues_in_place(lab: Lab, page: Any, slow_server: FakeAnthropic) -> None:
    full = "This answer is long enough to reach the token limit, and Continue finishes it where it stopped."
    slow_server.enqueue(Script(text=full[:50], stop_reason="max_tokens", delay=0.01), Script(text=full, delay=0.01))
    widget = show_widget(page, lab, "limit.ipynb", "from claude_widget import Chat\nw = Chat().send('go')\nw")
    notice = widget.locator("[data-role=notice]")
    notice.wait_for(state="visible")
    assert "token limit" in notice.inner_text()
    widget.locator("[data-role=continue]").click()
    wait_for(page, f"el => el.textContent.includes({full[-30:]!r})", widget.locator("[data-role=content]"))
    wait_for(page, "el => el.dataset.status === 'done'", widget)
    assert " ".join(widget.locator("[data-role=content]").inner_text().split()) == full
    assert notice.is_hidden()
