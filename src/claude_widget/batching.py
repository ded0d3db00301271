"""Batching text deltas for the front end: at most one message per interval, nothing held back longer.

A throttle with a maximum wait, not a trailing debounce (which never fires under a steady token stream). The
first delta after a quiet spell goes out on the next loop turn; later ones wait for the interval to pass.
Offsets count UTF-16 code units, the way the browser indexes strings, so emoji never shift a seam.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

Send = Callable[[dict[str, Any]], None]


class DeltaBatcher:
    def __init__(self, loop: asyncio.AbstractEventLoop, send: Send, interval: float = 0.03) -> None:
        self.loop = loop
        self._send = send
        self.interval = interval
        self._pending: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        self.offset = 0  # UTF-16 code units sent so far
        self.messages_sent = 0

    def add(self, text: str) -> None:
        self._pending.append(text)
        if self._timer is None:
            when = max(self.loop.time(), self._last_flush + self.interval)
            self._timer = self.loop.call_at(when, self.flush)

    def flush(self) -> None:
        """Send what is pending now (also called at the end of a stream)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._send({"kind": "delta", "offset": self.offset, "text": text})
        self.offset += utf16_length(text)
        self.messages_sent += 1
        self._last_flush = self.loop.time()

    def reset(self, text: str = "") -> None:
        """Forget pending deltas; the front end now holds `text`."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending.clear()
        self.offset = utf16_length(text)


def utf16_length(text: str) -> int:
    # Characters outside the Basic Multilingual Plane take two UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2
