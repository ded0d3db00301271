"""The notebook widget: one answer's state and streams, between its `StreamManager` and its views.

Synced traits hold what a fresh view needs; the texts (answer, thinking, tool inputs, the inspector's event log)
travel on delta channels (channels.py). The answer and the thinking live in the engine: `w.text` reads it, and
the widget's state carries it for a front end that asks (a reloaded page) or does not follow the deltas
(nbclient), but it is never sent again to a front end that builds it from the deltas. The view sends back only
intents (protocol.py). Comm handlers may run on another thread, so they only schedule work on the stream's loop.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Generator, Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any, cast

import anywidget
import traitlets
from ipywidgets import widget_serialization

from . import protocol
from .assets import STATIC, ChatAssets, bundle_reply, shared_assets
from .batching import Throttle, utf16_length
from .channels import DeltaChannel, FrontEnds
from .display import MarkdownOutput
from .events import (
    FINAL_STATUSES,
    LogEntry,
    StatusChanged,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
    ToolCall,
    UsageChanged,
)
from .loops import stream_loop
from .pricing import Prices, cost_usd
from .stream import USAGE_KEYS, StreamManager

log = logging.getLogger("claude_widget")
OptionalDict = traitlets.TraitType[dict[str, Any] | None, dict[str, Any] | None]

TEXT_KEYS = tuple(protocol.TEXT_STATE.values())  # the texts in the widget's state: text, thinking, tool_input
# The traits a stream changes (the rest, `_esm` among them, never change after the widget opens).
STREAMED_TRAITS = ("status", "usage", "thinking_tokens", "error", "cards", "actions", "stop_reason", "notice")
TOOL_RESULT_SHOWN = 4000  # characters of a tool result kept in the widget (Claude gets all of it)
STOP_NOTICES = {
    "max_tokens": "The answer was cut at the token limit (max_tokens).",
    "refusal": "Claude declined to answer this request.",
    "model_context_window_exceeded": "The conversation no longer fits the model's context window: start a new "
    "Chat (or chat.reset()) or shorten the prompt.",
}


class ChatWidget(MarkdownOutput, anywidget.AnyWidget):
    """One streamed answer in a notebook cell. Created by `Chat.send`; see the README for its attributes."""

    # A small loader: the view's code comes from the shared `ChatAssets` (see assets.py, js/src/loader.js).
    _esm = STATIC / "loader.js"
    assets = traitlets.Instance(ChatAssets, allow_none=True).tag(sync=True, **widget_serialization)

    status = traitlets.Unicode("connecting").tag(sync=True)
    usage = traitlets.Dict().tag(sync=True)
    thinking_tokens = traitlets.Int(0).tag(sync=True)
    prices = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    # traitlets types Dict(allow_none=True) as never None: say it can be
    error = cast(OptionalDict, traitlets.Dict(allow_none=True, default_value=None).tag(sync=True))
    cards = traitlets.List(traitlets.Dict()).tag(sync=True)  # tool cards; their input is the `tool_input` text
    actions = traitlets.List(traitlets.Unicode()).tag(sync=True)  # what the view may offer: "retry", "continue"
    model = traitlets.Unicode("").tag(sync=True)
    stop_reason = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)
    notice = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)
    offline = traitlets.Bool(False).tag(sync=True)

    _manager: StreamManager | None = None  # read by get_state while the widget opens

    def __init__(
        self,
        new_stream: Callable[[], StreamManager],
        *,
        model: str,
        prices: Prices | None,
        offline: bool = False,
        freeze_when_done: bool = False,
    ) -> None:
        super().__init__(model=model, prices=prices, offline=offline, usage=dict.fromkeys(USAGE_KEYS, 0),
                         assets=shared_assets())  # fmt: skip
        self._new_stream = new_stream  # an unstarted manager for the request; called again by Retry
        self.freeze_when_done = freeze_when_done
        self._loop = stream_loop()
        self._front_ends = FrontEnds()
        self._channels: dict[protocol.Channel, DeltaChannel] = {
            "answer": DeltaChannel("answer", self._loop, self.send, lambda: self.text),
            "thinking": DeltaChannel("thinking", self._loop, self.send, lambda: self.thinking),
            "tools": DeltaChannel("tools", self._loop, self.send, lambda: self.tool_input),
            "events": DeltaChannel("events", self._loop, self.send, self._event_log),
        }
        self._tool_input_at: dict[str, tuple[int, int]] = {}  # call id -> (UTF-16 offset on "tools", chars sent)
        self._tool_input_length = 0  # UTF-16 code units of every tool input so far
        self._earlier_log = ""  # the event log of this answer's earlier streams (before a Retry or Continue)
        self._usage_pending: UsageChanged | None = None
        # Usage changes just before a status change (at message_start, at the end): it waits to go out with it.
        self._usage_sync = Throttle(self._loop, self._sync_usage, leading=False)
        self._cards_sync = Throttle(self._loop, self._sync_cards)
        self._awaiters = 0  # while a cell awaits the answer, the final state goes out from that cell
        self.on_msg(self._on_intent)
        if self.comm is not None:
            self.comm.on_close(self._on_comm_closed)  # the front end closed the widget: stop paying for it
        self._follow(new_stream())

    # -- public API ------------------------------------------------------------------------------------
    @property
    def manager(self) -> StreamManager:
        assert self._manager is not None
        return self._manager

    @property
    def text(self) -> str:
        """The answer so far."""
        return self._manager.text if self._manager is not None else ""

    @property
    def thinking(self) -> str:
        """Claude's thinking so far (with `Chat(thinking=...)`)."""
        return self._manager.thinking if self._manager is not None else ""

    @property
    def tool_input(self) -> str:
        """Every tool call's input as streamed, one after the other (each card says where its own begins)."""
        return "".join(call.input_json for call in self._manager.tool_calls.values()) if self._manager else ""

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The tool calls: name, input as streamed, status, result (shortened), where among the text."""
        calls = self._manager.tool_calls if self._manager is not None else {}
        return [{**card, "input_json": calls[card["id"]].input_json} for card in self.cards if card["id"] in calls]

    @property
    def timings(self) -> dict[str, float]:
        return self.manager.timings

    @property
    def attempts(self) -> list[Any]:
        return self.manager.attempts

    @property
    def cost(self) -> float | None:
        """USD at list price for the tokens used so far (None for a model without a known price)."""
        return cost_usd(self.usage, self.prices)  # type: ignore[arg-type]

    def recording(self) -> dict[str, Any]:
        """This answer's raw events with their timing (needs `Chat(record=True)`); see `save_recording`."""
        from .recording import recording_of

        return recording_of(self.manager)

    def save_recording(self, path: str | Path) -> Path:
        """Save this answer's stream to a file that `claude_widget.replay(path)` plays back offline."""
        from .recording import save

        return save(self.recording(), path)

    def stop(self) -> None:
        """Stop streaming, close the connection and keep the partial answer. Safe from any thread."""
        self.manager.cancel()

    def wait(self, timeout: float | None = None) -> str:
        """Block until the answer is complete (plain scripts). In a notebook, `await w` instead."""
        return self.manager.wait(timeout)

    def __await__(self) -> Generator[Any, None, str]:
        return self._wait_and_sync().__await__()

    def close(self) -> None:
        if self._manager is not None:
            self._manager.cancel()
        super().close()

    def __repr__(self) -> str:
        # Deterministic, so saved notebooks and nbval compare equal run after run.
        return f"ChatWidget(model={self.model!r}, status={self.status!r}, chars={len(self.text)})"

    def get_state(self, key: str | Iterable[str] | None = None, drop_defaults: bool = False) -> dict[str, Any]:
        """The synced state, with the texts read from the engine (they are state, but not traits)."""
        keys = [*self.keys, *TEXT_KEYS] if key is None else [key] if isinstance(key, str) else list(key)
        state: dict[str, Any] = super().get_state([k for k in keys if k not in TEXT_KEYS], drop_defaults)
        state.update({k: getattr(self, k) for k in keys if k in TEXT_KEYS})
        return state

    # -- kernel side: follow a stream ------------------------------------------------------------------
    def _follow(self, manager: StreamManager) -> None:
        """Listen to a not yet started manager, then start it on the stream loop."""
        self._manager = manager
        manager.subscribe(self._apply)
        manager.start(self._loop)

    def _apply(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self._channels["answer"].add(event.text)
        elif isinstance(event, ThinkingDelta):
            self._channels["thinking"].add(event.text)
        elif isinstance(event, ToolCall):
            self._on_tool_call(event)
        elif isinstance(event, LogEntry):
            if self._front_ends.inspecting:
                self._channels["events"].add(_log_line(event))
        elif isinstance(event, UsageChanged):
            self._usage_pending = event
            self._usage_sync.poke()
        elif isinstance(event, StatusChanged):
            self._on_status(event)

    def _on_status(self, event: StatusChanged) -> None:
        for channel in self._channels.values():
            channel.flush()  # a status change must never overtake the text before it
        self._cards_sync.flush()
        final = event.status in FINAL_STATUSES
        with self.hold_sync():
            self._sync_usage()
            self.status = event.status
            self.error = event.error
            if final:
                self.stop_reason = self.manager.stop_reason
                self.notice = self._notice() if event.status == "done" else None
            self.actions = [name for name, offered in self._offers().items() if offered]
        # A cell awaiting the answer sends the final state itself, so that nbclient keeps it.
        if final and self._awaiters == 0:
            self._send_final_texts()
            self._update_output()

    def _sync_usage(self) -> None:
        self._usage_sync.cancel()
        event, self._usage_pending = self._usage_pending, None
        if event is not None:
            with self.hold_sync():
                self.usage = event.usage
                self.thinking_tokens = event.thinking_tokens

    def _notice(self) -> str | None:
        """What a stop reason means for the reader, if it is worth saying."""
        notice = STOP_NOTICES.get(self.manager.stop_reason or "")
        category = (self.manager.stop_details or {}).get("category")
        if notice and self.manager.stop_reason == "refusal" and category:
            notice = f"{notice[:-1]} (category: {category})."
        return notice

    def _send_final_texts(self) -> None:
        """The final texts go only to front ends that did not build them from the deltas."""
        if not self._front_ends.followed:
            self.send_state(key=list(TEXT_KEYS))

    async def _wait_and_sync(self) -> str:
        self._awaiters += 1
        try:
            return await self.manager.wait_async()
        finally:
            self._awaiters -= 1
            # nbclient keeps only messages whose parent is the executing cell, so the final state and markdown
            # are sent (again, if the stream ended before the await) from the cell that awaits.
            if self.comm is not None:
                self.send_state(key=list(STREAMED_TRAITS))  # not the whole state: it holds the loader
                self._send_final_texts()
            self._update_output()

    # -- tool cards: each call's input streams on the "tools" channel; its card changes with its status ----
    def _on_tool_call(self, call: ToolCall) -> None:
        at, sent = self._tool_input_at.setdefault(call.id, (self._tool_input_length, 0))
        piece = call.input_json[sent:]
        if piece:  # calls stream one after the other: each one's input extends the channel's text
            self._tool_input_at[call.id] = (at, len(call.input_json))
            self._tool_input_length += utf16_length(piece)
            self._channels["tools"].add(piece)
        if call.status != "writing" or sent == 0:
            self._cards_sync.poke()  # a new card, or a new status: not every piece of input

    def _sync_cards(self) -> None:
        cards = [self._card(call) for call in self.manager.tool_calls.values()]
        if cards != self.cards:
            self.cards = cards

    def _card(self, call: ToolCall) -> dict[str, Any]:
        card = asdict(call)
        del card["input_json"]  # the view reads it from the channel, saved state from `tool_input`
        card["at"] = utf16_length(self.text[: call.at])  # the browser indexes strings in UTF-16 code units
        card["input_at"] = self._tool_input_at.get(call.id, (0, 0))[0]
        if call.result is not None and len(call.result) > TOOL_RESULT_SHOWN:
            card["result"] = call.result[:TOOL_RESULT_SHOWN] + "\n… (shortened for display)"
        return card

    # -- the inspector's event log ----------------------------------------------------------------------
    def _event_log(self) -> str:
        return self._earlier_log + "".join(_log_line(entry) for entry in self.manager.event_log)

    # -- front end → kernel: intents only --------------------------------------------------------------
    def _on_intent(self, _widget: Any, content: Any, _buffers: Any) -> None:
        intent = protocol.parse_intent(content)
        if intent is None:
            return
        if intent.name == "stop":
            self.stop()  # at once, from whatever thread the comm handler runs on
        elif intent.name == "bundle":
            self.send(bundle_reply(intent.request_id))
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._handle, intent)

    def _handle(self, intent: protocol.Intent) -> None:
        """An intent, on the stream's loop."""
        if intent.name == "follow":
            self._front_ends.follow(intent.frontend, intent.deflate is True)
            self._use_compression()
        elif intent.name == "resync":
            if intent.deflate is False:  # compressed deltas arrived without their bytes: plain text from now on
                self._front_ends.cannot_inflate(intent.frontend)
                self._use_compression()
            if intent.channel != "events" or self._front_ends.inspecting:
                self._channels[intent.channel].send_snapshot()
        elif intent.name == "inspect":
            if self._front_ends.inspect(intent.frontend, intent.open) and intent.open:
                self._channels["events"].send_snapshot()
        elif intent.name in ("retry", "continue") and self._offers()[intent.name]:
            self._retry() if intent.name == "retry" else self._continue()

    def _use_compression(self) -> None:
        for channel in self._channels.values():
            channel.deflate = self._front_ends.deflate

    def _offers(self) -> dict[str, bool]:
        """Which actions the view may offer now; the same predicates decide whether an intent is carried out."""
        manager = self.manager
        return {
            "retry": manager.status == "error",
            "continue": manager.status == "done" and manager.stop_reason == "max_tokens" and bool(manager.text.strip()),
        }

    def _on_comm_closed(self, _msg: Any) -> None:
        if self._manager is not None:
            self._manager.cancel()

    def _retry(self) -> None:
        """Ask again from the start, in the same widget."""
        self._earlier_log = self._event_log()
        self._tool_input_at.clear()
        self._tool_input_length = 0
        self._follow(self._new_stream())
        with self.hold_sync():
            self.status = "connecting"
            self.error = self.notice = self.stop_reason = None
            self.cards, self.actions = [], []
            self.usage, self.thinking_tokens = dict.fromkeys(USAGE_KEYS, 0), 0
        for name in ("answer", "thinking", "tools"):
            self._channels[name].send_snapshot()  # empty: the view starts over

    def _continue(self) -> None:
        """Continue an answer that stopped at the token limit, in place: the channels go on where they are."""
        self._earlier_log = self._event_log()
        with self.hold_sync():
            self.error = self.notice = None
            self.actions = []
        self._follow(StreamManager.continuing(self.manager))


def _log_line(entry: LogEntry) -> str:
    # One JSON array per line: the inspector parses complete lines as they arrive.
    return json.dumps([entry.at, entry.kind, entry.detail], ensure_ascii=False) + "\n"
