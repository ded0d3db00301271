"""`Chat`: the user's entry point. Holds the configuration and the API client; `send` returns a live widget."""

from __future__ import annotations

import asyncio
import os
import threading
import weakref

import anthropic
import httpx2

from .errors import MissingAPIKeyError
from .fake_server import FakeAnthropic
from .fake_server.demo import demo_responder
from .loops import stream_loop
from .pricing import prices_for
from .stream import StreamManager
from .widget import ChatWidget

OFFLINE_API_KEY = "offline-demo-key"

_offline_server: FakeAnthropic | None = None
_offline_lock = threading.Lock()


class Chat:
    """Talk to Claude from a notebook or a script.

    `offline=True` streams canned answers from the built-in fake server instead of calling the API: for
    demos, teaching and tests, and always labelled as such in the widget.
    """

    def __init__(
        self,
        model: str = "claude-sonnet-5-5",
        system: str | None = None,
        max_tokens: int = 4096,
        api_key: str | None = None,
        base_url: str | None = None,
        stall_timeout: float = 30.0,
        max_retries: int = 4,
        *,
        offline: bool = False,
        connect_timeout: float = 10.0,
    ) -> None:
        if offline:
            base_url, api_key = offline_server().url, OFFLINE_API_KEY
        else:
            api_key = api_key or os.environ.get("ANTHROPIC_API_KEY")
            if not api_key:
                raise MissingAPIKeyError(
                    "No Anthropic API key. Set the ANTHROPIC_API_KEY environment variable (or pass "
                    "Chat(api_key=...)); to try claude-widget without a key, use Chat(offline=True), which "
                    "streams canned answers from the built-in fake server."
                )
        if max_retries < 0 or stall_timeout <= 0 or max_tokens <= 0:
            raise ValueError("max_retries must be >= 0, stall_timeout and max_tokens > 0")
        self.model = model
        self.system = system
        self.max_tokens = max_tokens
        self.stall_timeout = stall_timeout
        self.max_retries = max_retries
        self.offline = offline
        self._api_key = api_key
        self._base_url = base_url
        # No read or total limit (long generations are fine): the stream manager's content watchdog
        # (`stall_timeout`) is what notices a connection that went quiet.
        self._timeout = httpx2.Timeout(connect=connect_timeout, read=None, write=60.0, pool=connect_timeout)
        # An HTTP connection pool belongs to one event loop, so each loop gets its own client.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anthropic.AsyncAnthropic] = (
            weakref.WeakKeyDictionary()
        )

    def __repr__(self) -> str:
        mode = "offline" if self.offline else "online"
        return f"Chat(model={self.model!r}, {mode})"

    def send(self, prompt: str) -> ChatWidget:
        """Ask Claude; returns the widget at once while the answer streams into it."""
        prompt = _check_prompt(prompt)
        return ChatWidget(
            lambda: self.stream(prompt), model=self.model, prices=prices_for(self.model), offline=self.offline
        )

    def stream(self, prompt: str) -> StreamManager:
        """A not yet started `StreamManager` for `prompt`: the engine without a widget."""
        prompt = _check_prompt(prompt)
        return StreamManager(
            self._client_for(stream_loop()),
            model=self.model,
            messages=[{"role": "user", "content": prompt}],
            max_tokens=self.max_tokens,
            system=self.system,
            stall_timeout=self.stall_timeout,
            max_retries=self.max_retries,
        )

    def _client_for(self, loop: asyncio.AbstractEventLoop) -> anthropic.AsyncAnthropic:
        client = self._clients.get(loop)
        if client is None:
            # The SDK's own retries are invisible to the user; the stream manager retries visibly instead.
            client = anthropic.AsyncAnthropic(
                api_key=self._api_key, base_url=self._base_url, max_retries=0, timeout=self._timeout
            )
            self._clients[loop] = client
        return client


def offline_server() -> FakeAnthropic:
    """The process-wide fake server behind `Chat(offline=True)`, started on first use."""
    global _offline_server
    with _offline_lock:
        if _offline_server is None:
            _offline_server = FakeAnthropic(responder=demo_responder).start()
        return _offline_server


def _check_prompt(prompt: object) -> str:
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError(f"the prompt must be a non-empty string, got {prompt!r:.60}")
    return prompt
