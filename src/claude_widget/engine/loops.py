"""The asyncio loop every stream runs on: the library's own, in a daemon thread, in notebooks and scripts alike.

A notebook cell that blocks (a `time.sleep`, a groupby over millions of rows, a model fit) holds the kernel's
main thread and with it the kernel's loop. A stream on a thread of its own keeps reading the socket, sending
updates and watching for stalls meanwhile, and a Stop that reaches the kernel on another thread (a subshell:
see subshell.py) closes the socket at once. Sending comm and display messages from this thread is safe:
ipykernel hands them to its IOPub thread. What is scheduled here from a cell carries that cell's context, so
the messages it sends keep the cell as their parent (ipykernel keeps the parent message in a ContextVar).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
THREAD_NAME = "claude-widget-loop"

_loop: asyncio.AbstractEventLoop | None = None
_lock = threading.Lock()


def stream_loop() -> asyncio.AbstractEventLoop:
    """The library's loop, started on first use in a daemon thread."""
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name=THREAD_NAME, daemon=True).start()
            _loop = loop
        return _loop


def on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether we run on `loop`'s thread (code on a loop's thread always runs inside one of its callbacks)."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], object]) -> None:
    """Run `callback` on `loop`: now if we are on its thread, else as soon as the loop gets to it (in order)."""
    if on_loop_thread(loop):
        callback()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(callback)


async def run_on(loop: asyncio.AbstractEventLoop, function: Callable[[], T]) -> T:
    """Run `function` on `loop`'s thread, in the caller's context, and await its result from the caller's loop."""
    if on_loop_thread(loop):
        return function()
    return await asyncio.wrap_future(_scheduled(loop, function))


def run_on_and_wait(loop: asyncio.AbstractEventLoop, function: Callable[[], T], timeout: float | None = None) -> T:
    """Run `function` on `loop`'s thread, in the caller's context, and block the caller until it has returned."""
    if on_loop_thread(loop):
        return function()
    return _scheduled(loop, function).result(timeout)


def _scheduled(loop: asyncio.AbstractEventLoop, function: Callable[[], T]) -> concurrent.futures.Future[T]:
    result: concurrent.futures.Future[T] = concurrent.futures.Future()

    def call() -> None:
        try:
            result.set_result(function())
        except BaseException as exc:  # handed to the caller
            result.set_exception(exc)

    loop.call_soon_threadsafe(call)  # the handle copies the caller's context (and with it the parent message)
    return result
