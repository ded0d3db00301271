"""Every fault, one test each: the real SDK against the fake server, through the stream manager.

The fake server answers a continuation request with the rest of the scripted answer, so "the final text equals
what one clean stream would have given" is checked exactly, character for character.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import anthropic
import pytest

from claude_widget import StatusChanged, StreamManager
from claude_widget.engine.continuation import CONTINUE_PROMPT
from claude_widget.engine.options import Backoff, StreamOptions
from claude_widget.fake_server import FakeAnthropic, Script

from .conftest import TEST_KEY

ANSWER = (
    "Streaming keeps one HTTP response open. The server writes events as the model produces tokens, "
    "and the client renders each delta at once. If the connection drops, the client keeps what arrived "
    "and asks the model to continue from there: ünïcödé and emoji 🎉 must survive the seam intact."
)
FAST = Backoff(base=0.01, cap=0.02)


def manager(client: anthropic.AsyncAnthropic, **options: Any) -> StreamManager:
    options = {"model": "claude-sonnet-5-5", "backoff": FAST, "stall_timeout": 5.0, **options}
    return StreamManager(client, StreamOptions(**options), [{"role": "user", "content": "Go"}])


async def run(m: StreamManager) -> list[StatusChanged]:
    return [event async for event in m if isinstance(event, StatusChanged)]


def retrying(statuses: list[StatusChanged]) -> list[dict[str, object]]:
    return [s.error for s in statuses if s.status == "retrying" and s.error]


# -- before the stream ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "kind", "words"),
    [(400, "bad_request", "rejected the request"), (413, "too_large", "shorten"), (403, "permission", "403")],
)
async def test_client_errors_are_explained_and_not_retried(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, status: int, kind: str, words: str
) -> None:
    server.enqueue(Script(status=status, error_message="max_tokens: too large"))
    m = manager(client)
    await run(m)
    assert m.status == "error"
    assert m.error is not None and m.error["kind"] == kind and words in m.error["message"]
    assert len(server.message_requests()) == 1


async def test_unknown_model_lists_the_valid_ones(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    m = manager(client, model="claude-sonet-5-5")
    await run(m)
    assert m.error is not None and m.error["kind"] == "not_found"
    assert "'claude-sonet-5-5'" in m.error["message"]
    assert "claude-sonnet-5-5" in m.error["message"] and "claude-haiku-4-5" in m.error["message"]
    assert len(server.message_requests()) == 1


@pytest.mark.parametrize("header", ["retry-after", "retry-after-ms"])
async def test_rate_limit_counts_down_from_retry_after_then_streams(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, header: str
) -> None:
    value = "0.3" if header == "retry-after" else "300"
    server.enqueue(Script(status=429, headers={header: value}), Script(text=ANSWER))
    m = manager(client)
    [info] = retrying(await run(m))
    assert info["retry_in"] == 0.3
    assert str(info["message"]).startswith("Rate limited — retrying in 0.3 s")
    assert info["countdown"] == "Rate limited — retrying{in}"  # the view fills in the wait as it counts down
    first, second = server.message_requests()
    assert second.received_at - first.received_at >= 0.3
    assert m.text == ANSWER


@pytest.mark.parametrize(("status", "headline"), [(529, "Claude is overloaded"), (500, "internal error")])
async def test_overload_backs_off_then_gives_up_with_a_retry_banner(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, status: int, headline: str
) -> None:
    server.enqueue(*[Script(status=status)] * 3)
    m = manager(client, max_retries=2)
    waits = retrying(await run(m))
    assert [w["attempt"] for w in waits] == [2, 3]
    assert all(headline in str(w["message"]) and "of 3" in str(w["message"]) for w in waits)
    assert m.status == "error" and len(server.message_requests()) == 3  # exactly 1 + max_retries


def test_backoff_is_exponential_with_jitter() -> None:
    backoff = Backoff(base=0.5, cap=8)
    for attempt, ceiling in enumerate([0.5, 1, 2, 4, 8, 8]):
        delays = [backoff.delay(attempt) for _ in range(50)]
        assert all(0.75 * ceiling <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jittered
    assert backoff.delay(3, retry_after=1.25) == 1.25


async def test_connection_refused_is_retried_and_names_the_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once the socket closes
    client = anthropic.AsyncAnthropic(api_key="k", base_url=f"http://127.0.0.1:{port}", max_retries=0)
    m = manager(client, max_retries=2)
    waits = retrying(await run(m))
    assert len(waits) == 2
    assert str(waits[0]["message"]).startswith(f"Can't reach the API at http://127.0.0.1:{port} — retrying")
    assert m.error is not None and m.error["kind"] == "connection"


async def test_dns_failure_is_reported_like_a_refused_connection() -> None:
    client = anthropic.AsyncAnthropic(api_key="k", base_url="http://no-such-host.invalid", max_retries=0)
    m = manager(client, max_retries=1)
    await run(m)
    assert m.error is not None and m.error["kind"] == "connection"
    assert "http://no-such-host.invalid" in m.error["message"]


@pytest.fixture
def unaccepting_port() -> Iterator[int]:
    """A port whose listen queue is full: new connections hang in SYN, as behind a black hole."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    fillers = []
    for _ in range(4):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(listener.getsockname())
        fillers.append(filler)
    time.sleep(0.05)
    yield listener.getsockname()[1]
    for sock in [*fillers, listener]:
        sock.close()


