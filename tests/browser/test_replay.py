"""A replayed answer as the reader sees it in JupyterLab (issue 24): the same answer, marked "replayed · answered …
· saved …", with Ask again, which asks Claude for real in the same widget."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import RESULTS, ROOT, Lab, show_widget

pytestmark = pytest.mark.browser

QUESTION = "Which month stands out? (replay marker 7f3a)"
NOTEBOOK = (
    f"from claude_widget import Chat\nfirst = Chat().send({QUESTION!r})\nfirst",  # asked, and kept
    "await first",
    f"again = Chat(replay=True).send({QUESTION!r})\nagain",
)


def test_a_replayed_answer_is_marked_and_ask_again_asks_claude_in_the_same_widget(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    answer = "**March** stands out: units fell by a third.\n\n| month | units |\n|---|---|\n| Feb | 135 |\n| Mar | 90 |"
    backend.enqueue(Script(text=answer), Script(text="Asked anew: **June** is the high point.", delay=0.01))
    before = len(backend.message_requests())
    show_widget(page, lab, "replayed.ipynb", *NOTEBOOK)
    page.wait_for_function("() => document.querySelectorAll('.cw-root[data-status=done]').length === 2",
                           timeout=60_000)  # fmt: skip
    first, again = page.locator(".cw-root").all()
    assert len(backend.message_requests()) == before + 1  # the second was not asked
    assert again.locator("[data-role=content]").inner_html() == first.locator("[data-role=content]").inner_html()
    assert first.locator("[data-role=replay]").is_hidden()  # asked now: no mark

    mark = again.locator("[data-role=replay]")
    assert mark.is_visible()
    text = mark.locator("[data-role=replay-text]").inner_text()
    assert text.startswith(f"replayed · answered {dt.date.today().isoformat()} · saved $")
    RESULTS.mkdir(exist_ok=True)
    again.screenshot(path=str(RESULTS / "replayed.png"))
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(RESULTS / "replayed.png", ROOT / "docs" / "images" / "replayed.png")

    again.locator("[data-role=ask-again]").click()
    page.wait_for_function(
        "el => el.dataset.status === 'done' && el.textContent.includes('Asked anew')",
        arg=again.element_handle(),
        timeout=60_000,
    )
    assert len(backend.message_requests()) == before + 2
    assert mark.is_hidden()  # asked for real now
    assert "March" not in again.locator("[data-role=content]").inner_text()
