"""Carrying one widget's stream to its front ends: each `StreamEvent` to a delta channel or to a trait.

Paced: text on delta channels (at most one message per ~30 ms each), tool cards when a call changes status (not
with every piece of its input), citations as they come (at most ~30 times a second), usage with the status change
it comes with. A status change never overtakes the text before it. What each front end said about itself
(`FrontEnds`) decides compression and whether the event log streams; the texts go out as state at the end only
when no front end built them from the deltas.
"""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from dataclasses import asdict
from typing import Any, Protocol

from ..engine.answer import Answer
from ..engine.events import (
    FINAL_STATUSES,
    Cited,
    LogEntry,
    StatusChanged,
    StreamEvent,
    TextDelta,
    ThinkBegan,
    Thinking,
    ThinkingDelta,
    ToolCall,
    UsageChanged,
)
from ..engine.stream import StreamManager
from . import protocol
from .channels import DeltaChannel, FrontEnds
from .throttle import Throttle, utf16_length

TOOL_RESULT_SHOWN = 4000  # characters of a tool result kept in the widget (Claude gets all of it)
STOP_NOTICES = {
    "max_tokens": "The answer was cut at the token limit (max_tokens).",
    "refusal": "Claude declined to answer this request.",
    "model_context_window_exceeded": "The conversation no longer fits the model's context window: start a new "
    "Chat (or chat.reset()) or shorten the prompt.",
}
STOPPED_NOTICE = "Stopped before the end of the answer: what had arrived is kept."


class Sink(Protocol):
    """What the sync writes to (a `ChatWidget`): synced traits, and messages on the widget's comm."""

    def update(self, **traits: Any) -> None:
        """Set these traits; they go out to the front ends together."""

    def send(self, content: protocol.Message, buffers: list[bytes] | None = None) -> None: ...

    def send_state(self, key: str | list[str] | None = None) -> None: ...

    def hold_sync(self) -> AbstractContextManager[Any]: ...

    def finished(self) -> None:
        """The stream ended (its final state has been set)."""


