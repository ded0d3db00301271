"""The notebook widget: one answer's traits and intents, between its `StreamManager` and its views. A sink: the
engine never knows it; Retry and Continue ask the engine's `Answer` for the next stream to show.

Synced traits hold what a fresh view needs; the texts (answer, thinking, tool inputs, the inspector's event log)
travel on delta channels, carried there by `StreamSync` (sync.py). The answer and the thinking live in the
engine: `w.text` reads it, and the widget's state carries it for a front end that asks (a reloaded page) or
does not follow the deltas (nbclient), but never sends it again to a front end that builds it from the deltas.
The view sends back only intents (protocol.py).

Threads: everything that touches the widget's state runs on the stream's loop (loops.py). The front end's
messages arrive on whatever thread the kernel hands them to (a subshell's, while a cell blocks the main one: see
subshell.py); a Stop is carried out there and then, every other message is handed to the stream's loop.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Generator, Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Literal, cast

import anywidget
import traitlets
from ipywidgets import widget_serialization

from ..api.models import facts_for
from ..api.pricing import list_prices
from ..api.request_tokens import estimate_input_tokens
from ..engine.answer import Answer
from ..engine.approvals import pending_call
from ..engine.events import FINAL_STATUSES
from ..engine.loops import call_soon, on_loop_thread, run_on, run_on_and_wait, stream_loop
from ..engine.record import recording_of, save
from ..engine.replayed import ReplayedStream
from ..engine.stream import StreamManager
from ..engine.tool_calls import Decision
from ..engine.usage import Usage
from ..kernel.main_thread import main_thread
from . import headless, protocol
from .assets import LOADER, ChatAssets, bundle_reply, shared_assets
from .display import MarkdownOutput
from .fallback import with_code_run
from .fences import CodeBlock, code_blocks
from .receipt import answer_receipt, replay_mark
from .subshell import deliver_without_execute_events, keep_front_end_subshell, keep_kernel_status_truthful
from .sync import StreamSync, tool_input

log = logging.getLogger("claude_widget")
STOP_WAIT = 2.0  # seconds `stop()` waits, at most, for the stream to end (it takes milliseconds)
OptionalDict = traitlets.TraitType[dict[str, Any] | None, dict[str, Any] | None]

# The traits a stream changes (the rest, `_esm` among them, never change after the widget opens).
STREAMED_TRAITS = ("status", "usage", "thinking_tokens", "error", "cards", "thoughts", "citations", "actions",
                   "stop_reason", "notice", "elapsed", "replay", "receipt")  # fmt: skip


class ChatWidget(MarkdownOutput, anywidget.AnyWidget):
    """One streamed answer in a notebook cell. Created by `Chat.send`; see the README for its attributes."""

    # A small loader: the view's code comes from the shared `ChatAssets` (see assets.py, js/src/loader.js).
    _esm = LOADER
    assets = traitlets.Instance(ChatAssets, allow_none=True).tag(sync=True, **widget_serialization)

    status = traitlets.Unicode("connecting").tag(sync=True)
    usage = traitlets.Dict().tag(sync=True)
    thinking_tokens = traitlets.Int(0).tag(sync=True)
    prices = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    # traitlets types Dict(allow_none=True) as never None: say it can be
    error = cast(OptionalDict, traitlets.Dict(allow_none=True, default_value=None).tag(sync=True))
    cards = traitlets.List(traitlets.Dict()).tag(sync=True)  # tool cards; their input is the `tool_input` text
    # The answer's sources (`Citation.to_dict()`), numbered as the text's markers `[^1]` show them.
    citations = traitlets.List(traitlets.Dict()).tag(sync=True)
    actions = traitlets.List(traitlets.Unicode()).tag(sync=True)  # what the view may offer: "retry", "continue"
    model = traitlets.Unicode("").tag(sync=True)
    effort = traitlets.Unicode("").tag(sync=True)  # the effort in effect: the one asked, or the model's default
    # Whether Claude is thinking now, and the turn's thinking time over its finished thinks (events.Thinking).
    thinking_phase = traitlets.Dict({"active": False, "seconds": 0.0}).tag(sync=True)
    stop_reason = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)
    notice = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)
    offline = traitlets.Bool(False).tag(sync=True)
    # Unique in the kernel: how a front end finds one answer's streams from every copy of its model it is handed.
    answer_id = traitlets.Unicode("").tag(sync=True)
    input_estimate = traitlets.Int(0).tag(sync=True)  # the request's input tokens, about, until message_start
    turn = traitlets.Int(1).tag(sync=True)  # the question's place in its conversation: a later one carries the rest
    # Seconds from the request to the end, once the answer has ended (the header's time; the view counts until then).
    elapsed = traitlets.Float(0.0).tag(sync=True)
    # Where each think began, so that the view shows it there: {at, start, calls} (events.ThinkBegan, in UTF-16).
    thoughts = traitlets.List(traitlets.Dict()).tag(sync=True)
    attachments = traitlets.List(traitlets.Dict()).tag(sync=True)  # the question's chips (Attachment.chip)
    # A replayed answer's mark: {"answered": "2026-12-07", "saved": 0.012 or None}; None for an answer asked now.
    replay = cast(OptionalDict, traitlets.Dict(allow_none=True, default_value=None).tag(sync=True))
    # What produced the answer, once it has ended (receipt.py): the saved notebook's output metadata says it too
    # ("claude_widget"), and the counter's tooltip shows it.
    receipt = cast(OptionalDict, traitlets.Dict(allow_none=True, default_value=None).tag(sync=True))
    # Asked again only because what it attached changed: what did ("df changed since the last answer: …").
    changed = traitlets.Unicode(allow_none=True, default_value=None).tag(sync=True)

    _answer: Answer | None = None  # read by get_state while the widget opens

    def __init__(
        self,
        manager: StreamManager | Answer,
        *,
        offline: bool = False,
        freeze_when_done: bool = False,
        attachments: Sequence[dict[str, str]] = (),
        turn: int = 1,
    ) -> None:
        """Show `manager`'s answer (not yet started: the widget starts it), or an `Answer`'s current stream."""
        answer = manager if isinstance(manager, Answer) else Answer(manager)
        stream = answer.stream
        if stream.loop is not None:
            raise ValueError("ChatWidget(manager) shows a stream from its start: give it one not yet started")
        facts = facts_for(stream.model)
        effort = stream.options.effort or (facts.default_effort if facts is not None else None) or ""
        # Headless (headless.py): no front end will load the bundle, so the saved state leaves it out.
        self._headless = headless.is_headless()
        super().__init__(model=stream.model, effort=effort, prices=list_prices(stream.model), offline=offline,
                         usage=Usage().as_dict(), assets=None if self._headless else shared_assets(),
                         answer_id=uuid.uuid4().hex, attachments=list(attachments), turn=turn,
                         replay=replay_mark(stream), changed=answer.changed,
                         input_estimate=_input_estimate(stream))  # fmt: skip
        self._freeze_asked = freeze_when_done
        self.freeze_when_done = freeze_when_done or self._headless  # nobody can click a headless answer
        self._loop = stream_loop()
        self._sync = StreamSync(answer, self, self._loop)
        self._awaiters = 0  # while a cell awaits the answer, the final state goes out from that cell
        self.on_msg(self._on_intent)
        if self.comm is not None:
            self.comm.on_close(self._on_comm_closed)  # the front end closed the widget: stop paying for it
            keep_front_end_subshell(self.comm)
            deliver_without_execute_events(self.comm)  # else a plot drawn by the same cell may come out garbled
            keep_kernel_status_truthful(getattr(self.comm, "kernel", None))  # else "Idle" while cells still run
        self._answer = answer
        self._start(stream)
        if self._headless:
            headless.started(answer)  # the running cell ends once the answer has

    # -- public API ------------------------------------------------------------------------------------
    @property
    def manager(self) -> StreamManager:
        """The stream shown now (a Retry or a Continue replaces it)."""
        assert self._answer is not None
        return self._answer.stream

    @property
    def answer(self) -> Answer:
        """The answer across its streams (the engine's: what a conversation's turn holds)."""
        assert self._answer is not None
        return self._answer

    @property
    def text(self) -> str:
        """The answer so far."""
        return self._answer.stream.text if self._answer is not None else ""

    @property
    def code_blocks(self) -> list[CodeBlock]:
        """The answer's fenced code blocks so far, and the code Claude ran in the kernel, in order (`language`,
        `code`): what `%claude_code` puts into a cell."""
        ran = [{**call, "result": None} for call in self.calls if call["status"] in ("done", "error")]
        return code_blocks(with_code_run(self.text, ran))

    @property
    def thinking(self) -> str:
        """Claude's thinking so far (with `Chat(thinking=...)`)."""
        return self._answer.stream.thinking if self._answer is not None else ""

    @property
    def tool_input(self) -> str:
        """Every tool call's input as streamed, one after the other (each card says where its own begins)."""
        return tool_input(self._answer.stream) if self._answer is not None else ""

    @property
    def tools(self) -> list[dict[str, Any]]:
        """The tool calls: name, input as streamed, status, result (shortened), where among the text."""
        calls = self._answer.stream.tool_calls if self._answer is not None else {}
        return [{**card, "input_json": calls[card["id"]].input_json} for card in self.cards if card["id"] in calls]

    @property
    def calls(self) -> list[dict[str, Any]]:
        """The tool calls as the engine holds them (`at` in characters of `text`, not the view's UTF-16 units)."""
        return [asdict(call) for call in list(self._answer.stream.tool_calls.values())] if self._answer else []

    @property
    def pending(self) -> dict[str, Any] | None:
        """The tool call waiting for your Run or Skip (`Chat(kernel=True)`): {"tool", "code", "id"}; else None."""
        return pending_call(self._answer.stream.tool_calls) if self._answer is not None else None

    def approve(self) -> None:
        """Run the pending call (the card's Run button). From any thread."""
        self._decide(Decision(run=True))

    def reject(self, reason: str | None = None) -> None:
        """Don't run the pending call (the card's Skip); the `reason`, if given, goes to Claude. From any thread."""
        self._decide(Decision(run=False, reason=reason or ""))

    def _decide(self, decision: Decision) -> None:
        call = self.pending
        if call is None or not self.manager.approvals.decide(call["id"], decision):
            raise RuntimeError("No tool call of this answer is waiting for Run or Skip now (w.pending is None)")

    @property
    def replayed(self) -> bool:
        """Whether the answer shown was played back from the answer store (`Chat(replay=True)`), not asked now."""
        return isinstance(self.manager, ReplayedStream)

    def ask_again(self) -> None:
        """Ask Claude for real what was replayed (the widget's Ask again button), in the same widget; the store
        keeps both answers, and the next replay plays the newer one. Returns at once, as `send` does."""
        if not self.answer.offers()["ask_again"]:
            raise RuntimeError(
                "ask_again() asks anew an answer replayed from the store, once it has been shown: "
                f"this one {'was asked, not replayed' if not self.replayed else 'is still playing'}"
            )
        run_on_and_wait(self._loop, self._ask_again, timeout=10)

    @property
    def timings(self) -> dict[str, float]:
        return self.manager.timings

    @property
    def attempts(self) -> list[Any]:
        return self.manager.attempts

    @property
    def cost(self) -> float | None:
        """USD for the tokens used so far, each request at its own rates (None for a model without a known
        price)."""
        return self.manager.cost

    def recording(self) -> dict[str, Any]:
        """This answer's raw events with their timing (needs `Chat(record=True)`); see `save_recording`."""
        return recording_of(self.manager)

    def save_recording(self, path: str | Path) -> Path:
        """Save this answer's stream to a file that `claude_widget.replay(path)` plays back offline."""
        return save(self.recording(), path)

    def stop(self) -> None:
        """Stop streaming, close the connection and keep the partial answer. Safe from any thread; returns when
        the stream has ended, so that what follows (the next `send`) sees the final partial answer."""
        self.manager.cancel()
        self.manager.join(STOP_WAIT)

    def wait(self, timeout: float | None = None) -> str:
        """Block until the answer is complete. In a notebook `await w` does the same without blocking the kernel."""
        if self._loop is not None and on_loop_thread(self._loop):
            return self.manager.wait(timeout)  # which says why it cannot
        if not main_thread.while_waiting(self.manager.join, timeout):  # running meanwhile the code Claude runs here
            raise TimeoutError(f"the answer did not finish within {timeout} s (status: {self.status})")
        return self.manager.wait()

    def __await__(self) -> Generator[Any, None, str]:
        return self._wait_and_sync().__await__()

    def close(self) -> None:
        if self._answer is not None:
            self.stop()  # before the comm goes: the stream's last messages go out first
        super().close()

    def __repr__(self) -> str:
        # Deterministic, so saved notebooks and nbval compare equal run after run.
        return f"ChatWidget(model={self.model!r}, status={self.status!r}, chars={len(self.text)})"

    def get_state(self, key: str | Iterable[str] | None = None, drop_defaults: bool = False) -> dict[str, Any]:
        """The synced state, with the texts read from the engine (they are state, but not traits)."""
        keys = [*self.keys, *protocol.TEXT_KEYS] if key is None else [key] if isinstance(key, str) else list(key)
        state: dict[str, Any] = super().get_state([k for k in keys if k not in protocol.TEXT_KEYS], drop_defaults)
        state.update({k: getattr(self, k) for k in keys if k in protocol.TEXT_KEYS})
        return state

    # -- kernel side: the stream ------------------------------------------------------------------------
    def _start(self, manager: StreamManager) -> None:
        """Listen to a not yet started manager, then start it on the stream loop: the widget shows it from now on."""
        self._started = time.monotonic()
        manager.subscribe(self._sync.apply)
        manager.start(self._loop)

    @traitlets.observe("status")
    def _time_the_answer(self, change: dict[str, Any]) -> None:
        # Set with the final status, so that it goes out with it (StreamSync holds the sync around both). From the
        # start, tool rounds and retries included (the manager's timings measure its latest request).
        if change["new"] in FINAL_STATUSES and self._answer is not None:
            self.elapsed = round(time.monotonic() - self._started, 3)
            self.receipt = answer_receipt(self._answer, time.time())

    def finished(self) -> None:
        """The stream ended. A cell awaiting the answer sends the final state itself (so that nbclient keeps it)."""
        if self._awaiters == 0:
            self._sync.send_final_texts()
            self._update_output()

    async def _wait_and_sync(self) -> str:
        self._awaiters += 1
        try:
            return await main_thread.while_awaiting(self.manager.wait_async())
        finally:
            self._awaiters -= 1
            # nbclient keeps only messages whose parent is the executing cell, so the final state and markdown
            # are sent (again, if the stream ended before the await) in the context of the cell that awaits.
            await run_on(self._loop, self._send_final)

    def _send_final(self) -> None:
        if self.comm is not None:
            self.send_state(key=list(STREAMED_TRAITS))  # not the whole state: it holds the loader
            self._sync.send_final_texts()
        self._update_output()

    # -- front end → kernel: intents only --------------------------------------------------------------
    def _handle_msg(self, msg: dict[str, Any]) -> None:
        """A message from the front end, on the thread the kernel handed it to: a Stop now, the rest on the loop."""
        data = msg.get("content", {}).get("data", {})
        if isinstance(data, dict) and data.get("method") == "custom" and protocol.is_stop(data.get("content")):
            self.manager.cancel()  # not `stop()`: the thread that delivers messages need not wait
        else:
            call_soon(self._loop, lambda: super(ChatWidget, self)._handle_msg(msg))

    def _on_intent(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """An intent, on the stream's loop (a Stop was carried out when it arrived)."""
        intent = protocol.parse_intent(content)
        if intent is None or intent.name == "stop":
            return
        if intent.name == "bundle":
            self.send(bundle_reply(intent.request_id))
        elif intent.name == "follow":
            self._sync.follow(intent.frontend, intent.deflate is True)
            headless.front_end_followed()
            if self._headless:  # shown after all (a front end headless.py could not tell from the kernel)
                self._headless, self.freeze_when_done = False, self._freeze_asked
        elif intent.name == "resync":
            self._sync.resync(intent.frontend, intent.channel, intent.deflate)
        elif intent.name == "inspect":
            self._sync.inspect(intent.frontend, intent.open)
        elif intent.name in ("approve", "reject"):
            if not self.manager.approvals.decide(intent.call, Decision(intent.name == "approve", intent.reason)):
                log.warning("claude_widget: refused %s for %r: no call of this answer waits for it", intent.name,
                            intent.call[:80])  # fmt: skip
        elif intent.name in ("retry", "continue", "ask_again") and self.answer.offers()[intent.name]:
            {"retry": self._retry, "continue": self._continue, "ask_again": self._ask_again}[intent.name]()

    def update(self, **traits: Any) -> None:
        """Set these traits, sent out together (the sync's way in: sync.py's `Sink`)."""
        with self.hold_sync():
            for name, value in traits.items():
                setattr(self, name, value)

    def _on_comm_closed(self, _msg: Any) -> None:
        if self._answer is not None:
            self._answer.stream.cancel()

    def _retry(self, action: Literal["retry", "ask_again"] = "retry") -> None:
        """Ask again from the start, in the same widget."""
        stream = self.answer.next_stream(action)  # first: without a key, asking again raises here
        self._sync.next_stream(start_over=True)
        self._start(stream)
        with self.hold_sync():
            self.replay = self.receipt = None
            self.status = "connecting"
            self.error = self.notice = self.stop_reason = None
            self.cards, self.thoughts, self.citations, self.actions = [], [], [], []
            self.usage, self.thinking_tokens = Usage().as_dict(), 0
            self.thinking_phase = {"active": False, "seconds": 0.0}
        self._sync.started_over()

    def _ask_again(self) -> None:
        self._retry("ask_again")

    def _continue(self) -> None:
        """Continue an answer that stopped at the token limit, in place: the channels go on where they are."""
        self._sync.next_stream(start_over=False)
        with self.hold_sync():
            self.error = self.notice = None
            self.actions = []
        self._start(self.answer.next_stream("continue"))


def _input_estimate(stream: StreamManager) -> int:
    """The request's input tokens, about, for the counter until the API says; a replay sends none."""
    return 0 if isinstance(stream, ReplayedStream) else estimate_input_tokens(stream.options.request(stream.messages))
