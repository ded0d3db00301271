"""What one request to the fake server answers, compiled into wire-level steps.

A `Script` describes an answer (text, pacing, thinking, tool use) and at most one fault. `compile_script`
turns it into a list of steps (bytes to send, pauses, and the fault's socket action) that the HTTP server
executes. Keeping this pure makes the exact bytes testable without a socket.

The request's model decides what a script's thinking becomes (`Plan`, from models.py): dropped where the request
does not think; where it does, a thinking block whose summary streams as `thinking_delta`s (`display:
"summarized"`) or is left out, only pings keeping the stream alive while the model thinks (`"omitted"`), ended by
one `signature_delta` that binds the block's text (api.sign). On a model that narrates inside its thinking, the
text before a tool call is a thinking block too.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..api.models import Display, thinks
from ..api.request_tokens import estimate_input_tokens
from .rules import message_text, partial_answer, sign, table_facts
from .wire import PING, Drop, Pause, Reset, Send, Stall, Step, sse

Fault = Literal["error_event", "drop", "reset", "stall", "ping_stall", "early_end", "malformed"]


@dataclass
class Script:
    """One scripted answer.

    `chunk_size` characters make one `text_delta`, and each delta counts as one output token, so usage is
    exactly predictable: `output_tokens == ceil(len(text) / chunk_size)` (per text block, plus thinking and tool
    deltas). Thinking counts as output whether its summary is shown or omitted, and only where the request's model
    thinks (`Plan`).
    """

    text: str = "Hello from the fake Anthropic server."
    chunk_size: int = 4
    delay: float = 0.0  # seconds between deltas
    first_delay: float = 0.0  # seconds between message_start and the first content
    start_delay: float = 0.0  # seconds between the response's headers and message_start (the model reading)
    thinking: str | None = None  # the summary of the model's thinking (None: it answers without thinking)
    thinking_seconds: float = 0.0  # how long it thinks before its first text (0: as fast as `delay` paces it)
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
    ping_interval: float = 0.5  # seconds between pings while nothing else is sent: thinking, fault="ping_stall"
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
    cache_creation_1h_input_tokens: int = 0  # the part of cache_creation_input_tokens written for an hour
    # Cut the answer at the request's max_tokens, as the API does (stop_reason "max_tokens"). Off by default: tests
    # script their own stop reasons; the offline demo honours it, so that Continue can be shown offline.
    honour_max_tokens: bool = False

    @property
    def output_tokens(self) -> int:
        total = sum(_token_count(text, self.chunk_size) for text, _ in _text_blocks(self))
        total += _token_count(self.thinking or "", self.chunk_size)
        if self.tool_use:
            total += _token_count(_tool_json(self.tool_use), self.chunk_size)
        if self.server_tool:
            total += _token_count(json.dumps(self.server_tool.get("input", {})), self.chunk_size)
        return total


@dataclass(frozen=True)
class Plan:
    """What a request's model makes of a script's thinking: whether it thinks, how its thinking is shown, and where
    the text before a tool call goes (None: a text block; else a thinking block shown that way)."""

    model: str
    thinking: bool
    display: Display
    narration: Display | None

    @staticmethod
    def of(body: dict[str, Any]) -> Plan:
        model = str(body.get("model") or "claude-sonnet-5-5")
        facts = table_facts(model)
        config = body.get("thinking")
        config = config if isinstance(config, dict) else {}
        display: Display = config.get("display") or (facts.default_display if facts else "summarized")
        if config.get("type") == "between_tools":
            # Thinking off; the progress notes between tool calls come back as thinking blocks, with their text.
            return Plan(model, thinking=False, display=display, narration="summarized")
        narrated = facts is not None and facts.narration_in_thinking
        return Plan(model, thinks({**body, "model": model}), display, display if narrated else None)

    def apply(self, script: Script) -> Script:
        """The script as this request's model answers it: without its thinking where the request does not think."""
        return script if self.thinking else replace(script, thinking=None)

    def narrates(self, script: Script) -> bool:
        """Whether the script's text goes in a thinking block: text before a tool call, on a model that narrates
        inside its thinking."""
        return self.narration is not None and script.tool_use is not None and bool(script.text)


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


