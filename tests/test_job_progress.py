"""What a map job's progress says: its summary, the latest rows, errors by kind; the widget's messages are paced
whatever the number of items; a script gets one line on stderr."""

from __future__ import annotations

import io
from typing import Any

from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.job_widget import JobWidget, ScriptProgress, error_groups, latest_rows, progress_line, summary

from .conftest import TEST_KEY


def test_the_summary_counts_rates_and_money(server: FakeAnthropic) -> None:
    server.enqueue(Script(status=400, error_message="bad one"), Script(status=400, error_message="bad two"))
    job = Chat(api_key=TEST_KEY, base_url=server.url, max_retries=0).map([f"q{i}" for i in range(10)], concurrency=1)
    job.wait(timeout=30)
    p = summary(job)
    assert (p["total"], p["done"], p["failed"], p["running"], p["queued"], p["state"]) == (10, 8, 2, 0, 0, "done")
    assert p["cost"] == job.cost and p["projected_cost"] == job.cost and p["eta"] is None and p["rate"] > 0
    assert p["input_tokens"] > 0 and p["output_tokens"] > 0
    assert [r["index"] for r in latest_rows(job)] == [5, 6, 7, 8, 9]
    assert error_groups(job) == [{"kind": "bad_request", "count": 2, "example": error_groups(job)[0]["example"]}]
    assert "bad two" in error_groups(job)[0]["example"]  # the latest of its kind
    assert progress_line(job).startswith("8/10 done · 2 failed · ")


def test_the_widget_sends_at_most_about_30_updates_a_second(server: FakeAnthropic) -> None:
    server.responder = lambda body: Script(text="ok", chunk_size=8)
    job = Chat(api_key=TEST_KEY, base_url=server.url).map([str(i) for i in range(300)], concurrency=32)
    widget = job.widget
    assert isinstance(widget, JobWidget) and widget.view == "job"
    updates: list[float] = []
    widget.observe(lambda change: updates.append(job.loop.time()), names="progress")
    job.wait(timeout=60)
    widget._sync_throttle.flush()
    elapsed = max(updates) - min(updates) if len(updates) > 1 else 0.0
    assert widget.progress["done"] == 300 and widget.progress["state"] == "done"
    assert len(updates) <= 1 + elapsed / 0.03 + 1  # throttled, never one per item
    assert len(updates) < 300


def test_a_script_gets_one_line_of_progress_on_stderr(server: FakeAnthropic) -> None:
    out = io.StringIO()
    job: Any = Chat(api_key=TEST_KEY, base_url=server.url).map(["a", "b", "c"])
    ScriptProgress(job, out)
    job.wait(timeout=30)
    lines = out.getvalue()
    assert lines.endswith("\n") and "3/3 done" in lines.split("\r")[-1]
