"""While the next cell blocks the kernel: JupyterLab 4 + Chromium, the fake server on the same machine (same clock).

One JupyterLab page, the kernel's default ipykernel. The blocking cell is either `time.sleep(n)` or a pure-Python
CPU-bound loop (`while time.monotonic() < end: pass`); it prints the kernel's monotonic time as it starts and ends,
which is the window the figures are taken over.

1. Delta to screen: an answer streams at 200 tokens/s (words `w000001 …`); right after its cell, a cell blocks
   for 6 s. From the fake server writing a delta to its word being in the widget's DOM (p50, p99), over the deltas
   written while the cell ran; and how many characters reached the DOM during the cell against how many the server
   wrote. The reference: the same answer with no blocking cell (idle kernel, a 6 s window).
2. Stop: an answer streams, a cell blocks for 8 s, Stop is clicked about a second into it. From the click as the
   page gets it to the server seeing the socket closed (p50, p99, max), `BENCH_RUNS` runs (default 20) for each
   kind of blocking cell; each run waits for its blocking cell to end before the next starts.
3. Reconnects: the message requests the server got per answer (each answer should be one). The chats use
   `stall_timeout=2`, shorter than the blocking cells, so a watchdog that mistakes a blocked kernel for a stalled
   connection shows up here.

    .venv/bin/python bench/busy.py
    BENCH_RUNS=5 .venv/bin/python bench/busy.py                     # fewer Stop runs

The bench process always uses this checkout's fake server and test helpers; the kernel imports the
`claude_widget` its environment gives it (printed first), so an older copy of the package can be measured with
`PYTHONPATH=/path/to/old/src .venv/bin/python bench/busy.py` (its `static/widget.js` built).
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]  # before any PYTHONPATH: that one is for the kernel

from tests.support.lab import open_notebook  # noqa: E402

from browser import CLICK_TIME, lab_and_browser, percentile  # noqa: E402
from claude_widget.fake_server import FakeAnthropic, Script  # noqa: E402

RATE = 200  # tokens (one word, one delta) per second
WORD = 8  # characters of one word: "w000001 "
FLOW_SECONDS = 6  # the blocking cell of the delta-to-screen runs
STOP_SECONDS = 8  # the blocking cell of the Stop runs
STALL_TIMEOUT = 2
BLOCKS = {
    "sleep": "time.sleep({seconds})",
    "cpu": "end = time.monotonic() + {seconds}\nwhile time.monotonic() < end:\n    pass",
}
LABELS = {None: "none (idle kernel, a {seconds} s window)", "sleep": "`time.sleep({seconds})`",
          "cpu": "CPU-bound loop, {seconds} s"}  # fmt: skip

# The notebook: the setup, the answer's cell, the blocking cell (rewritten for each run).
SETUP = """import time
import ipykernel
import claude_widget
from claude_widget import Chat
print('package', claude_widget.__file__, 'ipykernel', ipykernel.__version__)"""
ANSWER_CELL, BLOCK_CELL = 1, 2
ANSWER = f"w = Chat(stall_timeout={STALL_TIMEOUT}).send('bench')\nw"

WATCH = """el => {
  // Record the epoch time and the highest numbered word on screen: now, and at each DOM change.
  window.__seen = [];
  const record = () => {
    const words = el.textContent.match(/w(\\d{6})/g);
    window.__seen.push([performance.timeOrigin + performance.now(), words ? Number(words.at(-1).slice(1)) : 0]);
  };
  record();
  new MutationObserver(record).observe(el, { childList: true, subtree: true, characterData: true });
}"""
FINISHED = "el => ['done', 'stopped', 'error'].includes(el.dataset.status)"
OUTPUT_TEXT = """i => window.jupyterapp.shell.currentWidget.content.widgets[i].model.outputs.toJSON()
  .map(o => [].concat(o.text ?? []).join('')).join('')"""


def block_cell(run: str, block: str, seconds: float) -> str:
    """A cell that blocks the kernel for `seconds`, printing the kernel's monotonic time as it starts and ends."""
    body = BLOCKS[block].format(seconds=seconds)
    return (
        f"print('blocking {run}', time.monotonic(), flush=True)\n{body}\n"
        f"print('unblocked {run}', time.monotonic(), flush=True)"
    )


