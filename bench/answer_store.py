"""The answer store (issue 24): its size per answer beyond the answer's text, the time to replay a 2,000-character
answer, the time to look a fingerprint up in a store of 100,000 answers, and what re-running a notebook costs with
replay on. The real SDK against the fake server; the store a file in a temporary folder.

    .venv/bin/python bench/answer_store.py
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from claude_widget import Chat
from claude_widget.engine.replayed import kept_turn
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.store.answer_store import AnswerStore
from claude_widget.store.fingerprint import fingerprint

ROOT = Path(__file__).resolve().parents[1]
KEY = "sk-ant-bench-0123456789"
WORDS = [
    "the",
    "stream",
    "of",
    "events",
    "carries",
    "each",
    "delta",
    "of",
    "the",
    "answer",
    "to",
    "the",
    "widget",
    "as",
    "it",
    "arrives",
]


def answer_text(chars: int, seed: int) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append(rng.choice(WORDS))
    return (" ".join(words))[:chars]


def size_per_answer(server: FakeAnthropic, folder: Path, n: int = 200, chars: int = 2000) -> tuple[float, float]:
    """Bytes the store file grows per answer, and that beyond the answer's text (UTF-8)."""
    store = folder / "size.sqlite"
    server.enqueue(*[Script(text=answer_text(chars, i), chunk_size=40) for i in range(n + 1)])
    chat = Chat(api_key=KEY, base_url=server.url, store=store)
    chat.send("warm up").wait(30)  # the file's first pages
    before = store.stat().st_size + _wal(store)
    for i in range(n):
        Chat(api_key=KEY, base_url=server.url, store=store).send(f"Question {i}: what stands out?").wait(30)
    AnswerStore(store).vacuum()
    after = store.stat().st_size + _wal(store)
    per = (after - before) / n
    return per, per - chars


def _wal(store: Path) -> int:
    wal = store.with_name(store.name + "-wal")
    return wal.stat().st_size if wal.exists() else 0


def replay_time(server: FakeAnthropic, folder: Path, runs: int = 10) -> tuple[float, float]:
    """Seconds from `send` to the end of a replayed 2,000-character answer: at the replay's typing pace, and at
    once (speed 0: the engine's own cost)."""
    store = folder / "replay.sqlite"
    server.enqueue(Script(text=answer_text(2000, 7), chunk_size=40))
    Chat(api_key=KEY, base_url=server.url, store=store).send("Explain replay").wait(30)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        w = Chat(api_key=KEY, base_url=server.url, store=store, replay=True).send("Explain replay")
        w.wait(30)
        assert w.replayed
        times.append(time.perf_counter() - started)
    found = AnswerStore(store).find(w.answer.fingerprint or "")
    assert found is not None
    from claude_widget.engine.options import StreamOptions
    from claude_widget.engine.replayed import ReplayedStream

    instant = []
    for _ in range(runs):
        started = time.perf_counter()
        stream = ReplayedStream(None, StreamOptions(), [{"role": "user", "content": "Explain replay"}], found.kept,
                                made=found.made, original_cost=found.cost, speed=0).start()  # fmt: skip
        stream.wait(30)
        instant.append(time.perf_counter() - started)
    return statistics.median(times), statistics.median(instant)


def lookup_time(server: FakeAnthropic, folder: Path, n: int = 100_000, probes: int = 200) -> tuple[float, float]:
    """Seconds to find an answer by fingerprint in a store of `n` answers (a hit), and to miss."""
    store = folder / "large.sqlite"
    server.enqueue(Script(text=answer_text(2000, 3), chunk_size=40))
    live = Chat(api_key=KEY, base_url=server.url, store=store).send("One real answer")
    live.wait(30)
    kept = kept_turn(live.manager)
    row = {"made": 0.0, "model": "claude-sonnet-5-5", "question": "q", "status": "done", "replayed": 0,
           "input_tokens": 1, "output_tokens": 1, "cache_read_tokens": 0, "cache_write_tokens": 0,
           "source": "send", "text": "x" * 2000}  # fmt: skip
    fingerprints = [fingerprint({"n": i}) for i in range(n)]
    answers = AnswerStore(store)
    for start in range(0, n, 5000):
        answers.add_many([({**row, "fingerprint": f, "made": float(i)}, kept)
                          for i, f in enumerate(fingerprints[start:start + 5000], start)])  # fmt: skip
    rng = random.Random(1)
    hits, misses = [], []
    for _ in range(probes):
        wanted = rng.choice(fingerprints)
        started = time.perf_counter()
        assert answers.find(wanted) is not None
        hits.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert answers.find(fingerprint({"missing": rng.random()})) is None
        misses.append(time.perf_counter() - started)
    return statistics.median(hits), statistics.median(misses)


def notebook_rerun(folder: Path) -> list[tuple[str, int, float]]:
    """notebooks/ask-about-your-data.ipynb run three times against the fake server as the API (a key set): once
    with an empty store, then twice with replay on. Each run: its requests and what the answers cost."""
    path = ROOT / "notebooks" / "ask-about-your-data.ipynb"
    store = folder / "notebook.sqlite"
    results = []
    with FakeAnthropic() as api:
        api.responder = lambda body: Script(text=answer_text(600, len(str(body))), chunk_size=20)
        for label, replay in (("first run", "0"), ("re-run, replay on", "1"), ("re-run again", "1")):
            before = len(api.message_requests())
            notebook = nbformat.read(path, as_version=4)
            env = {**os.environ, "ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.url,
                   "CLAUDE_WIDGET_STORE": str(store), "CLAUDE_WIDGET_REPLAY": replay,
                   "CLAUDE_WIDGET_DEMO_PACE": "instant"}  # fmt: skip
            NotebookClient(notebook, timeout=300, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute(env=env)  # fmt: skip
            costs = [float(o.metadata["claude_widget"]["cost"] or 0) for cell in notebook.cells
                     for o in cell.get("outputs", []) if "claude_widget" in o.get("metadata", {})]  # fmt: skip
            results.append((label, len(api.message_requests()) - before, sum(costs)))
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, FakeAnthropic() as server:
        folder = Path(tmp)
        per, beyond = size_per_answer(server, folder)
        print(f"store size per 2,000-character answer: {per:,.0f} bytes; beyond its text: {beyond:,.0f} bytes")
        paced, instant = replay_time(server, folder)
        print(f"replay of a 2,000-character answer, send to end: {paced * 1000:.0f} ms at the typing pace, "
              f"{instant * 1000:.1f} ms at once")  # fmt: skip
        hit, miss = lookup_time(server, folder)
        size = (folder / "large.sqlite").stat().st_size / 1e6
        print(f"fingerprint lookup in 100,000 answers ({size:,.0f} MB): {hit * 1000:.2f} ms found, "
              f"{miss * 1000:.2f} ms not found")  # fmt: skip
        for label, requests, cost in notebook_rerun(folder):
            print(f"ask-about-your-data.ipynb, {label}: {requests} requests, ${cost:.4f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