def usage_of(script: Script, body: dict[str, Any], *, service_tier: str = "standard") -> dict[str, Any]:
    """The answer's usage as message_start carries it (and a whole message, with the final output tokens): input
    split into uncached, cache writes by lifetime and cache reads, the tier, and the region and speed the request
    asked for."""
    usage: dict[str, Any] = {
        "input_tokens": script.input_tokens if script.input_tokens is not None else estimate_input_tokens(body),
        "cache_creation_input_tokens": script.cache_creation_input_tokens,
        "cache_read_input_tokens": script.cache_read_input_tokens,
        "cache_creation": {
            "ephemeral_5m_input_tokens": script.cache_creation_input_tokens - script.cache_creation_1h_input_tokens,
            "ephemeral_1h_input_tokens": script.cache_creation_1h_input_tokens,
        },
        "output_tokens": 1,
        "service_tier": service_tier,
    }
    if body.get("inference_geo") is not None:
        usage["inference_geo"] = body["inference_geo"]
    if body.get("speed") is not None:
        usage["speed"] = body["speed"]
    return usage


def final_usage(script: Script, plan: Plan) -> dict[str, Any]:
    """What message_delta adds to the usage: the output (thinking included, and its part), repeated with the
    input counts, as the API's cumulative message_delta usage is."""
    final: dict[str, Any] = {"output_tokens": script.output_tokens}
    thought = _token_count(script.thinking or "", script.chunk_size)
    if plan.narrates(script):
        thought += _token_count(script.text, script.chunk_size)
    if thought:
        final["output_tokens_details"] = {"thinking_tokens": thought}
    if script.server_tool is not None and script.server_tool.get("name") == "web_search":
        final["server_tool_use"] = {"web_search_requests": 1}
    return final


