"""A map job's progress widget in JupyterLab: counts, the bar and the rows move as items end; Stop closes the
requests in flight, starts no more, and keeps what finished. The rows are the items in input order, numbered as
`job.results` is, with the result's start."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.api import message_text

from .conftest import TEST_KEY, open_notebook, run_all_cells, serving

pytestmark = pytest.mark.browser

CELLS = (
    "from claude_widget import Chat\nchat = Chat()\n"
    "job = chat.map([f'review {i}' for i in range(60)], prompt='Label: {}', concurrency=4)\njob",
)
COUNTED = "document.querySelector('[data-role=job-counts]').textContent"


def slow_echo(body: dict[str, Any]) -> Script:
    return Script(text=f"label for {message_text(body['messages'][-1])}", chunk_size=8, delay=0.1)


def test_the_progress_moves_and_stop_closes_what_is_in_flight(tmp_path: Path, page: Any) -> None:
    with FakeAnthropic(api_key=TEST_KEY, responder=slow_echo) as backend, serving("lab", tmp_path, backend) as lab:
        lab.add_notebook("map.ipynb", *CELLS)
        open_notebook(page, lab, "map.ipynb")
        run_all_cells(page)
        page.wait_for_selector(".cw-job[data-state=running]", timeout=60_000)
        page.wait_for_function(f"() => /^([4-9]|\\d\\d) of 60 finished/.test({COUNTED})", timeout=60_000)
        assert "in flight" in page.locator("[data-role=job-counts]").inner_text()
        first = page.locator(".cw-job-rows tbody tr").first
        assert first.locator("td").nth(0).inner_text() == "0"
        assert first.locator("td").nth(1).inner_text() == "review 0"  # the item, not the prompt made of it
        assert first.locator("td").nth(2).inner_text() == "label for Label: review 0"  # the start of the answer
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
