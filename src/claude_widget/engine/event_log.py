"""The stream's event log, for the inspector: every SDK event and every step of the manager, in brief."""

from __future__ import annotations

import time
from typing import Any

from .events import LogEntry

RAW_EVENTS = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
     "message_stop"}
)  # fmt: skip


class EventLog:
    def __init__(self) -> None:
        self.entries: list[LogEntry] = []
        self._origin: float | None = None

    def add(self, kind: str, detail: str = "") -> LogEntry:
        """Log one event; times count from the first one (the turn's first request)."""
        now = time.monotonic()
        if self._origin is None:
            self._origin = now
        entry = LogEntry(round(now - self._origin, 4), kind, detail)
        self.entries.append(entry)
        return entry


def summary(event: Any) -> str:
    """A few words on an SDK event."""
    kind = event.type
    if kind == "message_start":
        usage = event.message.usage
        return f"input_tokens={usage.input_tokens} model={event.message.model}"
    if kind == "content_block_start":
        block = event.content_block
        name = getattr(block, "name", None)
        return f"#{event.index} {block.type}" + (f" {name}" if name else "")
    if kind == "content_block_delta":
        delta = event.delta
        cited = getattr(delta, "citation", None)
        payload = str(getattr(delta, "text", None) or getattr(delta, "thinking", None)
                      or getattr(delta, "partial_json", None) or getattr(cited, "cited_text", None) or "")  # fmt: skip
        return f"{delta.type} {payload[:40]!r}"
    if kind == "content_block_stop":
        return f"#{event.index}"
    if kind == "message_delta":
        return f"stop_reason={event.delta.stop_reason} output_tokens={event.usage.output_tokens}"
    return ""
