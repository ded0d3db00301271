"""Output that survives: the saved notebook carries the final answer as markdown, so nbconvert (and GitHub,
nbviewer) show it without a kernel; frozen outputs are plain markdown."""

from __future__ import annotations

import re
from collections.abc import Iterator

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbconvert import HTMLExporter, MarkdownExporter

from claude_widget.fake_server.demo import SSE_ANSWER
from claude_widget.widget.display import ANSWER_MIME

from .conftest import SHOWN_BY_JUPYTERLAB, TEST_KEY, run_notebook, shared_kernel

pytestmark = pytest.mark.kernel

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def lab_kernel() -> Iterator[KernelManager]:
    """One kernel as JupyterLab's server starts it, for the tests here that do not need a fresh one (a headless run
    does, and so does the bundle sent once per kernel)."""
    with shared_kernel(SHOWN_BY_JUPYTERLAB) as kernel:
        yield kernel


def execute(*sources: str, shown: bool = True, kernel: KernelManager | None = None) -> nbformat.NotebookNode:
    """Run the cells in a kernel as JupyterLab's server starts it (`shown`: a fresh one, or `kernel`), or in a
    fresh one headless, as nbclient does."""
    return run_notebook(*sources, env=SHOWN_BY_JUPYTERLAB if shown else None, kernel=kernel)


@pytest.mark.parametrize("shown", [True, False], ids=["kernel shown by JupyterLab", "headless"])
def test_an_executed_notebook_exports_the_final_answer_to_html_and_markdown(
    shown: bool, lab_kernel: KernelManager
) -> None:
    notebook = execute(
        "from claude_widget import Chat\nchat = Chat(offline=True)",
        "w = chat.send('Explain server-sent events')\nw",
        "text = await w",
        shown=shown,
        kernel=lab_kernel if shown else None,
    )
    [output] = notebook.cells[1].outputs
    assert (WIDGET_MIME in output.data) is shown  # the widget, for JupyterLab; headless answers are frozen
    assert (ANSWER_MIME in output.data) is shown  # what lets JupyterLab show the markdown once the widget is gone
    assert output.data["text/markdown"].startswith("> *Offline demo")  # updated to the final answer
    assert SSE_ANSWER.strip() in output.data["text/markdown"]
    if shown:
        assert output.data["text/plain"].startswith("ChatWidget(model='claude-sonnet-5-5', status=")

    html, _ = HTMLExporter().from_notebook_node(notebook)
    assert "Server-sent events in one minute" in html
    assert "no more tokens are billed" in html  # the last sentence of the answer
    markdown, _ = MarkdownExporter().from_notebook_node(notebook)
    assert "## Server-sent events in one minute" in markdown
    assert "the connection closes at once and no more tokens are billed" in markdown


def test_raw_html_from_the_model_is_escaped_in_the_fallback(lab_kernel: KernelManager) -> None:
    from claude_widget.fake_server import FakeAnthropic, Script

    payload = 'Look: <img src=x onerror="alert(1)"> and `<b>code</b>`\n\n```html\n<script>ok()</script>\n```\n'
    with FakeAnthropic(api_key=TEST_KEY) as server:
        server.enqueue(Script(text=payload))
        notebook = execute(
            f"from claude_widget import Chat\nchat = Chat(api_key={TEST_KEY!r}, base_url={server.url!r})",
            "w = chat.send('hi')\nw",
            "await w",
            kernel=lab_kernel,
        )
    markdown = notebook.cells[1].outputs[0].data["text/markdown"]
    assert "&lt;img src=x" in markdown and "<img" not in markdown
    assert "`<b>code</b>`" in markdown and "<script>ok()</script>" in markdown  # code is left as it is
    html, _ = HTMLExporter().from_notebook_node(notebook)
    # The saved widget state is JSON inside a non-executable script tag (with "</" escaped); the page itself
    # must not contain the tag as HTML.
    page = re.sub(r'<script type="application/vnd.jupyter.widget-state\+json">.*?</script>', "", html, flags=re.S)
    assert "<img src=x" not in page
    assert "&lt;img src=x" in page


def test_freeze_turns_the_widget_into_plain_markdown(lab_kernel: KernelManager) -> None:
    notebook = execute(
        "from claude_widget import Chat\nchat = Chat(offline=True)",
        "w = chat.send('Explain server-sent events')\nw",
        "await w\nw.freeze()",
        "frozen = Chat(offline=True, freeze=True)\nw2 = frozen.send('Explain server-sent events')\nw2",
        "await w2",
        kernel=lab_kernel,
    )
    for cell in (notebook.cells[1], notebook.cells[3]):
        [output] = cell.outputs
        assert WIDGET_MIME not in output.data
        assert "## Server-sent events in one minute" in output.data["text/markdown"]


def test_saved_widget_state_carries_the_front_end_bundle_once() -> None:
    import json

    notebook = execute(
        "from claude_widget import Chat\nchat = Chat(offline=True)",
        "w1 = chat.send('Hi')\nw1",
        "await w1\nw2 = chat.send('Hello again')\nw2",
        "await w2\nw3 = Chat(offline=True).send('Hi')\nw3",
        "await w3",
    )
    models = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    sizes = {model_id: len(json.dumps(model["state"])) for model_id, model in models.items()}
    bundles = [m for m in models.values() if len(m["state"].get("code", "")) > 100_000]
    assert len(bundles) == 1  # the shared assets model
    answers = [m for m in models.values() if "assets" in m["state"]]
    assert len(answers) == 3
    for answer in answers:
        assert answer["state"]["assets"] == "IPY_MODEL_" + next(k for k, m in models.items() if m in bundles)
    assert all(sizes[k] < 20_000 for k, m in models.items() if m in answers)  # each answer: loader + its text
