"""A map job's progress widget in JupyterLab: counts, the bar and the rows move as items end; Stop closes the
requests in flight, starts no more, and keeps what finished; Resume sends the rest. The rows are the items in input
order, numbered as `job.results` is, with the result's fields; the model and the offline badge are shown."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.rules import message_text

from .conftest import ROOT, Lab, open_notebook, run_all_cells

pytestmark = pytest.mark.browser
RESULTS = ROOT / "test-results"

CELLS = (
    "from claude_widget import Chat\nchat = Chat()\n"
    "job = chat.map([f'review {i}' for i in range(60)], prompt='Label: {}', concurrency=4)\njob",
)
COUNTED = "document.querySelector('[data-role=job-counts]').textContent"


def echo_holding(held: threading.Event, after: int) -> Callable[[dict[str, Any]], Script]:
    """Each item's answer echoes its prompt; the items from number `after` on are held before their answer starts
    until `held` is set, so a Stop always finds requests in flight, however slowly this machine runs the test."""

    def respond(body: dict[str, Any]) -> Script:
        prompt = message_text(body["messages"][-1])
        number = int(re.findall(r"\d+", prompt)[-1])
        hold = held if number >= after else None
        return Script(text=f"label for {prompt}", chunk_size=8, delay=0.05, hold=hold, hold_after=-1)

    return respond


def test_the_progress_moves_and_stop_closes_what_is_in_flight(lab: Lab, page: Any, backend: FakeAnthropic) -> None:
    held = threading.Event()
    backend.responder = echo_holding(held, after=6)
    try:
        stop_while_in_flight(lab, page, backend)
    finally:
        held.set()


def stop_while_in_flight(lab: Lab, page: Any, backend: FakeAnthropic) -> None:
    lab.add_notebook("map.ipynb", *CELLS)
    open_notebook(page, lab, "map.ipynb")
    run_all_cells(page)
    page.wait_for_selector(".cw-job[data-state=running]", timeout=60_000)
    page.wait_for_function(f"() => /^6 of 60 finished/.test({COUNTED})", timeout=60_000)
    assert "in flight" in page.locator("[data-role=job-counts]").inner_text()
    first = page.locator(".cw-job-rows tbody tr").first.evaluate(
        "tr => [...tr.querySelectorAll('td')].map(td => td.innerText)"
    )
    index, item, answer = first[:3]
    assert item == f"review {index}"  # the item, not the prompt made of it
    assert answer == f"label for Label: review {index}"  # the start of its own answer
    assert float(page.locator(".cw-job-done").evaluate("el => parseFloat(el.style.width)")) > 0
    assert " items/s" in page.locator("[data-role=job-stats]").inner_text()

    page.locator(".cw-job [data-role=stop]").click()
    page.wait_for_selector(".cw-job[data-state=stopped]", timeout=30_000)
    stopped_at = len(backend.message_requests())
    time.sleep(1.0)
    assert len(backend.message_requests()) == stopped_at  # nothing more started
    assert any(r.client_closed_at is not None for r in backend.message_requests())  # in flight: closed
    counts = page.locator("[data-role=job-counts]").inner_text()
    assert "not run" in counts and not page.locator(".cw-job [data-role=stop]").is_visible()


# The offline demo labels each review from its words: even reviews praise, odd ones complain.
OFFLINE_CELLS = (
    "from typing import Literal\nfrom pydantic import BaseModel\nfrom claude_widget import Chat\n"
    "class Label(BaseModel):\n    sentiment: Literal['positive', 'negative', 'mixed']\n    topic: str\n"
    "reviews = [{'product': 'kettle', 'text': f'Review {i}: ' + ('great, I love it' if i % 2 == 0 else"
    " 'arrived broken, I want a refund')} for i in range(80)]\n"
    "chat = Chat(offline=True)\n"
    "job = chat.map(reviews, prompt='Label this review of a {product}: {text}', schema=Label, concurrency=4)\njob",
)
ROWS_SHOWN = """() => Array.from(document.querySelectorAll('.cw-job-rows tbody tr'), tr =>
  [tr.dataset.index, ...Array.from(tr.querySelectorAll('td'), td => td.textContent)])"""


@pytest.mark.live_pace
def test_rows_in_input_order_numbered_as_results_resume_after_stop_and_the_offline_badge(lab: Lab, page: Any) -> None:
    # Chat(offline=True): the kernel answers from its own demo server, at the demo's pace.
    lab.add_notebook("offline-map.ipynb", *OFFLINE_CELLS)
    open_notebook(page, lab, "offline-map.ipynb")
    run_all_cells(page)
    job = page.locator(".cw-job")
    page.wait_for_selector(".cw-job[data-state=running]", timeout=60_000)
    # The model and the offline badge, as an answer's header shows them.
    assert job.locator("[data-role=model]").inner_text() == "claude-sonnet-5-5"
    assert job.locator("[data-role=offline]").is_visible()
    assert job.locator("[data-role=offline]").inner_text() == "offline"
    # The demo's pace lets the progress be seen: items in flight, then some finished, not all at once.
    page.wait_for_function(f"() => / in flight/.test({COUNTED})", timeout=60_000)
    page.wait_for_function(f"() => /^([8-9]|\\d\\d) of 80 finished/.test({COUNTED})", timeout=60_000)
    assert job.locator("[data-role=resume]").is_hidden()  # nothing to resume while it runs
    job.locator("[data-role=stop]").click()
    page.wait_for_selector(".cw-job[data-state=stopped]", timeout=30_000)
    RESULTS.mkdir(exist_ok=True)
    job.screenshot(path=RESULTS / "job-widget.png", animations="disabled")  # the bar at its end
    if os.environ.get("UPDATE_SCREENSHOTS"):
        shutil.copy(RESULTS / "job-widget.png", ROOT / "docs" / "images" / "job-widget.png")

    # Rows in input order, consecutive, numbered from 0 as job.results is (the item says which input it is).
    rows = page.evaluate(ROWS_SHOWN)
    numbers = [int(row[0]) for row in rows]
    assert numbers == list(range(numbers[0], numbers[0] + len(rows))) and len(rows) == 12
    for number, shown_number, item, *_cells in rows:
        assert shown_number == number and item.startswith(f"kettle · Review {number}: ")
    done = [row for row in rows if len(row) == 5]  # a sentiment and a topic: finished rows
    assert done, rows
    for number, _, item, sentiment, _topic in done:
        assert sentiment == ("positive" if int(number) % 2 == 0 else "negative"), (number, item, sentiment)
    assert any(row[-1] == "not run" for row in rows)
    stats = job.locator("[data-role=job-stats]").inner_text()
    assert "elapsed " in stats and " spent $" in f" {stats}" and " for all 80" in stats and "in all" not in stats

    # Resume sends the items not run, and the job finishes.
    resume = job.locator("[data-role=resume]")
    assert resume.is_visible() and resume.inner_text() == "Resume"
    resume.click()
    page.wait_for_selector(".cw-job[data-state=running]", timeout=30_000)
    assert resume.is_hidden() and job.locator("[data-role=stop]").is_visible()
    page.wait_for_selector(".cw-job[data-state=done]", timeout=120_000)
    assert job.locator("[data-role=job-counts]").inner_text().startswith("80 of 80 finished")
    assert resume.is_hidden()
    rows = page.evaluate(ROWS_SHOWN)
    assert [row[0] for row in rows] == [str(i) for i in range(12)]  # all finished: the first ones
    assert [row[3] for row in rows[:2]] == ["positive", "negative"]
    job.screenshot(path=RESULTS / "job-widget-done.png", animations="disabled")
