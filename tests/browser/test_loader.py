"""The loader (js/src/loader.js): the view evaluated once per page, and a widget that cannot reach the shared
assets model still shows its answer."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.demo import SSE_ANSWER

from .conftest import Lab, show_widget

pytestmark = [pytest.mark.browser, pytest.mark.own_page]  # what the page has loaded is the point
REGISTRY = "globalThis[Symbol.for('claude-widget.loader.v1')]"
MARKER = "end of the streamed answer 5c1e"
ANSWER = SSE_ANSWER + "\n" + "A few more words arrive, piece by piece. " * 20 + MARKER
# The front end is told of an assets model it does not know, as in a notebook reopened with partial state (or
# of none at all): the widget's loader must ask the kernel for the view's code.
UNKNOWN_ASSETS = {
    "unknown model": "'IPY_MODEL_' + '0' * 32",
    "no model": "None",
}


def hide_assets(ref: str) -> str:
    """Kernel code: every ChatWidget created after it sends `ref` as its `assets` reference."""
    return f"""from claude_widget import Chat, ChatWidget
ChatWidget.class_traits()['assets'].metadata['to_json'] = lambda value, widget: {ref}"""


def count_view_modules(page: Any) -> list[int]:
    """Record the length of every `blob:` script the page evaluates (each widget's loader is one, the shared
    assets model's empty module another, the view a ~470 KB one)."""
    cdp = page.context.new_cdp_session(page)
    lengths: list[int] = []
    cdp.on(
        "Debugger.scriptParsed",
        lambda event: event.get("url", "").startswith("blob:") and lengths.append(event.get("length", 0)),
    )
    cdp.send("Debugger.enable")
    return lengths


def sent_frames(page: Any) -> list[str]:
    frames: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framesent", lambda f: frames.append(f if isinstance(f, str) else f.decode("utf-8", "replace"))
        ),
    )
    return frames


def test_many_widgets_evaluate_the_view_once_and_add_its_styles_once(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    count = 8
    slow_server.enqueue(*[Script(text=f"## Answer {i}\n\nShort answer number {i}.") for i in range(count)])
    scripts = count_view_modules(page)
    show_widget(
        page, lab, "many.ipynb",
        f"from claude_widget import Chat\nfor i in range({count}): display(Chat().send(f'q{{i}}'))",
    )  # fmt: skip
    # All in one cell: the widgets start together (anywidget gives each model 2 s to initialize).
    page.wait_for_function(
        f"() => document.querySelectorAll('.cw-root[data-status=done]').length === {count}", timeout=60_000
    )
    for i in range(count):
        page.locator(".cw-root h2", has_text=f"Answer {i}").wait_for()
    views = [n for n in scripts if n > 100_000]
    assert len(views) == 1, f"the view was evaluated {len(views)} times for {count} widgets"
    assert len(scripts) == count + 2  # each widget's loader, the assets model's empty module, the view
    assert page.evaluate(f"() => {REGISTRY}.evaluated") == 1
    assert page.locator("style[data-claude-widget]").count() == 1


@pytest.mark.parametrize("ref", UNKNOWN_ASSETS.values(), ids=UNKNOWN_ASSETS.keys())
def test_a_widget_that_cannot_reach_the_assets_model_asks_the_kernel_and_streams(
    lab: Lab, page: Any, slow_server: FakeAnthropic, ref: str
) -> None:
    slow_server.enqueue(*[Script(text=ANSWER, chunk_size=4, delay=0.01, first_delay=0.3)] * 2)
    frames = sent_frames(page)
    name = "fallback-" + re.sub(r"\W", "", ref)[:12] + ".ipynb"
    # Two widgets: they share one request for the bundle. The deltas that arrive before the view's code are kept
    # and handed to it.
    show_widget(page, lab, name, hide_assets(ref), "a = Chat().send('one'); b = Chat().send('two')\ndisplay(a, b)")
    widgets = page.locator(".cw-root")
    page.wait_for_function("() => document.querySelectorAll('.cw-root').length === 2", timeout=30_000)
    first = widgets.first
    # It streams: text on screen while the status is still "streaming".
    page.wait_for_function(
        "el => el.dataset.status === 'streaming' && el.querySelector('[data-role=content]').textContent.length > 0",
        arg=first.element_handle(),
        timeout=30_000,
    )
    for widget in (first, widgets.nth(1)):
        page.wait_for_function(
            f"el => el.dataset.status === 'done' && el.textContent.includes({MARKER!r})",
            arg=widget.element_handle(),
            timeout=60_000,
        )
        assert widget.locator("[data-role=content] h2").inner_text() == "Server-sent events in one minute"
        shown = widget.locator("[data-role=content]").inner_text()
        assert shown.count("A few more words arrive, piece by piece.") == 20  # every delta, once
    requests = [f for f in frames if re.search(r'"intent": ?"bundle"', f)]
    assert len(requests) == 1, "each widget asked the kernel for the bundle"
    assert re.search(r'"id": ?"\w+"', requests[0])
    assert page.evaluate(f"() => {REGISTRY}.evaluated") == 1
    assert page.locator("style[data-claude-widget]").count() == 1


def test_a_bundle_request_the_kernel_never_answers_ends_in_a_clear_message(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(Script(text="never shown"))
    silent = """_send = ChatWidget.send
ChatWidget.send = lambda self, content, buffers=None: (
    None if isinstance(content, dict) and content.get('kind') == 'bundle' else _send(self, content, buffers))
w = Chat().send('hi'); w"""
    started = time.monotonic()
    show_widget(page, lab, "silent.ipynb", hide_assets(UNKNOWN_ASSETS["unknown model"]), silent)
    error = page.locator("[data-role=load-error]")
    error.wait_for(timeout=30_000)
    waited = time.monotonic() - started
    assert "did not send it within 10 s" in error.inner_text()
    assert "Re-run the cell" in error.inner_text()
    assert error.get_attribute("role") == "alert"
    assert (
        waited > 8
    )  # it gave the kernel its 10 s (the wait above bounds it: no timed upper limit on a shared machine)
