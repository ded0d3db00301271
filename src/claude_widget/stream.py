"""The kernel-side engine: one turn of a conversation with Claude, with no widget in sight.

`StreamManager` drives `AsyncAnthropic.messages.stream` as a task on an asyncio loop (the kernel's own loop in
a notebook, a background loop in a plain script). It keeps the answer, thinking, usage and timings; retries
what is worth retrying with visible backoff; continues interrupted answers; runs tool calls and streams the
continuation; and can be cancelled from any thread: cancelling the task closes the socket, which is what stops
generation and billing. Listeners get `StreamEvent`s in order on the stream's loop.

A turn is one or more rounds (one assistant message each: a tool call or a paused turn starts another round),
and a round is one or more attempts (requests: a retry or a continuation is another attempt).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import anthropic
import httpx2

from .errors import Failure, StallError, StreamError, TruncatedStreamError, classify
from .events import (
    FINAL_STATUSES,
    Finished,
    LogEntry,
    Status,
    StatusChanged,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    UsageChanged,
)
from .seam import SeamMerger
from .tools import Tool

log = logging.getLogger("claude_widget")

Continuation = Literal["prefill", "user_turn"]
CONTINUE_PROMPT = (
    "Your previous answer was cut off by a network interruption. Continue it exactly where it stopped, "
    "mid-word if need be: no preamble, and do not repeat what you already wrote."
)
INTERRUPTED_NOTE = "[The answer was interrupted here.]"
# Models seen rejecting assistant prefill in this process, so later continuations skip the failed attempt.
_PREFILL_REJECTED: set[str] = set()


def prefill_supported(model: str) -> bool:
    """Claude 4.6 and later reject assistant-message prefill; the 4.5 family and older accept it."""
    return "-4-5" in model or model.startswith("claude-3")


Listener = Callable[[StreamEvent], None]
RAW_EVENTS = frozenset(
    {"message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta",
     "message_stop"}
)  # fmt: skip
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
    """Streams one turn. Iterate it (`async for event in manager`) or `subscribe` a callback.

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
        thinking: dict[str, Any] | None = None,
        tools: dict[str, Tool] | None = None,
        tool_timeout: float = 60.0,
        max_tool_rounds: int = 10,
        record: bool = False,
    ) -> None:
        self.client = client
        self.model = model
        self.messages = messages  # the conversation up to and including the user's prompt
        self.max_tokens = max_tokens
        self.system = system
        self.stall_timeout = stall_timeout
        self.max_retries = max_retries
        self.backoff = backoff or Backoff()
        self.thinking_config = thinking
        self.tools = tools or {}
        self.tool_timeout = tool_timeout
        self.max_tool_rounds = max_tool_rounds
        self.record = record  # keep every raw event with its timing, for `recording()`

        self.text = ""  # the answer as shown: every text block of the turn
        self.thinking = ""  # every thinking block of the turn, as shown
        self.status: Status = "connecting"
        self.usage: dict[str, int] = dict.fromkeys(USAGE_KEYS, 0)
        self.thinking_tokens = 0
        self.error: dict[str, Any] | None = None
        self.stop_reason: str | None = None
        self.stop_details: dict[str, Any] | None = None
        self.attempts: list[dict[str, Any]] = []  # one entry per request sent, with its outcome
        self.tool_calls: dict[str, ToolCall] = {}
        self.event_log: list[LogEntry] = []  # every event in brief, for the inspector
        self._log_origin: float | None = None
        self.turn_messages: list[dict[str, Any]] = []  # finished rounds, as they go into the history
        self._blocks: list[dict[str, Any]] = []  # the current round's content blocks, API format
        self._block_at: dict[int, int] = {}  # the current response's block index -> position in `_blocks`
        self._marks: dict[str, float] = {}  # monotonic times: request_sent, first_byte, first_token, end

        self._listeners: list[Listener] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancel_requested = False
        self._seam: SeamMerger | None = None  # joins a continuation to the partial answer
        self._result: concurrent.futures.Future[str] = concurrent.futures.Future()

    @classmethod
    def continuing(cls, previous: StreamManager) -> StreamManager:
        """A manager that continues `previous`'s finished answer (after `max_tokens`, say) in place."""
        manager = cls(previous.client, model=previous.model, messages=previous.messages,
                      max_tokens=previous.max_tokens, system=previous.system, stall_timeout=previous.stall_timeout,
                      max_retries=previous.max_retries, backoff=previous.backoff, thinking=previous.thinking_config,
                      tools=previous.tools, tool_timeout=previous.tool_timeout,
                      max_tool_rounds=previous.max_tool_rounds, record=previous.record)  # fmt: skip
        manager.text, manager.thinking = previous.text, previous.thinking
        manager.turn_messages = copy.deepcopy(previous.turn_messages)
        manager._blocks = copy.deepcopy(previous._blocks)
        if not manager._blocks and manager.turn_messages and manager.turn_messages[-1]["role"] == "assistant":
            manager._blocks = manager.turn_messages.pop()["content"]  # the finished round is continued
        manager.attempts = [dict(a, usage=dict(a["usage"])) for a in previous.attempts]
        manager.usage = dict(previous.usage)
        manager.thinking_tokens = previous.thinking_tokens
        manager.tool_calls = dict(previous.tool_calls)
        return manager

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
        rounds = 0
        while True:
            failure = await self._run_round()
            if failure is not None:
                self._finish("error", failure)
                return
            message = {"role": "assistant", "content": [_api_block(b) for b in self._blocks if _is_complete(b)]}
            calls = [b for b in self._blocks if b["type"] == "tool_use" and b.get("_complete")]
            if self.stop_reason == "tool_use" and calls:
                # Until every result is in, the round stays open: a Stop now keeps only its text.
                results = [await self._run_tool(block) for block in calls]
                self.turn_messages += [message, {"role": "user", "content": results}]
            elif self.stop_reason == "pause_turn":
                self.turn_messages.append(message)  # resumed by sending it back as it is
            else:
                self.turn_messages.append(message)
                self._blocks = []
                self._finish("done")
                return
            self._blocks, self._block_at = [], {}
            rounds += 1
            if rounds >= self.max_tool_rounds:
                failure = Failure("tool_rounds", f"Stopped after {rounds} rounds of tool calls (max_tool_rounds).",
                                  retryable=False)  # fmt: skip
                self._finish("error", failure)
                return

    async def _run_round(self) -> Failure | None:
        """Stream one assistant message, retrying and continuing until it is complete; None on success."""
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
                    return await self._explain(failure)
                delay = self.backoff.delay(retries_used, failure.retry_after)
                info = failure.retry_dict(delay=delay, attempt=retries_used + 2, max_attempts=self.max_retries + 1,
                                          continuing=bool(self.text), secret=self.client.api_key)  # fmt: skip
                self._set_status("retrying", info)
                self._log("retry", f"{failure.kind}: waiting {delay:.1f} s")
                await asyncio.sleep(delay)
                continue
            self._end_attempt("done")
            return None

    async def _attempt(self) -> None:
        continuation = self._continuation_mode()
        if continuation is None and self._blocks:
            self._restart_round()
        self.attempts.append({"sent_at": time.time(), "continuation": continuation, "outcome": "pending",
                              "usage": dict.fromkeys(USAGE_KEYS, 0), "thinking_tokens": 0, "chars": 0,
                              "deltas": 0, "events": []})  # fmt: skip
        self._seam = SeamMerger(self._round_text()) if continuation else None
        self._block_at = {}
        self._log(
            "request", f"attempt {len(self.attempts)}" + (f", continuing ({continuation})" if continuation else "")
        )
        if self.status != "retrying":
            self._set_status("connecting")
        self._mark("request_sent", overwrite=not self.text)
        sent_at = time.monotonic()
        params: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens,
                                  "messages": self._request_messages(continuation)}  # fmt: skip
        if self.system is not None:
            params["system"] = self.system
        if self.thinking_config is not None:
            params["thinking"] = self.thinking_config
        if self.tools:
            params["tools"] = [tool.definition() for tool in self.tools.values()]
        async with self.client.messages.stream(**params) as stream:
            self._mark("first_byte")
            loop = asyncio.get_running_loop()
            completed = False
            # The watchdog watches content, not bytes: pings keep a socket busy but carry no answer.
            try:
                async with asyncio.timeout_at(loop.time() + self.stall_timeout) as watchdog:
                    async for event in stream:
                        if self.record and event.type in RAW_EVENTS:
                            at = round(time.monotonic() - sent_at, 4)
                            self.attempts[-1]["events"].append((at, event.type, event.to_dict()))
                        if self._handle(event):
                            watchdog.reschedule(loop.time() + self.stall_timeout)
                        completed = completed or event.type == "message_stop"
            except TimeoutError:
                raise StallError(f"no content for {self.stall_timeout:g} s.") from None
            if not completed:
                raise TruncatedStreamError()

    # -- continuing an interrupted round ---------------------------------------------------------------
    def _round_text(self) -> str:
        texts = [b["text"] for b in self._blocks if b["type"] == "text"]
        return texts[-1] if texts else ""

    def _continuation_mode(self) -> Continuation | None:
        if not self._round_text().strip():
            return None  # nothing worth continuing: ask again from the start of the round
        if self.thinking_config is not None or self.model in _PREFILL_REJECTED or not prefill_supported(self.model):
            return "user_turn"  # prefill is incompatible with thinking, and newer models reject it
        return "prefill"

    def _restart_round(self) -> None:
        # Only thinking (or an unfinished tool input) arrived: it cannot be continued, so the round starts over.
        self._blocks = []
        if self.thinking:
            self._append_thinking("\n\n*(interrupted; thinking again)*\n\n")

    def _partial_blocks(self) -> list[dict[str, Any]]:
        """The round so far as valid history: signed thinking and text, without an unfinished tool call."""
        blocks = [_api_block(b) for b in self._blocks if _is_complete(b) and b["type"] != "tool_use"]
        if blocks and blocks[-1]["type"] == "text":
            # The API rejects a final assistant turn that ends in whitespace; the seam merger restores it.
            blocks[-1] = {**blocks[-1], "text": blocks[-1]["text"].rstrip()}
        return blocks

    def _request_messages(self, continuation: Continuation | None) -> list[dict[str, Any]]:
        """The conversation, the turn's finished rounds, and the partial answer when continuing it."""
        messages = [*self.messages, *self.turn_messages]
        if continuation is None:
            return messages
        partial = {"role": "assistant", "content": self._partial_blocks()}
        if continuation == "prefill":
            return [*messages, partial]
        return [*messages, partial, {"role": "user", "content": CONTINUE_PROMPT}]

    # -- events from the SDK ---------------------------------------------------------------------------
    def _handle(self, event: Any) -> bool:
        """Apply one SDK event; return whether it carried content (which feeds the stall watchdog)."""
        kind = event.type
        if kind in RAW_EVENTS:
            self._log(kind, _summary(event))
        if kind == "message_start":
            self._attempt_usage(event.message.usage)
            self._set_status("streaming")
        elif kind == "content_block_start":
            self._start_block(event.index, event.content_block.to_dict())
        elif kind == "content_block_delta":
            self._apply_delta(event.index, event.delta)
        elif kind == "content_block_stop":
            self._stop_block(event.index)
        elif kind == "message_delta":
            self.stop_reason = event.delta.stop_reason
            details = getattr(event.delta, "stop_details", None)
            self.stop_details = details.to_dict() if details is not None else None
            self._attempt_usage(event.usage)
        elif kind == "message_stop":
            if self._seam:
                self._append_text(self._seam.finish())
        else:
            return False  # pings and event types this version does not know
        return True

    def _start_block(self, index: int, block: dict[str, Any]) -> None:
        kind = block["type"]
        continuing = self.attempts[-1]["continuation"] is not None
        kept = [b for b in self._blocks if not b.get("_shown_only")]
        if kind == "text" and continuing and kept and kept[-1]["type"] == "text":
            self._block_at[index] = self._blocks.index(kept[-1])  # the continuation extends the interrupted text
            return
        if kind in ("thinking", "redacted_thinking") and continuing:
            block["_shown_only"] = True  # thinking again about a continuation: shown, not kept in history
        if kind == "text" and self.text and not self.text.endswith("\n\n"):
            self._append_text("\n\n", keep=False)  # a text block after other blocks starts a new paragraph
        if kind == "redacted_thinking":
            self._append_thinking("\n\n*(Some of Claude's thinking was redacted for safety.)*\n\n")
        self._block_at[index] = len(self._blocks)
        self._blocks.append(block)
        if kind in ("tool_use", "server_tool_use"):
            block["_json"] = ""
            self._tool_event(block, "writing")
        elif kind.endswith("_tool_result"):
            self._tool_result_block(block)

    def _apply_delta(self, index: int, delta: Any) -> None:
        block = self._blocks[self._block_at[index]] if index in self._block_at else None
        if block is None:
            return
        kind = delta.type
        if kind == "text_delta" and delta.text:
            self.attempts[-1]["deltas"] += 1
            self._append_text(self._seam.feed(delta.text) if self._seam else delta.text, block)
        elif kind == "thinking_delta" and delta.thinking:
            self.attempts[-1]["deltas"] += 1
            block["thinking"] += delta.thinking
            self._append_thinking(delta.thinking)
        elif kind == "signature_delta":
            block["signature"] = delta.signature
        elif kind == "input_json_delta":
            self.attempts[-1]["deltas"] += 1
            block["_json"] += delta.partial_json
            self._tool_event(block, "writing")

    def _stop_block(self, index: int) -> None:
        block = self._blocks[self._block_at[index]] if index in self._block_at else None
        if block is None or block["type"] not in ("tool_use", "server_tool_use"):
            return
        try:
            block["input"] = json.loads(block["_json"]) if block["_json"].strip() else {}
        except json.JSONDecodeError:
            block["input"] = {}
            block["_invalid_json"] = True
        block["_complete"] = True

    def _append_text(self, text: str, block: dict[str, Any] | None = None, keep: bool = True) -> None:
        if not text:
            return
        if keep:
            self._mark("first_token")
            block = block if block is not None else next(b for b in reversed(self._blocks) if b["type"] == "text")
            block["text"] += text
            self.attempts[-1]["chars"] += len(text)
        offset = len(self.text)
        self.text += text
        self._emit(TextDelta(text, offset))

    def _append_thinking(self, text: str) -> None:
        offset = len(self.thinking)
        self.thinking += text
        self._emit(ThinkingDelta(text, offset))

    # -- tools -----------------------------------------------------------------------------------------
    def _tool_event(self, block: dict[str, Any], status: str, result: str | None = None,
                    is_error: bool = False) -> None:  # fmt: skip
        previous = self.tool_calls.get(block["id"])
        call = ToolCall(id=block["id"], name=block["name"], status=status,  # type: ignore[arg-type]
                        input_json=block.get("_json", ""), at=previous.at if previous else len(self.text),
                        result=result, is_error=is_error, server=block["type"] == "server_tool_use")  # fmt: skip
        self.tool_calls[call.id] = call
        self._emit(call)

    def _tool_result_block(self, block: dict[str, Any]) -> None:
        call = self.tool_calls.get(block.get("tool_use_id", ""))
        if call is None:
            return
        content = block.get("content")
        is_error = isinstance(content, dict) and content.get("type", "").endswith("error")
        result = json.dumps(content, ensure_ascii=False)[:20_000]
        self.tool_calls[call.id] = replace(call, status="error" if is_error else "done", result=result,
                                           is_error=is_error)  # fmt: skip
        self._emit(self.tool_calls[call.id])

    async def _run_tool(self, block: dict[str, Any]) -> dict[str, Any]:
        """Run one tool call in the kernel and return its `tool_result` block."""
        tool = self.tools.get(block["name"])
        if tool is None:
            outcome_text, is_error = f"No tool named {block['name']!r} is available.", True
        elif block.get("_invalid_json"):
            outcome_text, is_error = "The tool input was not valid JSON.", True
        else:
            self._tool_event(block, "running")
            self._log("tool", f"running {block['name']}()")
            try:
                outcome = await tool.run(block["input"], self.tool_timeout)
            except asyncio.CancelledError:
                self._tool_event(block, "cancelled", "Stopped before the tool finished.", is_error=True)
                raise
            outcome_text, is_error = outcome.content, outcome.is_error
        self._tool_event(block, "error" if is_error else "done", outcome_text, is_error)
        return {"type": "tool_result", "tool_use_id": block["id"], "content": outcome_text, "is_error": is_error}

    # -- usage -----------------------------------------------------------------------------------------
    def _attempt_usage(self, usage: Any) -> None:
        current = self.attempts[-1]
        for key in USAGE_KEYS:
            value = getattr(usage, key, None)
            if value is not None:
                current["usage"][key] = value
        details = getattr(usage, "output_tokens_details", None)
        if details is not None and getattr(details, "thinking_tokens", None) is not None:
            current["thinking_tokens"] = details.thinking_tokens
        self._publish_usage()

    def _end_attempt(self, outcome: str) -> None:
        """Close the books on the current attempt: its outcome and what it cost."""
        if not self.attempts or self.attempts[-1]["outcome"] != "pending":
            return
        attempt = self.attempts[-1]
        attempt["outcome"] = outcome
        if self._seam is not None:
            self._append_text(self._seam.finish())
            self._seam = None
        if outcome != "done" and attempt["deltas"]:
            # An interrupted attempt never reports its output tokens; every delta carried at least one.
            attempt["usage"]["output_tokens"] = max(attempt["usage"]["output_tokens"], attempt["deltas"])
            attempt["usage_estimated"] = True
        self._publish_usage()

    def _publish_usage(self) -> None:
        """Usage is what was billed: the sum over every attempt."""
        total = {key: sum(a["usage"][key] for a in self.attempts) for key in USAGE_KEYS}
        thinking = sum(a.get("thinking_tokens", 0) for a in self.attempts)
        if total != self.usage or thinking != self.thinking_tokens:
            self.usage, self.thinking_tokens = total, thinking
            self._emit(UsageChanged(dict(total), thinking))

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
    def _log(self, kind: str, detail: str = "") -> None:
        now = time.monotonic()
        if self._log_origin is None:
            self._log_origin = now  # the turn's first request
        entry = LogEntry(round(now - self._log_origin, 4), kind, detail)
        self.event_log.append(entry)
        self._emit(entry)

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
        if status != "done":
            self._close_interrupted_turn()
        self._set_status(status, failure.as_dict(self.client.api_key) if failure else None)
        self._emit(Finished(status, self.text, self.stop_reason, self.stop_details))
        if failure is not None:
            self._result.set_exception(StreamError(self.error or {}, self.text))
        else:
            self._result.set_result(self.text)

    def _close_interrupted_turn(self) -> None:
        for call in list(self.tool_calls.values()):
            if call.status in ("writing", "running"):
                self.tool_calls[call.id] = replace(call, status="cancelled")
                self._emit(self.tool_calls[call.id])

    def history_messages(self) -> list[dict[str, Any]]:
        """The turn as it goes into a conversation's history, valid for the API in any state.

        Whole rounds as they are; an unfinished round keeps only its text (an unsigned thinking block or a
        tool call without its result must never be sent back), marked as interrupted.
        """
        messages = copy.deepcopy(self.turn_messages)
        partial = [b for b in self._partial_blocks() if b["type"] == "text"]
        if messages and messages[-1]["role"] == "assistant" and not partial:
            return messages
        return [*messages, {"role": "assistant", "content": [*partial, {"type": "text", "text": INTERRUPTED_NOTE}]}]

    def _emit(self, event: StreamEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken listener must not break the stream or the others
                log.exception("claude_widget: a stream listener failed")


def _summary(event: Any) -> str:
    """A few words on an SDK event, for the inspector."""
    kind = event.type
    if kind == "message_start":
        usage = event.message.usage
        return f"input_tokens={usage.input_tokens} model={event.message.model}"
    if kind == "content_block_start":
        block = event.content_block
        name = getattr(block, "name", None)
        return f"#{event.index} {block.type}" + (f" {name}" if name else "")
    if kind == "content_block_delta":
        delta = event.delta
        payload = getattr(delta, "text", None) or getattr(delta, "thinking", None) or getattr(delta, "partial_json", "")
        return f"{delta.type} {payload[:40]!r}"
    if kind == "content_block_stop":
        return f"#{event.index}"
    if kind == "message_delta":
        return f"stop_reason={event.delta.stop_reason} output_tokens={event.usage.output_tokens}"
    return ""


def _is_complete(block: dict[str, Any]) -> bool:
    if block.get("_shown_only"):
        return False
    if block["type"] == "thinking":
        return bool(block.get("signature"))  # an unsigned thinking block must never be sent back
    if block["type"] == "text":
        return bool(block["text"])
    if block["type"] in ("tool_use", "server_tool_use"):
        return bool(block.get("_complete"))
    return True


def _api_block(block: dict[str, Any]) -> dict[str, Any]:
    """A content block as the API accepts it back: without our bookkeeping keys."""
    return {k: v for k, v in block.items() if not k.startswith("_") and not (k == "citations" and v is None)}


def _on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether we run on `loop`'s thread (code on a loop's thread always runs inside one of its callbacks)."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
