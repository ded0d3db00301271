"""Notebooks you can re-run (issue 24): a notebook executed by nbclient with replay on asks Claude once; run again it
sends no request and saves the same answers, with receipts; a third run needs no key; a changed DataFrame asks
exactly its one question again."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import nbformat
import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import TEST_KEY, run_notebook

pytestmark = pytest.mark.kernel

NOTEBOOK = (
    "import pandas as pd\nfrom claude_widget import Chat\nrows = {rows}\n"
    "df = pd.DataFrame({{'region': ['north', 'south'] * rows, 'units': list(range(2 * rows))}})\nchat = Chat()",
    "Chat().send('What stands out in df?', df)",
    "chat.send('Name one risk of averaging units.')",
    "chat.send('And what would you check next?')",  # a conversation: replayed turn by turn
)


def run(server: FakeAnthropic, store: Path, *, rows: int = 3, key: bool = True) -> nbformat.NotebookNode:
    env = {k: v for k, v in os.environ.items() if k not in ("JPY_SESSION_NAME", "ANTHROPIC_API_KEY")}
    env |= {"ANTHROPIC_BASE_URL": server.url, "CLAUDE_WIDGET_STORE": str(store), "CLAUDE_WIDGET_REPLAY": "1"}
    if key:
        env["ANTHROPIC_API_KEY"] = TEST_KEY
    first, *rest = NOTEBOOK
    return run_notebook(first.format(rows=rows), *rest, env=env)


def answers(notebook: nbformat.NotebookNode) -> list[tuple[str, dict[str, Any]]]:
    """Each answer cell's saved markdown and receipt."""
    saved = []
    for cell in notebook.cells[1:]:
        [output] = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        saved.append((str(output.data["text/markdown"]), dict(output.metadata["claude_widget"])))
    return saved


def test_a_notebook_re_run_with_replay_asks_nothing_and_saves_the_same_answers(
    server: FakeAnthropic, tmp_path: Path
) -> None:
    store = tmp_path / "answers.sqlite"
    server.enqueue(Script(text="North sells **more**."), Script(text="Outliers."), Script(text="Check the returns."))
    first = answers(run(server, store))
    assert len(server.message_requests()) == 3
    assert [receipt["replayed"] for _, receipt in first] == [False, False, False]
    assert all(receipt["cost"] > 0 and len(receipt["fingerprint"]) == 64 for _, receipt in first)

    second = answers(run(server, store))
    assert len(server.message_requests()) == 3  # no request
    assert [markdown for markdown, _ in second] == [markdown for markdown, _ in first]
    assert [(r["fingerprint"], r["replayed"], r["cost"], r["saved"]) for _, r in second] == [
        (r["fingerprint"], True, 0.0, r["cost"]) for _, r in first
    ]

    third = answers(run(server, store, key=False))  # a machine with no key
    assert len(server.message_requests()) == 3
    assert [markdown for markdown, _ in third] == [markdown for markdown, _ in first]

    # The DataFrame changed: exactly its question is asked again.
    server.enqueue(Script(text="South caught up."))
    fourth = answers(run(server, store, rows=4))
    assert len(server.message_requests()) == 4
    assert [r["replayed"] for _, r in fourth] == [False, True, True]
    assert "South caught up." in fourth[0][0]
