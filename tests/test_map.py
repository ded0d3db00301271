"""`chat.map` against the fake server with the real SDK: results in input order, a rate limit found and kept,
`concurrency` never passed, structured results, a failed item that does not stop the job, stop and resume,
`max_cost`, `to_pandas`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from claude_widget import Chat
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.fake_server.limits import RateLimits
from claude_widget.fake_server.rules import message_text
from claude_widget.jobs.ledger import ItemError

from .conftest import TEST_KEY


def echo(seconds: float = 0.0) -> Any:
    """Answers "re: <question>", taking about `seconds` to stream (a question that says "slow" takes 3x)."""

    def answer(body: dict[str, Any]) -> Script:
        question = message_text(body["messages"][-1])
        pace = seconds * (3 if "slow" in question else 1)
        return Script(text=f"re: {question}", chunk_size=64, first_delay=pace)

    return answer


@pytest.fixture
def served() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(responder=echo(0.05)) as server:
        yield server


def chat_on(server: FakeAnthropic, **options: Any) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, **options)


def test_results_come_in_input_order_whatever_order_they_finish_in(served: FakeAnthropic) -> None:
    chat = chat_on(served, system="Be brief.")
    chat.send("Earlier question").wait(timeout=10)
    items = [f"slow {i}" if i % 3 == 0 else f"fast {i}" for i in range(12)]
    job = chat.map(items, prompt="Q: {}")
    assert job.wait(timeout=30) == [f"re: Q: {item}" for item in items]
    assert job.counts()["done"] == 12 and not job.errors
    requests = served.message_requests()[1:]
    assert all(r.body["system"] == "Be brief." and len(r.body["messages"]) == 3 for r in requests)  # the history
    assert len(chat.turns) == 1  # which does not grow


def test_it_finds_the_servers_limit_and_stays_at_it(served: FakeAnthropic) -> None:
    served.responder = echo(0.2)
    served.limiter.limits = RateLimits(concurrent=6)
    job = chat_on(served).map([str(i) for i in range(60)])
    job.wait(timeout=60)
    assert job.counts()["done"] == 60
    assert served.limiter.most_in_flight == 6  # it used all the room there was
    assert served.limiter.refused <= 6  # and found it without hammering (< 10% of requests)
    assert job.refusals == served.limiter.refused


def test_the_job_reads_the_per_minute_budgets_the_api_states(served: FakeAnthropic) -> None:
    served.limiter.limits = RateLimits(per_minute=1000, input_tokens_per_minute=100_000)
    job = chat_on(served).map(["a", "b", "c"], concurrency=1)
    job.wait(timeout=10)
    budgets = job._streamed.concurrency.budgets
    assert budgets["requests"].per_minute == 1000 and budgets["input-tokens"].per_minute == 100_000
    assert 0 < budgets["input-tokens"].remaining < 100_000


def test_concurrency_is_never_passed(served: FakeAnthropic) -> None:
    served.responder = echo(0.1)
    job = chat_on(served).map(range(20), prompt="Square {}", concurrency=2)
    job.wait(timeout=30)
    assert served.limiter.most_in_flight == 2 and job.counts()["done"] == 20


class Label(BaseModel):
    sentiment: str
    stars: int


def test_a_schema_gives_instances_and_an_answer_that_does_not_fit_fails_its_item(served: FakeAnthropic) -> None:
    served.enqueue(Script(text='{"sentiment": "positive"'))  # cut short: not JSON
    job = chat_on(served).map(["awful", "great", "fine"], prompt="Review: {}", schema=Label, concurrency=1)
    results = job.wait(timeout=30)
    assert results[0] is None and job.errors[0].kind == "schema"
    assert "does not fit Label" in job.errors[0].message
    assert all(isinstance(r, Label) for r in results[1:])
    body = served.message_requests()[-1].body
    assert body["output_config"]["format"]["type"] == "json_schema"
    assert body["output_config"]["format"]["schema"]["additionalProperties"] is False
    frame = job.to_pandas()
    assert list(frame.columns) == ["input", "sentiment", "stars", "status", "error", "input_tokens", "output_tokens",
                                   "cost"]  # fmt: skip
    assert list(frame["status"]) == ["failed", "done", "done"] and frame["cost"].iloc[1] > 0
    raw = chat_on(served).map(
        ["x"], schema={"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    )
    assert isinstance(raw.wait(timeout=10)[0]["n"], int)


def test_a_failed_item_does_not_stop_the_job(served: FakeAnthropic) -> None:
    served.enqueue(Script(status=400, error_message="messages.0.content: bad"))
    job = chat_on(served, max_retries=0).map(["a", "b", "c"], concurrency=1)
    assert job.wait(timeout=10) == [None, "re: b", "re: c"]
    assert list(job.errors) == [0] and job.errors[0] == ItemError("bad_request", job.errors[0].message)
    assert "messages.0.content: bad" in job.errors[0].message


def test_stop_keeps_what_finished_and_resume_sends_only_the_rest(served: FakeAnthropic) -> None:
    served.responder = echo(0.3)
    job = chat_on(served).map([str(i) for i in range(20)], concurrency=4)
    deadline = time.monotonic() + 10
    while job.counts()["done"] < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    job.stop()
    results = job.wait(timeout=10)
    counts = job.counts()
    assert job.stopped_by == "stop" and counts["done"] >= 4 and counts["stopped"] > 0
    assert counts["done"] + counts["stopped"] == 20
    kept = {i: r for i, r in enumerate(results) if r is not None}
    stopped = {str(i) for i, state in enumerate(job.states) if state == "stopped"}
    sent_before = len(served.message_requests())
    served.responder = echo(0.0)
    assert job.resume().wait(timeout=30) == [f"re: {i}" for i in range(20)]
    asked_again = [message_text(r.body["messages"][-1]) for r in served.message_requests()[sent_before:]]
    assert stopped <= set(asked_again) and not {str(i) for i in kept} & set(asked_again)  # only what was missing
    assert all(job.results[i] == r for i, r in kept.items())


def test_max_cost_starts_no_item_that_would_pass_it(served: FakeAnthropic) -> None:
    chat = chat_on(served, max_tokens=100)
    one = chat.map(["a"])
    one.wait(timeout=10)
    each = one.cost
    assert each is not None
    job = chat.map([str(i) for i in range(20)], max_cost=each * 5.5, concurrency=1)
    job.wait(timeout=30)
    assert job.stopped_by == "max_cost" and job.counts()["done"] in (4, 5) and job.counts()["stopped"] >= 15
    assert job.cost is not None and job.cost <= each * 5.5
    with pytest.raises(ValueError, match="max_cost must be a positive number"):
        chat.map(["a"], max_cost=0)


def test_bad_arguments_fail_before_anything_is_sent(served: FakeAnthropic) -> None:
    chat = chat_on(served)
    with pytest.raises(ValueError, match="does not fit item 1"):
        chat.map([{"t": "a"}, {"u": "b"}], prompt="{t}")
    with pytest.raises(TypeError, match="schema= takes a pydantic model class or a JSON schema dict"):
        chat.map(["a"], schema=int)
    with pytest.raises(TypeError, match="not a JSON schema the API's structured outputs take"):
        chat.map(["a"], schema={"type": ["object", "null"], "properties": {}})
    with pytest.raises(ValueError, match="concurrency must be at least 1"):
        chat.map(["a"], concurrency=0)
    assert served.message_requests() == []
    json.dumps(chat.history)


def test_a_failing_listener_or_validator_fails_no_more_than_its_item(served: FakeAnthropic) -> None:
    from pydantic import field_validator

    class Picky(BaseModel):
        sentiment: str

        @field_validator("sentiment")
        @classmethod
        def boom(cls, value: str) -> str:
            raise TypeError("a bug in the user's validator")  # not a ValidationError: escapes pydantic

    job = chat_on(served).map(["a", "b"], schema=Picky)
    job.subscribe(lambda: 1 / 0)  # a listener that fails
    assert job.wait(timeout=10) == [None, None]
    assert {e.kind for e in job.errors.values()} == {"internal"} and job.state == "done"


def test_max_cost_needs_a_price(served: FakeAnthropic) -> None:
    with pytest.raises(ValueError, match="max_cost needs the model's price"):
        chat_on(served, model="claude-nope-1").map(["a"], max_cost=1.0)
