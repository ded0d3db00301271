"""Batching text deltas for the front end: at most one message per interval, nothing held back longer.

A throttle with a maximum wait, not a trailing debounce (which never fires under a steady token stream). The
first delta after a quiet spell goes out on the next loop turn; later ones wait for the interval to pass.
Offsets count UTF-16 code units, the way the browser indexes strings, so emoji never shift a seam.

With `deflate` on, a batch travels as a binary buffer: the next piece of one raw deflate stream, flushed so that
the front end can inflate everything sent so far. Text repeats itself (markdown, code, prose), so a long answer
crosses the wire at about half its size. A front end that did not see a stream begin cannot read it: on its
`resync` the stream starts over (`reset`), marked by `"start": true` on its first piece.
"""

from __future__ import annotations

import asyncio
import itertools
import zlib
from collections.abc import Callable
from typing import Any

Send = Callable[[dict[str, Any], list[bytes]], None]
_stream_ids = itertools.count(1)  # unique in the kernel: a front end never mistakes one stream for another


class DeltaBatcher:
    def __init__(self, loop: asyncio.AbstractEventLoop, send: Send, interval: float = 0.03) -> None:
        self.loop = loop
        self._send = send
        self.interval = interval
        self.deflate = False  # set from any thread; read once per batch
        self._pending: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._last_flush = float("-inf")
        self._compressor: Any = None  # the current deflate stream, started by the next batch when None
        self._stream_id = 0
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
        message, buffers = self._encode(text)
        self._send({"kind": "delta", "offset": self.offset, **message}, buffers)
        self.offset += utf16_length(text)
        self.messages_sent += 1
        self._last_flush = self.loop.time()

    def reset(self, text: str = "") -> None:
        """Forget pending deltas; the front end now holds `text`. A deflate stream starts over."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._pending.clear()
        self._compressor = None
        self.offset = utf16_length(text)

    def _encode(self, text: str) -> tuple[dict[str, Any], list[bytes]]:
        if not self.deflate:
            self._compressor = None
            return {"text": text}, []
        message: dict[str, Any] = {}
        if self._compressor is None:
            self._compressor = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate: no header, no checksum
            self._stream_id = next(_stream_ids)
            message["start"] = True
        message["deflate"] = self._stream_id
        data = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
        return message, [data]


def utf16_length(text: str) -> int:
    # Characters outside the Basic Multilingual Plane take two UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2
