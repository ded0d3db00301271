"""In a real IPython kernel (via nbclient): the stream runs on the library's loop thread and cells return at once."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

import claude_widget
from claude_widget.api.request_tokens import estimate_input_tokens
from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import SHOWN_BY_JUPYTERLAB, TEST_KEY, run_notebook, shared_kernel

pytestmark = pytest.mark.kernel

# A cell's lines that wait (awaiting, so the kernel goes on) until the answer `w` has connected, 30 s at most.
UNTIL_CONNECTED = (
    "import time\nend = time.monotonic() + 30\n"
    "while w.status == 'connecting' and time.monotonic() < end:\n    await asyncio.sleep(0.02)\n"
)
ANSWER = "A kernel-side answer with **markdown** and ünïcödé 🎉. " * 30


def run_cells(*sources: str, kernel: KernelManager | None = None) -> list[str]:
    """Execute the cells in a kernel as JupyterLab's server starts it (a fresh one, or `kernel`); return each cell's
    stdout."""
    notebook = run_notebook(*sources, env=SHOWN_BY_JUPYTERLAB, kernel=kernel)
    return ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream") for cell in notebook.cells]


@pytest.fixture(scope="module")
def lab_kernel() -> Iterator[KernelManager]:
    """One kernel as JupyterLab's server starts it, for the tests here that do not need a fresh one."""
    with shared_kernel(SHOWN_BY_JUPYTERLAB) as kernel:
        yield kernel


def test_exact_text_and_usage_in_a_notebook_and_cells_return_while_streaming(
    server: FakeAnthropic, lab_kernel: KernelManager
) -> None:
    script = Script(text=ANSWER, chunk_size=4, delay=0.004)
    server.enqueue(script)
    outputs = run_cells(
        f"from claude_widget import Chat\nchat = Chat(api_key={TEST_KEY!r}, base_url={server.url!r})",
        "w = chat.send('hi')\nprint(w.status)",
        # Other cells run while it streams (however long a loaded machine takes to connect).
        f"import asyncio\n{UNTIL_CONNECTED}print(1 + 1, w.status)",
        "print(w.wait() == w.text, w.status)",  # blocking the main thread does not block the stream
        "import json\ntext = await w\nprint(json.dumps({'text': text, 'status': w.status, 'usage': w.usage}))",
        kernel=lab_kernel,
    )
    assert outputs[1].strip() == "connecting"  # send() returned before any answer
    assert outputs[2].strip() == "2 streaming"
    assert outputs[3].strip() == "True done"
    result = json.loads(outputs[4])
    assert result["text"] == ANSWER
    assert result["status"] == "done"
    assert result["usage"]["output_tokens"] == script.output_tokens
    assert result["usage"]["input_tokens"] == estimate_input_tokens(server.message_requests()[0].body)


def test_stop_in_a_notebook_while_the_kernel_runs_other_cells(server: FakeAnthropic, lab_kernel: KernelManager) -> None:
    server.enqueue(Script(text="x" * 40000, delay=0.002))
    outputs = run_cells(
        f"from claude_widget import Chat\nchat = Chat(api_key={TEST_KEY!r}, base_url={server.url!r})",
        f"import asyncio\nw = chat.send('hi')\n{UNTIL_CONNECTED}print(w.status)",
        "w._handle_msg({'content': {'data': {'method': 'custom', 'content': {'intent': 'stop'}}}})  # the Stop button\n"
        "await w\nprint(w.status, len(w.text))",
        kernel=lab_kernel,
    )
    assert outputs[1].strip() == "streaming"
    status, length = outputs[2].split()
    assert status == "stopped" and 0 < int(length) < 40000
    request = server.message_requests()[0]
    assert request.done.wait(2) and request.client_closed_at is not None