def run_cell_at(page: Any, index: int, code: str) -> None:
    """Put `code` in the notebook's cell `index` and run it (not awaited: it may queue behind a running cell)."""
    page.evaluate(
        """([i, code]) => { const nb = window.jupyterapp.shell.currentWidget; nb.content.activeCellIndex = i;
                            nb.content.widgets[i].model.sharedModel.setSource(code);
                            window.jupyterapp.commands.execute('notebook:run-cell'); }""",
        [index, code],
    )


def printed_time(page: Any, index: int, word: str, timeout: float = 60_000) -> float:
    """Wait until cell `index` printed `word`; return the monotonic time printed after it."""
    page.wait_for_function(
        f"([i, word]) => ({OUTPUT_TEXT})(i).includes(word + ' ')", arg=[index, word], timeout=timeout
    )
    text = page.evaluate(OUTPUT_TEXT, index)
    return float(text.split(word + " ", 1)[1].split()[0])


def show_answer(page: Any) -> Any:
    """Run the answer's cell again; return the new widget once the previous one is gone."""
    old = page.query_selector(".cw-root")
    run_cell_at(page, ANSWER_CELL, ANSWER)
    if old is not None:
        page.wait_for_function("el => !el.isConnected", arg=old)
    page.wait_for_selector(".cw-root")
    return page.locator(".cw-root").first


class Answers:
    """Where each answer's requests start in the server's log, to count them once every answer is over."""

    def __init__(self, server: FakeAnthropic) -> None:
        self.server = server
        self.starts: dict[str, list[int]] = {}

    def start(self, section: str, script: Script) -> int:
        # The responder, not the queue: a reconnect gets the rest of the same answer.
        self.server.responder = lambda body: script
        before = len(self.server.message_requests())
        self.starts.setdefault(section, []).append(before)
        return before

    def requests_per_answer(self) -> dict[str, list[int]]:
        starts = sorted(s for section in self.starts.values() for s in section)
        ends = dict(zip(starts, [*starts[1:], len(self.server.message_requests())], strict=True))
        return {section: [ends[s] - s for s in section_starts] for section, section_starts in self.starts.items()}


@dataclass
class Flow:
    delays: list[float]  # ms, one per delta written in the window
    shown: int  # characters that reached the DOM in the window
    written: int  # characters the server wrote in the window


def flow(page: Any, server: FakeAnthropic, answers: Answers, block: str | None, run: str) -> Flow:
    """One answer at RATE, with a blocking cell right after its own (or none); the figures over the blocking cell."""
    count = RATE * (FLOW_SECONDS + 6)
    text = "".join(f"w{i:06d} " for i in range(1, count + 1))
    before = answers.start("delta to screen", Script(text=text, chunk_size=WORD, delay=1 / RATE, first_delay=0.5))
    widget = show_answer(page)
    clock = time.time() - time.monotonic()  # the server and the kernel log monotonic times; the browser the epoch
    page.evaluate(WATCH, widget.locator("[data-role=content]").element_handle())
    if block is None:
        start = time.monotonic() + 0.3
        end = start + FLOW_SECONDS
    else:
        run_cell_at(page, BLOCK_CELL, block_cell(run, block, FLOW_SECONDS))
        start = printed_time(page, BLOCK_CELL, f"blocking {run}")
        end = printed_time(page, BLOCK_CELL, f"unblocked {run}")
    page.wait_for_function(FINISHED, arg=widget.element_handle(), timeout=120_000)
    request = server.message_requests()[before]
    seen = [(at / 1000 - clock, word) for at, word in page.evaluate("window.__seen")]  # monotonic seconds
    sent = [at for at, name in request.events if name == "content_block_delta"]
    delays, j = [], 0
    for word, sent_at in enumerate(sent, start=1):
        while j < len(seen) and seen[j][1] < word:
            j += 1
        if start <= sent_at <= end and j < len(seen):
            delays.append((seen[j][0] - sent_at) * 1000)

    def on_screen(at: float) -> int:
        return max((word for seen_at, word in seen if seen_at <= at), default=0)

    shown = (on_screen(end) - on_screen(start)) * WORD
    written = sum(start <= at <= end for at in sent) * WORD
    return Flow(delays, shown, written)


@dataclass
class StopRun:
    ms: float  # click to socket closed; nan when the server never saw the client close it
    during_cell: bool  # the socket closed before the blocking cell ended
    grew: int  # characters the view gained in the second before the click, the cell blocking


