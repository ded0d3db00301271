"""What crosses the websocket for one answer, what a reloaded page finds, and what a notebook reopened on a new
server shows with the settings a fresh install leaves (the saved answers, rendered by JupyterLab)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.demo import SSE_ANSWER
from claude_widget.widget.display import ANSWER_MIME

from ..support.lab import write_kernelspec
from .conftest import Lab, open_notebook, run_all_cells, serving, show_widget

pytestmark = [pytest.mark.browser, pytest.mark.own_page]  # pages reloaded and reopened
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
TOGGLE = """async ([id, on]) => {
    const commands = window.jupyterapp.commands;
    if (commands.isToggled(id) !== on) await commands.execute(id);
}"""


def test_saved_widget_state_holds_the_whole_answer_the_front_end_built(
    lab: Lab, page: Any, slow_server: FakeAnthropic
) -> None:
    slow_server.enqueue(Script(text=ANSWER, chunk_size=4, delay=0.001))
    widget = show_widget(page, lab, "saved.ipynb", "from claude_widget import Chat\nChat().send('hi')")
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=30_000)
    page.evaluate(TOGGLE, [SAVE_WIDGET_STATE, True])  # JupyterLab's "Save Widget State Automatically"
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
        page.evaluate(TOGGLE, [SAVE_WIDGET_STATE, False])


SECOND = "A second, shorter answer: it ends here, marker 51c9."
ANSWERS = "from claude_widget import Chat\nChat().send('Explain server-sent events')", "Chat().send('And briefly?')"
SHOWN = "() => document.querySelectorAll('.cw-answer-output[data-shown={}]').length === 2"


def answer_and_save(lab: Lab, backend: FakeAnthropic, page: Any, *, widget_state: bool = False) -> None:
    """On a first server: run two answers (the demo's, with a heading, code, a table and math; then a short one),
    save the notebook (with widget state if asked), and shut its kernel down."""
    backend.enqueue(Script(text=SSE_ANSWER, chunk_size=24), Script(text=SECOND))
    lab.add_notebook("answers.ipynb", *ANSWERS)
    open_notebook(page, lab, "answers.ipynb")
    run_all_cells(page)
    page.wait_for_function(SHOWN.format("live") + " && document.querySelectorAll('.cw-root[data-status=done]')"
                           ".length === 2", timeout=60_000)  # fmt: skip
    if widget_state:
        page.evaluate(TOGGLE, [SAVE_WIDGET_STATE, True])
    try:
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        path = lab.root / "answers.ipynb"
        deadline = time.monotonic() + 10
        # Both outputs' final entries: a streaming answer's output carries the entry too, marked (widget/display.py).
        while (text := path.read_text()).count(ANSWER_MIME) < 2 or '"streaming": true' in text:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert ("widget-state" in path.read_text()) is widget_state
    finally:
        if widget_state:  # the shared server's setting, as it was
            page.evaluate(TOGGLE, [SAVE_WIDGET_STATE, False])
    lab.shut_down_kernels()


@contextmanager
def new_server(lab: Lab, backend: FakeAnthropic) -> Iterator[Lab]:
    """A new Jupyter server on the first one's folder, whose kernels start on the kernelspec the notebook names."""
    write_kernelspec(lab.root / ".jupyter-data", lab.kernel, lab.kernel_env)
    with serving(lab.kind, lab.root, backend) as new:
        yield new


def assert_saved_answers_shown(page: Any) -> None:
    """Both answers show from their saved markdown, rendered by JupyterLab: no error where a widget was."""
    page.wait_for_function(
        SHOWN.format("saved") + " && document.querySelectorAll('.cw-answer-output .jp-RenderedMarkdown').length === 2"
        " && document.querySelector('.cw-answer-output mjx-container') !== null",
        timeout=60_000,
    )
    first, second = page.locator(".cw-answer-output").all()
    assert first.locator("h2").inner_text().strip().startswith("Server-sent events in one minute")
    assert "import anthropic" in first.locator("pre").nth(1).inner_text()
    assert first.locator("table tr").count() == 5  # the header row and four events
    assert first.locator("mjx-container").count() >= 3  # inline and display math, typeset
    assert "marker 51c9" in second.inner_text()
    assert "Error displaying widget" not in page.locator(".jp-Notebook").inner_text()


def current(page: Any, expression: str) -> Any:
    """`expression` about the current notebook panel (`nb`)."""
    return page.evaluate(f"() => {{ const nb = window.jupyterapp.shell.currentWidget; return {expression}; }}")


def test_jupyterlab_reopened_on_a_new_server_shows_the_saved_answers_with_no_kernel_then_a_new_one(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    answer_and_save(lab, backend, page)
    saved = json.loads((lab.root / "answers.ipynb").read_text())
    assert "widgets" not in saved["metadata"]  # no widget state (the default), so no model to restore
    assert (lab.root / "answers.ipynb").stat().st_size < 40_000  # the answers' text, not the ~850 KB bundle
    first = lab

    with new_server(first, backend) as lab:
        # Opened with no kernel at all ("No Kernel"): nothing could hold the answers' models.
        page.goto(f"{lab.url}/lab/workspaces/{uuid.uuid4().hex[:8]}")
        page.wait_for_function("() => window.jupyterapp?.shell?.currentWidget !== undefined", timeout=90_000)
        page.evaluate("""async () => {
            const app = window.jupyterapp;
            await app.restored;
            app.docRegistry.getWidgetFactory('Notebook')._preferKernel = false;  // as "No Kernel" does
            await app.commands.execute('docmanager:open', {path: 'answers.ipynb'});
        }""")
        assert_saved_answers_shown(page)
        assert current(page, "nb.sessionContext.session?.kernel ?? null") is None

        # A new kernel started, and the page opened again on it: still the saved answers.
        current(page, "void nb.sessionContext.changeKernel({name: 'python3'})")
        page.wait_for_function("() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status"
                               " === 'idle'", timeout=90_000)  # fmt: skip
        open_notebook(page, lab, "answers.ipynb")
        assert_saved_answers_shown(page)

    # The user turned the extension off (for them: the test's config directory): JupyterLab's own behaviour for a
    # widget without its model.
    config = {**os.environ, "JUPYTER_CONFIG_DIR": str(first.root / ".jupyter-config")}
    disable = [sys.executable, "-m", "jupyter", "labextension", "disable", "claude-widget", "--level=user"]
    subprocess.run(disable, check=True, env=config, capture_output=True)
    with new_server(first, backend) as lab:
        open_notebook(page, lab, "answers.ipynb")
        page.wait_for_function("() => document.querySelectorAll('.jp-OutputArea-output').length === 2"
                               " && document.querySelector('.jp-Notebook').innerText.includes("
                               "'Error displaying widget: model not found')", timeout=60_000)  # fmt: skip
        assert page.locator(".cw-answer-output").count() == 0


def test_notebook_7_reopened_on_a_new_server_shows_the_saved_answers(
    notebook7: Lab, page: Any, backend: FakeAnthropic
) -> None:
    answer_and_save(notebook7, backend, page)
    with new_server(notebook7, backend) as lab:
        open_notebook(page, lab, "answers.ipynb")  # which starts a new kernel
        assert_saved_answers_shown(page)


def test_with_saved_widget_state_a_reopened_notebook_shows_the_widgets_themselves(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    answer_and_save(lab, backend, page, widget_state=True)  # the user's choice: JupyterLab's setting
    with new_server(lab, backend) as lab:
        open_notebook(page, lab, "answers.ipynb")
        page.wait_for_function(SHOWN.format("live") + " && document.querySelectorAll('.cw-root[data-status=done]')"
                               ".length === 2", timeout=60_000)  # fmt: skip
        # textContent: JupyterLab skips rendering cells outside the viewport (content-visibility), so their innerText
        # can be empty while the widget is there.
        assert "marker 51c9" in (page.locator(".cw-root").nth(1).text_content() or "")


def test_a_closed_answer_widget_leaves_its_saved_answer_in_its_place(lab: Lab, page: Any) -> None:
    cell = "from claude_widget import Chat\nw = Chat(offline=True).send('Explain server-sent events')\nw"
    lab.add_notebook("closed.ipynb", cell)
    open_notebook(page, lab, "closed.ipynb")
    run_all_cells(page)
    live = ".cw-answer-output[data-shown=live] .cw-root[data-status=done]"
    page.wait_for_function(f"() => document.querySelector('{live}') !== null", timeout=60_000)
    current(page, "void nb.sessionContext.session.kernel.requestExecute({code: 'w.close()'})")
    # The model goes away with its comm (JupyterLab would leave an empty output); the answer stays.
    page.wait_for_function("() => document.querySelector('.cw-answer-output[data-shown=saved] h2') !== null",
                           timeout=60_000)  # fmt: skip
    assert page.locator(".cw-root").count() == 0
    assert page.locator(".cw-answer-output h2").inner_text().strip().startswith("Server-sent events in one minute")


def test_a_notebook_saved_mid_answer_shows_what_it_saved_once_its_kernel_is_gone(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    """Its output's saved markdown says Claude was still answering; there is no model to wait for (it showed
    "Loading widget..." for good)."""
    backend.enqueue(Script(text="Streaming slowly. " * 400, delay=0.02))
    lab.add_notebook("midway.ipynb", "from claude_widget import Chat\nChat().send('go')")
    open_notebook(page, lab, "midway.ipynb")
    run_all_cells(page)
    page.wait_for_function("() => document.querySelector('.cw-root')?.dataset.status === 'streaming'",
                           timeout=60_000)  # fmt: skip
    page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
    path = lab.root / "midway.ipynb"
    deadline = time.monotonic() + 30
    while '"streaming": true' not in path.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert '"streaming": true' in path.read_text()
    lab.shut_down_kernels()
    open_notebook(page, lab, "midway.ipynb")  # a new page and a new kernel: the answer's model is gone
    saved = page.locator(".cw-answer-output[data-shown=saved] .jp-RenderedMarkdown")
    saved.wait_for(timeout=60_000)
    assert "still answering" in (saved.text_content() or "")
    assert "Loading widget" not in (page.locator(".jp-Notebook").text_content() or "")
