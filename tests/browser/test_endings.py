"""How an answer ended, said in the widget itself (issue 22, item 9): a stopped answer no longer just ends
mid-word, and one that recovered from a dropped connection says that nothing was lost."""

from __future__ import annotations

from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import Lab, show_widget

pytestmark = pytest.mark.browser


def test_a_stopped_answer_and_a_recovered_one_say_how_they_ended(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    answer = "A long answer that streams for a while, so that there is time to stop it. " * 30
    slow_server.enqueue(Script(text=answer, delay=0.05))
    widget = show_widget(page, lab, "stopped.ipynb", "from claude_widget import Chat\nw = Chat().send('go')\nw")
    content = widget.locator("[data-role=content]").element_handle()
    page.wait_for_function("el => el.textContent.length > 100", arg=content, timeout=60_000)
    widget.locator("[data-role=stop]").click()
    page.wait_for_function("el => el.dataset.status === 'stopped'", arg=widget.element_handle(), timeout=30_000)
    notice = widget.locator("[data-role=notice]")
    notice.wait_for(state="visible")
    assert "Stopped before the end of the answer" in notice.inner_text()

    whole = "An answer that comes through a dropped connection whole."
    slow_server.enqueue(Script(text=whole, fault="drop", fault_after=20), Script(text=whole))
    widget = show_widget(page, lab, "recovered.ipynb", "from claude_widget import Chat\nw = Chat().send('go')\nw")
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=60_000)
    assert widget.locator("[data-role=content]").inner_text().strip() == whole
    notice = widget.locator("[data-role=notice]")
    notice.wait_for(state="visible")
    assert "Recovered: the stream was interrupted once (connection)" in notice.inner_text()


def test_a_later_turn_says_so_in_the_header_and_its_tooltip(lab: Lab, page: Any) -> None:
    """A re-run send cell continued the conversation with nothing shown (issue 22, item 9)."""
    cells = ["from claude_widget import Chat\nchat = Chat()\nfirst = chat.send('Explain server-sent events')\nfirst",
             "await first\nsecond = chat.send('And again?')\nsecond"]  # fmt: skip
    show_widget(page, lab, "turns.ipynb", *cells)
    page.wait_for_function("() => document.querySelectorAll('.cw-root[data-status=done]').length === 2",
                           timeout=90_000)  # fmt: skip
    first, second = page.locator(".cw-root").all()
    assert first.locator("[data-role=turn]").is_hidden()  # a first question is just a question
    assert second.locator("[data-role=turn]").inner_text() == "turn 2"
    second.locator("[data-role=tokens]").focus()  # (its breakdown shows on focus as on hover)
    tooltip = second.locator("[data-role=breakdown]")
    tooltip.wait_for(state="visible")
    assert "Turn 2 of a conversation: sent with the earlier turn (chat.reset() starts over)" in tooltip.inner_text()
