"""Streams of text from the kernel to its front ends: the answer, the thinking, the tool inputs, the event log.

A `DeltaChannel` sends what is appended to its text as batched deltas at UTF-16 offsets (at most one message per
~30 ms), deflate-compressed for front ends that inflate, and its whole text as a snapshot when a front end lost
track. With `deflate` on, a batch travels as a binary buffer: the next piece of one raw deflate stream, flushed
so that the front end can inflate everything sent so far. Text repeats itself (markdown, code, prose), so a long
answer crosses the wire at about half its size. A front end that did not see a stream begin cannot read it: on
its `resync` the stream starts over, marked by `"start": true` on its first piece.

Kernel messages reach every front end of a widget, so `FrontEnds` remembers what each one said about itself and
the channels use what all of them can read.
"""

from __future__ import annotations

import asyncio
import itertools
import zlib
from collections.abc import Callable
from typing import Any

from . import protocol
from .throttle import INTERVAL, Throttle, utf16_length

Send = Callable[[protocol.Message, list[bytes]], None]
_stream_ids = itertools.count(1)  # unique in the kernel: a front end never mistakes one stream for another


class DeltaChannel:
    def __init__(
        self,
        name: protocol.Channel,
        loop: asyncio.AbstractEventLoop,
        send: Send,
        source: Callable[[], str],
        interval: float = INTERVAL,
    ) -> None:
        self.name = name
        self.loop = loop
        self._send = send
        self._source = source  # the channel's whole text, for snapshots
        self._throttle = Throttle(loop, self._send_pending, interval)
        self.deflate = False  # read once per batch
        self._pending: list[str] = []
        self._compressor: Any = None  # the current deflate stream, started by the next batch when None
        self._stream_id = 0
        self.offset = 0  # UTF-16 code units sent so far
        self.messages_sent = 0

    def add(self, text: str) -> None:
        if text:
            self._pending.append(text)
            self._throttle.poke()

    def flush(self) -> None:
        """Send what is pending now (before a state change that must not overtake it, and at the end)."""
        self._throttle.flush()

    def restart(self, text: str = "") -> None:
        """Forget pending deltas: the front ends now hold `text`. A deflate stream starts over."""
        self._throttle.cancel()
        self._pending.clear()
        self._compressor = None
        self.offset = utf16_length(text)

    def send_snapshot(self) -> None:
        """Send the whole text so far (it replaces what a front end holds); the deltas continue from there."""
        self.flush()
        text = self._source()
        self.restart(text)
        self._send(protocol.snapshot(self.name, text), [])

    def _send_pending(self) -> None:
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        body, buffers = self._encode(text)
        self._send(protocol.delta(self.name, self.offset, body), buffers)
        self.offset += utf16_length(text)
        self.messages_sent += 1

    def _encode(self, text: str) -> tuple[protocol.DeltaBody, list[bytes]]:
        if not self.deflate:
            self._compressor = None
            return {"text": text}, []
        body: protocol.DeltaBody = {}
        if self._compressor is None:
            self._compressor = zlib.compressobj(6, zlib.DEFLATED, -15)  # raw deflate: no header, no checksum
            self._stream_id = next(_stream_ids)
            body["start"] = True
        body["deflate"] = self._stream_id
        data = self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
        return body, [data]


class FrontEnds:
    """What each live front end of a widget said about itself (by the id it sends with its intents).

    Deltas are compressed only while every front end that follows them can inflate: a page on a host that drops
    binary buffers makes the kernel send plain text, which every page reads, and a page opened later does not
    switch compression back on under it. The event log streams while any front end's inspector is open.
    """

    def __init__(self) -> None:
        self._inflates: dict[str, bool] = {}
        self._inspecting: set[str] = set()

    @property
    def followed(self) -> bool:
        """Some front end builds the texts from the deltas (so they need not be sent again as state)."""
        return bool(self._inflates)

    @property
    def deflate(self) -> bool:
        return bool(self._inflates) and all(self._inflates.values())

    @property
    def inspecting(self) -> bool:
        return bool(self._inspecting)

    def follow(self, frontend: str, inflates: bool) -> None:
        self._inflates[frontend] = inflates and self._inflates.get(frontend, True)

    def cannot_inflate(self, frontend: str) -> None:
        self._inflates[frontend] = False

    def inspect(self, frontend: str, is_open: bool) -> bool:
        """Note an inspector opened or closed; return whether that changes whether the log streams."""
        before = self.inspecting
        if is_open:
            self._inspecting.add(frontend)
        else:
            self._inspecting.discard(frontend)
        return before != self.inspecting
