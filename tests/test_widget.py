"""The widget and `Chat` in a plain Python process (the library's background loop), against the fake server."""

from __future__ import annotations

import contextlib
import gc
import itertools
import json
import logging
import threading
import time
import weakref
import zlib
from typing import Any

import pytest

from claude_widget import Chat, ChatWidget, MissingAPIKeyError, StreamError
from claude_widget.fake_server import FakeAnthropic, Script
from claude_widget.widget.display import ANSWER_MIME
from claude_widget.widget.throttle import utf16_length

from .conftest import TEST_KEY, front_end_says, settled, until


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every custom message the widgets send to the front end (a compressed delta with its bytes as `_bytes`)."""
    messages: list[dict[str, Any]] = []

    def capture(self: ChatWidget, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        messages.append({**content, "_bytes": buffers[0]} if buffers else content)

    monkeypatch.setattr(ChatWidget, "send", capture)
    return messages


def read_deltas(sent: list[dict[str, Any]], channel: str | None = None) -> str:
    """The text a front end that saw every message builds from one channel's deltas and snapshots."""
    text, inflater = "", None
    for m in sent:
        if m.get("channel") != channel or m["kind"] not in ("delta", "snapshot"):
            continue
        if m["kind"] == "snapshot":
            text = m["text"]
            continue
        if "deflate" in m:
            inflater = zlib.decompressobj(-15) if m.get("start") else inflater
            assert inflater is not None
            piece = inflater.decompress(m["_bytes"]).decode()
        else:
            piece = m["text"]
        assert m["offset"] == utf16_length(text)
        text += piece
    return text


@pytest.fixture
def chat(server: FakeAnthropic) -> Chat:
    return Chat(api_key=TEST_KEY, base_url=server.url, max_retries=1)


def test_chat_without_a_key_says_how_to_set_one_or_go_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError) as raised:
        Chat()
    assert "ANTHROPIC_API_KEY" in str(raised.value) and "%env ANTHROPIC_API_KEY=" in str(raised.value)
    assert "offline=True" in str(raised.value)


