"""When Claude is thinking: a think begins with a thinking block and ends with the first block of something else or
with the message. The stall watchdog allows a think its own, longer silence; the view shows "Thinking · N s"."""

from __future__ import annotations

import time
from typing import Any

from .events import Thinking

THINKING_BLOCKS = frozenset({"thinking", "redacted_thinking"})
# The events that may begin or end a think: a block's start (thinking or not), and the message's end.
THINK_BOUNDARIES = frozenset({"content_block_start", "message_delta", "message_stop"})


class Thinks:
    def __init__(self, seconds: float = 0.0) -> None:
        self.seconds = seconds  # how long Claude has thought in this turn, over its finished thinks
        self._began: float | None = None  # monotonic time the current think began, while Claude thinks

    @property
    def active(self) -> bool:
        return self._began is not None

    def follow(self, event: Any) -> Thinking | None:
        """Follow an SDK event (one of THINK_BOUNDARIES); a `Thinking` event if a think began or ended."""
        block = getattr(event, "content_block", None)
        thinking = event.type == "content_block_start" and block is not None and block.type in THINKING_BLOCKS
        if thinking and self._began is None:
            self._began = time.monotonic()
            return Thinking(True, self.seconds)
        if not thinking and event.type != "content_block_stop":
            return self.end()
        return None

    def end(self) -> Thinking | None:
        """The think (if any) is over: the message ended, or the attempt did."""
        if self._began is None:
            return None
        self.seconds += time.monotonic() - self._began
        self._began = None
        return Thinking(False, self.seconds)
