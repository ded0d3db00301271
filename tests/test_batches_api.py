"""The fake server's Message Batches API, through the real SDK: create, retrieve, list, cancel, results; counts
only at the end, results by custom_id in no particular order, errored, canceled and expired requests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import TEST_KEY


def params(question: str, model: str = "claude-sonnet-5-5") -> dict[str, Any]:
    return {"model": model, "max_tokens": 50, "messages": [{"role": "user", "content": question}]}


@pytest.fixture
def api() -> Iterator[tuple[FakeAnthropic, anthropic.Anthropic]]:
    with FakeAnthropic() as server:
        yield server, anthropic.Anthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)


def wait_until_ended(client: anthropic.Anthropic, batch_id: str) -> Any:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        batch = client.messages.batches.retrieve(batch_id)
        if batch.processing_status == "ended":
            return batch
        time.sleep(0.05)
    raise TimeoutError(batch_id)


def test_a_batch_is_processing_until_it_ends_then_its_results_match_by_custom_id(api: Any) -> None:
    server, client = api
    server.batches.processing_time = 0.3
    server.enqueue(Script(text="A"), Script(text="B"), Script(status=500, error_message="Internal server error"))
    requests = [{"custom_id": f"row-{i}", "params": params(f"Q{i}")} for i in range(3)]
    requests.append({"custom_id": "row-3", "params": params("Q3", model="claude-nope")})
    batch = client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    assert batch.processing_status == "in_progress" and batch.results_url is None
    assert batch.request_counts.processing == 4 and batch.request_counts.succeeded == 0
    time.sleep(0.1)  # some requests are done, but the counts wait for the end, as the API's do
    assert client.messages.batches.retrieve(batch.id).request_counts.processing == 4
    ended = wait_until_ended(client, batch.id)
    counts = ended.request_counts
    assert (counts.processing, counts.succeeded, counts.errored) == (0, 2, 2)
    assert ended.ended_at is not None and ended.results_url.endswith(f"/v1/messages/batches/{batch.id}/results")
    results = list(client.messages.batches.results(batch.id))
    assert [r.custom_id for r in results] == ["row-3", "row-2", "row-1", "row-0"]  # any order: match by id
    by_id = {r.custom_id: r.result for r in results}
    assert by_id["row-0"].type == "succeeded" and by_id["row-0"].message.content[0].text == "A"  # type: ignore[union-attr]
    assert by_id["row-0"].message.usage.output_tokens == 1  # type: ignore[union-attr]
    assert by_id["row-2"].type == "errored" and by_id["row-2"].error.error.type == "api_error"  # type: ignore[union-attr]
    assert by_id["row-3"].error.error.message == "model: claude-nope"  # type: ignore[union-attr]


def test_cancel_keeps_what_was_processed_and_cancels_the_rest(api: Any) -> None:
    server, client = api
    server.batches.processing_time = 2.0
    batch = client.messages.batches.create(requests=[{"custom_id": f"r{i}", "params": params("Hi")} for i in range(10)])  # type: ignore[arg-type]
    time.sleep(0.5)
    canceling = client.messages.batches.cancel(batch.id)
    assert canceling.processing_status == "canceling" and canceling.cancel_initiated_at is not None
    counts = wait_until_ended(client, batch.id).request_counts
    assert counts.succeeded + counts.canceled == 10 and 1 <= counts.succeeded <= 5 and counts.canceled >= 5
    kinds = {r.result.type for r in client.messages.batches.results(batch.id)}
    assert kinds == {"succeeded", "canceled"}


def test_requests_not_processed_in_time_expire(api: Any) -> None:
    server, client = api
    server.batches.processing_time, server.batches.expires_in = 1.0, 0.5
    batch = client.messages.batches.create(requests=[{"custom_id": f"r{i}", "params": params("Hi")} for i in range(4)])  # type: ignore[arg-type]
    counts = wait_until_ended(client, batch.id).request_counts
    assert (counts.succeeded, counts.expired) == (2, 2)


def test_batches_are_listed_newest_first_page_by_page(api: Any) -> None:
    server, client = api
    server.batches.processing_time = 0
    ids = [client.messages.batches.create(requests=[{"custom_id": "a", "params": params("Hi")}]).id for _ in range(3)]  # type: ignore[arg-type]
    first = client.messages.batches.list(limit=2)
    assert [b.id for b in first.data] == ids[::-1][:2] and first.has_more
    assert [b.id for b in client.messages.batches.list(limit=2)] == ids[::-1]  # the SDK follows the pages


def test_a_bad_batch_is_refused_whole_and_an_unknown_one_is_not_found(api: Any) -> None:
    _, client = api
    twice = [{"custom_id": "same", "params": params("a")}, {"custom_id": "same", "params": params("b")}]
    with pytest.raises(anthropic.BadRequestError, match="Duplicate custom_id: same"):
        client.messages.batches.create(requests=twice)  # type: ignore[arg-type]
    with pytest.raises(anthropic.BadRequestError, match="custom_id: String should match pattern"):
        client.messages.batches.create(requests=[{"custom_id": "x" * 65, "params": params("a")}])  # type: ignore[arg-type]
    with pytest.raises(anthropic.NotFoundError, match="msgbatch_nope not found"):
        client.messages.batches.retrieve("msgbatch_nope")
