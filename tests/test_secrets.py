"""The API key stays in the kernel: not in widget state, custom messages, the saved notebook, an error message
or a log line, whatever happens to the stream."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from claude_widget.fake_server import FakeAnthropic, Script

pytestmark = pytest.mark.kernel

KEY = "sk-ant-api03-SECRET-never-show-me-4f2a9c"


def test_the_key_appears_nowhere(tmp_path: Path) -> None:
    log_file = tmp_path / "kernel.log"
    with FakeAnthropic(api_key=KEY) as server:
        server.enqueue(
            Script(text="First answer, streamed cleanly."),
            Script(status=529),
            Script(text="Second answer survives a drop.", fault="drop", fault_after=12),
            Script(text="Second answer survives a drop."),
            Script(text="Third answer hits bad JSON.", fault="malformed", fault_after=8),
            Script(status=400, error_message="messages: roles must alternate"),
        )
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_code_cell(source)
            for source in [
                f"""
import logging
logging.basicConfig(filename={str(log_file)!r}, level=logging.DEBUG, force=True)
from claude_widget import Chat, ChatWidget, StreamError
messages = []
original_send = ChatWidget.send
def recording_send(self, content, buffers=None):
    messages.append(content)
    original_send(self, content, buffers)
ChatWidget.send = recording_send
chat = Chat(base_url={server.url!r})  # the key comes from ANTHROPIC_API_KEY, as for a user
print(repr(chat))
""",
                "w1 = chat.send('one')\nw1",
                "print(await w1)",
                "w2 = chat.send('two')\nw2",
                "print(await w2, w2.attempts)",
                "w3 = chat.send('three')\nw3",
                "try:\n    await w3\nexcept StreamError as e:\n    print(e, e.error, e.text)",
                "w4 = chat.send('four')\nw4",
                "try:\n    await w4\nexcept StreamError as e:\n    print(e, e.error)",
                "wrong = Chat(api_key='sk-ant-wrong', base_url=chat._base_url).send('five')\nwrong",
                "try:\n    await wrong\nexcept StreamError as e:\n    print(e, e.error)",
                "print(messages)\nprint([w.get_state() for w in (w1, w2, w3, w4, wrong)])",
            ]
        ]
        env_key = os.environ.get("ANTHROPIC_API_KEY")
        os.environ["ANTHROPIC_API_KEY"] = KEY  # inherited by the kernel
        try:
            NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
        finally:
            if env_key is None:
                del os.environ["ANTHROPIC_API_KEY"]
            else:
                os.environ["ANTHROPIC_API_KEY"] = env_key
        saved = tmp_path / "saved.ipynb"
        nbformat.write(notebook, saved)

    outputs = "".join(str(o) for cell in notebook.cells for o in cell.get("outputs", []))
    assert "First answer, streamed cleanly." in outputs and "Second answer survives a drop." in outputs
    assert "roles must alternate" in outputs and "malformed" in outputs and "rejected" in outputs
    assert "widgets" in notebook.metadata and "delta" in outputs  # widget state and messages were captured
    assert log_file.stat().st_size > 0
    for where, text in [("saved notebook", saved.read_text()), ("kernel log", log_file.read_text())]:
        assert KEY not in text, f"the API key leaked into the {where}"