def test_send_returns_at_once_and_wait_gives_the_exact_answer(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    script = Script(text="Hello *world* 🎉 " * 20, delay=0.002)
    server.enqueue(script)
    w = chat.send("hi")
    assert w.status in ("connecting", "streaming")  # returned before the answer
    assert w.wait(timeout=10) == script.text
    assert w.text == script.text
    assert w.status == "done"
    assert w.error is None
    assert w.stop_reason == "end_turn"
    assert w.usage["output_tokens"] == script.output_tokens
    assert w.usage["input_tokens"] > 0
    assert w.cost == pytest.approx((w.usage["input_tokens"] * 2 + w.usage["output_tokens"] * 10) / 1e6)
    assert repr(w) == f"ChatWidget(model='claude-sonnet-5-5', status='done', chars={len(script.text)})"


def test_deltas_are_batched_with_utf16_offsets_and_add_up_to_the_answer(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    text = "Ünïcödé 🎉 " * 300  # astral characters take two UTF-16 code units
    server.enqueue(Script(text=text, chunk_size=3, delay=0.001))
    started = time.monotonic()
    w = chat.send("hi")
    w.wait(timeout=20)
    elapsed = time.monotonic() - started
    deltas = [m for m in sent if m["kind"] == "delta"]
    assert "".join(d["text"] for d in deltas) == text
    offsets = [d["offset"] for d in deltas]
    assert offsets == [sum(utf16_length(d["text"]) for d in deltas[:i]) for i in range(len(deltas))]
    script_deltas = -(-len(text) // 3)
    assert len(deltas) < script_deltas / 3  # batched, not one message per token
    assert len(deltas) <= elapsed / 0.03 + 3  # at most one message per ~30 ms


@pytest.fixture
def states(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every state update the widgets send to the front end."""
    updates: list[dict[str, Any]] = []
    original = ChatWidget._send

    def capture(self: ChatWidget, msg: dict[str, Any], buffers: Any = None) -> None:
        if msg.get("method") == "update":
            updates.append(msg["state"])
        original(self, msg, buffers)

    monkeypatch.setattr(ChatWidget, "_send", capture)
    return updates


def test_text_is_current_in_the_kernel_and_sent_once_at_the_end_when_no_front_end_follows(
    server: FakeAnthropic, chat: Chat, states: list[dict[str, Any]]
) -> None:
    text = "word " * 2000
    server.enqueue(Script(text=text, chunk_size=5, delay=0.0005))
    w = chat.send("hi")
    seen: list[str] = []
    while w.status not in ("done", "error"):
        seen.append(w.text)
        time.sleep(0.002)
    w.wait(timeout=20)
    settled(w)
    grown = {s for s in seen if s}
    assert len(grown) > 3 and all(text.startswith(s) for s in grown)  # `w.text` grows as the answer streams
    assert w.text == text
    assert [s["text"] for s in states if "text" in s] == [text]  # on the wire: once, at the end


def test_a_following_front_end_never_gets_the_text_again(
    server: FakeAnthropic, sent: list[dict[str, Any]], states: list[dict[str, Any]]
) -> None:
    script = Script(text="Hello *world* " * 300, thinking="Let me see. " * 50, chunk_size=5, delay=0.0005)
    server.enqueue(script)
    w = Chat(api_key=TEST_KEY, base_url=server.url).send("hi")
    front_end_says(w, {"intent": "follow"})  # what each front end's model says once
    w.wait(timeout=20)
    settled(w)
    assert (w.text, w.thinking) == (script.text, script.thinking)
    assert not [s for s in states if "text" in s or "thinking" in s]
    assert read_deltas(sent) == script.text
    assert read_deltas(sent, "thinking") == script.thinking
    assert states[-1]["status"] == "done"


def test_usage_goes_out_with_the_status_change_it_comes_with(
    server: FakeAnthropic, chat: Chat, states: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="hello " * 50, chunk_size=4))
    w = chat.send("hi")
    w.wait(timeout=10)
    settled(w)
    usage_updates = [s for s in states if "usage" in s]
    assert usage_updates[0]["status"] == "streaming"  # message_start: input tokens and status, one message
    assert usage_updates[0]["usage"]["input_tokens"] > 0
    assert usage_updates[-1]["usage"] == w.usage  # exact at the end
    assert len(usage_updates) <= 2


def test_the_answers_time_goes_out_with_its_final_status(
    server: FakeAnthropic, chat: Chat, states: list[dict[str, Any]]
) -> None:
    # The header's time (issue 22, item 4): the view counts it while the answer runs, the kernel's stands at the end,
    # over the whole answer: here a retry after a 529 (its backoff) before the request that answered.
    server.enqueue(Script(status=529), Script(text="hello " * 20, chunk_size=4, delay=0.01))
    w = chat.send("hi")
    w.wait(timeout=10)
    settled(w)
    final = next(s for s in states if s.get("status") == "done")
    assert final["elapsed"] == w.elapsed > w.timings["end"] + 0.3  # the backoff is at least 0.375 s


def test_a_front_end_that_inflates_gets_compressed_deltas_and_a_resync_starts_a_new_stream(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    text = "Some *markdown* that repeats itself, as answers do. " * 200
    held = threading.Event()  # the answer waits halfway, so the resync comes while it still streams
    # (the second half streams for about 4 s: time to see its new stream begin, and downgrade it, before its end)
    script = Script(text=text, chunk_size=5, delay=0.004, hold=held, hold_after=len(text) // 2)
    server.enqueue(script)
    w = chat.send("hi")
    front_end_says(w, {"intent": "follow", "deflate": True})
    reached = lambda: max((m["offset"] for m in sent if m["kind"] == "delta"), default=0)  # noqa: E731
    assert until(lambda: reached() >= len(text) // 2 - 100)  # the held half has gone out, compressed
    front_end_says(w, {"intent": "resync"})  # a page that joined late cannot read the current stream
    held.set()
    assert until(lambda: sum(bool(m.get("start")) for m in sent) == 2)  # the new compressed stream has begun
    front_end_says(w, {"intent": "resync", "deflate": False})  # a host that drops binary buffers
    w.wait(timeout=20)
    settled(w)
    deltas = [m for m in sent if m["kind"] == "delta"]
    assert read_deltas(sent) == script.text
    assert sum(m["kind"] == "snapshot" for m in sent) == 2
    starts = [i for i, m in enumerate(sent) if m.get("start")]
    assert len(starts) == 2 and sent[starts[1] - 1]["kind"] == "snapshot"  # a new stream right after a snapshot
    assert "text" in deltas[-1] and "deflate" not in deltas[-1]  # plain text after the downgrade
    # The first compressed stream (up to the first resync, half the answer): how well it compresses.
    compressed = [m for m in sent[: sent.index(next(m for m in sent if m["kind"] == "snapshot"))]
                  if m["kind"] == "delta" and "deflate" in m]  # fmt: skip
    assert len(compressed) >= 3
    carried = compressed[-1]["offset"] - compressed[0]["offset"]  # characters in all but the last of them
    assert sum(len(m["_bytes"]) for m in compressed[:-1]) < carried / 2


def test_a_resync_of_an_unknown_channel_is_ignored_with_a_warning(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    server.enqueue(Script(text="fine"))
    w = chat.send("hi")
    with caplog.at_level(logging.WARNING, logger="claude_widget"):
        front_end_says(w, {"intent": "resync", "channel": "secrets"})
    assert "ignored an unexpected message" in caplog.text
    assert w.wait(timeout=5) == "fine"


def test_stop_intent_from_another_thread_closes_the_connection(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="z" * 20000, delay=0.005))
    w = chat.send("hi")
    deadline = time.monotonic() + 5
    while len(w.manager.text) < 40 and time.monotonic() < deadline:
        time.sleep(0.01)
    thread = threading.Thread(target=front_end_says, args=(w, {"intent": "stop"}))
    thread.start()
    thread.join()
    assert w.wait(timeout=5) == w.text
    assert w.status == "stopped"
    assert 40 <= len(w.text) < 20000
    request = server.message_requests()[0]
    assert request.done.wait(2) and request.client_closed_at is not None


@pytest.mark.parametrize("message", [{"intent": "explode"}, {"foo": 1}, "stop", None, [1, 2], {"intent": None}])
def test_malformed_front_end_messages_are_ignored_with_a_warning(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]], caplog: pytest.LogCaptureFixture, message: Any
) -> None:
    server.enqueue(Script(text="still fine", delay=0.01))
    w = chat.send("hi")
    with caplog.at_level(logging.WARNING, logger="claude_widget"):
        front_end_says(w, message)
    assert "ignored an unexpected message" in caplog.text
    assert w.wait(timeout=5) == "still fine"


def test_resync_sends_a_snapshot_of_everything_so_far(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="abc" * 100, delay=0.001))
    w = chat.send("hi")
    w.wait(timeout=5)
    front_end_says(w, {"intent": "resync"})
    deadline = time.monotonic() + 2
    while not any(m["kind"] == "snapshot" for m in sent) and time.monotonic() < deadline:
        time.sleep(0.01)
    [snapshot] = [m for m in sent if m["kind"] == "snapshot"]
    assert snapshot["text"] == "abc" * 100


def test_retry_after_an_error_starts_over_and_streams(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(status=400, error_message="messages: roles must alternate"), Script(text="second try"))
    w = chat.send("hi")
    with pytest.raises(StreamError, match="roles must alternate"):
        w.wait(timeout=5)
    assert w.status == "error" and w.error is not None and w.error["kind"] == "bad_request"
    front_end_says(w, {"intent": "retry"})
    deadline = time.monotonic() + 5
    while w.status != "done" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert w.wait(timeout=5) == "second try"
    assert w.text == "second try" and w.error is None
    assert {"kind": "snapshot", "text": ""} in sent


def test_a_retried_answer_is_the_engines_and_its_failed_attempt_is_still_billed(
    server: FakeAnthropic, sent: list[dict[str, Any]]
) -> None:
    """Retry asks the conversation's `Answer` for a new stream: the turn holds the answer (not the widget), the
    history goes on from the retry's text, and what the failed stream was billed is still counted."""
    chat = Chat(api_key=TEST_KEY, base_url=server.url, max_retries=0)
    server.enqueue(Script(text="partial words " * 20, fault="error_event", fault_after=60), Script(text="second try"))
    w = chat.send("hi")
    with pytest.raises(StreamError):
        w.wait(timeout=5)
    failed = w.manager
    billed = failed.usage
    assert billed["input_tokens"] > 0 and failed.text  # the failed stream was billed for what it sent
    front_end_says(w, {"intent": "retry"})
    deadline = time.monotonic() + 5
    while w.status != "done" and time.monotonic() < deadline:
        time.sleep(0.01)
    assert w.wait(timeout=5) == "second try"
    assert w.manager is not failed and w.manager is w.answer.stream and chat.turns[0].answer is w.answer
    assert chat.history[-1] == {"role": "assistant", "content": [{"type": "text", "text": "second try"}]}
    assert chat.usage == {k: billed[k] + w.manager.usage[k] for k in billed}
    assert chat.cost == pytest.approx(failed.cost + w.manager.cost)


def test_close_cancels_the_stream(server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]) -> None:
    server.enqueue(Script(text="q" * 20000, delay=0.005))
    w = chat.send("hi")
    server.wait_for_request()
    time.sleep(0.1)
    w.close()
    request = server.message_requests()[0]
    assert request.done.wait(2) and request.client_closed_at is not None


def test_the_front_end_closing_the_comm_cancels_the_stream(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="q" * 20000, delay=0.005))
    w = chat.send("hi")
    request = server.wait_for_request()
    time.sleep(0.1)
    w.comm.handle_close({"content": {"comm_id": w.model_id, "data": {}}})
    assert request.done.wait(2) and request.client_closed_at is not None
    assert w.wait(timeout=2) == w.text and w.status == "stopped"


def test_the_api_key_never_reaches_widget_state_or_messages(server: FakeAnthropic, sent: list[dict[str, Any]]) -> None:
    chat = Chat(api_key=TEST_KEY, base_url=server.url, max_retries=0)
    server.enqueue(Script(text="fine"), Script(status=401))
    for w in (chat.send("one"), chat.send("two")):
        with contextlib.suppress(StreamError):
            w.wait(timeout=5)
        dumped = json.dumps(w.get_state(), default=str) + json.dumps(sent) + repr(w) + repr(chat)
        assert TEST_KEY not in dumped


def test_offline_chat_streams_the_labelled_demo_answer(sent: list[dict[str, Any]]) -> None:
    w = Chat(offline=True).send("Explain server-sent events")
    text = w.wait(timeout=30)
    assert w.offline is True
    assert text.startswith("> *Offline demo")
    assert "## Server-sent events" in text


@pytest.mark.parametrize("prompt", ["", "   "])
def test_an_empty_prompt_is_refused(chat: Chat, prompt: str) -> None:
    with pytest.raises(ValueError, match="non-empty string"):
        chat.send(prompt)


@pytest.mark.parametrize("prompt", [None, 42, b"bytes"])
def test_a_prompt_that_is_not_text_is_a_type_error_that_says_how_to_attach_an_object(chat: Chat, prompt: Any) -> None:
    with pytest.raises(TypeError, match=r"the prompt must be a string, got .* pass it after the prompt"):
        chat.send(prompt)
    assert chat.turns == []


def test_the_inspector_gets_the_event_log_then_each_new_entry(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(status=529), Script(text="Inspect me, please.", delay=0.02))
    w = chat.send("hi")
    server.wait_for_request(2)
    front_end_says(w, {"intent": "inspect"})
    w.wait(timeout=10)
    settled(w)
    events = [m for m in sent if m.get("channel") == "events"]
    snapshot, deltas = events[0], [m for m in events[1:] if m["kind"] == "delta"]
    assert snapshot["kind"] == "snapshot"
    lines = (snapshot["text"] + "".join(d["text"] for d in deltas)).splitlines()
    entries = [json.loads(line) for line in lines]
    kinds = [kind for _, kind, _ in entries]
    assert kinds[:2] == ["request", "retry"] and "message_start" in kinds and kinds[-1] == "message_stop"
    assert all(a[0] <= b[0] for a, b in itertools.pairwise(entries))  # in time order
    assert any(detail.startswith("text_delta 'Insp") for _, kind, detail in entries if kind == "content_block_delta")
    assert [e.kind for e in w.manager.event_log] == kinds


def tool_with_a_long_input(notes: str) -> str:
    """Store some notes.

    Args:
        notes: The notes.
    """
    return "stored"


def test_a_tool_input_streams_as_deltas_and_its_card_changes_only_with_its_status(
    server: FakeAnthropic, sent: list[dict[str, Any]], states: list[dict[str, Any]]
) -> None:
    notes = " ".join(f"note {i}: the quick brown fox jumps over the lazy dog." for i in range(400))  # ~20 KB
    server.enqueue(Script(text="Saving.", tool_use={"name": "tool_with_a_long_input", "input": {"notes": notes}},
                          chunk_size=8, delay=0.0002), Script(text="Saved."))  # fmt: skip
    # Haiku 5.5: the text before a tool call is a text block (Sonnet 5.5 writes it inside thinking).
    chat = Chat(api_key=TEST_KEY, base_url=server.url, tools=[tool_with_a_long_input], model="claude-haiku-5-5")
    w = chat.send("save my notes")
    front_end_says(w, {"intent": "follow", "deflate": True, "frontend": "page"})
    assert w.wait(timeout=20) == "Saving.\n\nSaved."
    settled(w)
    tool_json = json.dumps({"notes": notes})
    assert read_deltas(sent, "tools") == tool_json  # the input, streamed once
    card_updates = [s["cards"] for s in states if "cards" in s]
    assert len(card_updates) <= 4  # writing, running, done: not one per piece of input
    assert card_updates[-1][0]["input_at"] == 0 and "input_json" not in card_updates[-1][0]
    assert w.tools[0]["input_json"] == tool_json and w.tool_input == tool_json
    wire = sum(len(m.get("_bytes", b"")) + len(m.get("text", "")) for m in sent if m.get("channel") == "tools")
    wire += sum(len(json.dumps(cards)) for cards in card_updates)
    assert wire <= 2 * len(tool_json)


def test_two_front_ends_each_get_a_stream_they_can_read(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="Some *markdown* that repeats itself. " * 300, chunk_size=5, delay=0.001))
    w = chat.send("hi")
    front_end_says(w, {"intent": "follow", "deflate": True, "frontend": "lab"})
    front_end_says(w, {"intent": "follow", "deflate": True, "frontend": "no-buffers"})
    deadline = time.monotonic() + 5
    while not any("deflate" in m for m in sent) and time.monotonic() < deadline:
        time.sleep(0.005)
    # The second page's host drops binary buffers: it asks for plain text...
    front_end_says(w, {"intent": "resync", "deflate": False, "frontend": "no-buffers"})
    time.sleep(0.05)
    # ...and the first page saying `follow` again (a reload, say) does not switch compression back on under it.
    front_end_says(w, {"intent": "follow", "deflate": True, "frontend": "lab"})
    w.wait(timeout=20)
    settled(w)
    snapshot = max(i for i, m in enumerate(sent) if m["kind"] == "snapshot")
    after = [m for m in sent[snapshot:] if m["kind"] == "delta"]
    assert after and all("text" in m and "deflate" not in m for m in after)
    assert read_deltas(sent) == w.text


def test_inspect_closes_both_ways_and_a_continue_does_not_resend_the_log(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="word " * 40, stop_reason="max_tokens"), Script(text="more " * 400, delay=0.002))
    w = chat.send("hi")
    front_end_says(w, {"intent": "inspect", "frontend": "page"})
    w.wait(timeout=10)
    settled(w)
    assert w.actions == ["continue"]
    log_messages = sum(m.get("channel") == "events" for m in sent)
    front_end_says(w, {"intent": "continue"})
    deadline = time.monotonic() + 5
    while "more" not in w.text and time.monotonic() < deadline:
        time.sleep(0.005)
    front_end_says(w, {"intent": "inspect", "open": False, "frontend": "page"})
    time.sleep(0.1)
    closed_at = len(sent)
    w.wait(timeout=10)
    settled(w)
    events = [m for m in sent if m.get("channel") == "events"]
    assert sum(m["kind"] == "snapshot" for m in events) == 1  # once, when the inspector opened
    assert len(events) > log_messages  # the continuation's events followed, as deltas
    assert not [m for m in sent[closed_at:] if m.get("channel") == "events"]  # nothing once it was closed


