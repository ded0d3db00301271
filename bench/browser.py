"""Browser-side figures in JupyterLab + Chromium, with the fake server on the same machine (same clock):

2. Latency: from the fake server writing a delta to its text being in the widget's DOM, at 50, 200 and
   1,000 tokens per second (p50, p99).
3. Stop: from the Stop click to the server seeing the socket closed, over 20 runs (p50, p99).
   Timed from the click as the page gets it (not from Playwright's checks before it clicks).
5. Scale: a 1 MB answer: kernel and browser memory, DOM nodes, and how long the final render takes.
6. Heap per answer: forty finished answers as widgets against the same forty printed as plain markdown
   outputs, the page's JS heap after forced garbage collection (CDP), and how often the view module is
   evaluated for five widgets.

    .venv/bin/python bench/browser.py          # every section
    .venv/bin/python bench/browser.py heap     # only the heap per answer
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.support.lab import CHROMIUM, CHROMIUM_ARGS, TEST_KEY, open_notebook, serving  # noqa: E402

from claude_widget.fake_server import FakeAnthropic, Script  # noqa: E402
from claude_widget.fake_server.demo import SSE_ANSWER  # noqa: E402

WATCH = """el => {
  // Record, at each DOM change, the epoch time and the highest numbered word on screen.
  window.__seen = [];
  const observer = new MutationObserver(() => {
    const words = el.textContent.match(/w(\\d{6})/g);
    if (words) window.__seen.push([performance.timeOrigin + performance.now(), Number(words.at(-1).slice(1))]);
  });
  observer.observe(el, { childList: true, subtree: true, characterData: true });
}"""


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def run_cell(page: Any, code: str) -> None:
    page.evaluate(
        """code => { const nb = window.jupyterapp.shell.currentWidget;
                     const cell = nb.content.activeCell; cell.model.sharedModel.setSource(code);
                     window.jupyterapp.commands.execute('notebook:run-cell'); }""",
        code,
    )


def send(page: Any, code: str) -> Any:
    """Run the bench cell again with `code`; return the new widget once the previous one is gone."""
    old = page.query_selector(".cw-root")
    run_cell(page, code)
    if old is not None:
        page.wait_for_function("el => !el.isConnected", arg=old)
    page.wait_for_selector(".cw-root")
    return page.locator(".cw-root").first


def latency(page: Any, server: FakeAnthropic, rate: int, seconds: float = 3.0) -> tuple[float, float]:
    count = int(rate * seconds)
    text = "".join(f"w{i:06d} " for i in range(1, count + 1))
    server.enqueue(Script(text=text, chunk_size=8, delay=1 / rate, first_delay=0.5))
    clock = time.time() - time.monotonic()  # the server logs monotonic times; the browser uses the epoch
    widget = send(page, "w = Chat().send('bench')\nw")
    page.evaluate(WATCH, widget.locator("[data-role=content]").element_handle())
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=120_000)
    request = server.message_requests()[-1]
    sent = [(t + clock) * 1000 for t, name in request.events if name == "content_block_delta"]
    seen = page.evaluate("window.__seen")
    if os.environ.get("BENCH_DEBUG"):
        print(rate, len(sent), sent[:3], seen[:3], request.body["messages"][-1], file=sys.stderr)
    delays, j = [], 0
    for word, sent_at in enumerate(sent, start=1):
        while j < len(seen) and seen[j][1] < word:
            j += 1
        if j < len(seen):
            delays.append(seen[j][0] - sent_at)
    return percentile(delays[10:], 0.5), percentile(delays[10:], 0.99)  # after the watcher attached


CLICK_TIME = """b => b.addEventListener("click", () => {
  window.__stopClickedAt = performance.timeOrigin + performance.now();
}, { once: true })"""


def stop_latency(page: Any, server: FakeAnthropic, runs: int = 20) -> list[float]:
    results = []
    for _ in range(runs):
        server.enqueue(Script(text="stop me " * 3000, delay=0.005))
        widget = send(page, "w = Chat().send('bench')\nw")
        page.wait_for_function(
            "el => el.textContent.length > 200", arg=widget.locator("[data-role=content]").element_handle()
        )
        request = server.message_requests()[-1]
        stop = widget.locator("[data-role=stop]")
        # From the click as the page gets it: Playwright's own checks before clicking (is the button still, is it
        # enabled) are not part of what a user waits for.
        stop.evaluate(CLICK_TIME)
        clock = time.time() - time.monotonic()  # the server logs monotonic times; the browser uses the epoch
        stop.click()
        request.done.wait(5)
        clicked_at = page.evaluate("() => window.__stopClickedAt") / 1000
        results.append((request.client_closed_at + clock - clicked_at) * 1000)
        page.wait_for_function("el => el.dataset.status === 'stopped'", arg=widget.element_handle())
    return results


def scale(page: Any, server: FakeAnthropic, lab_root: Path) -> dict[str, float]:
    paragraph = "A long answer keeps streaming with `code`, **bold** words and plain prose for a while. " * 6
    text = ""
    i = 0
    while len(text) < 1_000_000:
        i += 1
        text += f"## Section {i}\n\n{paragraph}\n\n```python\nprint({i})\n```\n\n| a | b |\n|---|---|\n| {i} | x |\n\n"
    server.enqueue(Script(text=text, chunk_size=64))
    widget = send(page, "import resource\nw = Chat().send('bench')\nw")
    page.wait_for_function("el => el.dataset.status === 'done'", arg=widget.element_handle(), timeout=600_000)
    done_at = time.monotonic()
    page.wait_for_function(
        f"el => el.textContent.includes('Section {i}')", arg=widget.element_handle(), timeout=600_000
    )
    final_render = (time.monotonic() - done_at) * 1000
    nodes = page.evaluate("el => el.querySelectorAll('*').length", widget.element_handle())
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    heap = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}["JSHeapUsedSize"]
    run_cell(page, "print('RSS', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    rss_output = (
        "() => [...document.querySelectorAll('.jp-OutputArea-output')].find(o => o.textContent.startsWith('RSS'))"
    )
    page.wait_for_function(rss_output)
    rss_kb = int(page.evaluate(f"() => ({rss_output})().textContent.split(' ')[1]"))
    return {"chars": len(text), "dom_nodes": nodes, "browser_heap_mb": heap / 1e6, "kernel_peak_rss_mb": rss_kb / 1024,
            "final_render_ms": final_render}  # fmt: skip


HEAP_ANSWERS = 40
HEAP_SETUP = f"""from claude_widget import Chat
from IPython.display import Markdown, display
ANSWER = {SSE_ANSWER!r}"""
# One output first (the one-time costs: the view bundle, its styles and fonts, JupyterLab's markdown and math
# renderers), then forty more, one cell each, run one after the other as a user asks. A widget is finished when
# its status is "done".
HEAP_CELLS = {
    "widget": "display(Chat().send('q{i}'))",
    "markdown": "display(Markdown(ANSWER))",
}
HEAP_FINISHED = {
    "widget": "n => document.querySelectorAll('.cw-root[data-status=done]').length >= n",
    "markdown": "n => document.querySelectorAll('.jp-OutputArea-output.jp-RenderedMarkdown').length >= n",
}


def heap_used(cdp: Any) -> float:
    """The page's JS heap after forced garbage collection, in bytes."""
    for _ in range(3):  # collections free in generations: repeat until the figure settles
        cdp.send("HeapProfiler.collectGarbage")
    return float(cdp.send("Runtime.getHeapUsage")["usedSize"])


