"""In a real IPython kernel (via nbclient): the stream is a task on the kernel's loop and cells return at once."""

from __future__ import annotations

import json

import nbformat
from nbclient import NotebookClient

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.api import estimate_input_tokens

from .conftest import TEST_KEY

ANSWER = "A kernel-side answer with **markdown** and ünïcödé 🎉. " * 30


def run_cells(*sources: str) -> list[str]:
    """Execute the cells in a fresh kernel; return each cell's stdout."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    return ["".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream") for cell in notebook.cells]


def test_exact_text_and_usage_in_a_notebook_and_cells_return_while_streaming(server: FakeAnthropic) -> None:
    script = Script(text=ANSWER, chunk_size=4, delay=0.004)
    server.enqueue(script)
    outputs = run_cells(
        f"from claude_widget import Chat\nchat = Chat(api_key={TEST_KEY!r}, base_url={server.url!r})",
        "w = chat.send('hi')\nprint(w.status)",
        "import asyncio\nawait asyncio.sleep(0.3)\nprint(1 + 1, w.status)",  # other cells run while it streams
        "try:\n    w.wait()\nexcept RuntimeError as e:\n    print('refused:', 'await w' in str(e))",
        "import json\ntext = await w\nprint(json.dumps({'text': text, 'status': w.status, 'usage': w.usage}))",
    )
    assert outputs[1].strip() == "connecting"  # send() returned before any answer
    assert outputs[2].strip() == "2 streaming"
    assert outputs[3].strip() == "refused: True"  # wait() on the kernel's loop would deadlock
    result = json.loads(outputs[4])
    assert result["text"] == ANSWER
    assert result["status"] == "done"
    assert result["usage"]["output_tokens"] == script.output_tokens
    assert result["usage"]["input_tokens"] == estimate_input_tokens(server.message_requests()[0].body)


def test_stop_in_a_notebook_while_the_kernel_runs_other_cells(server: FakeAnthropic) -> None:
    server.enqueue(Script(text="x" * 40000, delay=0.002))
    outputs = run_cells(
        f"from claude_widget import Chat\nchat = Chat(api_key={TEST_KEY!r}, base_url={server.url!r})",
        "import asyncio\nw = chat.send('hi')\nawait asyncio.sleep(0.5)\nprint(w.status)",
        "w._on_intent(w, {'intent': 'stop'}, [])  # what the Stop button sends\nawait w\nprint(w.status, len(w.text))",
    )
    assert outputs[1].strip() == "streaming"
    status, length = outputs[2].split()
    assert status == "stopped" and 0 < int(length) < 40000
    request = server.message_requests()[0]
    assert request.done.wait(2) and request.client_closed_at is not None
