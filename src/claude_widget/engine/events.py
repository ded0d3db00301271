"""What a `StreamManager` tells its listeners, in order, on the stream's loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["connecting", "streaming", "retrying", "done", "stopped", "error"]
FINAL_STATUSES: frozenset[str] = frozenset({"done", "stopped", "error"})
# A call Claude is writing; waiting for the user's Run or Skip (pending); approved, waiting for a running cell to end
# (queued); running; and how it ended.
ToolStatus = Literal["writing", "pending", "queued", "running", "done", "error", "declined", "cancelled"]
UNFINISHED: tuple[ToolStatus, ...] = ("writing", "pending", "queued", "running")


@dataclass(frozen=True)
class StatusChanged:
    status: Status
    error: dict[str, Any] | None = None  # the cause while retrying, the failure on error


@dataclass(frozen=True)
class TextDelta:
    text: str
    offset: int  # characters of answer before this delta


@dataclass(frozen=True)
class ThinkingDelta:
    text: str
    offset: int  # characters of thinking before this delta


@dataclass(frozen=True)
class Thinking:
    """A think (one or more thinking blocks in a row) began or ended. Hidden thinking streams no text, so this is
    how the view knows Claude is at work, and for how long."""

    active: bool
    seconds: float  # the turn's thinking time so far, over its finished thinks


@dataclass(frozen=True)
class ThinkBegan:
    """A think (thinking blocks in a row) began: the view shows each think where it happened among the text and
    the tool calls, not glued to the one before."""

    at: int  # the answer's length then
    start: int  # the thinking's length then: where this think's text begins
    calls: int  # the tool calls begun before it (a call and the think after it can begin at the same place)


@dataclass(frozen=True)
class ToolCall:
    """A tool call as it progresses: Claude writing its input, the kernel running it, its result."""

    id: str
    name: str
    status: ToolStatus
    input_json: str  # as streamed so far
    at: int  # the answer's length when the call began: where it sits among the text
    result: str | None = None
    is_error: bool = False
    server: bool = False  # a server-side tool (web search): Anthropic runs it, the kernel only shows it
    # What Claude said just before the call, inside thinking (today's models narrate their tool use there)
    note: str = ""


@dataclass(frozen=True)
class Cited:
    """A source cited for the first time in the turn (`Citation.to_dict()`); its marker follows the cited text."""

    citation: dict[str, Any]


@dataclass(frozen=True)
class UsageChanged:
    usage: dict[str, int]
    thinking_tokens: int = 0
    cost: float | None = None  # USD, each request at its own rates
    prices: dict[str, Any] | None = None  # the rates the latest request is billed at (pricing.Prices)


@dataclass(frozen=True)
class LogEntry:
    """One line of the stream's event log, for the inspector: what happened, when, in brief."""

    at: float  # seconds since the turn's first request was sent
    kind: str  # an SSE event type, or the stream manager's own step ("request", "retry", "tool")
    detail: str = ""


@dataclass(frozen=True)
class Finished:
    status: Status  # done, stopped or error
    text: str
    stop_reason: str | None
    stop_details: dict[str, Any] | None = None


StreamEvent = (
    StatusChanged
    | TextDelta
    | ThinkingDelta
    | Thinking
    | ThinkBegan
    | ToolCall
    | Cited
    | UsageChanged
    | LogEntry
    | Finished
)