def run_cell_at(page: Any, index: int) -> None:
    """Run the notebook's cell `index` and wait until the kernel has finished it."""
    page.evaluate(
        """i => { const nb = window.jupyterapp.shell.currentWidget; nb.content.activeCellIndex = i;
                  window.jupyterapp.commands.execute('notebook:run-cell'); }""",
        index,
    )
    page.wait_for_function(
        """i => { const nb = window.jupyterapp.shell.currentWidget;
                  return nb.content.widgets[i].model.executionCount
                    && nb.content.widgets[i].promptNode.textContent !== '[*]:'
                    && nb.sessionContext.session.kernel.status === 'idle'; }""",
        arg=index,
    )


def heap_pass(browser: Any, lab: Any, kind: str) -> dict[str, float]:
    """A fresh page (its own browser context, so its own renderer process and heap) showing one output of `kind`,
    then forty more: the heap before any, after the first, and after the forty."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        cells = [HEAP_CELLS[kind].format(i=i) for i in range(1 + HEAP_ANSWERS)]
        open_notebook(page, lab, lab.add_notebook(f"heap-{kind}.ipynb", HEAP_SETUP, *cells))
        cdp = context.new_cdp_session(page)
        run_cell_at(page, 0)
        time.sleep(1)
        base = heap_used(cdp)
        run_cell_at(page, 1)
        page.wait_for_function(HEAP_FINISHED[kind], arg=1)
        time.sleep(2)  # the last state updates, the markdown fallback, the inflate windows freed
        first = heap_used(cdp)
        for i in range(2, 2 + HEAP_ANSWERS):
            run_cell_at(page, i)
            page.wait_for_function(HEAP_FINISHED[kind], arg=i)
        time.sleep(3)
        after = heap_used(cdp)
        return {"base": base, "first": first, "after": after}
    finally:
        context.close()


def blob_modules(browser: Any, lab: Any, count: int = 5) -> int:
    """How many `blob:` ES modules a fresh page evaluates to show `count` widgets (each widget's loader, the
    shared assets model's empty module, and the view)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(120_000)
        cdp = context.new_cdp_session(page)
        parsed: list[str] = []
        cdp.on("Debugger.scriptParsed", lambda event: parsed.append(event.get("url", "")))
        cdp.send("Debugger.enable")
        cells = (HEAP_SETUP, f"for i in range({count}): display(Chat().send(f'q{{i}}'))")
        open_notebook(page, lab, lab.add_notebook("modules.ipynb", *cells))
        page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(HEAP_FINISHED["widget"], arg=count)
        return sum(url.startswith("blob:") for url in parsed)
    finally:
        context.close()


def heap(browser: Any, lab: Any, server: FakeAnthropic) -> None:
    server.responder = lambda body: Script(text=SSE_ANSWER, chunk_size=4)
    passes = {kind: heap_pass(browser, lab, kind) for kind in ("markdown", "widget")}
    mb = 1e6
    print(f"\n## JS heap per finished answer ({len(SSE_ANSWER):,}-character answer, {HEAP_ANSWERS} answers)\n")
    print("| shown as | page heap before | after the first (one-time costs) | after 40 more | per answer |")
    print("|---|---:|---:|---:|---:|")
    per = {}
    for kind, h in passes.items():
        per[kind] = (h["after"] - h["first"]) / HEAP_ANSWERS
        print(f"| {kind} | {h['base'] / mb:.1f} MB | {h['first'] / mb:.1f} MB (+{(h['first'] - h['base']) / mb:.2f}) "
              f"| {h['after'] / mb:.1f} MB | {per[kind] / mb:.3f} MB |")  # fmt: skip
    print(f"\nwidget / markdown, per answer: {per['widget'] / per['markdown']:.2f}x")
    with_first = {k: (h["after"] - h["base"]) / (HEAP_ANSWERS + 1) for k, h in passes.items()}
    print(
        f"counting the first output's one-time costs too: widget {with_first['widget'] / mb:.3f} MB, markdown "
        f"{with_first['markdown'] / mb:.3f} MB per answer: {with_first['widget'] / with_first['markdown']:.2f}x"
    )
    print(f"\n`blob:` modules evaluated for 5 widgets: {blob_modules(browser, lab)}", flush=True)


def sections(browser: Any, lab: Any, server: FakeAnthropic) -> bool:
    """Delta to screen, Stop and the 1 MB answer, in one page; False when BENCH_DEBUG stops after the first."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    open_notebook(page, lab, lab.add_notebook("bench.ipynb", "from claude_widget import Chat"))
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    time.sleep(3)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:insert-cell-below')")
    time.sleep(1)
    print("## Delta to screen (fake server write → text in the DOM)\n")
    print("| rate | p50 (ms) | p99 (ms) |\n|---:|---:|---:|")
    for rate in [int(r) for r in os.environ.get("BENCH_RATES", "50,200,1000").split(",")]:
        p50, p99 = latency(page, server, rate)
        print(f"| {rate} tokens/s | {p50:.1f} | {p99:.1f} |", flush=True)
    if os.environ.get("BENCH_DEBUG"):
        return False
    stops = stop_latency(page, server)
    print(
        f"\n## Stop click → socket closed, {len(stops)} runs: p50 {statistics.median(stops):.1f} ms, "
        f"p99 {percentile(stops, 0.99):.1f} ms, max {max(stops):.1f} ms"
    )
    print("each run (ms): " + ", ".join(f"{s:.0f}" for s in stops))
    figures = scale(page, server, lab.root)
    print("\n## A 1 MB answer\n")
    for name, value in figures.items():
        print(f"- {name}: {value:,.1f}")
    page.close()
    return True


@contextmanager
def lab_and_browser() -> Iterator[tuple[Any, Any, FakeAnthropic]]:
    """JupyterLab in a temporary root, its kernels talking to a fake server; Chromium to drive it."""
    with (
        FakeAnthropic(api_key=TEST_KEY) as server,
        tempfile.TemporaryDirectory() as tmp,
        serving("lab", Path(tmp), server) as lab,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield lab, browser, server
        browser.close()


def main() -> None:
    only_heap = sys.argv[1:] == ["heap"]
    with lab_and_browser() as (lab, browser, server):
        if only_heap or sections(browser, lab, server):
            heap(browser, lab, server)


if __name__ == "__main__":
    main()
