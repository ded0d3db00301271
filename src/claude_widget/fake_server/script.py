"""What one request to the fake server answers, compiled into wire-level steps.

A `Script` describes an answer (text, pacing, thinking, tool use) and at most one fault. `compile_script`
turns it into a list of steps (bytes to send, pauses, and the fault's socket action) that the HTTP server
executes. Keeping this pure makes the exact bytes testable without a socket.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..request_tokens import estimate_input_tokens
from .api import message_text, partial_answer
from .wire import Drop, Pause, Reset, Send, Stall, Step, sse

Fault = Literal["error_event", "drop", "reset", "stall", "ping_stall", "early_end", "malformed"]


@dataclass
class Script:
    """One scripted answer.

    `chunk_size` characters make one `text_delta`, and each delta counts as one output token, so usage is
    exactly predictable: `output_tokens == ceil(len(text) / chunk_size)` (per text block, plus thinking and tool
    deltas).
    """

    text: str = "Hello from the fake Anthropic server."
    chunk_size: int = 4
    delay: float = 0.0  # seconds between deltas
    first_delay: float = 0.0  # seconds between message_start and the first content
    start_delay: float = 0.0  # seconds between the response's headers and message_start (the model reading)
    thinking: str | None = None
    redacted_thinking: bool = False  # a redacted_thinking block before the answer
    # A server-side tool call before the text: {"name": "web_search", "input": {...}, "result": [...]}.
    server_tool: dict[str, Any] | None = None
    tool_use: dict[str, Any] | None = None  # {"name": ..., "input": {...}}, sent after the text
    stop_reason: str = "end_turn"
    stop_details: dict[str, Any] | None = None  # e.g. {"type": "refusal", "category": "cyber"}
    # An HTTP error instead of a stream (status >= 400).
    status: int = 200
    error_message: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # A fault inside the stream, after `fault_after` characters of text were sent.
    fault: Fault | None = None
    fault_after: int = 0
    error_type: str = "overloaded_error"  # for fault="error_event"
    ping_interval: float = 0.5  # for fault="ping_stall"
    unknown_events: bool = False  # sprinkle event types a newer API might send (clients must ignore them)
    # A continuation request (one whose last assistant turn is a prefix of `text`) gets the rest of `text`,
    # starting at the word `repeat_tail` characters early, the way a model restarts an interrupted sentence.
    repeat_tail: int = 0
    # Parts of `text` that cite sources, as the API streams a cited answer: each (start, end, citations) is a text
    # block of its own, its citations sent after its text; the text between them goes in plain blocks.
    citations: tuple[tuple[int, int, tuple[dict[str, Any], ...]], ...] = ()
    input_tokens: int | None = None  # default: derived from the request size
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0

    @property
    def output_tokens(self) -> int:
        total = sum(_token_count(text, self.chunk_size) for text, _ in _text_blocks(self))
        total += _token_count(self.thinking or "", self.chunk_size)
        if self.tool_use:
            total += _token_count(_tool_json(self.tool_use), self.chunk_size)
        if self.server_tool:
            total += _token_count(json.dumps(self.server_tool.get("input", {})), self.chunk_size)
        return total


def continue_script(script: Script, body: dict[str, Any]) -> Script:
    """The script a request gets: the whole answer, or only its rest when the request continues it.

    A request continues an answer when it ends with that partial answer (prefill), or with a user turn asking
    to continue right after it; a later question in a conversation is not a continuation.
    """
    messages = body.get("messages") or [{}]
    asks_to_continue = messages[-1].get("role") == "user" and "continue" in message_text(messages[-1]).lower()
    if messages[-1].get("role") != "assistant" and not asks_to_continue:
        return script
    partial = partial_answer(body)
    if not partial or not script.text.startswith(partial) or partial == script.text:
        return script
    start = max(0, len(partial) - script.repeat_tail)
    while 0 < start < len(partial) and script.text[start - 1].isalnum():
        start -= 1  # models restart at the beginning of a word
    return replace(script, text=script.text[start:], thinking=None, citations=())


def compile_script(script: Script, body: dict[str, Any], message_id: str) -> list[Step]:
    """The wire-level steps of a 200 streaming answer to `body`."""
    steps: list[Step] = []
    fault_pending = script.fault is not None
    usage = {
        "input_tokens": script.input_tokens if script.input_tokens is not None else estimate_input_tokens(body),
        "cache_creation_input_tokens": script.cache_creation_input_tokens,
        "cache_read_input_tokens": script.cache_read_input_tokens,
        "output_tokens": 1,
    }
    message = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-sonnet-5-5"),
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage,
    }
    if script.start_delay:
        steps.append(Pause(script.start_delay))
    steps.append(Send(sse("message_start", {"type": "message_start", "message": message}), "message_start"))
    unknown = Send(sse("future_event", {"type": "future_event", "detail": "clients ignore this"}), "future_event")
    if script.unknown_events:
        steps.append(unknown)
    if script.first_delay:
        steps.append(Pause(script.first_delay))

    def fault_steps() -> list[Step]:
        if script.fault == "error_event":
            payload = {"type": "error", "error": {"type": script.error_type, "message": "Overloaded"}}
            return [Send(sse("error", payload), "error")]
        if script.fault == "drop":
            return [Drop()]
        if script.fault == "reset":
            return [Reset()]
        if script.fault == "stall":
            return [Stall()]
        if script.fault == "ping_stall":
            return [Stall(ping_interval=script.ping_interval)]
        if script.fault == "malformed":
            return [Send(b"event: content_block_delta\ndata: {not json\n\n", "malformed")]
        return []  # early_end: handled by the caller

    index = 0
    if script.redacted_thinking:
        steps += _whole_block(index, {"type": "redacted_thinking", "data": f"opaque-{message_id}"})
        index += 1
    if script.server_tool is not None:
        tool_id = f"srvtoolu_{message_id}"
        steps += _block(
            index,
            {"type": "server_tool_use", "id": tool_id, "name": script.server_tool["name"], "input": {}},
            json.dumps(script.server_tool.get("input", {})),
            script.chunk_size,
            script.delay,
            "input_json_delta",
            "partial_json",
        )
        index += 1
        result = {
            "type": f"{script.server_tool['name']}_tool_result",
            "tool_use_id": tool_id,
            "content": script.server_tool.get("result", []),
        }
        steps += _whole_block(index, result)  # server tool results arrive whole, without deltas
        index += 1
    if script.thinking is not None:
        steps += _block(
            index,
            {"type": "thinking", "thinking": "", "signature": ""},
            script.thinking,
            script.chunk_size,
            script.delay,
            "thinking_delta",
            "thinking",
        )
        signature = {"type": "signature_delta", "signature": f"sig-{message_id}"}
        steps.insert(
            -1,
            Send(
                sse("content_block_delta", {"type": "content_block_delta", "index": index, "delta": signature}),
                "content_block_delta",
            ),
        )
        index += 1

    sent = 0
    blocks = _text_blocks(script)
    for n, (text, citations) in enumerate(blocks):
        block: dict[str, Any] = {"type": "text", "text": ""}
        if citations:
            block["citations"] = []
        steps.append(Send(sse("content_block_start", {"type": "content_block_start", "index": index,
                                                      "content_block": block}), "content_block_start"))  # fmt: skip
        for chunk in _chunks(text, script.chunk_size):
            if fault_pending and sent >= script.fault_after:
                fault_pending = False
                if script.fault == "early_end":
                    return steps
                steps += fault_steps()
                if script.fault != "malformed":
                    return steps
            event = {"type": "content_block_delta", "index": index, "delta": {"type": "text_delta", "text": chunk}}
            steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
            sent += len(chunk)
            if script.delay:
                steps.append(Pause(script.delay))
        for citation in citations:
            event = {"type": "content_block_delta", "index": index,
                     "delta": {"type": "citations_delta", "citation": citation}}  # fmt: skip
            steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
        if fault_pending and n == len(blocks) - 1:
            if script.fault == "early_end":
                return steps
            steps += fault_steps()
            if script.fault != "malformed":
                return steps
        steps.append(Send(sse("content_block_stop", {"type": "content_block_stop", "index": index}),
                          "content_block_stop"))  # fmt: skip
        index += 1

    stop_reason = script.stop_reason
    if script.tool_use is not None:
        block = {"type": "tool_use", "id": f"toolu_{message_id}", "name": script.tool_use["name"], "input": {}}
        steps += _block(
            index,
            block,
            _tool_json(script.tool_use),
            script.chunk_size,
            script.delay,
            "input_json_delta",
            "partial_json",
        )
        stop_reason = "tool_use"

    if script.unknown_events:
        steps.append(unknown)
    delta: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": {"output_tokens": script.output_tokens},
    }
    if script.stop_details is not None:
        delta["delta"]["stop_details"] = script.stop_details
    if script.thinking:
        delta["usage"]["output_tokens_details"] = {"thinking_tokens": _token_count(script.thinking, script.chunk_size)}
    steps.append(Send(sse("message_delta", delta), "message_delta"))
    steps.append(Send(sse("message_stop", {"type": "message_stop"}), "message_stop"))
    return steps


def _block(
    index: int, start: dict[str, Any], content: str, chunk_size: int, delay: float, delta_type: str, field_name: str
) -> list[Step]:
    steps: list[Step] = [
        Send(
            sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": start}),
            "content_block_start",
        )
    ]
    for chunk in _chunks(content, chunk_size):
        steps.append(
            Send(
                sse(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": {"type": delta_type, field_name: chunk}},
                ),
                "content_block_delta",
            )
        )
        if delay:
            steps.append(Pause(delay))
    steps.append(Send(sse("content_block_stop", {"type": "content_block_stop", "index": index}), "content_block_stop"))
    return steps


def _whole_block(index: int, block: dict[str, Any]) -> list[Step]:
    return _block(index, block, "", chunk_size=1, delay=0, delta_type="", field_name="")


def _text_blocks(script: Script) -> list[tuple[str, tuple[dict[str, Any], ...]]]:
    """The answer's text blocks: the whole text, or split around its cited parts."""
    blocks: list[tuple[str, tuple[dict[str, Any], ...]]] = []
    at = 0
    for start, end, citations in sorted(script.citations, key=lambda span: span[0]):
        if start > at:
            blocks.append((script.text[at:start], ()))
        blocks.append((script.text[start:end], citations))
        at = end
    if at < len(script.text) or not blocks:
        blocks.append((script.text[at:], ()))
    return blocks


def _chunks(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _token_count(text: str, chunk_size: int) -> int:
    return math.ceil(len(text) / chunk_size)


def _tool_json(tool_use: dict[str, Any] | None) -> str:
    return json.dumps((tool_use or {}).get("input", {}))


@dataclass(frozen=True)
class Replay:
    """A recorded response, served again with its original timing (divided by `speed`)."""

    events: tuple[tuple[float, str, dict[str, Any]], ...]  # (seconds since the request, event name, data)
    speed: float = 1.0

    def steps(self) -> list[Step]:
        steps: list[Step] = []
        previous = 0.0
        for at, name, data in self.events:
            if at > previous:
                steps.append(Pause((at - previous) / self.speed))
            previous = max(previous, at)
            steps.append(Send(sse(name, data), name))
        return steps
