"""What a `StreamManager` tells its listeners, in order, on the stream's loop."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["connecting", "streaming", "retrying", "done", "stopped", "error"]
FINAL_STATUSES: frozenset[str] = frozenset({"done", "stopped", "error"})


@dataclass(frozen=True)
class StatusChanged:
    status: Status
    error: dict[str, Any] | None = None  # the cause while retrying, the failure on error


@dataclass(frozen=True)
class TextDelta:
    text: str
    offset: int  # characters of answer before this delta


@dataclass(frozen=True)
class UsageChanged:
    usage: dict[str, int]


@dataclass(frozen=True)
class Finished:
    status: Status  # done, stopped or error
    text: str
    stop_reason: str | None


StreamEvent = StatusChanged | TextDelta | UsageChanged | Finished
