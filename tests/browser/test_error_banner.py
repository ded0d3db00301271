"""Faults as the user sees them in JupyterLab: a banner that counts down, recovery, and Retry."""

from __future__ import annotations

from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import Lab, screenshot, show_widget

pytestmark = pytest.mark.browser


def banner_text_is(page: Any, widget: Any, text: str) -> None:
    page.wait_for_function(
        "([el, text]) => el.textContent.includes(text)",
        arg=[widget.locator("[data-role=error]").element_handle(), text],
    )


def test_banner_counts_down_through_an_overload_then_the_answer_survives_a_drop(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    answer = "The answer survives a dropped connection. " * 12
    slow_server.enqueue(
        Script(status=529, headers={"retry-after": "6"}),
        Script(text=answer, delay=0.01, fault="drop", fault_after=150),
        Script(text=answer, delay=0.01),
    )
    widget = show_widget(
        page,
        lab,
        "overload.ipynb",
        "from claude_widget import Chat\nw = Chat().send('hi')\nw",
        f"text = await w\nprint(w.status, text == {answer!r}, len(w.attempts))",
    )
    banner = widget.locator("[data-role=error]")
    banner.wait_for(state="visible")
    assert banner.get_attribute("data-tone") == "warn"
    # It counts down from the 6 s the API asked for (however late the page saw it first).
    countdown = r"Claude is overloaded — retrying in (\d) s \(attempt 2 of 5\)"
    first = page.wait_for_function(
        "([el, pattern]) => { const m = el.textContent.match(new RegExp(pattern));"
        " return m && Number(m[1]) > 1 && m[1]; }",
        arg=[banner.element_handle(), countdown],
    ).json_value()
    banner_text_is(page, widget, f"Claude is overloaded — retrying in {int(first) - 1} s (attempt 2 of 5)")
    assert not widget.locator("[data-role=retry]").is_visible()  # the kernel retries by itself

    page.locator(".jp-OutputArea-output", has_text="done True 3").first.wait_for(timeout=60_000)  # after the drop
    assert page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle())
    assert banner.is_hidden()
    shown = " ".join(widget.locator("[data-role=content]").inner_text().split())
    assert shown == " ".join(answer.split())


def test_a_failed_request_offers_retry_and_retry_streams_the_answer(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(
        Script(status=400, error_message="max_tokens: 999999 > 64000, which is the maximum"),
        Script(text="Second time lucky.", delay=0.01),
    )
    widget = show_widget(page, lab, "retry.ipynb", "from claude_widget import Chat\nw = Chat().send('hi')\nw")
    banner = widget.locator("[data-role=error]")
    banner.wait_for(state="visible")
    page.wait_for_function("el => el.dataset.tone === 'error'", arg=banner.element_handle())
    assert "max_tokens: 999999 > 64000" in banner.inner_text()
    screenshot(widget, "error-banner.png", docs=True)
    retry = widget.locator("[data-role=retry]")
    retry.click()
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle())
    assert widget.locator("[data-role=content]").inner_text().strip() == "Second time lucky."
    assert banner.is_hidden()