async def test_connect_timeout_is_retried(unaccepting_port: int) -> None:
    import httpx2

    client = anthropic.AsyncAnthropic(
        api_key="k", base_url=f"http://127.0.0.1:{unaccepting_port}", max_retries=0,
        timeout=httpx2.Timeout(connect=0.2, read=None, write=5, pool=5),
    )  # fmt: skip
    m = manager(client, max_retries=1)
    waits = retrying(await run(m))
    assert m.error is not None and m.error["kind"] == "timeout", m.error
    assert len(waits) == 1 and "Can't reach the API" in str(waits[0]["message"])


# -- inside the stream: keep what arrived and continue -------------------------------------------------------
@pytest.mark.parametrize(
    "fault",
    ["error_event", "drop", "reset", "early_end"],
)
async def test_mid_stream_failures_continue_to_the_exact_answer(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, fault: str
) -> None:
    server.enqueue(Script(text=ANSWER, fault=fault, fault_after=101), Script(text=ANSWER))  # type: ignore[arg-type]
    m = manager(client)
    waits = retrying(await run(m))
    assert m.status == "done"
    assert m.text == ANSWER  # no duplicated and no missing characters at the seam
    [wait] = waits
    assert wait["continuing"] is True and "— continuing" in str(wait["message"])
    headline = "Interrupted" if fault == "error_event" else "Connection interrupted"
    assert str(wait["message"]).startswith(headline)
    _, second = server.message_requests()
    partial = ANSWER[:104]  # fault_after=101 with 4-character deltas
    assert second.body["messages"][-2:] == [
        {"role": "assistant", "content": [{"type": "text", "text": partial.rstrip()}]},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]
    assert [a.continuation for a in m.attempts] == [None, "user_turn"]


@pytest.mark.parametrize("display", ["summarized", "omitted"])
async def test_a_thinking_models_answer_continues_with_its_thinking_passed_back_exactly(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, display: str
) -> None:
    """Sonnet 5.5 takes no prefill, and the fake server checks each thinking block's signature against its text,
    as the API does: the continuation is a user turn after the partial answer, its thinking block as it came."""
    thought = "The user wants SSE explained."
    server.enqueue(Script(text=ANSWER, thinking=thought, fault="drop", fault_after=101), Script(text=ANSWER))
    m = manager(client, thinking={"type": "adaptive", "display": display})
    await run(m)
    assert m.status == "done" and m.text == ANSWER
    assert [a.continuation for a in m.attempts] == [None, "user_turn"]
    _, second = server.message_requests()  # accepted: the server refuses an edited or unsigned block with a 400
    partial, prompt = second.body["messages"][-2:]
    thinking, text = partial["content"]
    assert thinking["type"] == "thinking" and thinking["signature"]
    assert thinking["thinking"] == (thought if display == "summarized" else "")
    assert text == {"type": "text", "text": ANSWER[:104].rstrip()} and prompt["content"] == CONTINUE_PROMPT


async def test_a_thinking_block_edited_in_the_history_is_refused_as_the_api_does(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(text="Hi.", thinking="Greeting."))
    m = manager(client)
    await run(m)
    [message] = m.turn_messages
    message["content"][0]["thinking"] = "Something else."
    follow_up = StreamManager(client, m.options, [*m.messages, message, {"role": "user", "content": "And?"}])
    await run(follow_up)
    assert follow_up.status == "error" and follow_up.error is not None
    assert "is bound to a different conversation" in follow_up.error["message"]


