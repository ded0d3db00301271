"""Which asyncio loop a stream runs on.

In a notebook the kernel's own loop is running while a cell executes: a stream started there as a task keeps
running after the cell returns, and the kernel still handles Stop clicks and other cells meanwhile. In a plain
script there is no running loop, so the library runs one of its own in a daemon thread.
"""

from __future__ import annotations

import asyncio
import threading

_background: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def stream_loop() -> asyncio.AbstractEventLoop:
    """The running loop if there is one (a notebook cell), else the library's background loop."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return background_loop()


def background_loop() -> asyncio.AbstractEventLoop:
    global _background
    with _lock:
        if _background is None or _background.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="claude-widget-loop", daemon=True).start()
            _background = loop
        return _background


def on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether we run on `loop`'s thread (code on a loop's thread always runs inside one of its callbacks)."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
