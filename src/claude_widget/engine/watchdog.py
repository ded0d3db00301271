"""The stall watchdog: an attempt ends when its stream carried no content for `stall_timeout` seconds.

It measures silence on the stream, never a pause of our own: if the loop itself was held up when the time ran
out (code that keeps the GIL, such as a long C call in the user's next cell), what arrived meanwhile may still
be waiting in the socket, so the stream gets a moment to be read before it counts as stalled. Pings keep a
socket busy but carry no answer, so only content feeds the watchdog.

Except while the model thinks: hidden thinking (`display: "omitted"`) streams nothing but pings until its
signature, for as long as the model thinks. Inside a thinking block, bytes on the wire (the SDK drops pings, so
the watchdog reads the response's byte count) are a model at work, and only silence on the wire is a stall. A
think has its own ceiling (`StreamOptions.thinking_ceiling`), after which the attempt ends as thinking too long.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from types import TracebackType
from typing import Literal

LATE = 0.25  # seconds: a check this late means the loop could not run, not that the stream was quiet
GRACE = 1.0  # seconds given to a stream to deliver what waited while the loop could not read it
WIRE_SAMPLES = 3  # while thinking, the byte count is read this many times per stall_timeout

Expiry = Literal["stall", "thinking"]


def next_check(now: float, due: float, last_content: float, timeout: float) -> float | None:
    """When to look again, checking at `now` what was due at `due`; None if the stream has stalled.
    `last_content` is the last sign of life: content, or bytes on the wire while the model thinks."""
    if now < last_content + timeout:
        return last_content + timeout  # content came since the check was set
    if now - due > LATE:
        return now + GRACE
    return None


class StallWatchdog:
    """`async with StallWatchdog(timeout, ...) as watchdog:` ... `watchdog.fed()` on content,
    `watchdog.thinking(True/False)` as a thinking block opens and closes; raises `TimeoutError` out of the block
    when the stream stalls or a think passes `thinking_ceiling` (`expired` says which). Must be entered inside a
    task. `wire` reads how many bytes the response has delivered so far."""

    def __init__(self, timeout: float, thinking_ceiling: float = float("inf"),
                 wire: Callable[[], int] | None = None) -> None:  # fmt: skip
        self.timeout = timeout
        self.thinking_ceiling = thinking_ceiling
        self.expired: Expiry | None = None
        self._wire = wire or (lambda: 0)
        self._deadline = asyncio.timeout(None)  # cancels the block, and turns that into TimeoutError
        self._handle: asyncio.TimerHandle | None = None
        self._last_content = 0.0
        self._thinking_since: float | None = None
        self._bytes = 0

    async def __aenter__(self) -> StallWatchdog:
        await self._deadline.__aenter__()
        self._loop = asyncio.get_running_loop()
        self._last_content = self._loop.time()
        self._schedule(self._last_content + self.timeout)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            self._handle.cancel()
        await self._deadline.__aexit__(kind, exc, tb)  # raises TimeoutError if it expired

    @property
    def thought_for(self) -> float:
        """Seconds the current think has lasted (0 outside one)."""
        return self._loop.time() - self._thinking_since if self._thinking_since is not None else 0.0

    def fed(self) -> None:
        """Content arrived."""
        self._last_content = self._loop.time()

    def thinking(self, on: bool) -> None:
        """A thinking block opened (the wire's bytes now count as life) or closed."""
        now = self._loop.time()
        if on and self._thinking_since is None:
            self._thinking_since, self._bytes = now, self._wire()
            self._reschedule(now + self.timeout / WIRE_SAMPLES)
        elif not on:
            self._thinking_since = None
        self._last_content = now

    def _schedule(self, when: float) -> None:
        self._handle = self._loop.call_at(when, self._check, when)

    def _reschedule(self, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._schedule(when)

    def _check(self, due: float) -> None:
        now = self._loop.time()
        when: float | None
        if self._thinking_since is not None:
            if now - self._thinking_since > self.thinking_ceiling:
                return self._expire("thinking", now)
            delivered = self._wire()
            if delivered != self._bytes:  # pings: the model is at work
                self._bytes, self._last_content = delivered, now
            when = next_check(now, due, self._last_content, self.timeout)
            if when is not None:
                when = min(when, now + self.timeout / WIRE_SAMPLES, self._thinking_since + self.thinking_ceiling)
        else:
            when = next_check(now, due, self._last_content, self.timeout)
        if when is None:
            return self._expire("stall", now)
        self._schedule(when)

    def _expire(self, why: Expiry, now: float) -> None:
        self._handle, self.expired = None, why
        self._deadline.reschedule(now)  # expire now
