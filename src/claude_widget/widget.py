"""The notebook widget: traits and message plumbing between a turn's `StreamManager` and its views.

Synced traits hold what a fresh view needs; text deltas (of the answer and of the thinking) travel as batched
custom messages that carry their offset. The `text` and `thinking` traits are kept current in the kernel but
sent only to a front end that does not follow the deltas (nbclient, a plain process): a front end that follows
builds the same text from the deltas, so sending it again would double the bytes. The view sends back only
intents (stop, retry, continue, resync) and, once per front end, that it follows.
Comm handlers may run on a subshell thread, so they only schedule work on the stream's loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import anywidget
import traitlets
from ipywidgets import widget_serialization

from .batching import DeltaBatcher, utf16_length
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
from .fallback import answer_markdown
from .loops import stream_loop
from .pricing import Prices, cost_usd
from .stream import USAGE_KEYS, StreamManager

log = logging.getLogger("claude_widget")
STATIC = Path(__file__).parent / "static"

# The traits a stream changes (the rest, `_esm` and `_css` among them, never change after the widget opens).
STREAMED_TEXTS = ("text", "thinking")  # what the deltas carry
CHANNELS = ("answer", "thinking", "events")  # the streams of deltas: the answer, the thinking, the event log
STREAMED_TRAITS = ("text", "thinking", "status", "usage", "thinking_tokens", "error", "tools", "stop_reason",
                   "notice")  # fmt: skip
TOOL_RESULT_SHOWN = 4000  # characters of a tool result kept in the widget (Claude gets all of it)
STOP_NOTICES = {
    "max_tokens": "The answer was cut at the token limit (max_tokens).",
    "refusal": "Claude declined to answer this request.",
    "model_context_window_exceeded": "The conversation no longer fits the model's context window: start a new "
    "Chat (or chat.reset()) or shorten the prompt.",
}


class ChatAssets(anywidget.AnyWidget):
    """The front-end code and styles, shared by every ChatWidget of the kernel: they cross the wire, and sit in
    saved widget state, once per notebook instead of once per answer. Never displayed."""

    _esm = "export default {};"
    code = traitlets.Unicode("").tag(sync=True)
    style = traitlets.Unicode("").tag(sync=True)


_shared_assets: ChatAssets | None = None


def shared_assets() -> ChatAssets:
    global _shared_assets
    if _shared_assets is None or _shared_assets.comm is None:  # created once, again after a close_all()
        _shared_assets = ChatAssets(code=(STATIC / "widget.js").read_text(), style=(STATIC / "widget.css").read_text())
    return _shared_assets


class ChatWidget(anywidget.AnyWidget):
    """One streamed answer in a notebook cell. Created by `Chat.send`; see the README for its attributes."""

    # A small loader: the view's code comes from the shared `ChatAssets` (see js/src/loader.js).
    _esm = STATIC / "loader.js"
    assets = traitlets.Instance(ChatAssets, allow_none=True).tag(sync=True, **widget_serialization)

    text = traitlets.Unicode("").tag(sync=True)
    thinking = traitlets.Unicode("").tag(sync=True)
    status = traitlets.Unicode("connecting").tag(sync=True)
    usage = traitlets.Dict().tag(sync=True)
    thinking_tokens = traitlets.Int(0).tag(sync=True)
    prices = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    error = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    tools = traitlets.List().tag(sync=True)
    model = traitlets.Unicode("").tag(sync=True)
    stop_reason = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)
    notice = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)
    offline = traitlets.Bool(False).tag(sync=True)

    _kernel_only: frozenset[str] = frozenset()  # traits whose changes are not sent (see _in_kernel_only)

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
        self._manager: StreamManager | None = None
        self._batchers: dict[str, DeltaBatcher] = {}
        self._tools_timer: asyncio.TimerHandle | None = None
        self._usage_pending: UsageChanged | None = None  # sent with the status change it comes with
        self._inspecting = False  # a view's inspector is open: stream the event log to the front end
        self._followed = False  # a front end builds the texts from the deltas (it said so with `follow`)
        self._deflate = False  # the front ends inflate compressed deltas (see batching.py)
        # While a cell awaits the answer, the final state goes out from that cell (see _wait_and_sync).
        self._awaiters = 0
        self._display_id: str | None = None  # set once shown through IPython's display machinery
        self.freeze_when_done = freeze_when_done
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
    def timings(self) -> dict[str, float]:
        return self.manager.timings

    @property
    def attempts(self) -> list[dict[str, Any]]:
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

    @property
    def markdown(self) -> str:
        """The answer as markdown (raw HTML escaped), as GitHub, nbviewer and nbconvert show it."""
        return answer_markdown(self.text, status=self.status, model=self.model, error=self.error,
                               notice=self.notice)  # fmt: skip

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        if bundle is None:
            return None
        data, metadata = bundle
        return {**data, "text/markdown": self.markdown}, metadata

    def _ipython_display_(self) -> None:
        # Displayed with a display id, so the markdown fallback saved in the notebook can be brought up to
        # date when the answer is complete (a cell's plain return value cannot be updated later).
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        if bundle is None:
            return
        self._display_id = self._display_id or f"claude-widget-{uuid.uuid4().hex}"
        display(bundle[0], metadata=bundle[1], raw=True, display_id=self._display_id)

    def freeze(self) -> None:
        """Replace the finished widget with plain markdown output, for lightweight notebooks.

        The output keeps the answer as markdown; the widget (and its state) is closed. Call it when the answer
        is complete, or pass `Chat(freeze=True)` to do it automatically.
        """
        if self.status not in FINAL_STATUSES:
            raise RuntimeError("the answer is still streaming: freeze() it once it has finished (`await w`)")
        self.freeze_when_done = True
        self._update_fallback()
        self.close()

    def _update_fallback(self) -> None:
        """Bring the output's markdown up to date (or, once frozen, make it the only thing shown)."""
        if self._display_id is None:
            return
        from IPython.display import update_display

        if self.freeze_when_done and self.status in FINAL_STATUSES:
            update_display({"text/markdown": self.markdown, "text/plain": self.text}, raw=True,
                           display_id=self._display_id)  # fmt: skip
            if self.comm is not None:
                self.close()
            return
        bundle = self._repr_mimebundle_()
        if bundle is not None:
            update_display(bundle[0], metadata=bundle[1], raw=True, display_id=self._display_id)

    # -- kernel side: follow a stream ------------------------------------------------------------------
    def _follow(self, manager: StreamManager, *, continuing: bool = False) -> None:
        """Listen to a not yet started manager, then start it on the stream loop."""
        loop = stream_loop()
        self._manager = manager
        answer = DeltaBatcher(loop, self._send_answer)
        thinking = DeltaBatcher(loop, self._send_thinking)
        events = DeltaBatcher(loop, lambda message, buffers: self.send({**message, "channel": "events"}, buffers))
        if continuing:  # the view already holds the answer so far
            answer.reset(manager.text)
            thinking.reset(manager.thinking)
        self._batchers = {"answer": answer, "thinking": thinking, "events": events}
        self._set_deflate(self._deflate)
        if self._inspecting:
            self._send_event_log()
        manager.subscribe(self._apply)
        manager.start(loop)

    def _apply(self, event: StreamEvent) -> None:
        if isinstance(event, TextDelta):
            self._batchers["answer"].add(event.text)
        elif isinstance(event, ThinkingDelta):
            self._batchers["thinking"].add(event.text)
        elif isinstance(event, ToolCall):
            self._schedule_tools_sync()
        elif isinstance(event, LogEntry):
            if self._inspecting:
                self._batchers["events"].add(_log_line(event))
        elif isinstance(event, UsageChanged):
            # Usage changes just before a status change (at message_start, at the end): send both in one
            # message, or the usage alone at the text's cadence.
            if self._usage_pending is None:
                answer = self._batchers["answer"]
                answer.loop.call_later(answer.interval, self._sync_usage)
            self._usage_pending = event
        elif isinstance(event, StatusChanged):
            self._flush()  # a status change must never overtake the text before it
            final = event.status in FINAL_STATUSES
            with self.hold_sync():
                self._sync_usage()
                self.status = event.status
                self.error = event.error
                if final:
                    self.stop_reason = self.manager.stop_reason
                    self.notice = self._notice() if event.status == "done" else None
            # A cell awaiting the answer sends the final state itself, so that nbclient keeps it.
            if final and self._awaiters == 0:
                if texts := self._texts_to_send():
                    self.send_state(key=texts)
                self._update_fallback()

    def _sync_usage(self) -> None:
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

    def _flush(self) -> None:
        for batcher in self._batchers.values():
            batcher.flush()
        self._sync_tools()

    def _schedule_tools_sync(self) -> None:
        # Tool input streams delta by delta: sync the cards at the same ~30 ms cadence as the text.
        if self._tools_timer is None:
            answer = self._batchers["answer"]
            self._tools_timer = answer.loop.call_later(answer.interval, self._sync_tools)

    def _sync_tools(self) -> None:
        if self._tools_timer is not None:
            self._tools_timer.cancel()
            self._tools_timer = None
        cards = []
        text = self.manager.text
        for call in self.manager.tool_calls.values():
            card = asdict(call)
            card["at"] = utf16_length(text[: call.at])  # the browser indexes strings in UTF-16 code units
            if card["result"] is not None and len(card["result"]) > TOOL_RESULT_SHOWN:
                card["result"] = card["result"][:TOOL_RESULT_SHOWN] + "\n… (shortened for display)"
            cards.append(card)
        if cards != self.tools:
            self.tools = cards

    # -- the streamed texts: deltas to the front end, the traits kept current in the kernel ---------------
    def _send_answer(self, message: dict[str, Any], buffers: list[bytes]) -> None:
        self.send(message, buffers)
        with self._in_kernel_only("text"):  # right after the flush: never ahead of the deltas sent
            self.text = self.manager.text

    def _send_thinking(self, message: dict[str, Any], buffers: list[bytes]) -> None:
        self.send({**message, "channel": "thinking"}, buffers)
        with self._in_kernel_only("thinking"):
            self.thinking = self.manager.thinking

    def _set_deflate(self, on: bool) -> None:
        # Plain attribute writes, safe from the comm handler's thread: each batch reads the flag once.
        self._deflate = on
        for batcher in self._batchers.values():
            batcher.deflate = on

    def _texts_to_send(self) -> list[str]:
        """The final texts go only to front ends that did not build them from the deltas."""
        return [] if self._followed else list(STREAMED_TEXTS)

    @contextmanager
    def _in_kernel_only(self, *keys: str) -> Iterator[None]:
        """Change these traits in the kernel without sending them: the following views already have them."""
        self._kernel_only = frozenset(keys)
        try:
            yield
        finally:
            self._kernel_only = frozenset()

    def _should_send_property(self, key: str, value: Any) -> bool:
        return key not in self._kernel_only and super()._should_send_property(key, value)

    async def _wait_and_sync(self) -> str:
        self._awaiters += 1
        try:
            return await self.manager.wait_async()
        finally:
            self._awaiters -= 1
            # nbclient keeps only messages whose parent is the executing cell, so the final state and markdown
            # are sent (again, if the stream ended before the await) from the cell that awaits.
            if self.comm is not None:
                # Not the whole state: it carries the bundle.
                self.send_state(key=[k for k in STREAMED_TRAITS if k not in STREAMED_TEXTS] + self._texts_to_send())
            self._update_fallback()

    # -- front end → kernel: intents only --------------------------------------------------------------
    def _on_intent(self, _widget: Any, content: Any, _buffers: Any) -> None:
        intent = content.get("intent") if isinstance(content, dict) else None
        channel = content.get("channel", "answer") if isinstance(content, dict) else None
        if intent == "stop":
            self.stop()
        elif intent == "follow":
            self._followed = True  # plain flags: safe from the comm handler's thread
            self._set_deflate(content.get("deflate") is True)
        elif intent == "bundle":
            # A host without a widget manager to look the shared assets up: send them to this widget.
            self.send({"kind": "bundle", "code": shared_assets().code, "css": shared_assets().style})
        elif intent == "resync" and channel in CHANNELS:
            if content.get("deflate") is False:  # a compressed delta came without its bytes: send plain text
                self._set_deflate(False)
            self._on_loop(lambda: self._resync(channel))
        elif intent in ("retry", "continue", "inspect"):
            self._on_loop(getattr(self, f"_{intent}"))
        else:
            log.warning("claude_widget: ignored an unexpected message from the front end: %.200r", content)

    def _on_loop(self, work: Callable[[], None]) -> None:
        loop = self.manager.loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(work)

    def _on_comm_closed(self, _msg: Any) -> None:
        if self._manager is not None:
            self._manager.cancel()

    def _retry(self) -> None:
        if self.status not in FINAL_STATUSES:
            return
        with self.hold_sync():
            self.text = self.thinking = ""
            self.error = self.notice = None
            self.tools = []
            self.usage = dict.fromkeys(USAGE_KEYS, 0)
        self.send({"kind": "snapshot", "text": ""})
        self.send({"kind": "snapshot", "channel": "thinking", "text": ""})
        self._follow(self._new_stream())

    def _continue(self) -> None:
        """Continue an answer that stopped at the token limit (or was stopped), in place."""
        if self.status not in FINAL_STATUSES or not self.manager.text.strip():
            return
        with self.hold_sync():
            self.error = self.notice = None
        self._follow(StreamManager.continuing(self.manager), continuing=True)

    def _inspect(self) -> None:
        """A view opened its inspector: send the event log so far, then each new entry as it happens."""
        self._inspecting = True
        self._send_event_log()

    def _send_event_log(self) -> None:
        text = "".join(_log_line(entry) for entry in self.manager.event_log)
        self._batchers["events"].reset(text)
        self.send({"kind": "snapshot", "channel": "events", "text": text})

    def _resync(self, channel: str) -> None:
        """A front end lost track of a channel (a gap, or a deflate stream it did not see begin): send it whole,
        and start the channel's deflate stream over so that every front end can read what follows."""
        self._flush()
        if channel == "events":
            if self._inspecting:
                self._send_event_log()
            return
        text = self.manager.text if channel == "answer" else self.manager.thinking
        self._batchers[channel].reset(text)
        self.send({"kind": "snapshot", "text": text, **({"channel": channel} if channel != "answer" else {})})


def _log_line(entry: LogEntry) -> str:
    # One JSON array per line: the inspector parses complete lines as they arrive.
    return json.dumps([entry.at, entry.kind, entry.detail], ensure_ascii=False) + "\n"
