"""The stall watchdog measures silence on the stream, never a pause of the kernel's own (issue 12)."""

from __future__ import annotations

import time

import anthropic
import pytest

from claude_widget import StreamManager
from claude_widget.engine.errors import StreamError
from claude_widget.engine.events import Thinking
from claude_widget.engine.loops import stream_loop
from claude_widget.engine.options import Backoff, StreamOptions
from claude_widget.engine.watchdog import GRACE, LATE, next_check
from claude_widget.fake_server import FakeAnthropic, Script

MESSAGES = [{"role": "user", "content": "hi"}]


def test_content_since_the_check_was_set_moves_it_on() -> None:
    assert next_check(now=10.0, due=10.0, last_content=9.0, timeout=3.0) == 12.0


def test_silence_checked_on_time_is_a_stall() -> None:
    assert next_check(now=10.0 + LATE / 2, due=10.0, last_content=7.0, timeout=3.0) is None


def test_a_check_the_loop_could_not_run_on_time_first_reads_what_waited() -> None:
    # The loop was held up for 20 s (say, a C call keeping the GIL): the socket may hold content sent meanwhile.
    assert next_check(now=30.0, due=10.0, last_content=7.0, timeout=3.0) == 30.0 + GRACE
    # ... and silence after that grace, checked on time, is a stall.
    assert next_check(now=31.0, due=31.0, last_content=7.0, timeout=3.0) is None


def manager(client: anthropic.AsyncAnthropic, stall_timeout: float) -> StreamManager:
    options = StreamOptions(stall_timeout=stall_timeout, backoff=Backoff(base=0.01, cap=0.05))
    return StreamManager(client, options, MESSAGES)


def test_a_loop_held_up_longer_than_the_stall_timeout_is_not_a_stall(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    script = Script(text="steady " * 120, chunk_size=6, delay=0.02)  # about 2.4 s of content, never quiet
    server.enqueue(script)
    m = manager(client, stall_timeout=0.5).start()
    deadline = time.monotonic() + 5
    while len(m.text) < 20 and time.monotonic() < deadline:
        time.sleep(0.005)
    # Hold the stream's loop, as code keeping the GIL would: the server goes on sending into the socket.
    stream_loop().call_soon_threadsafe(time.sleep, 1.2)
    assert m.wait(timeout=20) == script.text
    assert [a.outcome for a in m.attempts] == ["done"]  # one request: no spurious reconnect
    assert len(server.message_requests()) == 1


def test_a_stream_that_really_goes_quiet_still_stalls(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    server.enqueue(Script(text="x" * 40, fault="stall", fault_after=3), Script(text="rest"))
    m = manager(client, stall_timeout=0.3).start()
    m.wait(timeout=10)
    assert [a.outcome for a in m.attempts] == ["stall", "done"]


# -- thinking: pings inside a thinking block are a model at work ------------------------------------------------
HIDDEN = {"type": "adaptive", "display": "omitted"}


def thinking_manager(client: anthropic.AsyncAnthropic, **options: object) -> StreamManager:
    settings: dict[str, object] = {"thinking": HIDDEN, "backoff": Backoff(base=0.01, cap=0.05), **options}
    return StreamManager(client, StreamOptions(**settings), MESSAGES)  # type: ignore[arg-type]


def test_hidden_thinking_longer_than_the_stall_timeout_is_one_request(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(text="Forty-two.", thinking="Weighing it.", thinking_seconds=2.0, ping_interval=0.1))
    m = thinking_manager(client, stall_timeout=0.5)
    phases: list[Thinking] = []
    m.subscribe(lambda event: phases.append(event) if isinstance(event, Thinking) else None)
    assert m.start().wait(timeout=20) == "Forty-two."
    assert [a.outcome for a in m.attempts] == ["done"] and len(server.message_requests()) == 1
    assert m.thinking == "" and m.thinking_seconds >= 1.9  # nothing of it shown, and its time counted
    # The view is told when the think begins and ends (the text starts), with its time.
    assert [p.active for p in phases] == [True, False] and phases[1].seconds == m.thinking_seconds


def test_silence_inside_a_think_is_still_a_stall(server: FakeAnthropic, client: anthropic.AsyncAnthropic) -> None:
    # No pings: the connection is dead, not the model at work.
    server.enqueue(Script(text="x", thinking="Hmm.", thinking_seconds=3.0, ping_interval=0), Script(text="again"))
    m = thinking_manager(client, stall_timeout=0.5).start()
    assert m.wait(timeout=20) == "again"
    assert [a.outcome for a in m.attempts] == ["stall", "done"]


def test_a_think_past_its_ceiling_ends_the_request_and_says_so(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    server.enqueue(Script(text="late", thinking="Hmm.", thinking_seconds=5.0, ping_interval=0.1))
    m = thinking_manager(client, stall_timeout=0.5, thinking_timeout=1.0).start()
    with pytest.raises(StreamError):
        m.wait(timeout=20)
    assert m.error is not None and m.error["kind"] == "thinking_timeout"
    assert "Claude thought for 1 s without starting its answer" in m.error["message"]
    assert len(server.message_requests()) == 1  # not re-sent: that would pay for another think as long


def test_the_ceiling_by_default_is_the_time_max_tokens_takes_at_40_tokens_a_second() -> None:
    assert StreamOptions().thinking_ceiling == 800  # 32,000 tokens
    assert StreamOptions(effort="max").thinking_ceiling == 1600
    assert StreamOptions(max_tokens=1000).thinking_ceiling == 600  # at least 10 minutes
    assert StreamOptions(thinking_timeout=30).thinking_ceiling == 30


@pytest.mark.slow  # two minutes of real time: the default timeouts are the point
def test_two_minutes_of_hidden_thinking_with_the_default_stall_timeout_is_one_request(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    """Issue 21: before, the watchdog re-sent such a question every 30 s and it never answered."""
    server.enqueue(Script(text="Done thinking.", thinking="Long.", thinking_seconds=120.0, ping_interval=10.0))
    m = thinking_manager(client).start()
    assert m.options.stall_timeout == 30.0
    assert m.wait(timeout=180) == "Done thinking."
    assert len(server.message_requests()) == 1 and [a.outcome for a in m.attempts] == ["done"]
    assert m.thinking_seconds >= 119
