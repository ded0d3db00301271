"""Map jobs and the answer store (issue 24, item 5): every item's answer is kept, streamed or batched; with replay on a
re-run job asks only for the items the store does not have, so a job stopped by a kernel shutdown goes on where it
stopped, and its progress says how many came from the store and what that saved."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import claude_widget
from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.rules import message_text

from .conftest import TEST_KEY

ITEMS = [f"review {i}" for i in range(6)]


class Label(BaseModel):
    topic: str


def echo(body: dict[str, Any]) -> Script:
    return Script(text=f"label for {message_text(body['messages'][-1])}")


def chat(server: FakeAnthropic, store: Path, **options: Any) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, store=store, **options)


def test_a_re_run_job_asks_only_for_what_the_store_does_not_have(server: FakeAnthropic, tmp_path: Path) -> None:
    store = tmp_path / "answers.sqlite"
    server.responder = echo
    first = chat(server, store).map(ITEMS[:4], prompt="Label: {}")
    assert first.wait(30) == [f"label for Label: review {i}" for i in range(4)]
    assert len(server.message_requests()) == 4

    again = chat(server, store, replay=True).map(ITEMS, prompt="Label: {}")
    assert again.wait(30) == [f"label for Label: review {i}" for i in range(6)]
    assert len(server.message_requests()) == 6  # only the two new items were sent
    progress = again.progress()
    assert progress.from_store == 4 and progress.saved == pytest.approx(first.cost)
    assert "4 from the store (saved $" in progress.line()
    assert again.cost == pytest.approx(sum(c for c in again.item_cost[4:] if c))  # the replayed ones cost nothing

    ledger = claude_widget.answers(store=store)
    assert sorted(ledger["replayed"]) == [False] * 6 + [True] * 4
    assert set(ledger["question"]) == {f"Label: review {i}" for i in range(6)} and set(ledger["source"]) == {"map"}


def test_a_batch_jobs_items_are_kept_and_replayed_without_a_batch(server: FakeAnthropic, tmp_path: Path) -> None:
    store = tmp_path / "answers.sqlite"
    first = chat(server, store).map(ITEMS[:3], prompt="Label: {}", schema=Label, batch=True)
    labels = first.wait(60)
    assert all(isinstance(label, Label) for label in labels)
    batches = [r for r in server.requests if r.path == "/v1/messages/batches" and r.method == "POST"]
    again = chat(server, store, replay=True).map(ITEMS[:3], prompt="Label: {}", schema=Label, batch=True)
    assert again.wait(60) == labels  # parsed again from the kept text
    assert [r for r in server.requests if r.path == "/v1/messages/batches" and r.method == "POST"] == batches
    assert again.progress().from_store == 3 and again.cost == 0


JOB = """
import os, sys, time
from claude_widget import Chat
chat = Chat(replay=True)
job = chat.map([f"review {i}" for i in range(8)], prompt="Label: {}", concurrency=2)
if sys.argv[1] == "stop-midway":
    while job.counts()["done"] < 3:
        time.sleep(0.01)
    os._exit(0)  # the kernel shut down mid-job: no goodbye
print(len(job.wait(60)), job.progress().from_store)
"""


def test_a_job_whose_kernel_died_mid_job_goes_on_where_it_stopped(server: FakeAnthropic, tmp_path: Path) -> None:
    server.responder = lambda body: Script(text=f"label for {message_text(body['messages'][-1])}", delay=0.02)
    env = {**os.environ, "ANTHROPIC_API_KEY": TEST_KEY, "ANTHROPIC_BASE_URL": server.url,
           "CLAUDE_WIDGET_STORE": str(tmp_path / "answers.sqlite")}  # fmt: skip
    subprocess.run([sys.executable, "-c", JOB, "stop-midway"], env=env, check=True, timeout=60)
    kept = len(claude_widget.answers(store=tmp_path / "answers.sqlite").query("status == 'done'"))
    assert 3 <= kept < 8
    sent = len(server.message_requests())
    finished = subprocess.run([sys.executable, "-c", JOB, "to-the-end"], env=env, check=True, timeout=60,
                              capture_output=True, text=True)  # fmt: skip
    assert finished.stdout.split() == ["8", str(kept)]
    assert len(server.message_requests()) - sent == 8 - kept  # only what was missing


def test_replaying_without_a_key_fails_only_the_items_not_kept(
    server: FakeAnthropic, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "answers.sqlite"
    server.responder = echo
    chat(server, store).map(ITEMS[:2], prompt="Label: {}").wait(30)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    job = Chat(replay=True, store=store, base_url=server.url).map(ITEMS[:3], prompt="Label: {}")
    results = job.wait(30)
    assert results[:2] == ["label for Label: review 0", "label for Label: review 1"] and results[2] is None
    assert job.errors[2].kind == "no_key" and "not in the answer store" in job.errors[2].message
