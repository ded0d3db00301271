"""What crosses the websocket for one answer, and what a reloaded page finds."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import Lab, open_notebook, show_widget

pytestmark = pytest.mark.browser
MARKER = "and that is the whole answer, end marker 7f3a"
ANSWER = "## Reopened\n\n" + "Some prose that streams in small pieces. " * 100 + MARKER


def test_the_answer_crosses_the_wire_as_deltas_and_a_reloaded_page_shows_it_whole(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    received: list[str] = []
    page.on(
        "websocket",
        lambda ws: ws.on(
            "framereceived",
            lambda frame: received.append(frame if isinstance(frame, str) else frame.decode("utf-8", "replace")),
        ),
    )
    slow_server.enqueue(Script(text=ANSWER, chunk_size=4, delay=0.002))
    widget = show_widget(page, lab, "reopen.ipynb", "from claude_widget import Chat\nw = Chat().send('hi')\nw")
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=30_000)
    page.wait_for_function("el => el.textContent.includes('end marker 7f3a')", arg=widget.element_handle())

    # The front end follows the deltas, so the kernel never sends the full text as widget state: the whole
    # answer crossed the wire once, as the markdown kept for saved notebooks (the deltas carry it in pieces).
    page.wait_for_timeout(500)
    whole = json.dumps(ANSWER)[1:-1]  # as it is written inside a JSON message
    assert sum(frame.count(whole) for frame in received) == 1

    # A reloaded page asks the kernel for the widget's state, which holds the whole answer.
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(500)
    open_notebook(page, lab, "reopen.ipynb")
    reopened = page.locator(".cw-root").first
    page.wait_for_function(
        "el => el.dataset.status === 'done' && el.textContent.includes('end marker 7f3a')",
        arg=reopened.element_handle(),
        timeout=30_000,
    )
    assert reopened.locator("[data-role=content] h2").inner_text() == "Reopened"


def test_a_page_reloaded_mid_answer_catches_up_and_gets_every_word_once(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    words = [f"w{i:04d}" for i in range(1, 801)]
    slow_server.enqueue(Script(text=" ".join(words), chunk_size=6, delay=0.01))
    widget = show_widget(page, lab, "reload.ipynb", "from claude_widget import Chat\nw = Chat().send('hi')\nw")
    page.wait_for_function("el => el.textContent.includes('w0080')", arg=widget.element_handle(), timeout=30_000)
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    page.wait_for_timeout(300)
    # The new page's model starts from the text in the kernel's state, cannot read the compressed stream already
    # under way, asks for a resync once, and reads the new stream the kernel starts for it.
    open_notebook(page, lab, "reload.ipynb")
    reopened = page.locator(".cw-root").first
    page.wait_for_function("el => el.dataset.status === 'done'", arg=reopened.element_handle(), timeout=60_000)
    shown = page.evaluate(
        "el => el.querySelector('[data-role=content]').textContent.match(/w\\d{4}/g)", reopened.element_handle()
    )
    assert shown == words


SAVE_WIDGET_STATE = "@jupyter-widgets/jupyterlab-manager:saveWidgetState"


def test_saved_widget_state_holds_the_whole_answer_the_front_end_built(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(Script(text=ANSWER, chunk_size=4, delay=0.001))
    widget = show_widget(page, lab, "saved.ipynb", "from claude_widget import Chat\nChat().send('hi')")
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=30_000)
    toggle = """async ([id, on]) => {
        const commands = window.jupyterapp.commands;
        if (commands.isToggled(id) !== on) await commands.execute(id);
    }"""
    page.evaluate(toggle, [SAVE_WIDGET_STATE, True])  # JupyterLab's "Save Widget State Automatically"
    try:
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        path = lab.root / "saved.ipynb"
        deadline = time.monotonic() + 10
        while "widget-state" not in path.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)
        saved = json.loads(path.read_text())["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]
        answers = [m["state"] for m in saved["state"].values() if "text" in m["state"]]
        # The kernel never sent the text as state: the front end set it on its model from the deltas.
        assert [a["text"] for a in answers] == [ANSWER]
        assert answers[0]["status"] == "done"
    finally:
        page.evaluate(toggle, [SAVE_WIDGET_STATE, False])
