"""The stream manager against the fake server, through the real SDK."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import anthropic
import pytest

from claude_widget import Finished, StatusChanged, StreamError, StreamManager, TextDelta, UsageChanged
from claude_widget.api.request_tokens import estimate_input_tokens
from claude_widget.engine.options import Backoff, StreamOptions
from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import TEST_KEY

ANSWER = "Server-sent events push **text** over one HTTP response. Ünïcödé and emoji 🎉 survive: ∑ ✓."
MESSAGES = [{"role": "user", "content": "Explain SSE"}]


def manager(client: anthropic.AsyncAnthropic, **options: Any) -> StreamManager:
    options = {"model": "claude-sonnet-5-5", "backoff": Backoff(base=0.01, cap=0.05), **options}
    return StreamManager(client, StreamOptions(**options), MESSAGES)


async def collect(m: StreamManager) -> list[object]:
    return [event async for event in m]


async def test_streams_the_exact_text_and_usage(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    script = Script(text=ANSWER, chunk_size=3, cache_read_input_tokens=7)
    server.enqueue(script)
    m = manager(client)
    events = await collect(m)

    assert m.text == ANSWER
    assert m.status == "done"
    assert m.stop_reason == "end_turn"
    assert m.usage == {
        "input_tokens": estimate_input_tokens({"messages": MESSAGES}),
        "output_tokens": script.output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 7,
        "cache_creation_1h_input_tokens": 0,
    }
    deltas = [e for e in events if isinstance(e, TextDelta)]
    assert "".join(d.text for d in deltas) == ANSWER
    assert [d.offset for d in deltas] == [sum(len(d.text) for d in deltas[:i]) for i in range(len(deltas))]
    assert isinstance(events[-1], Finished) and events[-1].text == ANSWER
    statuses = [e.status for e in events if isinstance(e, StatusChanged)]
    assert statuses == ["streaming", "done"]  # "connecting" is the initial state
    assert any(isinstance(e, UsageChanged) for e in events)
    t = m.timings
    assert 0 <= t["first_byte"] <= t["first_token"] <= t["end"]
    assert await m.wait_async() == ANSWER


async def test_sends_one_request_with_the_parameters(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    await collect(manager(client, system="Be brief.", max_tokens=321))
    [request] = server.message_requests()
    assert request.body["model"] == "claude-sonnet-5-5"
    assert request.body["system"] == "Be brief."
    assert request.body["max_tokens"] == 321
    assert request.body["messages"] == MESSAGES
    assert request.body["stream"] is True
    assert request.api_key == TEST_KEY


async def test_cancel_closes_the_socket_and_keeps_the_partial_answer(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(text="x" * 4000, chunk_size=4, delay=0.01))
    m = manager(client)
    seen = 0
    async for event in m:
        if isinstance(event, TextDelta):
            seen += 1
            if seen == 5:
                m.cancel()
    assert m.status == "stopped"
    assert 20 <= len(m.text) < 4000
    request = server.message_requests()[0]
    assert await asyncio.to_thread(request.done.wait, 2)
    assert request.client_closed_at is not None  # the server saw the client close the connection
    assert "message_stop" not in [name for _, name in request.events]
    assert await m.wait_async() == m.text  # a stop is not an error


async def test_cancel_from_another_thread(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(Script(text="y" * 4000, delay=0.01))
    m = manager(client)
    async for event in m:
        if isinstance(event, TextDelta):
            thread = threading.Thread(target=m.cancel)
            thread.start()
            thread.join()
    assert m.status == "stopped"
    assert 0 < len(m.text) < 4000


async def test_cancel_before_the_task_starts_sends_nothing(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    m = manager(client)
    m.start(asyncio.get_running_loop())  # its task is made on this loop, once this test yields: after the cancel
    m.cancel()
    assert await m.wait_async() == ""
    assert m.status == "stopped"
    assert server.message_requests() == []


async def test_wait_on_the_streams_own_loop_refuses_instead_of_deadlocking(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    m = manager(client).start(asyncio.get_running_loop())  # a stream may run on a loop of the caller's
    assert not m.join(0.01)  # nor does join() wait there: it says whether the stream has ended
    with pytest.raises(RuntimeError, match="await"):
        m.wait(timeout=1)
    await m.wait_async()


async def test_overload_before_the_stream_is_retried_visibly(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(status=529), Script(status=500), Script(text=ANSWER))
    m = manager(client)
    events = await collect(m)
    assert m.text == ANSWER and m.status == "done"
    retrying = [e for e in events if isinstance(e, StatusChanged) and e.status == "retrying"]
    assert [e.error["attempt"] for e in retrying] == [2, 3]  # type: ignore[index]
    assert retrying[0].error["kind"] == "overloaded"  # type: ignore[index]
    assert retrying[0].error["message"].startswith("Claude is overloaded — retrying in")  # type: ignore[index]
    assert len(server.message_requests()) == 3
    assert [a.outcome for a in m.attempts] == ["overloaded", "server", "done"]


async def test_rate_limit_waits_as_long_as_retry_after_says(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(status=429, headers={"retry-after": "0.2"}), Script(text="ok"))
    m = manager(client)
    events = await collect(m)
    [retrying] = [e for e in events if isinstance(e, StatusChanged) and e.status == "retrying"]
    assert retrying.error["retry_in"] == 0.2  # type: ignore[index]
    first, second = server.message_requests()
    assert second.received_at - first.received_at >= 0.2
    assert m.text == "ok"


async def test_gives_up_after_max_retries(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(*[Script(status=529)] * 5)
    m = manager(client, max_retries=2)
    await collect(m)
    assert m.status == "error"
    assert m.error is not None and m.error["kind"] == "overloaded"
    assert len(server.message_requests()) == 3  # 1 + max_retries
    with pytest.raises(StreamError):
        await m.wait_async()


async def test_rejected_key_is_not_retried_and_never_echoed(server: FakeAnthropic) -> None:
    wrong = "sk-ant-wrong-key-987654321"
    bad_client = anthropic.AsyncAnthropic(api_key=wrong, base_url=server.url, max_retries=0)
    m = manager(bad_client)
    await collect(m)
    assert m.status == "error"
    assert m.error is not None and m.error["kind"] == "authentication"
    assert "ANTHROPIC_API_KEY" in m.error["message"]
    assert wrong not in repr(m.error)
    assert len(server.message_requests()) == 1


async def test_unknown_model_names_the_model(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    m = manager(client, model="claude-nonexistent-9")
    await collect(m)
    assert m.status == "error"
    assert m.error is not None and m.error["kind"] == "not_found"
    assert "claude-nonexistent-9" in m.error["message"]
    assert len(server.message_requests()) == 1


async def test_connection_refused_is_reported_with_the_url() -> None:
    refused = anthropic.AsyncAnthropic(api_key="k", base_url="http://127.0.0.1:9", max_retries=0)
    m = manager(refused, max_retries=1)
    events = await collect(m)
    assert m.status == "error"
    assert m.error is not None and m.error["kind"] == "connection"
    assert "http://127.0.0.1:9" in m.error["message"]
    assert any(isinstance(e, StatusChanged) and e.status == "retrying" for e in events)


async def test_starting_twice_is_refused(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    m = manager(client).start()
    with pytest.raises(RuntimeError, match="already started"):
        m.start()
    await m.wait_async()