@pytest.mark.slow  # a cell sleeps past the default stall_timeout (30 s): that wait is the point
def test_the_stream_goes_on_while_the_next_cell_blocks_and_no_block_looks_like_a_stall(server: FakeAnthropic) -> None:
    # Two answers of about 40 s each: one with a 1 s stall_timeout, one with the default (30 s).
    server.enqueue(*[Script(text="steady " * 600, chunk_size=4, delay=0.04) for _ in range(2)])
    outputs = run_cells(
        f"from claude_widget import Chat\nimport time\nkw = dict(api_key={TEST_KEY!r}, base_url={server.url!r})\n"
        "short, default = Chat(stall_timeout=1, **kw), Chat(**kw)",
        # (however long a loaded machine takes to connect: both are streaming while this cell runs)
        "a, b = short.send('a'), default.send('b')\nend = time.monotonic() + 30\n"
        "while {a.status, b.status} != {'streaming'} and time.monotonic() < end:\n    time.sleep(0.05)\n"
        "print(a.status, b.status)",
        # A cell that sleeps longer than the default stall_timeout: the answers grow meanwhile.
        "n = len(a.text), len(b.text)\ntime.sleep(31)\nprint(len(a.text) - n[0] > 500, len(b.text) - n[1] > 500)",
        # A cell keeping the GIL for 2.5 s in one C call: nothing else runs, and the loop's check comes late.
        # (calibrated on the fastest of five runs: a run may also wait for the GIL, which the streams share)
        "import timeit\nunit = min(timeit.repeat('sum(range(10**6))', number=1, repeat=5))\n"
        "t = time.perf_counter(); sum(range(int(2.5 / unit * 10**6))); print(time.perf_counter() - t > 1.5)",
        # A pure-Python loop: the GIL is shared, the answers keep growing.
        "n = len(a.text)\nend = time.monotonic() + 3\nwhile time.monotonic() < end:\n    pass\nprint(len(a.text) > n)",
        "await a\nawait b\nprint([x.outcome for x in a.attempts + b.attempts], a.status, b.status)",
    )
    assert outputs[1].split() == ["streaming", "streaming"]
    assert outputs[2].split() == ["True", "True"]
    assert outputs[3].strip() == "True"
    assert outputs[4].strip() == "True"
    assert outputs[5].strip() == "['done', 'done'] done done"  # one request each: no spurious reconnect
    assert len(server.message_requests()) == 2


def test_user_errors_show_the_users_line_and_the_message_without_the_librarys_frames() -> None:
    cells = [
        "from claude_widget import Chat",
        "Chat()",  # no key
        "chat = Chat(offline=True)\nchat.send(123)",  # not a prompt
        "chat.send('  ')",  # an empty one
        "chat.send('What is this?', object())",  # nothing the API can take
        "w = Chat(offline=True, model='claude-sonet-5-5').send('hi')\nawait w",  # a model that does not exist
        "try:\n    chat.send(123)\nexcept TypeError as e:\n    print('caught', type(e).__name__)",
    ]
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"} | SHOWN_BY_JUPYTERLAB
    NotebookClient(notebook, timeout=60, kernel_name="python3", allow_errors=True).execute(env=env)
    errors = [[o for o in cell.outputs if o.output_type == "error"] for cell in notebook.cells]
    expected = [
        (None, ""),
        ("MissingAPIKeyError", "Chat()"),
        ("PromptTypeError", "chat.send(123)"),
        ("EmptyPromptError", "chat.send('  ')"),
        ("AttachmentTypeError", "chat.send('What is this?', object())"),
        ("StreamError", "await w"),
        (None, ""),
    ]
    library = str(Path(claude_widget.__file__).parent)
    for n, (outputs, (name, line)) in enumerate(zip(errors, expected, strict=True)):
        if name is None:
            assert outputs == [], n
            continue
        [error] = outputs
        shown = "\n".join(error.traceback)
        assert error.ename == name
        assert library not in shown and "site-packages" not in shown and "File " not in shown, shown
        assert f"Cell In[{n + 1}]" in shown and line in shown  # the user's own line, as IPython names it
        assert shown.endswith(f"{name}\x1b[0m: {error.evalue}")
        assert len(shown.splitlines()) == 4
    assert "Unknown model 'claude-sonet-5-5'" in errors[5][0].evalue
    assert notebook.cells[6].outputs[0].text == "caught PromptTypeError\n"  # still a TypeError to `except`
