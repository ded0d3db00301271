"""The kernel-side engine: one turn of a conversation with Claude, with no widget in sight.

`StreamManager` drives `AsyncAnthropic.messages.stream` as a task on the library's own loop thread (loops.py), so
that a cell blocking the kernel's main thread neither pauses it nor makes it look stalled. It owns the turn's
lifecycle: it sends the requests, retries what is worth retrying with visible backoff, continues interrupted
answers, runs tool calls and streams the continuation, watches for stalls (watchdog.py), and can be cancelled
from any thread: cancelling the task closes the socket, which is what stops generation and billing. Listeners
get `StreamEvent`s in order on the stream's loop.

A turn is one or more rounds (one assistant message each: a tool call or a paused turn starts another round),
and a round is one or more attempts (requests: a retry or a continuation is another attempt). What is known of
the turn lives in `turn.TurnState`; blocks are assembled by `assembly`, continuations built by `continuation`,
attempts accounted in `usage`, tool calls run by `tool_calls`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anthropic
import httpx2
from anthropic import types as api

from ..api.models import facts_for, learn, refusal, thinks
from .approvals import Approvals
from .assembly import Update
from .blocks import ToolUseBlock
from .continuation import continuation_mode, prefill_rejected, request_messages
from .errors import (
    REFUSALS,
    Failure,
    MissingAPIKeyError,
    StallError,
    StreamError,
    ThinkingTooLongError,
    TruncatedStreamError,
    classify,
    explain,
)
from .event_log import RAW_EVENTS, summary
from .events import FINAL_STATUSES, Finished, Status, StatusChanged, StreamEvent, ToolStatus
from .loops import call_soon, on_loop_thread, stream_loop
from .options import Backoff as Backoff
from .options import StreamOptions
from .thinks import THINK_BOUNDARIES
from .tool_calls import run_tool_call
from .turn import TurnState
from .usage import Attempt
from .watchdog import StallWatchdog

log = logging.getLogger("claude_widget")

Listener = Callable[[StreamEvent], None]


class StreamManager(TurnState):
    """Streams one turn, and is its state (see `TurnState`). Iterate it (`async for event in manager`) or
    `subscribe` a callback.

    The manager starts on the first iteration, or explicitly with `start()`.
    """

    def __init__(self, client: anthropic.AsyncAnthropic | None, options: StreamOptions,
                 messages: list[dict[str, Any]]) -> None:  # fmt: skip
        super().__init__(options, messages)
        self.client = client  # None: nothing can be asked (an answer replayed where no key was given)
        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancel_requested = False
        self._responded = False  # whether the current attempt's response had begun (its headers arrived)
        self._result: concurrent.futures.Future[str] = concurrent.futures.Future()
        self.approvals = Approvals()  # the calls waiting for the user's Run or Skip

    @classmethod
    def continuing(cls, previous: StreamManager) -> StreamManager:
        """A manager that continues `previous`'s finished answer (after `max_tokens`, say) in place."""
        manager = cls(previous.client, previous.options, previous.messages)
        manager._continue_from(previous)
        return manager

    # -- observing -------------------------------------------------------------------------------------
    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        """The loop the stream runs on, once started."""
        return self._loop

    @property
    def done(self) -> bool:
        return self._result.done()

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(event)` for every event, on the stream's loop, in order."""
        self._listeners.append(listener)

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        """The events, on the iterating loop (whichever it is: they are handed over from the stream's)."""
        here = asyncio.get_running_loop()
        queue: asyncio.Queue[StreamEvent] = asyncio.Queue()
        self.subscribe(lambda event: call_soon(here, lambda: queue.put_nowait(event)))
        if self._loop is None:
            self.start()
        while True:
            event = await queue.get()
            yield event
            if isinstance(event, Finished):
                return

    # -- controlling -----------------------------------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop | None = None) -> StreamManager:
        """Start streaming on `loop` (default: the library's loop, `loops.stream_loop()`). Safe from any thread;
        whatever the stream sends carries the caller's context (in a kernel, the cell that started it)."""
        if self._loop is not None:
            raise RuntimeError("this StreamManager has already started")
        self._loop = loop or stream_loop()
        call_soon(self._loop, self._spawn)
        return self

    def cancel(self) -> None:
        """Stop the stream: closes the socket and keeps the partial answer. Safe from any thread; returns at once
        (`join` waits for the end)."""
        self._cancel_requested = True
        if self._loop is not None:
            call_soon(self._loop, self._cancel_on_loop)

    def join(self, timeout: float | None = None) -> bool:
        """Block until the stream has ended (after `cancel`, a few milliseconds); whether it has. Never raises."""
        if self._loop is not None and on_loop_thread(self._loop):
            return self.done  # waiting here would keep the stream from ending
        try:
            self._result.exception(timeout)
        except concurrent.futures.TimeoutError:
            return False
        return True

    def wait(self, timeout: float | None = None) -> str:
        """Block until the stream ends; return the answer. Raises `StreamError` if it ended in an error."""
        if self._loop is not None and on_loop_thread(self._loop):
            raise RuntimeError("wait() would block the loop this stream runs on and deadlock: `await` it instead.")
        try:
            return self._result.result(timeout)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(f"the stream did not finish within {timeout} s (status: {self.status})") from None

    async def wait_async(self) -> str:
        """Wait for the end from any loop; return the answer. Raises `StreamError` on an error."""
        return await asyncio.wrap_future(self._result)

    # -- the turn --------------------------------------------------------------------------------------
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
            await self._run_turn()
        except asyncio.CancelledError:
            self._end_attempt("stopped")
            self._finish("stopped")
        except Exception as exc:  # a bug of ours must still end the stream visibly
            log.exception("claude_widget: stream failed unexpectedly")
            self._finish("error", classify(exc, base_url=self._base_url, model=self.model))

    async def _run_turn(self) -> None:
        failure = await self._check_model()
        if failure is not None:
            self._finish("error", failure)
            return
        rounds = 0
        while True:
            failure = await self._run_round()
            if failure is not None:
                self._finish("error", failure)
                return
            message = self._assembler.message()
            calls = self._assembler.tool_uses()
            if self.stop_reason == "tool_use" and calls:
                # Until every result is in, the round stays open: a Stop now keeps only its text.
                results = [await self._run_tool(block) for block in calls]
                self.turn_messages += [message, {"role": "user", "content": results}]
            elif self.stop_reason == "pause_turn":
                self.turn_messages.append(message)  # resumed by sending it back as it is
            else:
                self.turn_messages.append(message)
                self._assembler.new_round()
                self._finish("done")
                return
            self._assembler.new_round()
            rounds += 1
            if rounds >= self.options.max_tool_rounds:
                failure = Failure("tool_rounds", f"Stopped after {rounds} rounds of tool calls (max_tool_rounds).",
                                  retryable=False)  # fmt: skip
                self._finish("error", failure)
                return

    async def _check_model(self) -> Failure | None:
        """For a model the table does not know, what the Models API says of it, and whether it would refuse this
        request (for a known model, `StreamOptions` checked that before anything was made)."""
        if facts_for(self.model) is not None or self.client is None or await learn(self.client, self.model) is None:
            return None
        refused = refusal(self.options.request(self.messages))
        if refused is None:
            return None
        return Failure("bad_request", refused.explained(self.model), retryable=False)

    async def _run_round(self) -> Failure | None:
        """Stream one assistant message, retrying and continuing until it is complete; None on success."""
        max_retries = self.options.max_retries
        while True:
            try:
                await self._attempt()
            except (anthropic.APIError, httpx2.RequestError, StallError, ThinkingTooLongError, TruncatedStreamError,
                    ValueError) as exc:  # fmt: skip
                failure = classify(exc, base_url=self._base_url, model=self.model, responded=self._responded)
                self._end_attempt(failure.kind)
                retries_used = len(self.attempts) - 1
                if failure.kind == "prefill_rejected" and self.attempts[-1].continuation == "prefill":
                    # This model wants the conversation to end with a user turn: continue that way at once.
                    prefill_rejected(self.model)
                    if retries_used < max_retries:
                        continue
                if not failure.retryable or retries_used >= max_retries:
                    return await explain(failure, self.client, self.model)
                if failure.kind in REFUSALS and not self.options.retry_refusals and not self.text:
                    return failure  # the caller paces its own retries
                delay = self.options.backoff.delay(retries_used, failure.retry_after)
                info = failure.retry_dict(delay=delay, attempt=retries_used + 2, max_attempts=max_retries + 1,
                                          continuing=bool(self.text), secret=self._secret)  # fmt: skip
                self._set_status("retrying", info)
                self._log("retry", f"{failure.kind}: waiting {delay:.1f} s")
                await asyncio.sleep(delay)
                continue
            self._end_attempt("done")
            return None

    async def _attempt(self) -> None:
        assembler = self._assembler
        thinking = thinks({"model": self.model, "thinking": self.options.thinking_sent})
        continuation = continuation_mode(assembler.round_text, self.model, thinking=thinking)
        if continuation is None and assembler.blocks:
            self._apply(assembler.restart_round())
        attempt = self._ledger.begin(time.time(), continuation)
        assembler.begin_attempt(continuing=continuation is not None)
        self._log(
            "request", f"attempt {len(self.attempts)}" + (f", continuing ({continuation})" if continuation else "")
        )
        if self.status != "retrying":
            self._set_status("connecting")
        self._mark("request_sent", overwrite=not self.text)
        messages = request_messages(self.messages, self.turn_messages, assembler.blocks, continuation)
        await self._receive(messages, attempt)

    async def _receive(self, messages: list[dict[str, Any]], attempt: Attempt) -> None:
        """Send one request and take in its stream, to its end or the fault that ends it."""
        options, client = self.options, self.client
        if client is None:
            raise MissingAPIKeyError("No Anthropic API key, so nothing can be asked: give Chat(api_key=...) or set "
                                     "ANTHROPIC_API_KEY")  # fmt: skip
        sent_at = time.monotonic()
        self._responded = False
        async with client.messages.stream(**options.request(messages)) as stream:
            self._responded = True
            self._mark("first_byte")
            headers = stream.response.headers
            self.rate_limits = {k: v for k, v in headers.items() if k.startswith("anthropic-ratelimit-")}
            completed = False
            response = stream.response
            watchdog = StallWatchdog(options.stall_timeout, options.thinking_ceiling,
                                     wire=lambda: response.num_bytes_downloaded)  # fmt: skip
            try:
                async with watchdog:
                    async for event in stream:
                        if options.record and event.type in RAW_EVENTS:
                            attempt.events.append((round(time.monotonic() - sent_at, 4), event.type, event.to_dict()))
                        if self._take(event):
                            watchdog.fed()
                        if event.type in THINK_BOUNDARIES:
                            watchdog.thinking(self._thinks.active)
                        completed = completed or event.type == "message_stop"
            except TimeoutError:
                if watchdog.expired == "thinking":
                    raise ThinkingTooLongError(watchdog.thought_for) from None
                raise StallError(f"no content for {options.stall_timeout:g} s.") from None
            if not completed:
                raise TruncatedStreamError()

    def _take(self, event: Any) -> bool:
        """One SDK event, applied and followed for thinking; whether it carried content."""
        content = self._handle(event)
        if event.type in THINK_BOUNDARIES:
            self._emit_if(self._thinks.follow(event))
        return content

    def _handle(self, event: Any) -> bool:
        """Apply one SDK event; return whether it carried content (which feeds the stall watchdog)."""
        kind = event.type
        if kind not in RAW_EVENTS:
            return False  # pings, the SDK's own derived events, and event types this version does not know
        self._log(kind, summary(event))
        if isinstance(event, api.RawMessageStartEvent):
            self._record_usage(event.message.usage)
            self._set_status("streaming")
        elif isinstance(event, api.RawMessageDeltaEvent):
            self.stop_reason = event.delta.stop_reason
            details = getattr(event.delta, "stop_details", None)
            self.stop_details = details.to_dict() if details is not None else None
            self._record_usage(event.usage)
        else:
            self._apply(self._assembler.apply(event))
        return True

    def _apply(self, update: Update) -> None:
        """Account for what the assembler made of some events, then tell the listeners."""
        if update.deltas or update.chars:
            self.attempts[-1].deltas += update.deltas
            self.attempts[-1].chars += update.chars
        if update.chars:
            self._mark("first_token")
        for event in update.events:
            self._emit(event)

    async def _run_tool(self, block: ToolUseBlock) -> dict[str, Any]:
        def report(status: ToolStatus, result: str | None, is_error: bool) -> None:
            self._emit(self._calls.report(block, status, len(self.text), result, is_error))

        return await run_tool_call(block, self.options.tools, self.options.tool_timeout, report,
                                   lambda detail: self._log("tool", detail), self.approvals.decision)  # fmt: skip

    # -- usage -----------------------------------------------------------------------------------------
    def _record_usage(self, usage: object) -> None:
        self._emit_if(self._ledger.record(usage))

    def _end_attempt(self, outcome: str) -> None:
        """Close the books on the current attempt: its outcome and what it cost."""
        if self._ledger.pending is None:
            return
        self._emit_if(self._thinks.end())
        self._apply(self._assembler.end_attempt())
        self._emit_if(self._ledger.end(outcome))

    def _emit_if(self, event: StreamEvent | None) -> None:
        if event is not None:
            self._emit(event)

    # -- bookkeeping -----------------------------------------------------------------------------------
    def _log(self, kind: str, detail: str = "") -> None:
        self._emit(self._event_log.add(kind, detail))

    @property
    def _base_url(self) -> str:
        return str(self.client.base_url).rstrip("/") if self.client is not None else ""

    @property
    def _secret(self) -> str | None:
        """The key, for wiping from what a failure says."""
        return self.client.api_key if self.client is not None else None

    def _set_status(self, status: Status, error: dict[str, Any] | None = None) -> None:
        if status == self.status and error == self.error:
            return
        self.status, self.error = status, error
        self._emit(StatusChanged(status, error))

    def _finish(self, status: Status, failure: Failure | None = None) -> None:
        assert status in FINAL_STATUSES
        self._mark("end")
        if status != "done":
            for call in self._calls.cancel_unfinished():
                self._emit(call)
        self._set_status(status, failure.as_dict(self._secret) if failure else None)
        self._emit(Finished(status, self.text, self.stop_reason, self.stop_details))
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
