"""What one request to the fake server answers: a `Script` (text, pacing, thinking, tool use, citations, and at most
one fault), what the request's model makes of it (`Plan`), and where its max_tokens cuts it. Pure.

The request's model decides what a script's thinking becomes (`Plan`, from models.py): dropped where the request
does not think; where it does, a thinking block whose summary streams (`display: "summarized"`) or is left out
(`"omitted"`). On a model that narrates inside its thinking, the text before a tool call is a thinking block too.
response.py turns a script into the wire-level steps of its stream (or its whole message); continuation.py reads
what a continuation request gets.
"""

from __future__ import annotations

import json
import math
import threading
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..api.models import DEFAULT_MODEL, Display, thinks
from .rules import table_facts
from .wire import Pause, Send, Step, sse

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
    # Hold the stream (pinging) once `hold_after` characters of text were sent, until `hold` is set: a test does what
    # it must while the answer is still streaming, then lets it end, rather than racing a pace. `hold_after=-1` holds
    # before message_start: the request still waiting for the model.
    hold: threading.Event | None = None
    hold_after: int = 0
    # Cut the answer at the request's max_tokens, as the API does (stop_reason "max_tokens"). Off by default: tests
    # script their own stop reasons; the offline demo honours it, so that Continue can be shown offline.
    honour_max_tokens: bool = False

    @property
    def output_tokens(self) -> int:
        total = sum(token_count(text, self.chunk_size) for text, _ in text_blocks(self))
        total += token_count(self.thinking or "", self.chunk_size)
        if self.tool_use:
            total += token_count(tool_json(self.tool_use), self.chunk_size)
        if self.server_tool:
            total += token_count(json.dumps(self.server_tool.get("input", {})), self.chunk_size)
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
        model = str(body.get("model") or DEFAULT_MODEL)
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


def within_max_tokens(script: Script, body: dict[str, Any]) -> Script:
    """The script as a request's `max_tokens` lets it end (where it honours it): the thinking, then the text, then a
    tool call, until the output reaches max_tokens; what is left out is not sent, and the stop reason says so."""
    limit = body.get("max_tokens")
    if not script.honour_max_tokens or not isinstance(limit, int) or script.output_tokens <= limit:
        return script
    size = script.chunk_size
    thought = token_count(script.thinking or "", size)
    if thought >= limit:
        thinking = (script.thinking or "")[: limit * size]
        return replace(script, thinking=thinking, text="", tool_use=None, server_tool=None, citations=(),
                       stop_reason="max_tokens")  # fmt: skip
    room = limit - thought - (token_count(json.dumps(script.server_tool.get("input", {})), size)
                              if script.server_tool else 0)  # fmt: skip
    at = 0  # the text's blocks, as many as fit (each rounds its tokens up), then the part of the next that fits
    for text, _ in text_blocks(script):
        tokens = token_count(text, size)
        at += len(text) if tokens <= room else max(0, room) * size
        if tokens > room:
            break
        room -= tokens
    cited = tuple((start, min(end, at), sources) for start, end, sources in script.citations if start < at)
    return replace(script, text=script.text[:at], tool_use=None, citations=cited, stop_reason="max_tokens")


def text_blocks(script: Script) -> list[tuple[str, tuple[dict[str, Any], ...]]]:
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


def token_count(text: str, chunk_size: int) -> int:
    return math.ceil(len(text) / chunk_size)


def tool_json(tool_use: dict[str, Any] | None) -> str:
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
