"""An answer played back from what was kept of it (the answer store keeps it): the stream of SDK events a live
answer makes, made again from its finished rounds and paced like fast typing, through the same `StreamManager`,
so that whatever shows it shows it the same way. Nothing is asked and nothing is billed; its tool calls are not
run again: their kept results are played back.

`kept_turn(stream)` is what a finished turn keeps for this; `ReplayedStream` plays one back.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anthropic
from anthropic import types as api

from .blocks import ToolUseBlock
from .errors import Failure
from .options import StreamOptions
from .stream import StreamManager
from .turn import TurnState
from .usage import Attempt

KEPT_FORMAT = 1
CHUNK = 24  # characters a delta carries
CHARS_PER_SECOND = 4000  # fast typing: a 2,000-character answer in half a second
LONGEST = 1.5  # seconds, however long the answer: a longer one comes in bigger steps

EVENT_TYPES: dict[str, Any] = {
    "message_start": api.RawMessageStartEvent,
    "content_block_start": api.RawContentBlockStartEvent,
    "content_block_delta": api.RawContentBlockDeltaEvent,
    "content_block_stop": api.RawContentBlockStopEvent,
    "message_delta": api.RawMessageDeltaEvent,
    "message_stop": api.RawMessageStopEvent,
}


def kept_turn(stream: TurnState) -> dict[str, Any]:
    """What replaying a finished turn needs: its rounds as they went into the history (thinking signed, tool
    calls with their results), how it ended, and what each of its kernel-side tool calls showed."""
    calls = {call.id: {"result": call.result, "is_error": call.is_error}
             for call in stream.tool_calls.values() if not call.server}  # fmt: skip
    return {"format": KEPT_FORMAT, "messages": stream.turn_messages, "stop_reason": stream.stop_reason,
            "stop_details": stream.stop_details, "calls": calls}  # fmt: skip


def kept_message(content: list[dict[str, Any]], stop_reason: str | None) -> dict[str, Any]:
    """What replaying a one-message answer needs (a batch's result, say): as `kept_turn` keeps a turn."""
    return {"format": KEPT_FORMAT, "messages": [{"role": "assistant", "content": content}],
            "stop_reason": stop_reason, "stop_details": None, "calls": {}}  # fmt: skip


def replayable(kept: object) -> bool:
    """Whether `kept` is a turn this version can play back (one kept by an older or newer one may not be)."""
    return (isinstance(kept, dict) and kept.get("format") == KEPT_FORMAT and isinstance(kept.get("messages"), list)
            and any(m.get("role") == "assistant" for m in kept["messages"] if isinstance(m, dict)))  # fmt: skip


def message_events(message: dict[str, Any], model: str, stop_reason: str | None,
                   stop_details: dict[str, Any] | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The raw stream events of one assistant message, as the API sends them; nothing billed. Pure."""
    start: dict[str, Any] = {"id": "msg_replayed", "type": "message", "role": "assistant", "model": model,
                             "content": [], "stop_reason": None, "stop_sequence": None,
                             "usage": {"input_tokens": 0, "output_tokens": 0}}  # fmt: skip
    events: list[dict[str, Any]] = [{"type": "message_start", "message": start}]
    for index, block in enumerate(message["content"]):
        events += _block_events(index, block)
    delta: dict[str, Any] = {"stop_reason": stop_reason, "stop_sequence": None}
    if stop_details is not None:
        delta["stop_details"] = stop_details
    events.append({"type": "message_delta", "delta": delta, "usage": {"output_tokens": 0}})
    events.append({"type": "message_stop"})
    return events


def _block_events(index: int, block: dict[str, Any]) -> list[dict[str, Any]]:
    def delta(kind: str, field: str, value: str) -> list[dict[str, Any]]:
        return [{"type": "content_block_delta", "index": index, "delta": {"type": kind, field: value[i:i + CHUNK]}}
                for i in range(0, len(value), CHUNK)]  # fmt: skip

    kind = block.get("type")
    if kind == "text":
        opening = {k: v for k, v in block.items() if k not in ("text", "citations")} | {"text": ""}
        if block.get("citations"):
            opening["citations"] = []
        body = delta("text_delta", "text", block["text"])
        body += [{"type": "content_block_delta", "index": index, "delta": {"type": "citations_delta", "citation": c}}
                 for c in block.get("citations") or []]  # fmt: skip
    elif kind == "thinking":
        opening = {"type": "thinking", "thinking": "", "signature": ""}
        body = delta("thinking_delta", "thinking", block.get("thinking", ""))
        body.append({"type": "content_block_delta", "index": index,
                     "delta": {"type": "signature_delta", "signature": block.get("signature", "")}})  # fmt: skip
    elif kind in ("tool_use", "server_tool_use"):
        opening = {**block, "input": {}}
        body = delta("input_json_delta", "partial_json", json.dumps(block.get("input", {}), ensure_ascii=False))
    else:  # redacted thinking, a server tool's result: whole, as the API sends them
        opening, body = block, []
    start = {"type": "content_block_start", "index": index, "content_block": opening}
    return [start, *body, {"type": "content_block_stop", "index": index}]


class ReplayedStream(StreamManager):
    """A turn played back from `kept` (see `kept_turn`), first answered at `made` (seconds since the epoch) for
    `original_cost` USD. `client` (None without a key) is what asking again uses; this stream never sends a request.
    `speed` > 1 plays faster; 0 at once."""

    def __init__(self, client: anthropic.AsyncAnthropic | None, options: StreamOptions,
                 messages: list[dict[str, Any]], kept: dict[str, Any], *, made: float,
                 original_cost: float | None, speed: float = 1.0) -> None:  # fmt: skip
        super().__init__(client, options, messages)
        self.made, self.original_cost = made, original_cost
        turn: list[dict[str, Any]] = kept["messages"]
        rounds = [m for m in turn if m.get("role") == "assistant"]
        # How each round ended: the last as the turn did; one before it with a tool call, or paused (a server tool)
        ends = ["tool_use" if _calls_tools(m) else "pause_turn" for m in rounds[:-1]] + [kept["stop_reason"]]
        self._rounds = iter(zip(rounds, ends, strict=True))
        self._stop_details = kept.get("stop_details")
        self._results = {b["tool_use_id"]: b for m in turn if m.get("role") == "user"
                         for b in m["content"] if isinstance(b, dict) and b.get("type") == "tool_result"}  # fmt: skip
        self._shown = kept.get("calls", {})
        chars = sum(len(json.dumps(m["content"])) for m in rounds)
        per_char = min(1 / CHARS_PER_SECOND, LONGEST / max(chars, 1))
        self._pause = CHUNK * per_char / speed if speed > 0 else 0.0

    async def _check_model(self) -> Failure | None:
        return None  # nothing is asked of the API

    async def _receive(self, messages: list[dict[str, Any]], attempt: Attempt) -> None:
        message, stop_reason = next(self._rounds)
        self._mark("first_byte")
        final = stop_reason != "tool_use"
        for raw in message_events(message, self.model, stop_reason, self._stop_details if final else None):
            event = EVENT_TYPES[raw["type"]].model_validate(raw)
            if self._take(event) and raw["type"] == "content_block_delta" and self._pause:
                await asyncio.sleep(self._pause)

    async def _run_tool(self, block: ToolUseBlock) -> dict[str, Any]:
        """The call's kept result, shown as it was; the tool is not run again."""
        result = self._results.get(block.id) or {"type": "tool_result", "tool_use_id": block.id, "is_error": True,
                                                 "content": "The tool call's result was not kept."}  # fmt: skip
        shown = self._shown.get(block.id, {})
        is_error = bool(shown.get("is_error", result.get("is_error", False)))
        text = shown.get("result")
        self._emit(self._calls.report(block, "error" if is_error else "done", len(self.text), text, is_error))
        self._log("tool", f"{block.name}(): its kept result, not run again")
        return result


def _calls_tools(message: dict[str, Any]) -> bool:
    return any(isinstance(b, dict) and b.get("type") == "tool_use" for b in message.get("content", []))
