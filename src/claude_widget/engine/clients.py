"""The API clients: one `AsyncAnthropic` per API key, endpoint and settings on each event loop, shared by every
chat that asks for the same, and closed once nothing uses it.

A client is about 0.86 MB of native memory (its TLS context), and every finished answer keeps its stream
manager's client alive: with a client per `Chat`, a `Chat()` per answer cost as much per answer
(bench/memory.py). An HTTP connection pool belongs to one event loop, hence one client per loop. The cache holds
clients weakly: the chats and stream managers that use one keep it alive, and when the last of them goes its
connections are closed on its loop.

The key is never kept in the cache's keys (a digest is), nor in anything printed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
import weakref
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2


@dataclass(frozen=True)
class _Key:
    """What makes two clients interchangeable (the SDK reads the base URL and extra headers from the environment
    when it is made, so their values count too)."""

    api_key_digest: str
    base_url: str
    max_retries: int
    timeout: tuple[float | None, float | None, float | None, float | None]
    custom_headers_digest: str


_OnLoop = weakref.WeakValueDictionary[_Key, anthropic.AsyncAnthropic]
_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _OnLoop] = weakref.WeakKeyDictionary()
_lock = threading.Lock()
_closing: set[asyncio.Task[None]] = set()  # a task the loop only holds weakly would be collected mid-way


def shared_client(
    loop: asyncio.AbstractEventLoop, api_key: str, base_url: str | None, *, max_retries: int, timeout: httpx2.Timeout
) -> anthropic.AsyncAnthropic:
    """The client for these settings on `loop`: the one in use if there is one, else a new one."""
    key = _Key(
        _digest(api_key),
        base_url or os.environ.get("ANTHROPIC_BASE_URL") or "https://api.anthropic.com",
        max_retries,
        (timeout.connect, timeout.read, timeout.write, timeout.pool),
        _digest(os.environ.get("ANTHROPIC_CUSTOM_HEADERS", "")),
    )
    with _lock:
        on_loop = _clients.setdefault(loop, _OnLoop())
        client = on_loop.get(key)
        if client is None:
            client = anthropic.AsyncAnthropic(api_key=api_key, base_url=base_url, max_retries=max_retries,
                                              timeout=timeout)  # fmt: skip
            on_loop[key] = client
            # Holds the HTTP client (not the SDK's client) until it is closed.
            weakref.finalize(client, _close_soon, loop, client._client).atexit = False
        return client


def clients_in_use(loop: asyncio.AbstractEventLoop) -> int:
    """How many clients are alive on `loop` (for tests and benchmarks)."""
    with _lock:
        on_loop = _clients.get(loop)
        return 0 if on_loop is None else len(on_loop)


def _close_soon(loop: asyncio.AbstractEventLoop, http: Any) -> None:
    """Close a client nothing uses, on its own loop (the collector may run this on any thread)."""

    def close() -> None:
        task: asyncio.Task[None] = loop.create_task(http.aclose())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    if not loop.is_closed():
        loop.call_soon_threadsafe(close)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
