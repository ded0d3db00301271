"""What a map job's progress says: its summary, a window of rows in input order, errors by kind; Resume after Stop;
the widget's messages are paced whatever the number of items; a script gets one line on stderr."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.rules import message_text
from claude_widget.widget.job_widget import ROWS, JobWidget, ScriptProgress, error_groups, rows

from .conftest import TEST_KEY


def test_the_summary_counts_rates_and_money(server: FakeAnthropic) -> None:
    server.enqueue(Script(status=400, error_message="bad one"), Script(status=400, error_message="bad two"))
    job = Chat(api_key=TEST_KEY, base_url=server.url, max_retries=0).map([f"q{i}" for i in range(10)], concurrency=1)
    job.wait(timeout=30)
    p = job.progress()
    assert (p.total, p.done, p.failed, p.running, p.queued, p.state) == (10, 8, 2, 0, 0, "done")
    assert p.cost == job.cost and p.projected_cost == job.cost and p.eta is None and p.rate > 0
    assert p.input_tokens > 0 and p.output_tokens > 0
    assert p.as_dict()["total"] == 10 and p.as_dict()["batch_ids"] == []  # the widget's trait: JSON
    assert [r["index"] for r in rows(job)] == list(range(10))  # all finished: the first ones, in input order
    assert error_groups(job) == [{"kind": "bad_request", "count": 2, "example": error_groups(job)[0]["example"]}]
    assert "bad two" in error_groups(job)[0]["example"]  # the latest of its kind
    assert p.line().startswith("8/10 done · 2 failed · ")


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


class Label(BaseModel):
    sentiment: str
    stars: int


def test_rows_show_the_item_and_the_results_fields_in_input_order_numbered_as_results_is(
    server: FakeAnthropic,
) -> None:
    server.enqueue(Script(status=400, error_message="bad one"))
    reviews = [{"product": "kettle", "text": f"review {i}"} for i in range(30)]
    chat = Chat(api_key=TEST_KEY, base_url=server.url, max_retries=0)
    job = chat.map(reviews, prompt="Label this review of a {product}: {text}", schema=Label, concurrency=1)
    job.wait(timeout=30)
    shown = rows(job)
    assert [r["index"] for r in shown] == list(range(ROWS))
    assert shown[0]["status"] == "failed" and "bad one" in (shown[0]["error"] or "") and 0 in job.errors
    assert shown[1]["item"] == "kettle · review 1"  # the item, not the question made of it
    assert shown[1]["values"] == [job.results[1].sentiment, str(job.results[1].stars)]
    assert JobWidget(job).columns == ["sentiment", "stars"]
    assert job.to_pandas()["status"].iloc[0] == "failed"  # the same numbers as the rows'


def test_the_window_of_rows_follows_the_job(server: FakeAnthropic) -> None:
    def answer(body: dict[str, Any]) -> Script:
        return Script(text="ok", first_delay=0.3 if "slow" in message_text(body["messages"][-1]) else 0)

    server.responder = answer
    items = [f"slow {i}" if i == 20 else f"fast {i}" for i in range(40)]
    job = Chat(api_key=TEST_KEY, base_url=server.url).map(items, concurrency=1)
    deadline = time.monotonic() + 10
    while job.states[20] != "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    shown = rows(job)
    assert [r["index"] for r in shown] == list(range(16, 16 + ROWS))  # a few finished, the running one, what is next
    assert [r["status"] for r in shown][:5] == ["done"] * 4 + ["running"] and shown[0]["values"] == ["ok"]
    assert shown[0]["item"] == "fast 16"
    job.wait(timeout=30)


def test_resume_from_the_widget_sends_what_was_not_done_and_elapsed_leaves_out_the_pause(
    server: FakeAnthropic,
) -> None:
    server.responder = lambda body: Script(text="ok", first_delay=0.2)
    chat = Chat(api_key=TEST_KEY, base_url=server.url, offline=False)
    began = time.monotonic()
    job = chat.map([str(i) for i in range(12)], concurrency=2)
    widget = job.widget
    assert isinstance(widget, JobWidget)
    assert widget.model == chat.model and widget.offline is False
    deadline = time.monotonic() + 10
    while job.counts()["done"] < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    widget._on_intent(widget, {"intent": "stop"}, [])
    job.wait(timeout=10)
    assert job.state == "stopped" and job.resumable
    synced(widget, lambda progress: progress["state"] == "stopped" and progress["resumable"] is True)
    time.sleep(0.5)  # stopped: not running time
    widget._on_intent(widget, {"intent": "resume"}, [])  # carried out on the job's loop
    deadline = time.monotonic() + 10
    while job.done and job.counts()["done"] < 12 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.wait(timeout=30) == ["ok"] * 12 and job.state == "done" and not job.resumable
    assert job.elapsed < time.monotonic() - began - 0.45  # the pause is not counted
    synced(widget, lambda progress: progress["state"] == "done" and progress["resumable"] is False)


def synced(widget: JobWidget, condition: Callable[[dict[str, Any]], bool], timeout: float = 10) -> None:
    """Wait until the widget's progress says so (its sync runs on the job's loop, a moment after the job ends)."""
    deadline = time.monotonic() + timeout
    while not condition(widget.progress):
        assert time.monotonic() < deadline, widget.progress
        time.sleep(0.01)
