"""Browser-side figures in JupyterLab + Chromium, with the fake server on the same machine (same clock):

2. Latency: from the fake server writing a delta to its text being in the widget's DOM, at 50, 200 and
   1,000 tokens per second (p50, p99).
3. Stop: from the Stop click to the server seeing the socket closed, over 20 runs (p50, p99).
5. Scale: a 1 MB answer: kernel and browser memory, DOM nodes, and how long the final render takes.

    .venv/bin/python bench/browser.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TEST_KEY, _serve, open_notebook  # noqa: E402

from claude_widget.fake_server import FakeAnthropic, Script  # noqa: E402

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


def stop_latency(page: Any, server: FakeAnthropic, runs: int = 20) -> list[float]:
    results = []
    for _ in range(runs):
        server.enqueue(Script(text="stop me " * 3000, delay=0.005))
        widget = send(page, "w = Chat().send('bench')\nw")
        page.wait_for_function(
            "el => el.textContent.length > 200", arg=widget.locator("[data-role=content]").element_handle()
        )
        request = server.message_requests()[-1]
        clicked = time.monotonic()
        widget.locator("[data-role=stop]").click()
        request.done.wait(5)
        results.append((request.client_closed_at - clicked) * 1000)
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


def main() -> None:
    with FakeAnthropic(api_key=TEST_KEY) as server, tempfile.TemporaryDirectory() as tmp:
        lab_gen = _serve("lab", Path(tmp), server)
        lab = next(lab_gen)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
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
                    return
                stops = stop_latency(page, server)
                print(
                    f"\n## Stop click → socket closed, {len(stops)} runs: p50 {statistics.median(stops):.1f} ms, "
                    f"p99 {percentile(stops, 0.99):.1f} ms, max {max(stops):.1f} ms"
                )
                figures = scale(page, server, lab.root)
                print("\n## A 1 MB answer\n")
                for name, value in figures.items():
                    print(f"- {name}: {value:,.1f}")
                browser.close()
        finally:
            lab_gen.close()


if __name__ == "__main__":
    main()