def test_the_view_is_offered_exactly_the_actions_the_kernel_carries_out(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="fine"))
    w = chat.send("hi")
    w.wait(timeout=5)
    settled(w)
    assert w.actions == []
    front_end_says(w, {"intent": "retry"})  # not offered: ignored
    front_end_says(w, {"intent": "continue"})
    time.sleep(0.1)
    assert len(server.message_requests()) == 1 and w.text == "fine"
    server.enqueue(Script(status=400, error_message="messages: bad"), Script(text="again"))
    w2 = chat.send("hi")
    with pytest.raises(StreamError):
        w2.wait(timeout=5)
    settled(w2)
    assert w2.actions == ["retry"]


def test_a_front_end_without_the_assets_model_gets_the_bundle_with_its_request_id(
    server: FakeAnthropic, chat: Chat, sent: list[dict[str, Any]]
) -> None:
    server.enqueue(Script(text="fine"))
    w = chat.send("hi")
    front_end_says(w, {"intent": "bundle", "id": "req-7"})
    [reply] = [m for m in sent if m["kind"] == "bundle"]
    assert reply["id"] == "req-7" and reply["code"] == w.assets.code and reply["css"] == w.assets.style
    w.wait(timeout=5)


def test_the_answers_entry_is_there_from_the_start_and_says_when_it_has_finished(
    server: FakeAnthropic, chat: Chat
) -> None:
    server.enqueue(Script(text="Streaming slowly. " * 40, delay=0.01))
    w = chat.send("hi")
    streaming, _ = w._repr_mimebundle_()
    # There from the start (the final update keeps JupyterLab's renderer and its one view), marked: its markdown
    # says that Claude is still answering.
    assert streaming[ANSWER_MIME] == {"version": 1, "streaming": True}
    w.wait(timeout=20)
    finished, _ = w._repr_mimebundle_()
    assert finished[ANSWER_MIME] == {"version": 1}
    assert finished["text/markdown"].rstrip().endswith("Streaming slowly.")
    assert "application/vnd.jupyter.widget-view+json" in finished


def test_a_closed_answer_nobody_holds_is_freed(server: FakeAnthropic, chat: Chat) -> None:
    """anywidget tied every widget made from a file `_esm` to that file's change signal: no answer was ever freed,
    with its text and its stream (issue 23, kernel memory)."""
    w = chat.send("hi")
    w.wait(timeout=10)
    gone = weakref.ref(w)
    w.close()
    chat.reset()
    del w
    for _ in range(3):
        gc.collect()
    assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]
