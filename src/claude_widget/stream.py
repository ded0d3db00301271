"""The kernel-side engine: one request to Claude, from the first byte to the last, with no widget in sight.

`StreamManager` drives `AsyncAnthropic.messages.stream` as a task on an asyncio loop (the kernel's own loop in
a notebook, a background loop in a plain script), keeps the answer, usage and timings, retries what is worth
retrying with visible backoff, and can be cancelled from any thread: cancelling the task closes the socket,
which is what stops generation and billing. Listeners get `StreamEvent`s in order on the stream's loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import anthropic
import httpx2

from .errors import Failure, StallError, StreamError, TruncatedStreamError, classify
from .events import FINAL_STATUSES, Finished, Status, StatusChanged, StreamEvent, TextDelta, UsageChanged
from .seam import SeamMerger

log = logging.getLogger("claude_widget")

Continuation = Literal["prefill", "user_turn"]
CONTINUE_PROMPT = (
    "Your previous answer was cut off by a network interruption. Continue it exactly where it stopped, "
    "mid-word if need be: no preamble, and do not repeat what you already wrote."
)
# Models seen rejecting assistant prefill in this process, so later continuations skip the failed attempt.
_PREFILL_REJECTED: set[str] = set()


def prefill_supported(model: str) -> bool:
    """Claude 4.6 and later reject assistant-message prefill; the 4.5 family and older accept it."""
    return "-4-5" in model or model.startswith("claude-3")


Listener = Callable[[StreamEvent], None]
USAGE_KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: `min(base * 2**n, cap)`, scaled by a random factor in [0.75, 1]."""

    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return retry_after  # the server knows best
        return min(self.base * 2**attempt, self.cap) * random.uniform(0.75, 1.0)