@pytest.mark.parametrize("fault", ["stall", "ping_stall"])
async def test_stalls_are_caught_by_the_content_watchdog_and_continued(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic, fault: str
) -> None:
    server.enqueue(Script(text=ANSWER, fault=fault, fault_after=60, ping_interval=0.05), Script(text=ANSWER))  # type: ignore[arg-type]
    m = manager(client, stall_timeout=0.3)
    [wait] = retrying(await run(m))
    assert wait["kind"] == "stall"
    assert m.text == ANSWER
    stalled = server.message_requests()[0]
    assert stalled.done.wait(2) and stalled.client_closed_at is not None  # we hung up on the stalled stream
    if fault == "ping_stall":
        assert "ping" in [name for _, name in stalled.events]


async def test_a_continuation_that_repeats_the_tail_is_merged(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(text=ANSWER, fault="drop", fault_after=120), Script(text=ANSWER, repeat_tail=30))
    m = manager(client)
    await run(m)
    assert m.text == ANSWER


async def test_prefill_where_the_model_accepts_it(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(Script(text=ANSWER, fault="reset", fault_after=80), Script(text=ANSWER))
    m = manager(client, model="claude-haiku-4-5")
    await run(m)
    assert m.text == ANSWER
    assert server.message_requests()[1].body["messages"][-1] == {
        "role": "assistant",
        "content": [{"type": "text", "text": ANSWER[:80].rstrip()}],
    }
    assert [a.continuation for a in m.attempts] == [None, "prefill"]


async def test_rejected_prefill_falls_back_to_a_user_turn() -> None:
    with FakeAnthropic(api_key=TEST_KEY, prefill=lambda model: False) as server:
        client = anthropic.AsyncAnthropic(api_key=TEST_KEY, base_url=server.url, max_retries=0)
        server.enqueue(Script(text=ANSWER, fault="drop", fault_after=80), Script(text=ANSWER))
        m = manager(client, model="claude-haiku-4-5")
        await run(m)
        assert m.text == ANSWER
        assert [a.continuation for a in m.attempts] == [None, "prefill", "user_turn"]
        assert [a.outcome for a in m.attempts] == ["connection", "prefill_rejected", "done"]
        assert server.message_requests()[2].body["messages"][-1]["role"] == "user"


async def test_usage_sums_every_attempt_and_attempts_show_their_cause(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    first = Script(text=ANSWER, fault="drop", fault_after=40, input_tokens=100)
    server.enqueue(Script(status=529), first, Script(text=ANSWER, input_tokens=150))
    m = manager(client)
    await run(m)
    assert m.text == ANSWER
    assert [a.outcome for a in m.attempts] == ["overloaded", "connection", "done"]
    continued = -(-(len(ANSWER) - 40) // 4)  # deltas of the continuation, one token each
    assert m.usage["input_tokens"] == 100 + 150
    assert m.usage["output_tokens"] == 10 + continued  # 10 deltas arrived before the drop
    assert m.attempts[1].usage_estimated is True


async def test_malformed_event_keeps_the_partial_and_reports(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(text=ANSWER, fault="malformed", fault_after=40))
    m = manager(client)
    await run(m)
    assert m.status == "error" and m.error is not None and m.error["kind"] == "protocol"
    assert m.text == ANSWER[:40]
    assert "kept" in m.error["message"]


async def test_unknown_event_types_are_ignored(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(Script(text=ANSWER, unknown_events=True))
    m = manager(client)
    await run(m)
    assert m.status == "done" and m.text == ANSWER
    assert "future_event" in [name for _, name in server.message_requests()[0].events]


async def test_stop_during_a_backoff_wait_sends_no_further_request(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(status=529), Script(text=ANSWER))
    m = manager(client, backoff=Backoff(base=30, cap=30))
    async for event in m:
        if isinstance(event, StatusChanged) and event.status == "retrying":
            stopped_at = time.monotonic()
            m.cancel()
    assert m.status == "stopped"
    assert time.monotonic() - stopped_at < 5  # at once, not after the 30 s wait
    await asyncio.sleep(0.2)
    assert len(server.message_requests()) == 1


async def test_a_request_is_sent_at_most_one_plus_max_retries_times(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(*[Script(text=ANSWER, fault="drop", fault_after=20)] * 10)
    m = manager(client, max_retries=3)
    await run(m)
    assert len(server.message_requests()) == 4
    assert m.status == "error"
    assert m.text.startswith(ANSWER[:20]) and len(m.text) > 20  # every attempt's progress is kept
