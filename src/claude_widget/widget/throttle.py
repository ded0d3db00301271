"""Pacing what goes to the front end: at most one message per interval, nothing held back longer.

`Throttle` is a throttle with a maximum wait, not a trailing debounce (which never fires under a steady token
stream): the first poke after a quiet spell runs on the next loop turn, later ones wait for the interval to pass.
Every periodic update of the widget (text deltas, tool cards, usage) goes through one.

Offsets count UTF-16 code units, the way the browser indexes strings, so emoji never shift a seam.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

INTERVAL = 0.03  # seconds: ~30 messages a second at most, per stream of updates


class Throttle:
    """Run `action` soon after `poke()`, but never twice within `interval`; `flush()` runs it now if pending."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        action: Callable[[], None],
        interval: float = INTERVAL,
        *,
        leading: bool = True,
    ) -> None:
        self.loop = loop
        self.interval = interval
        self._action = action
        # leading=False: even after a quiet spell wait the interval, so that what follows soon joins the run
        self._leading = leading
        self._timer: asyncio.TimerHandle | None = None
        self._last_run = float("-inf")

    @property
    def pending(self) -> bool:
        return self._timer is not None

    def poke(self) -> None:
        if self._timer is None:
            now = self.loop.time()
            when = max(now, self._last_run + self.interval) if self._leading else now + self.interval
            self._timer = self.loop.call_at(when, self.flush)

    def flush(self) -> None:
        if self._timer is None:
            return
        self.cancel()
        self._last_run = self.loop.time()
        self._action()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


def utf16_length(text: str) -> int:
    # Characters outside the Basic Multilingual Plane take two UTF-16 code units.
    return len(text.encode("utf-16-le")) // 2