class StreamManager:
    """Streams one answer. Iterate it (`async for event in manager`) or `subscribe` a callback.

    The manager starts on the first iteration, or explicitly with `start()`.
    """

    def __init__(
        self,
        client: anthropic.AsyncAnthropic,
        *,
        model: str,
        messages: list[dict[str, Any]],
        max_tokens: int = 4096,
        system: str | None = None,
        stall_timeout: float = 30.0,
        max_retries: int = 4,
        backoff: Backoff | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.messages = messages
        self.max_tokens = max_tokens
        self.system = system
        self.stall_timeout = stall_timeout
        self.max_retries = max_retries
        self.backoff = backoff or Backoff()

        self.text = ""
        self.status: Status = "connecting"
        self.usage: dict[str, int] = dict.fromkeys(USAGE_KEYS, 0)
        self.error: dict[str, Any] | None = None
        self.stop_reason: str | None = None
        self.attempts: list[dict[str, Any]] = []  # one entry per request sent, with its outcome
        self._marks: dict[str, float] = {}  # monotonic times: request_sent, first_byte, first_token, end

        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancel_requested = False
        self._seam: SeamMerger | None = None  # joins a continuation to the partial answer
        self._result: concurrent.futures.Future[str] = concurrent.futures.Future()

    # -- observing -------------------------------------------------------------------------------------
    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The loop the stream runs on, once started."""
        return self._loop

    @property
    def done(self) -> bool:
        return self._result.done()

    @property
    def timings(self) -> dict[str, float]:
        """Seconds from the request being sent to the first byte, the first token and the end."""
        start = self._marks.get("request_sent")
        if start is None:
            return {}
        return {name: round(t - start, 6) for name, t in self._marks.items() if name != "request_sent"}

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(event)` for every event, on the stream's loop, in order."""
        self._listeners.append(listener)

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        queue: asyncio.Queue[StreamEvent] = asyncio.Queue()
        self.subscribe(queue.put_nowait)
        if self._loop is None:
            self.start()
        while True:
            event = await queue.get()
            yield event
            if isinstance(event, Finished):
                return

    # -- controlling -----------------------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> StreamManager:
        """Start streaming on `loop` (default: the running loop). Safe to call from another thread."""
        if self._loop is not None:
            raise RuntimeError("this StreamManager has already started")
        self._loop = loop or asyncio.get_running_loop()
        if _on_loop_thread(self._loop):
            self._spawn()
        else:
            self._loop.call_soon_threadsafe(self._spawn)
        return self

    def cancel(self) -> None:
        """Stop the stream: closes the socket and keeps the partial answer. Safe from any thread."""
        self._cancel_requested = True
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if _on_loop_thread(loop):
            self._cancel_on_loop()
        else:
            loop.call_soon_threadsafe(self._cancel_on_loop)

    def wait(self, timeout: float | None = None) -> str:
        """Block until the stream ends; return the answer. Raises `StreamError` if it ended in an error."""
        if self._loop is not None and _on_loop_thread(self._loop):
            raise RuntimeError(
                "wait() would block the loop this stream runs on (the notebook kernel's loop) and deadlock. "
                "In a notebook, use `await w` instead."
            )
        try:
            return self._result.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"the stream did not finish within {timeout} s (status: {self.status})") from None

    async def wait_async(self) -> str:
        """Wait for the end from any loop; return the answer. Raises `StreamError` on an error."""
        return await asyncio.wrap_future(self._result)

    # -- the stream ------------------------------------------------------------------------------------
    def _spawn(self) -> None:
        assert self._loop is not None
        self._task = self._loop.create_task(self._run())
        self._task.add_done_callback(self._on_task_done)
        if self._cancel_requested:
            self._task.cancel()

    def _on_task_done(self, task: asyncio.Task[None]) -> None:
        # A task cancelled before its first step never runs `_run`, so it is finished here.
        if not self._result.done():
            self._finish("stopped")

    def _cancel_on_loop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    async def _run(self) -> None:
        try:
            await self._run_attempts()
        except asyncio.CancelledError:
            self._end_attempt("stopped")
            self._finish("stopped")
        except Exception as exc:  # a bug of ours must still end the stream visibly
            log.exception("claude_widget: stream failed unexpectedly")
            self._finish("error", classify(exc, base_url=self._base_url, model=self.model))

    async def _run_attempts(self) -> None:
        while True:
            try:
                await self._attempt()
            except (anthropic.APIError, httpx2.TransportError, StallError, TruncatedStreamError, ValueError) as exc:
                failure = classify(exc, base_url=self._base_url, model=self.model)
                self._end_attempt(failure.kind)
                retries_used = len(self.attempts) - 1
                if failure.kind == "prefill_rejected" and self.attempts[-1]["continuation"] == "prefill":
                    # This model wants the conversation to end with a user turn: continue that way at once.
                    _PREFILL_REJECTED.add(self.model)
                    if retries_used < self.max_retries:
                        continue
                if not failure.retryable or retries_used >= self.max_retries:
                    self._finish("error", await self._explain(failure))
                    return
                delay = self.backoff.delay(retries_used, failure.retry_after)
                info = failure.retry_dict(
                    delay=delay,
                    attempt=retries_used + 2,
                    max_attempts=self.max_retries + 1,
                    continuing=bool(self.text),
                    secret=self.client.api_key,
                )
                self._set_status("retrying", info)
                await asyncio.sleep(delay)
                continue
            self._end_attempt("done")
            self._finish("done")
            return

    async def _attempt(self) -> None:
        continuation = self._continuation_mode()
        self.attempts.append(
            {
                "sent_at": time.time(),
                "continuation": continuation,
                "outcome": "pending",
                "usage": dict.fromkeys(USAGE_KEYS, 0),
                "chars": 0,
                "deltas": 0,
            }
        )
        self._seam = SeamMerger(self.text) if continuation else None
        if self.status != "retrying":
            self._set_status("connecting")
        self._mark("request_sent", overwrite=not self.text)
        params: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": self._request_messages(continuation),
        }
        if self.system is not None:
            params["system"] = self.system
        async with self.client.messages.stream(**params) as stream:
            self._mark("first_byte")
            loop = asyncio.get_running_loop()
            completed = False
            # The watchdog watches content, not bytes: pings keep a socket busy but carry no answer.
            try:
                async with asyncio.timeout_at(loop.time() + self.stall_timeout) as watchdog:
                    async for event in stream:
                        if self._handle(event):
                            watchdog.reschedule(loop.time() + self.stall_timeout)
                        completed = completed or event.type == "message_stop"
            except TimeoutError:
                raise StallError(f"no content for {self.stall_timeout:g} s.") from None
            if not completed:
                raise TruncatedStreamError()

    def _continuation_mode(self) -> Continuation | None:
        if not self.text.strip():
            return None
        if self.model in _PREFILL_REJECTED or not prefill_supported(self.model):
            return "user_turn"
        return "prefill"

    def _request_messages(self, continuation: Continuation | None) -> list[dict[str, Any]]:
        """The conversation, plus the partial answer when continuing it."""
        if continuation is None:
            return self.messages
        # The API rejects a final assistant turn that ends in whitespace; the seam merger restores it.
        partial = {"role": "assistant", "content": self.text.rstrip()}
        if continuation == "prefill":
            return [*self.messages, partial]
        return [*self.messages, partial, {"role": "user", "content": CONTINUE_PROMPT}]

    def _handle(self, event: Any) -> bool:
        """Apply one SDK event; return whether it carried content (which feeds the stall watchdog)."""
        kind = event.type
        if kind == "message_start":
            self._attempt_usage(event.message.usage)
            self._set_status("streaming")
            return True
        if kind == "content_block_delta":
            if event.delta.type == "text_delta" and event.delta.text:
                self.attempts[-1]["deltas"] += 1
                self._append(self._seam.feed(event.delta.text) if self._seam else event.delta.text)
            return True
        if kind == "message_delta":
            self.stop_reason = event.delta.stop_reason
            self._attempt_usage(event.usage)
            return True
        if kind == "message_stop" and self._seam:
            self._append(self._seam.finish())
        return kind in ("content_block_start", "content_block_stop", "message_stop")

    def _append(self, text: str) -> None:
        if not text:
            return
        self._mark("first_token")
        offset = len(self.text)
        self.text += text
        self.attempts[-1]["chars"] += len(text)
        self._emit(TextDelta(text, offset))

    def _attempt_usage(self, usage: Any) -> None:
        current = self.attempts[-1]["usage"]
        for key in USAGE_KEYS:
            value = getattr(usage, key, None)
            if value is not None:
                current[key] = value
        self._publish_usage()

    def _end_attempt(self, outcome: str) -> None:
        """Close the books on the current attempt: its outcome and what it cost."""
        if not self.attempts or self.attempts[-1]["outcome"] != "pending":
            return
        attempt = self.attempts[-1]
        attempt["outcome"] = outcome
        if self._seam is not None:
            self._append(self._seam.finish())
            self._seam = None
        if outcome != "done" and attempt["deltas"]:
            # An interrupted attempt never reports its output tokens; every delta carried at least one.
            attempt["usage"]["output_tokens"] = max(attempt["usage"]["output_tokens"], attempt["deltas"])
            attempt["usage_estimated"] = True
        self._publish_usage()

    def _publish_usage(self) -> None:
        """Usage is what was billed: the sum over every attempt."""
        total = {key: sum(a["usage"][key] for a in self.attempts) for key in USAGE_KEYS}
        if total != self.usage:
            self.usage = total
            self._emit(UsageChanged(dict(total)))

    async def _explain(self, failure: Failure) -> Failure:
        """Add what the user needs to fix a failure: for an unknown model, the models that exist."""
        if failure.kind != "not_found" or "model" not in failure.message:
            return failure
        try:
            models = [m.id async for m in self.client.models.list(timeout=5)]
        except (anthropic.APIError, httpx2.TransportError):
            return failure
        if not models:
            return failure
        return replace(failure, message=f"Unknown model {self.model!r}. Available models: {', '.join(models)}.")

    # -- bookkeeping -----------------------------------------------------------------------------------
    @property
    def _base_url(self) -> str:
        return str(self.client.base_url).rstrip("/")

    def _mark(self, name: str, overwrite: bool = False) -> None:
        if overwrite or name not in self._marks:
            self._marks[name] = time.monotonic()

    def _set_status(self, status: Status, error: dict[str, Any] | None = None) -> None:
        if status == self.status and error == self.error:
            return
        self.status, self.error = status, error
        self._emit(StatusChanged(status, error))

    def _finish(self, status: Status, failure: Failure | None = None) -> None:
        assert status in FINAL_STATUSES
        self._mark("end")
        self._set_status(status, failure.as_dict(self.client.api_key) if failure else None)
        self._emit(Finished(status, self.text, self.stop_reason))
        if failure is not None:
            self._result.set_exception(StreamError(self.error or {}, self.text))
        else:
            self._result.set_result(self.text)

    def _emit(self, event: StreamEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken listener must not break the stream or the others
                log.exception("claude_widget: a stream listener failed")


def _on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether we run on `loop`'s thread (code on a loop's thread always runs inside one of its callbacks)."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