def stop_run(page: Any, server: FakeAnthropic, answers: Answers, block: str, run: str) -> StopRun:
    before = answers.start(f"stop, {block}", Script(text="stop me " * 3000, delay=0.005))
    widget = show_answer(page)
    content = widget.locator("[data-role=content]")
    page.wait_for_function("el => el.textContent.length > 200", arg=content.element_handle())
    run_cell_at(page, BLOCK_CELL, block_cell(run, block, STOP_SECONDS))
    printed_time(page, BLOCK_CELL, f"blocking {run}")
    length = len(content.text_content() or "")
    time.sleep(1)  # about a second into the blocking cell
    grew = len(content.text_content() or "") - length
    request = server.message_requests()[before]
    stop = widget.locator("[data-role=stop]")
    stop.evaluate(CLICK_TIME)  # from the click as the page gets it, not from Playwright's checks before it
    clock = time.time() - time.monotonic()
    stop.click()
    request.done.wait(STOP_SECONDS + 10)
    clicked_at = page.evaluate("() => window.__stopClickedAt") / 1000 - clock
    ended = printed_time(page, BLOCK_CELL, f"unblocked {run}")
    page.wait_for_function(FINISHED, arg=widget.element_handle(), timeout=60_000)
    closed = request.client_closed_at
    if closed is None:
        return StopRun(math.nan, False, grew)
    return StopRun((closed - clicked_at) * 1000, closed < ended, grew)


def figures(values: list[float]) -> str:
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "– | – | –"
    return f"{statistics.median(values):.1f} | {percentile(values, 0.99):.1f} | {max(values):.1f}"


def bench(page: Any, server: FakeAnthropic, runs: int) -> None:
    answers = Answers(server)
    print(f"## Delta to screen while the next cell blocks ({RATE} tokens/s, fake server write → word in the DOM)\n")
    print("| next cell | deltas in the window | p50 (ms) | p99 (ms) | chars in the DOM during the window / written |")
    print("|---|---:|---:|---:|---:|")
    for block in (None, "sleep", "cpu"):
        result = flow(page, server, answers, block, f"flow-{block}")
        ratio = f"{result.shown:,} / {result.written:,} ({result.shown / max(result.written, 1):.0%})"
        p50, p99 = (percentile(result.delays, q) for q in (0.5, 0.99)) if result.delays else (math.nan, math.nan)
        print(f"| {LABELS[block].format(seconds=FLOW_SECONDS)} | {len(result.delays)} | {p50:.1f} | {p99:.1f} "
              f"| {ratio} |", flush=True)  # fmt: skip

    print(f"\n## Stop click → socket closed while the next cell blocks ({STOP_SECONDS} s cell, {runs} runs each)\n")
    print("| next cell | p50 (ms) | p99 (ms) | max (ms) | closed while the cell ran | view grew while blocked |")
    print("|---|---:|---:|---:|---:|---:|")
    each = {}
    for block in BLOCKS:
        results = [stop_run(page, server, answers, block, f"stop-{block}-{i}") for i in range(runs)]
        each[block] = results
        during = sum(r.during_cell for r in results)
        grew = sorted(r.grew for r in results)
        print(f"| {LABELS[block].format(seconds=STOP_SECONDS)} | {figures([r.ms for r in results])} "
              f"| {during}/{runs} | {sum(g > 0 for g in grew)}/{runs} (median +{grew[len(grew) // 2]} chars in 1 s) |",
              flush=True)  # fmt: skip
    print()
    for block, results in each.items():
        print(f"each run, {block} (ms): " + ", ".join(f"{r.ms:.0f}" for r in results))

    time.sleep(STALL_TIMEOUT + 2)  # a late reconnect of the last answer would come by now
    print(f"\n## Requests per answer (`stall_timeout={STALL_TIMEOUT}`; more than one is a reconnect)\n")
    print("| answers of | answers | requests | answers with more than one request |\n|---|---:|---:|---:|")
    for section, counts in answers.requests_per_answer().items():
        print(f"| {section} | {len(counts)} | {sum(counts)} | {sum(c > 1 for c in counts)} |")


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "20"))
    with lab_and_browser() as (lab, browser, server):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(60_000)
        open_notebook(page, lab, lab.add_notebook("busy.ipynb", SETUP, ANSWER, "pass"))
        run_cell_at(page, 0, SETUP)
        page.wait_for_function(f"() => ({OUTPUT_TEXT})(0).includes('ipykernel')")
        print(f"The kernel's {page.evaluate(OUTPUT_TEXT, 0).strip()}\n", flush=True)
        bench(page, server, runs)


if __name__ == "__main__":
    main()
