"""HTTP clients shared per key, endpoint and settings on the streams' loop, and closed when nothing uses them
(clients.py; issue 23, item 7)."""

from __future__ import annotations

import asyncio
import gc
import threading
import time
import weakref
from typing import Any

from claude_widget import Chat
from claude_widget.engine.clients import _clients, clients_in_use
from claude_widget.engine.loops import stream_loop
from claude_widget.fake_server import FakeAnthropic

from .conftest import TEST_KEY

URL = "http://127.0.0.1:9"  # never asked: making a client sends nothing


def test_chats_with_the_same_key_and_endpoint_share_one_client() -> None:
    first, second = Chat(api_key="sk-ant-same", base_url=URL), Chat(api_key="sk-ant-same", base_url=URL)
    assert first._client_for(stream_loop()) is second._client_for(stream_loop())


def test_a_different_key_endpoint_or_timeout_gets_its_own_client() -> None:
    loop = stream_loop()
    client = Chat(api_key="sk-ant-one", base_url=URL)._client_for(loop)
    assert Chat(api_key="sk-ant-two", base_url=URL)._client_for(loop) is not client
    assert Chat(api_key="sk-ant-one", base_url=URL + "0")._client_for(loop) is not client
    assert Chat(api_key="sk-ant-one", base_url=URL, connect_timeout=3.0)._client_for(loop) is not client
    assert Chat(api_key="sk-ant-two", base_url=URL)._client_for(loop).api_key == "sk-ant-two"


def test_the_key_is_not_kept_in_the_cache() -> None:
    client = Chat(api_key="sk-ant-secret-in-cache", base_url=URL)._client_for(stream_loop())
    keys = list(_clients[stream_loop()].keys())
    assert keys and all("sk-ant-secret-in-cache" not in repr(key) for key in keys)
    del client


def test_answers_of_many_chats_share_a_client(server: FakeAnthropic) -> None:
    widgets = [Chat(api_key=TEST_KEY, base_url=server.url).send(f"question {i}") for i in range(3)]
    assert [w.wait(30) for w in widgets] == ["Hello from the fake Anthropic server."] * 3
    assert len({id(w.manager.client) for w in widgets}) == 1


def test_a_client_nothing_uses_is_freed_and_closed(server: FakeAnthropic) -> None:
    # Stream managers without widgets: nothing else holds them.
    loop = stream_loop()
    managers = [Chat(api_key=TEST_KEY, base_url=server.url).stream(f"question {i}").start() for i in range(2)]
    assert [m.wait(30) for m in managers] == ["Hello from the fake Anthropic server."] * 2
    client = managers[0].client
    assert managers[1].client is client
    http, gone, in_use = client._client, weakref.ref(client), clients_in_use(loop)
    del client, managers
    assert _collected(gone), "a client nothing uses stayed alive"
    assert clients_in_use(loop) <= in_use - 1  # (earlier tests' clients may go meanwhile, their answers freed)
    closed = threading.Event()
    loop.call_soon_threadsafe(lambda: loop.create_task(_set_when_closed(http, closed)))
    assert closed.wait(30), "the unused client's connections were not closed"


def _collected(ref: weakref.ref[Any]) -> bool:
    """Whether `ref`'s object goes, collecting until it does (a stream's task on the loop thread lets go of its
    manager a moment after `wait()` returns)."""
    for _ in range(300):
        gc.collect()
        if ref() is None:
            return True
        time.sleep(0.1)
    return False


async def _set_when_closed(http: Any, closed: threading.Event) -> None:
    while not http.is_closed:  # the close was scheduled on this loop: it runs between our steps
        await asyncio.sleep(0.01)
    closed.set()