def compile_script(script: Script, body: dict[str, Any], message_id: str) -> list[Step]:
    """The wire-level steps of a 200 streaming answer to `body`."""
    plan = Plan.of(body)
    script = within_max_tokens(plan.apply(script), body)
    steps: list[Step] = []
    fault_pending = script.fault is not None
    usage = usage_of(script, body)
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": plan.model,
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
        return []  # early_end: the stream just ends

    def fault_here() -> bool:
        """The fault happens now: its steps added; whether the stream ends with it (a malformed event goes on)."""
        nonlocal fault_pending
        fault_pending = False
        steps.extend(fault_steps())
        return script.fault != "malformed"

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
    for thinking, display, seconds in _thoughts(script, plan):
        steps += _thinking_block(index, thinking, display, script, seconds, plan.model, message_id)
        index += 1

    sent = 0
    narrated = plan.narrates(script)
    blocks = [] if narrated else _text_blocks(script)
    if narrated and fault_pending and fault_here():  # the fault comes where the text would have been
        return steps
    for n, (text, citations) in enumerate(blocks):
        block: dict[str, Any] = {"type": "text", "text": ""}
        if citations:
            block["citations"] = []
        steps.append(Send(sse("content_block_start", {"type": "content_block_start", "index": index,
                                                      "content_block": block}), "content_block_start"))  # fmt: skip
        for chunk in _chunks(text, script.chunk_size):
            if fault_pending and sent >= script.fault_after and fault_here():
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
        if fault_pending and n == len(blocks) - 1 and fault_here():
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
    counts = {key: usage[key] for key in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")}
    delta: dict[str, Any] = {
        "type": "message_delta",
        "delta": {"stop_reason": stop_reason, "stop_sequence": None},
        "usage": {**counts, **final_usage(script, plan)},
    }
    if script.stop_details is not None:
        delta["delta"]["stop_details"] = script.stop_details
    steps.append(Send(sse("message_delta", delta), "message_delta"))
    steps.append(Send(sse("message_stop", {"type": "message_stop"}), "message_stop"))
    return steps


def whole_message(script: Script, body: dict[str, Any], message_id: str, *, service_tier: str = "standard"
                  ) -> dict[str, Any]:  # fmt: skip
    """The answer not streamed: the message its stream would have built."""
    plan = Plan.of(body)
    script = within_max_tokens(plan.apply(script), body)
    content: list[dict[str, Any]] = []
    for thinking, display, _ in _thoughts(script, plan):
        shown = thinking if display == "summarized" else ""
        content.append({"type": "thinking", "thinking": shown,
                        "signature": sign(plan.model, shown, f"{message_id}/{len(content)}")})  # fmt: skip
    if not plan.narrates(script):
        content.append({"type": "text", "text": script.text})
    stop_reason = script.stop_reason
    if script.tool_use is not None:
        content.append({"type": "tool_use", "id": f"toolu_{message_id}", "name": script.tool_use["name"],
                        "input": script.tool_use.get("input", {})})  # fmt: skip
        stop_reason = "tool_use"
    usage = {**usage_of(script, body, service_tier=service_tier), **final_usage(script, plan)}
    return {"id": message_id, "type": "message", "role": "assistant", "model": plan.model, "content": content,
            "stop_reason": stop_reason, "stop_sequence": None, "usage": usage}  # fmt: skip


def within_max_tokens(script: Script, body: dict[str, Any]) -> Script:
    """The script as a request's `max_tokens` lets it end (where it honours it): the thinking, then the text, then a
    tool call, until the output reaches max_tokens; what is left out is not sent, and the stop reason says so."""
    limit = body.get("max_tokens")
    if not script.honour_max_tokens or not isinstance(limit, int) or script.output_tokens <= limit:
        return script
    size = script.chunk_size
    thought = _token_count(script.thinking or "", size)
    if thought >= limit:
        thinking = (script.thinking or "")[: limit * size]
        return replace(script, thinking=thinking, text="", tool_use=None, server_tool=None, citations=(),
                       stop_reason="max_tokens")  # fmt: skip
    room = limit - thought - (_token_count(json.dumps(script.server_tool.get("input", {})), size)
                              if script.server_tool else 0)  # fmt: skip
    text = script.text[: max(0, room) * size]
    cited = tuple(span for span in script.citations if span[1] <= len(text))
    cut = replace(script, text=text, tool_use=None, citations=cited, stop_reason="max_tokens")
    return cut if cut.output_tokens <= limit else replace(cut, citations=())  # blocks split by citations round up


def _thoughts(script: Script, plan: Plan) -> list[tuple[str, Display, float]]:
    """The answer's thinking blocks: (text, display, seconds of thinking). The thinking before the answer, and on a
    model that narrates inside its thinking, the text before a tool call."""
    thoughts: list[tuple[str, Display, float]] = []
    if script.thinking is not None:
        thoughts.append((script.thinking, plan.display, script.thinking_seconds))
    if plan.narration is not None and plan.narrates(script):
        thoughts.append((script.text, plan.narration, 0.0))
    return thoughts


def _thinking_block(index: int, thinking: str, display: Display, script: Script, seconds: float, model: str,
                    message_id: str) -> list[Step]:  # fmt: skip
    """A thinking block: its summary's deltas spread over `seconds` (else paced by `delay`), or, omitted, only
    pings for `seconds`; then its one signature, binding what was shown of it."""
    signature = sign(model, thinking if display == "summarized" else "", f"{message_id}/{index}")
    start = {"type": "content_block_start", "index": index, "content_block": {"type": "thinking", "thinking": ""}}
    steps: list[Step] = [Send(sse("content_block_start", start), "content_block_start")]
    if display == "summarized":
        chunks = _chunks(thinking, script.chunk_size)
        gap = seconds / len(chunks) if seconds and chunks else script.delay
        for chunk in chunks:
            event = {"type": "content_block_delta", "index": index, "delta": {"type": "thinking_delta",
                                                                             "thinking": chunk}}  # fmt: skip
            steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
            steps += _wait(gap, script.ping_interval)
    else:
        steps += _wait(seconds, script.ping_interval)
    event = {"type": "content_block_delta", "index": index, "delta": {"type": "signature_delta",
                                                                     "signature": signature}}  # fmt: skip
    steps.append(Send(sse("content_block_delta", event), "content_block_delta"))
    steps.append(Send(sse("content_block_stop", {"type": "content_block_stop", "index": index}), "content_block_stop"))
    return steps


def _wait(seconds: float, ping_interval: float) -> list[Step]:
    """A silence of `seconds`, as the API keeps one: a ping every `ping_interval`."""
    pings = int(seconds / ping_interval + 1e-9) if ping_interval > 0 and seconds > 0 else 0
    steps: list[Step] = [Pause(ping_interval), Send(PING, "ping")] * pings
    rest = seconds - pings * ping_interval
    return [*steps, Pause(rest)] if rest > 1e-9 else steps


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