class StreamSync:
    """The streams of one answer, carried to a sink, on the stream's loop (every method but `__init__` runs there).
    It reads the answer's current stream and writes only to the sink: the engine knows nothing of it."""

    def __init__(self, answer: Answer, sink: Sink, loop: asyncio.AbstractEventLoop) -> None:
        self.answer = answer
        self.sink = sink
        self.front_ends = FrontEnds()
        self.channels: dict[protocol.Channel, DeltaChannel] = {
            "answer": DeltaChannel("answer", loop, sink.send, lambda: answer.stream.text),
            "thinking": DeltaChannel("thinking", loop, sink.send, lambda: answer.stream.thinking),
            "tools": DeltaChannel("tools", loop, sink.send, lambda: tool_input(answer.stream)),
            "events": DeltaChannel("events", loop, sink.send, self._event_log),
        }
        self._cards: list[dict[str, Any]] = []  # as last set on the sink
        self._thoughts: list[dict[str, Any]] = []
        self._tool_input_at: dict[str, tuple[int, int]] = {}  # call id -> (UTF-16 offset on "tools", chars sent)
        self._tool_input_length = 0  # UTF-16 code units of every tool input so far
        self._earlier_log = ""  # the event log of this answer's earlier streams (before a Retry or Continue)
        self._usage: UsageChanged | None = None  # not sent yet
        # Usage changes just before a status change (at message_start, at the end): it waits to go out with it.
        self._usage_sync = Throttle(loop, self._sync_usage, leading=False)
        self._cards_sync = Throttle(loop, self._sync_cards)
        self._citations_sync = Throttle(loop, self._sync_citations)

    # -- the stream's events --------------------------------------------------------------------------
    def apply(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self.channels["answer"].add(event.text)
        elif isinstance(event, ThinkingDelta):
            self.channels["thinking"].add(event.text)
        elif isinstance(event, ThinkBegan):
            self._on_think(event)
        elif isinstance(event, ToolCall):
            self._on_tool_call(event)
        elif isinstance(event, Cited):
            self._citations_sync.poke()
        elif isinstance(event, LogEntry):
            if self.front_ends.inspecting:
                self.channels["events"].add(protocol.log_line(event.at, event.kind, event.detail))
        elif isinstance(event, UsageChanged):
            self._usage = event
            self._usage_sync.poke()
        elif isinstance(event, StatusChanged):
            self._on_status(event)
        elif isinstance(event, Thinking):
            self.channels["thinking"].flush()  # the summaries so far, before the think is said to be over
            self.sink.update(thinking_phase={"active": event.active, "seconds": round(event.seconds, 1)})

    def _on_status(self, event: StatusChanged) -> None:
        for channel in self.channels.values():
            channel.flush()  # a status change must never overtake the text before it
        self._cards_sync.flush()
        self._citations_sync.flush()
        final = event.status in FINAL_STATUSES
        ending = {"stop_reason": self.answer.stream.stop_reason, "notice": self._notice(event.status)} if final else {}
        with self.sink.hold_sync():
            self._sync_usage()
            self.sink.update(status=event.status, error=event.error, **ending,
                             actions=[name for name, offered in self.answer.offers().items() if offered])  # fmt: skip
        if final:
            self.sink.finished()

    def _sync_usage(self) -> None:
        self._usage_sync.cancel()
        event, self._usage = self._usage, None
        if event is not None:
            prices = {} if event.prices is None else {"prices": event.prices}
            self.sink.update(usage=event.usage, thinking_tokens=event.thinking_tokens, **prices)

    def _notice(self, status: str) -> str | None:
        """How the answer ended, for the reader, if it is worth saying (an error has its banner instead)."""
        manager = self.answer.stream
        if status == "stopped":
            return STOPPED_NOTICE
        if status != "done":
            return None
        notice = STOP_NOTICES.get(manager.stop_reason or "")
        category = (manager.stop_details or {}).get("category")
        if notice and manager.stop_reason == "refusal" and category:
            notice = f"{notice[:-1]} (category: {category})."
        if notice and manager.stop_reason == "max_tokens":
            # Thinking counts toward max_tokens: say how much of it went there, the usual reason for a short answer.
            limit = manager.options.token_limit
            notice = f"The answer was cut at the token limit (max_tokens={limit:,})."
            thought = manager.attempts[-1].thinking_tokens if manager.attempts else 0
            if thought:
                notice += f" {thought:,} of its tokens went to thinking: a lower effort= or a higher max_tokens helps."
        return " ".join(n for n in (notice, self._recovered()) if n) or None

    def _recovered(self) -> str | None:
        """After retries that worked, say so: a reader who saw the banner should know nothing was lost."""
        # (a continuation the API would not take as a prefill is re-sent at once, not an interruption)
        unfinished = ("done", "stopped", "pending", "prefill_rejected")
        failed = [a.outcome for a in self.answer.stream.attempts if a.outcome not in unfinished]
        if not failed:
            return None
        kinds = ", ".join(dict.fromkeys(kind.replace("_", " ") for kind in failed))
        times = "once" if len(failed) == 1 else f"{len(failed)} times"
        return f"Recovered: the stream was interrupted {times} ({kinds}) and resumed; nothing was lost."

    def send_final_texts(self) -> None:
        """The final texts go only to front ends that did not build them from the deltas."""
        if not self.front_ends.followed:
            self.sink.send_state(key=list(protocol.TEXT_KEYS))

    def _on_think(self, event: ThinkBegan) -> None:
        """Where the new think goes, said before any of its text (else the view would show it in the last one)."""
        self.channels["thinking"].flush()
        self._cards_sync.flush()  # the calls it comes after
        stream = self.answer.stream
        think = {"at": utf16_length(stream.text[: event.at]), "start": utf16_length(stream.thinking[: event.start]),
                 "calls": event.calls}  # fmt: skip
        self._thoughts = [*self._thoughts, think]
        self.sink.update(thoughts=self._thoughts)

    # -- tool cards: each call's input streams on the "tools" channel; its card changes with its status ----
    def _on_tool_call(self, call: ToolCall) -> None:
        at, sent = self._tool_input_at.setdefault(call.id, (self._tool_input_length, 0))
        piece = call.input_json[sent:]
        if piece:  # calls stream one after the other: each one's input extends the channel's text
            self._tool_input_at[call.id] = (at, len(call.input_json))
            self._tool_input_length += utf16_length(piece)
            self.channels["tools"].add(piece)
        if call.status != "writing" or sent == 0:
            self._cards_sync.poke()  # a new card, or a new status: not every piece of input

    def _sync_cards(self) -> None:
        cards = [self._card(call) for call in self.answer.stream.tool_calls.values()]
        if cards != self._cards:
            self._cards = cards
            self.sink.update(cards=cards)

    def _sync_citations(self) -> None:
        self.sink.update(citations=[citation.to_dict() for citation in self.answer.stream.citations])

    def _card(self, call: ToolCall) -> dict[str, Any]:
        card = asdict(call)
        del card["input_json"]  # the view reads it from the channel, saved state from `tool_input`
        card["at"] = utf16_length(
            self.answer.stream.text[: call.at]
        )  # the browser indexes strings in UTF-16 code units
        card["input_at"] = self._tool_input_at.get(call.id, (0, 0))[0]
        if call.result is not None and len(call.result) > TOOL_RESULT_SHOWN:
            card["result"] = call.result[:TOOL_RESULT_SHOWN] + "\n… (shortened for display)"
        return card

    # -- what the front ends need ----------------------------------------------------------------------
    def follow(self, frontend: str, inflates: bool) -> None:
        self.front_ends.follow(frontend, inflates)
        self._use_compression()

    def resync(self, frontend: str, channel: protocol.Channel, inflates: bool | None) -> None:
        """A front end lost track of a channel (a gap, or a deflate stream it did not see begin)."""
        if inflates is False:  # compressed deltas arrived without their bytes: plain text from now on
            self.front_ends.cannot_inflate(frontend)
            self._use_compression()
        if channel != "events" or self.front_ends.inspecting:
            self.channels[channel].send_snapshot()

    def inspect(self, frontend: str, is_open: bool) -> None:
        if self.front_ends.inspect(frontend, is_open) and is_open:
            self.channels["events"].send_snapshot()  # the log so far; then each new entry as it happens

    def _use_compression(self) -> None:
        for channel in self.channels.values():
            channel.deflate = self.front_ends.deflate

    # -- another stream in the same widget ---------------------------------------------------------------
    def next_stream(self, *, start_over: bool) -> None:
        """Before the widget follows another stream: a Retry starts the texts over, a Continue goes on."""
        self._earlier_log = self._event_log()  # the log goes on across streams
        if start_over:
            self._tool_input_at.clear()
            self._tool_input_length = 0
            self._cards, self._thoughts = [], []

    def started_over(self) -> None:
        """After a Retry's stream took over: the views start from empty texts."""
        for name in ("answer", "thinking", "tools"):
            self.channels[name].send_snapshot()

    def _event_log(self) -> str:
        entries = self.answer.stream.event_log
        return self._earlier_log + "".join(protocol.log_line(e.at, e.kind, e.detail) for e in entries)


def tool_input(stream: StreamManager) -> str:
    """Every tool call's input JSON, one after the other: the "tools" channel's text."""
    return "".join(call.input_json for call in stream.tool_calls.values())
