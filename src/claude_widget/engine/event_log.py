"""The stream's event log, for the inspector: every SDK event and every step of the manager, in brief.

Kept as far as the inspector reads it: its list shows the first `FIRST_KEPT` entries and the latest `LATEST_KEPT`
(js/src/ui/inspector.js), its chart only when each entry between came and of what kind. So the entries between
keep just that (a float and a byte each, not an object and a string: an answer's log is one entry per delta).
An inspector open while the answer streams gets every entry whole as it happens (sync.py).
"""

from __future__ import annotations

import time
from array import array
from collections import deque
from typing import Any

from .events import LogEntry

RAW_EVENTS = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
     "message_stop"}
)  # fmt: skip
FIRST_KEPT = 50  # as the inspector's list shows them (js/src/ui/inspector.js)
LATEST_KEPT = 200
# What an entry between keeps of its kind and detail (a delta's type: the chart tells text deltas from the rest).
_BRIEF: list[tuple[str, str]] = []
_BRIEF_CODES: dict[tuple[str, str], int] = {}


class EventLog:
    def __init__(self) -> None:
        self._first: list[LogEntry] = []
        self._latest: deque[LogEntry] = deque(maxlen=LATEST_KEPT)
        self._between_at = array("d")  # the entries that left `_latest`: when…
        self._between_brief = array("B")  # …and what, briefly (an index into _BRIEF)
        self._origin: float | None = None

    def add(self, kind: str, detail: str = "") -> LogEntry:
        """Log one event; times count from the first one (the turn's first request)."""
        now = time.monotonic()
        if self._origin is None:
            self._origin = now
        entry = LogEntry(round(now - self._origin, 4), kind, detail)
        if len(self._first) < FIRST_KEPT:
            self._first.append(entry)
            return entry
        if len(self._latest) == LATEST_KEPT:
            oldest = self._latest[0]
            self._between_at.append(oldest.at)
            word = oldest.detail.split(" ", 1)[0] if oldest.kind == "content_block_delta" else ""  # the delta's type
            self._between_brief.append(_brief_code(oldest.kind, word))
        self._latest.append(entry)
        return entry

    @property
    def entries(self) -> list[LogEntry]:
        """Every entry, in order; those between the first and the latest as kind and the detail's first word."""
        between = [LogEntry(at, *_BRIEF[code]) for at, code in zip(self._between_at, self._between_brief, strict=True)]
        return [*self._first, *between, *self._latest]


def _brief_code(kind: str, word: str) -> int:
    brief = (kind, word)
    code = _BRIEF_CODES.get(brief)
    if code is None:
        if len(_BRIEF) == 255:  # never in practice: a handful of kinds and delta types
            return _BRIEF_CODES.get((kind, ""), 0)
        code = _BRIEF_CODES[brief] = len(_BRIEF)
        _BRIEF.append(brief)
    return code


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
