"""`chat.map(..., batch=True)` through the fake server's Message Batches API with the real SDK: results matched by
custom_id, the batch price, errored and expired items, Stop as a cancel, max_cost, collecting in a new chat."""

from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic import BaseModel

from claude_widget import Chat
from claude_widget.api.pricing import Billing, cost_usd, list_prices, pricing_for
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.rules import message_text
from claude_widget.jobs.batched import custom_id, index_of, split
from claude_widget.jobs.ledger import ItemError

from .conftest import TEST_KEY


def echo(body: dict[str, Any]) -> Script:
    return Script(text=f"re: {message_text(body['messages'][-1])}")


@pytest.fixture
def served(server: FakeAnthropic) -> FakeAnthropic:
    server.responder = echo
    server.batches.processing_time = 0.2
    return server


def chat_on(server: FakeAnthropic, **options: Any) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, **options)


def created(server: FakeAnthropic) -> list[dict[str, Any]]:
    return [r.body for r in server.requests if r.method == "POST" and r.path == "/v1/messages/batches"]


def test_a_batch_job_answers_every_item_in_order_at_half_the_price(served: FakeAnthropic) -> None:
    job = chat_on(served, system="Be brief.").map([f"q{i}" for i in range(5)], prompt="Label: {}", batch=True)
    assert job.wait(timeout=30) == [f"re: Label: q{i}" for i in range(5)]
    [body] = created(served)
    assert [r["custom_id"] for r in body["requests"]] == [f"item-{i}" for i in range(5)]
    assert body["requests"][0]["params"]["system"] == "Be brief." and "stream" not in body["requests"][0]["params"]
    assert len(job.batch_ids) == 1 and job.state == "done" and job.batch_status == "ended"
    assert job.progress().line().endswith(f"batches {job.batch_ids[0]}")  # kept in the saved output
    assert job.cost == pytest.approx(cost_usd(job.usage, pricing_for(job.model), Billing(batch=True)))
    assert job.cost == pytest.approx(cost_usd(job.usage, pricing_for(job.model)) / 2)  # type: ignore[operator]
    assert served.message_requests() == []  # no request of its own


class Label(BaseModel):
    sentiment: str


def test_structured_results_and_failed_items_come_back_per_item(served: FakeAnthropic) -> None:
    served.batches.processing_time, served.batches.expires_in = 1.0, 0.85  # the last item expires
    served.enqueue(Script(text='{"sentiment": "good"}'), Script(status=500, error_message="Internal server error"))
    job = chat_on(served).map(["a", "b", "c", "d"], schema=Label, batch=True)
    results = job.wait(timeout=30)
    assert results[0] == Label(sentiment="good") and isinstance(results[2], Label) and results[1] is results[3] is None
    assert job.errors[1] == ItemError("api_error", "Internal server error")
    assert job.errors[3].kind == "expired" and "resume() sends it again" in job.errors[3].message
    assert created(served)[0]["requests"][0]["params"]["output_config"]["format"]["type"] == "json_schema"
    served.batches.expires_in = 3600
    assert job.resume().wait(timeout=30)[1] is not None  # only the failed ones go again, in a new batch
    assert [len(b["requests"]) for b in created(served)] == [4, 2] and len(job.batch_ids) == 2


def test_stop_cancels_the_batch_and_keeps_what_was_processed(served: FakeAnthropic) -> None:
    served.batches.processing_time = 3.0
    job = chat_on(served).map([str(i) for i in range(10)], batch=True)
    deadline = time.monotonic() + 10
    while not job.batch_ids and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.8)
    job.stop()
    job.wait(timeout=30)
    counts = job.counts()
    assert job.state == "stopped" and counts["done"] >= 1 and counts["stopped"] >= 5
    assert counts["done"] + counts["stopped"] == 10
    assert any(r.path.endswith("/cancel") for r in served.requests)


def test_max_cost_submits_only_what_fits_at_the_worst(served: FakeAnthropic) -> None:
    chat = chat_on(served, max_tokens=1000)
    worst = 1000 * list_prices(chat.model, batch=True)["output"] / 1e6  # type: ignore[index]
    job = chat.map([str(i) for i in range(10)], batch=True, max_cost=worst * 3.5)
    job.wait(timeout=30)
    assert len(created(served)[0]["requests"]) == 3
    assert job.stopped_by == "max_cost" and job.counts()["stopped"] == 7


def test_a_new_chat_collects_a_batch_it_did_not_start(served: FakeAnthropic) -> None:
    served.batches.processing_time = 0.5
    items = [f"q{i}" for i in range(4)]
    first = chat_on(served).map(items, batch=True)
    deadline = time.monotonic() + 10
    while not first.batch_ids and time.monotonic() < deadline:
        time.sleep(0.02)
    ids = list(first.batch_ids)  # what a notebook keeps; then the kernel restarts
    later = chat_on(served).collect(ids, items)
    assert later.wait(timeout=30) == [f"re: q{i}" for i in range(4)]
    assert list(later.to_pandas()["input"]) == items
    unknown = chat_on(served).collect(ids[0])
    assert unknown.wait(timeout=30) == [f"re: q{i}" for i in range(4)]
    assert list(unknown.to_pandas()["input"]) == [None] * 4
    with pytest.raises(ValueError, match="collect\\(\\) takes a batch id"):
        chat_on(served).collect([])


def test_requests_are_split_within_the_apis_limits() -> None:
    requests = [{"custom_id": custom_id(i), "params": {"x": "y" * 10}} for i in range(7)]
    assert [len(b) for b in split(requests, max_requests=3)] == [3, 3, 1]
    assert [len(b) for b in split(requests, max_bytes=120)] == [2, 2, 2, 1]
    assert index_of("item-12") == 12 and index_of("other") is None and index_of("item-x") is None


def test_stop_right_away_sends_no_batch_or_cancels_it(served: FakeAnthropic) -> None:
    job = chat_on(served).map(["a", "b", "c"], batch=True)
    job.stop()
    job.wait(timeout=30)
    assert job.state == "stopped" and job.counts()["done"] == 0
    assert not created(served) or any(r.path.endswith("/cancel") for r in served.requests)


def test_collecting_without_the_items_finds_every_result_and_cannot_resume(served: FakeAnthropic) -> None:
    served.batches.processing_time = 0.3
    first = chat_on(served).map([("a",), ("b", object()), ("c",), ("d",)], batch=True)  # item 1 cannot be sent
    first.wait(timeout=30)
    assert first.errors[1].kind == "bad_input" and len(created(served)[0]["requests"]) == 3
    collected = chat_on(served).collect(first.batch_ids)  # the batch says 3 requests; the last is item 3
    assert collected.wait(timeout=30) == ["re: a", None, "re: c", "re: d"]
    with pytest.raises(RuntimeError, match="collected without its items"):
        collected.resume()
