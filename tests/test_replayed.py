"""A kept turn played back (engine/replayed.py): the same answer, thinking, citations, tool cards and history as the
live turn it was kept from, through the same StreamManager, with no request and nothing billed."""

from __future__ import annotations

import json
from typing import Any

import anthropic

from claude_widget import StreamManager
from claude_widget.engine.events import TextDelta, ToolCall
from claude_widget.engine.options import StreamOptions
from claude_widget.engine.replayed import ReplayedStream, kept_turn, message_events, replayable
from claude_widget.engine.tools import tools_from
from claude_widget.fake_server import FakeAnthropic, Script

MESSAGES = [{"role": "user", "content": "What is the weather in Paris, and what does the report say?"}]
CITED = {"type": "char_location", "cited_text": "Units grew 4%.", "document_index": 0, "document_title": "r.txt",
         "start_char_index": 0, "end_char_index": 14}  # fmt: skip


def get_weather(city: str) -> str:
    """The weather in a city."""
    get_weather.calls += 1  # type: ignore[attr-defined]
    return f"18 °C and sunny in {city}"


async def live_turn(server: FakeAnthropic, client: anthropic.AsyncAnthropic, options: StreamOptions) -> StreamManager:
    server.enqueue(
        Script(text="Let me check.", thinking="Which tool?",
               tool_use={"name": "get_weather", "input": {"city": "Paris"}}),
        Script(text="It is 18 °C. Units grew 4% in the north.", thinking="Now the report.",
               citations=((13, 40, (CITED,)),)),
    )  # fmt: skip
    live = StreamManager(client, options, MESSAGES)
    [_ async for _ in live]
    return live


async def test_a_kept_turn_replays_as_it_was_with_no_request_and_its_tool_not_run_again(
    server: FakeAnthropic, client: anthropic.AsyncAnthropic
) -> None:
    get_weather.calls = 0  # type: ignore[attr-defined]
    options = StreamOptions(model="claude-sonnet-5-5", tools=tools_from([get_weather]))
    live = await live_turn(server, client, options)
    assert live.status == "done" and get_weather.calls == 1  # type: ignore[attr-defined]
    kept = json.loads(json.dumps(kept_turn(live)))  # as the store keeps it
    assert replayable(kept)
    requests = len(server.message_requests())

    replay = ReplayedStream(
        None, options, MESSAGES, kept, made=0.0, original_cost=0.01
    )  # no client: nothing could be asked
    events = [event async for event in replay]
    assert replay.status == "done" and replay.stop_reason == "end_turn"
    assert len(server.message_requests()) == requests and get_weather.calls == 1  # type: ignore[attr-defined]
    assert (replay.text, replay.thinking) == (live.text, live.thinking)
    assert "Now the report." in live.thinking and live.citations  # there was all of it to replay
    assert [c.to_dict() for c in replay.citations] == [c.to_dict() for c in live.citations]
    assert replay.history_messages() == live.history_messages()  # thinking signed, the tool result as it was
    [card] = replay.tool_calls.values()
    assert (card.name, card.status, card.result) == ("get_weather", "done", "18 °C and sunny in Paris")
    assert sum(isinstance(e, TextDelta) for e in events) > 2  # it streams, in steps
    assert [e.status for e in events if isinstance(e, ToolCall)][-1] == "done"
    assert replay.usage.as_dict()["output_tokens"] == 0 and replay.cost == 0  # nothing billed


def test_the_events_of_a_message_are_the_apis() -> None:
    message: dict[str, Any] = {"role": "assistant", "content": [
        {"type": "thinking", "thinking": "Hmm.", "signature": "sig"},
        {"type": "text", "text": "x" * 50, "citations": [CITED]},
        {"type": "redacted_thinking", "data": "opaque"},
    ]}  # fmt: skip
    events = message_events(message, "claude-sonnet-5-5", "end_turn")
    kinds = [e["type"] for e in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    deltas = [e["delta"]["type"] for e in events if e["type"] == "content_block_delta"]
    assert deltas == ["thinking_delta", "signature_delta", "text_delta", "text_delta", "text_delta", "citations_delta"]
    assert "".join(e["delta"].get("text", "") for e in events if e["type"] == "content_block_delta") == "x" * 50


def test_a_turn_kept_by_another_version_is_not_replayable() -> None:
    assert not replayable({"format": 99, "messages": [{"role": "assistant", "content": []}]})
    assert not replayable({"format": 1, "messages": []})
    assert not replayable("not a turn")
