"""The stall watchdog measures silence on the stream, never a pause of the kernel's own (issue 12)."""

from __future__ import annotations

import time

import anthropic

from claude_widget import StreamManager
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.loops import stream_loop
from claude_widget.options import Backoff, StreamOptions
from claude_widget.watchdog import GRACE, LATE, next_check

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
