"""The stall watchdog: an attempt ends when its stream carried no content for `stall_timeout` seconds.

It measures silence on the stream, never a pause of our own: if the loop itself was held up when the time ran
out (code that keeps the GIL, such as a long C call in the user's next cell), what arrived meanwhile may still
be waiting in the socket, so the stream gets a moment to be read before it counts as stalled. Pings keep a
socket busy but carry no answer, so only content feeds the watchdog.
"""

from __future__ import annotations

import asyncio
from types import TracebackType

LATE = 0.25  # seconds: a check this late means the loop could not run, not that the stream was quiet
GRACE = 1.0  # seconds given to a stream to deliver what waited while the loop could not read it


def next_check(now: float, due: float, last_content: float, timeout: float) -> float | None:
    """When to look again, checking at `now` what was due at `due`; None if the stream has stalled."""
    if now < last_content + timeout:
        return last_content + timeout  # content came since the check was set
    if now - due > LATE:
        return now + GRACE
    return None


class StallWatchdog:
    """`async with StallWatchdog(timeout) as watchdog:` ... `watchdog.fed()` on content; raises `TimeoutError`
    out of the block when the stream stalls. Must be entered inside a task."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._deadline = asyncio.timeout(None)  # cancels the block, and turns that into TimeoutError
        self._handle: asyncio.TimerHandle | None = None
        self._last_content = 0.0

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

    def fed(self) -> None:
        """Content arrived."""
        self._last_content = self._loop.time()

    def _schedule(self, when: float) -> None:
        self._handle = self._loop.call_at(when, self._check, when)

    def _check(self, due: float) -> None:
        now = self._loop.time()
        when = next_check(now, due, self._last_content, self.timeout)
        if when is None:
            self._handle = None
            self._deadline.reschedule(now)  # expire now
        else:
            self._schedule(when)
