"""How long a headless run's cell waits beyond its answer (headless.py): from the fake server writing the answer's
last event to nbclient seeing the cell end (its `iopub.status.idle` time), for ten cells each starting a ~1 s
answer that nobody awaits, in one nbclient run (the server on the same machine; wall clocks compared).

    .venv/bin/python bench/headless.py
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import datetime

import nbformat
from nbclient import NotebookClient

from claude_widget.fake_server import FakeAnthropic, Script

KEY = "sk-ant-bench"
CELLS = 10


def main() -> None:
    with FakeAnthropic(api_key=KEY) as server:
        server.enqueue(*[Script(text="A second of answer. " * 50, chunk_size=4, delay=0.004) for _ in range(CELLS)])
        notebook = nbformat.v4.new_notebook()
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        setup = "from claude_widget import Chat\nchat = Chat()"
        notebook.cells = [nbformat.v4.new_code_cell(setup)]
        notebook.cells += [nbformat.v4.new_code_cell(f"chat.send('answer {i}')") for i in range(CELLS)]
        env = {k: v for k, v in os.environ.items() if k != "JPY_SESSION_NAME"}  # as nbclient runs: headless
        env |= {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": server.url}
        started = time.monotonic()
        NotebookClient(notebook, timeout=120, kernel_name="python3").execute(env=env)
        total = time.monotonic() - started
        clock = time.time() - time.monotonic()  # the server logs monotonic times; nbclient records wall time
        waits = []
        for cell, request in zip(notebook.cells[1:], server.message_requests(), strict=True):
            idle = datetime.fromisoformat(cell.metadata["execution"]["iopub.status.idle"]).timestamp()
            waits.append((idle - (request.events[-1][0] + clock)) * 1000)
            assert "still answering" not in cell.outputs[0]["data"]["text/markdown"]
    answer_seconds = [r.events[-1][0] - r.events[0][0] for r in server.message_requests()]
    print(f"{CELLS} headless cells, each a {statistics.median(answer_seconds):.2f} s answer, in {total:.1f} s "
          f"(kernel start included)")  # fmt: skip
    print(f"the cell ends after the answer's last event: p50 {statistics.median(waits):.1f} ms, "
          f"max {max(waits):.1f} ms")  # fmt: skip
    print("each (ms): " + ", ".join(f"{w:.0f}" for w in waits))


if __name__ == "__main__":
    main()
