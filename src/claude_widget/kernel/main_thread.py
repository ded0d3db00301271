"""The kernel's main thread, where Claude's code runs: one job at a time, behind whatever cell is running.

A cell runs on the kernel's main thread, and so does a job here: handed to the kernel's own loop
(`kernel.io_loop`), which takes it once the running cell (and any cell sent before it) has ended, holding the
kernel's lock on the main shell (ipykernel 7) so that no cell starts while it runs. Whoever waits for an answer on
the main thread (`w.wait()`, `await w`, a headless cell's wait) runs the jobs itself meanwhile (`while_waiting`,
`while_awaiting`): no cell ends while it waits, and the answer it waits for may need them.

A job is interrupted as the kernel interrupts a cell: SIGINT to the main thread, which raises KeyboardInterrupt in
the code (the kernel ignores SIGINT between cells, so the job listens for it while it runs). In a plain script
there is no kernel loop: jobs run on a worker thread of their own, and cannot be interrupted.
"""

from __future__ import annotations

import _thread
import asyncio
import concurrent.futures
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


class Interrupted(Exception):
    """The job was interrupted as it ended (its own result was lost with it)."""


class MainThread:
    """Jobs for the main thread, in the order they came."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[tuple[Callable[[], Any], concurrent.futures.Future[Any]]] = deque()
        self._running: concurrent.futures.Future[Any] | None = None
        self._on_main = False  # whether the running job runs on the main thread (so a SIGINT reaches it)
        self._worker: concurrent.futures.ThreadPoolExecutor | None = None  # without a kernel: one job at a time
        self._draining = threading.Lock()  # one thread runs jobs at a time (a worker, or a waiter on the main thread)

    def submit(self, job: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Run `job` on the main thread as soon as no cell runs there; its future says when and what it returned."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        with self._lock:
            self._queue.append((job, future))
        kernel = _kernel()
        if kernel is not None and getattr(kernel, "io_loop", None) is not None:
            kernel.io_loop.add_callback(self._behind_cells, kernel)
        else:
            if self._worker is None:
                self._worker = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="claude-widget-code")
            self._worker.submit(self.drain)
        return future

    def withdraw(self, future: concurrent.futures.Future[Any]) -> bool:
        """Take a job that has not started off the queue; whether it was there."""
        with self._lock:
            for queued in list(self._queue):
                if queued[1] is future:
                    self._queue.remove(queued)
                    future.cancel()
                    return True
        return False

    def interrupt(self, future: concurrent.futures.Future[Any]) -> bool:
        """Interrupt `future`'s job if it is running on the main thread now; whether a KeyboardInterrupt was sent."""
        with self._lock:  # held while signalling, so the job cannot end in between
            if self._running is not future or not self._on_main:
                return False
            _thread.interrupt_main(signal.SIGINT)  # as a SIGINT to the main thread would (on every platform)
            return True

    def running(self, future: concurrent.futures.Future[Any]) -> bool:
        with self._lock:
            return self._running is future

    def drain(self) -> None:
        """Run every queued job, here and now (the main thread, unless in a script), unless another thread is."""
        while self._queue and self._draining.acquire(blocking=False):
            try:
                self._drain()
            finally:
                self._draining.release()
            # (a job queued as the lock was let go is taken by the loop's next turn, not left behind)

    def _drain(self) -> None:
        on_main = threading.current_thread() is threading.main_thread()
        # The kernel ignores SIGINT between cells: a job listens for it while it runs (a Stop, or the kernel's own
        # interrupt), from before it is taken off the queue, so that no Stop falls between the two.
        previous = signal.signal(signal.SIGINT, signal.default_int_handler) if on_main else None
        try:
            while True:
                with self._lock:
                    if not self._queue:
                        return
                    job, future = self._queue.popleft()
                    if not future.set_running_or_notify_cancel():
                        continue
                    self._running, self._on_main = future, on_main
                self._run(job, future)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)

    def while_waiting(self, ended: Callable[[float | None], bool], timeout: float | None = None) -> bool:
        """Block until `ended(seconds)` says it has (it waits that long for it; None: as long as it takes) or `timeout`
        passes; on the main thread, run the jobs queued there meanwhile. Whether it ended."""
        if threading.current_thread() is not threading.main_thread():
            return ended(timeout)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not ended(0.05):
            self.drain()
            if deadline is not None and time.monotonic() > deadline:
                return False
        return True

    async def while_awaiting(self, awaitable: Awaitable[T]) -> T:
        """Await `awaitable`; on the main thread (an awaiting cell holds up every cell), run the jobs queued there
        meanwhile."""
        task = asyncio.ensure_future(awaitable)
        while threading.current_thread() is threading.main_thread():
            done, _ = await asyncio.wait({task}, timeout=0.05)
            if done:
                break
            self.drain()
        return await task

    async def _behind_cells(self, kernel: Any) -> None:
        lock = getattr(kernel, "_main_asyncio_lock", None)  # ipykernel 7: held while a cell runs
        if isinstance(lock, asyncio.Lock):
            async with lock:
                self.drain()
        else:
            self.drain()

    def _run(self, job: Callable[[], Any], future: concurrent.futures.Future[Any]) -> None:
        result: Any = _NOTHING
        error: BaseException | None = None
        try:
            try:
                result = job()
            finally:
                with self._lock:
                    self._running, self._on_main = None, False
        except KeyboardInterrupt:
            error = Interrupted()  # a Stop that came as the job ended, outside its own code
        except BaseException as exc:
            error = exc
        if result is not _NOTHING:
            future.set_result(result)
        else:
            future.set_exception(error or Interrupted())


_NOTHING = object()
main_thread = MainThread()  # the process's one main thread


def _kernel() -> Any:
    """The running ipykernel, or None (a script, a terminal IPython, marimo)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return getattr(shell, "kernel", None) if shell is not None else None
