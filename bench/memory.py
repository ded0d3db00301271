"""Kernel-side memory per finished answer (issue 23, item 7): resident memory after `gc.collect()`, in a plain
script, against the fake server (in a process of its own, so its request log is not counted) through the real SDK.
Each answer is short ("Hello from the fake Anthropic server.") and instant, and every widget is kept, as a
notebook's outputs keep them.

- pattern A: a new `Chat(api_key=..., base_url=...)` per answer;
- pattern B: one `Chat`, a conversation of 500 turns.

Each pattern runs in a fresh process. The first 20 answers are a warm-up (imports, the loop thread, the SDK's
first request); "per answer" is the growth from there to answer 500, over the 480 answers between.

    .venv/bin/python bench/memory.py
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import subprocess
import sys
from typing import Any

ANSWERS = 500
WARM_UP = 20
CHECKPOINTS = (20, 100, 200, 300, 400, 500)
KEY = "sk-ant-bench"


def rss_kb() -> int:
    """Resident memory after a full collection, in KB (Linux: /proc/self/status)."""
    gc.collect()
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def serve(conn: Any) -> None:
    """The fake server, in a child process, until the pipe closes: its default, instant short answer."""
    from claude_widget.fake_server import FakeAnthropic

    with FakeAnthropic(api_key=KEY) as server:
        conn.send(server.url)
        with contextlib.suppress(EOFError):
            conn.recv()


def measure(pattern: str, url: str) -> None:
    """One pattern, in this process: RSS before any answer and at each checkpoint, printed as a table row."""
    from claude_widget import Chat

    start = rss_kb()
    kept = []  # every widget stays alive, as a notebook's Out and outputs keep them
    chat = Chat(api_key=KEY, base_url=url)
    at: dict[int, int] = {}
    for n in range(1, ANSWERS + 1):
        if pattern == "A":
            chat = Chat(api_key=KEY, base_url=url)
        widget = chat.send(f"question {n}")
        widget.wait(60)
        assert widget.status == "done", widget.status
        kept.append(widget)
        if n in CHECKPOINTS:
            at[n] = rss_kb()
    assert pattern == "A" or len(chat.turns) == ANSWERS
    per_answer = (at[ANSWERS] - at[WARM_UP]) / (ANSWERS - WARM_UP)
    last = (at[ANSWERS] - at[CHECKPOINTS[-2]]) / (ANSWERS - CHECKPOINTS[-2])  # growing, if it is quadratic
    steps = ", ".join(f"{n}: {(at[n] - start) / 1024:.1f}" for n in CHECKPOINTS)
    print(f"pattern {pattern}: {(at[ANSWERS] - start) / 1024:.1f} MB over {ANSWERS} answers, "
          f"{per_answer:.0f} KB per answer beyond the first {WARM_UP}, {last:.0f} KB over the last "
          f"{ANSWERS - CHECKPOINTS[-2]} (MB above the start at answer {steps})")  # fmt: skip


def main() -> None:
    conn, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child,), daemon=True)
    server.start()
    url = conn.recv()
    try:
        for pattern in ("A", "B"):
            subprocess.run([sys.executable, __file__, pattern, url], check=True)
    finally:
        conn.send("stop")
        server.join(10)


if __name__ == "__main__":
    if len(sys.argv) == 3:
        measure(sys.argv[1], sys.argv[2])
    else:
        main()
