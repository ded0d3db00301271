"""Claude in the user's kernel, in JupyterLab (issue 25): a `run_python` card streams its code highlighted, waits
for Run or Skip, and nothing runs before; Run runs it in the notebook's namespace (the kernel's next request sees
the variable), its result shows and the answer follows; Skip runs nothing and its reason reaches Claude. Clicking
Run while a cell runs queues the code behind that cell, and the card says so.

Each test prints the time from the Run click to the code starting (the kernel's clock and the page's are the same
machine's), idle and behind a busy cell: the closing note's figures, not assertions."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.rules import message_text

from .conftest import Lab, open_notebook, run_all_cells, screenshot

pytestmark = pytest.mark.browser

FIX = "import time\nstarted_at = time.time()\nfixed = df.drop_duplicates('id').shape\nprint('fixed', fixed)\nfixed"
OTHER = "df = None  # drop it all\nprint('dropped')"
CELLS = (
    "import pandas as pd\nfrom claude_widget import Chat\ndf = pd.DataFrame({'id': [1, 2, 2, 3]})",
    "w = Chat(kernel=True).send('Fix df')\nw",
    "w2 = Chat(kernel=True).send('Drop df')\nw2",
)
CARD = ".cw-root >> nth={} >> .cw-tool[data-role=tool-card]"


def responder() -> Any:
    """Claude: for "Fix df", code that fixes it (its input streamed slowly enough to watch it come); for "Drop df",
    code that drops it; after a tool result, an answer that quotes it."""

    def respond(body: dict[str, Any]) -> Script:
        last = body["messages"][-1]
        results = [b for b in last["content"] if isinstance(b, dict) and b.get("type") == "tool_result"]
        if results:
            return Script(text=f"Claude read: {json.dumps(results[0]['content'])}", chunk_size=16)
        code = FIX if message_text(last) == "Fix df" else OTHER
        return Script(text="", tool_use={"name": "run_python", "input": {"code": code}}, stop_reason="tool_use",
                      chunk_size=6, delay=0.05)  # fmt: skip

    return respond


def kernel_run(page: Any, code: str) -> str:
    """Run `code` on the notebook's kernel as the next request (a later cell would); return what it printed."""
    return str(page.evaluate(
        """async (code) => {
            const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
            let printed = '';
            const future = kernel.requestExecute({code, store_history: false});
            future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') printed += msg.content.text; };
            await future.done;
            return printed;
        }""",
        code,
    ))  # fmt: skip


def test_the_card_streams_its_code_runs_it_on_run_and_skip_runs_nothing(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    backend.responder = responder()
    lab.add_notebook("kernel.ipynb", *CELLS)
    open_notebook(page, lab, "kernel.ipynb")
    run_all_cells(page)
    first, second = page.locator(CARD.format(0)), page.locator(CARD.format(1))
    # The code streams into the card, highlighted as Python, before the call is complete.
    first.locator(".cw-tool-code .hljs-keyword").first.wait_for(timeout=60_000)
    first.locator("[data-role=tool-run]").wait_for(timeout=30_000)
    second.locator("[data-role=tool-skip]").wait_for(timeout=30_000)
    assert first.locator("[data-role=tool-status]").inner_text() == "Waiting for you: Run or Skip"
    assert first.locator("[data-role=tool-input]").inner_text() == FIX
    screenshot(page.locator(".cw-root").first, "kernel-card-pending.png", docs=True)
    time.sleep(0.5)
    assert kernel_run(page, "print('fixed' in dir(), type(df).__name__)") == "False DataFrame\n"  # nothing ran
    assert len(backend.message_requests()) == 2  # and nothing more was asked

    at = float(page.evaluate("() => Date.now() / 1000"))
    first.locator("[data-role=tool-run]").click()
    first.locator("[data-role=tool-result]", has_text="fixed (3, 1)").wait_for(timeout=30_000)
    page.locator(".cw-root").first.locator(".cw-content", has_text="Claude read:").wait_for(timeout=30_000)
    assert first.get_attribute("data-status") == "done"
    started = float(kernel_run(page, "print(started_at)"))
    print(f"\nRun click to the code starting, idle kernel: {(started - at) * 1000:.0f} ms")
    # The notebook's namespace: the kernel's next request sees what the code made.
    assert kernel_run(page, "print(fixed)") == "(3, 1)\n"
    # The code that ran stays in its card, folded away and back by its label.
    fold, code = first.locator("[data-role=tool-fold]"), first.locator("[data-role=tool-input]")
    fold.click()
    assert not code.is_visible() and fold.get_attribute("aria-expanded") == "false"
    fold.click()
    assert code.inner_text() == FIX

    second.locator("[data-role=tool-reason]").fill("keep df, I still need it")
    second.locator("[data-role=tool-skip]").click()
    page.locator(".cw-root").nth(1).locator(".cw-content", has_text="Claude read:").wait_for(timeout=30_000)
    assert second.get_attribute("data-status") == "declined"
    assert second.locator("[data-role=tool-status]").inner_text() == "Skipped"
    assert kernel_run(page, "print(type(df).__name__)") == "DataFrame\n"  # not dropped
    skipped = [r for r in backend.message_requests() if "Drop df" in json.dumps(r.body["messages"][0])][-1]
    result = skipped.body["messages"][-1]["content"][0]
    assert result["content"] == "The user chose not to run this code. Their reason: keep df, I still need it"
    screenshot(page.locator(".cw-root").nth(1), "kernel-card-skipped.png")


def test_run_while_a_cell_runs_waits_for_that_cell_and_the_card_says_so(
    lab: Lab, page: Any, backend: FakeAnthropic
) -> None:
    backend.responder = responder()
    lab.add_notebook("busy.ipynb", *CELLS[:2], "import time\ntime.sleep(4)\nslept_until = time.time()")
    open_notebook(page, lab, "busy.ipynb")
    run_all_cells(page)
    card = page.locator(CARD.format(0))
    card.locator("[data-role=tool-run]").wait_for(timeout=60_000)
    at = float(page.evaluate("() => Date.now() / 1000"))
    card.locator("[data-role=tool-run]").click()  # while the sleeping cell runs
    card.locator("[data-role=tool-status]", has_text="waiting for the running cell to end").wait_for(timeout=10_000)
    card.locator("[data-role=tool-result]", has_text="fixed (3, 1)").wait_for(timeout=30_000)
    started, slept_until = map(float, kernel_run(page, "print(started_at, slept_until)").split())
    assert started >= slept_until  # behind the cell, never beside it
    print(f"\nRun click to the code starting, behind a busy cell: {(started - at) * 1000:.0f} ms "
          f"({(started - slept_until) * 1000:.0f} ms after that cell ended)")  # fmt: skip
