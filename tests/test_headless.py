"""Headless runs save final answers (headless.py): nbclient, `jupyter nbconvert --execute`, papermill, with the
answer's cell last and never awaited. The streams outlast their cells, so only waiting saves the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.widget import headless

from .conftest import SHOWN_BY_JUPYTERLAB, TEST_KEY, run_notebook

pytestmark = pytest.mark.kernel

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LAST = "And that is the last sentence of the answer."
ANSWER = "A headless answer with **markdown** that takes a while to stream. " * 20 + LAST


def notebook_of(*sources: str) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    return notebook


def kernel_env(server: FakeAnthropic) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}  # as nbclient, papermill and co. run
    return {**env, "ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_BASE_URL": server.url}


def slow(server: FakeAnthropic, *scripts: Script) -> None:
    server.enqueue(*(scripts or (Script(text=ANSWER, chunk_size=6, delay=0.004),)))  # ~1.5 s: outlasts its cell


def execute(server: FakeAnthropic, *sources: str) -> nbformat.NotebookNode:
    return run_notebook(*sources, env=kernel_env(server))


def final_markdown(cell: Any) -> str:
    [output] = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
    assert WIDGET_MIME not in output.data  # frozen: plain markdown, which every renderer shows as it is
    return str(output.data["text/markdown"])


@pytest.mark.parametrize(
    "last_cell",
    [
        "%%claude\nExplain streaming, headless.",
        "%claude Explain streaming, headless.",
        "from claude_widget import Chat\nw = Chat().send('Explain streaming, headless.')\nw",
    ],
    ids=["cell magic", "line magic", "unawaited send"],
)
def test_nbclient_saves_the_final_answer_of_a_last_cell_nobody_awaits(server: FakeAnthropic, last_cell: str) -> None:
    slow(server)
    notebook = execute(server, "%load_ext claude_widget", last_cell)
    markdown = final_markdown(notebook.cells[1])
    assert markdown.rstrip().endswith(LAST)
    assert "still answering" not in markdown
    # Saved widget state holds the answer's small model, never the front-end bundle (~830 KB).
    assert len(json.dumps(notebook.metadata)) < 60_000


def test_each_cell_waits_for_its_own_answers_and_a_failure_is_saved_as_its_error(server: FakeAnthropic) -> None:
    slow(server, Script(text=ANSWER, chunk_size=6, delay=0.004), Script(status=401))
    notebook = execute(
        server,
        "from claude_widget import Chat\nchat = Chat()\nw = chat.send('one')\nw",
        "print(w.status)  # the cell before waited for the answer",
        "chat.send('two')",
    )
    assert final_markdown(notebook.cells[0]).rstrip().endswith(LAST)
    assert notebook.cells[1].outputs[0].text.strip() == "done"
    assert "API key was rejected" in final_markdown(notebook.cells[2])


def test_a_replay_in_a_headless_run_saves_the_whole_recording(server: FakeAnthropic) -> None:
    notebook = execute(
        server,
        "from claude_widget import replay\nfrom claude_widget.recording import shipped\nreplay(shipped()[0], speed=4)",
    )
    assert "still answering" not in final_markdown(notebook.cells[0])
    assert "(stopped)" not in final_markdown(notebook.cells[0])


def test_nbconvert_execute_to_html_shows_the_final_answer(server: FakeAnthropic, tmp_path: Path) -> None:
    slow(server)
    path = tmp_path / "report.ipynb"
    nbformat.write(notebook_of("%load_ext claude_widget", "%%claude\nExplain streaming, headless."), path)
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--execute", "--to", "html", str(path)],
        env=kernel_env(server), check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    html = (tmp_path / "report.html").read_text()
    assert LAST in html
    assert "still answering" not in html


def test_papermill_saves_the_final_answer(server: FakeAnthropic, tmp_path: Path) -> None:
    slow(server)
    source, out = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(notebook_of("from claude_widget import Chat\nw = Chat().send('Summarize')\nw"), source)
    subprocess.run([sys.executable, "-m", "papermill", str(source), str(out), "--kernel", "python3"],
                   env=kernel_env(server), check=True, capture_output=True, timeout=120)  # fmt: skip
    assert final_markdown(nbformat.read(out, as_version=4).cells[0]).rstrip().endswith(LAST)


def test_in_a_kernel_a_jupyter_server_started_the_cell_returns_at_once(server: FakeAnthropic) -> None:
    slow(server)
    notebook = run_notebook(
        "from claude_widget import Chat\nw = Chat().send('hi')\nprint(w.status)",
        "import asyncio\nawait asyncio.sleep(0.3)\nprint(w.status)\nawait w",
        env={**kernel_env(server), **SHOWN_BY_JUPYTERLAB},
    )
    assert [cell.outputs[0].text.strip() for cell in notebook.cells] == ["connecting", "streaming"]


def test_outside_a_kernel_nothing_is_headless() -> None:
    assert not headless.is_headless()  # a plain process (pytest): scripts wait with w.wait() as they like


def test_a_saved_notebook_keeps_a_map_jobs_last_line_and_its_batch_ids(server: FakeAnthropic) -> None:
    server.batches.processing_time = 0.3
    notebook = execute(server, "from claude_widget import Chat\nchat = Chat()\n"
                               "job = chat.map(['a', 'b', 'c'], batch=True)\njob", "results = await job")  # fmt: skip
    [output] = [o for o in notebook.cells[0].outputs if o.output_type in ("display_data", "execute_result")]
    line = output.data["text/plain"]
    assert line.startswith("3/3 done · ") and "batches msgbatch_fake_" in line
