"""`Chat`: the user's entry point. Holds the configuration, the API client and the conversation.

Each `send` continues the conversation and returns a live widget. The history is derived from the turns'
stream managers, so it is valid for the API whatever state a turn is in (see `StreamManager.history_messages`).
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Generic, TypeVar

import anthropic
import httpx2

from . import recording as recording_module
from .api.models import DEFAULT_MODEL, Effort
from .api.pricing import pricing_for, total_cost
from .context.attachments import Attachment, attach, checked_prompt, user_content
from .context.tables import DEFAULT_TABLE_TOKENS, checked_table_tokens
from .engine.answer import Answer, Turn
from .engine.clients import shared_client
from .engine.errors import MissingAPIKeyError
from .engine.loops import stream_loop
from .engine.options import StreamOptions
from .engine.stream import StreamManager
from .engine.tools import Tool, ToolDefinitionError, tools_from
from .engine.usage import Usage
from .fake_server import FakeAnthropic
from .fake_server.demo import demo_server
from .jobs.batched import requests_in
from .jobs.handle import MapJob
from .jobs.questions import Prompt, Question, items_of, questions
from .jobs.schemas import output_schema
from .jobs.snapshot import ChatSnapshot
from .kernel.tools import Redactor, kernel_tools
from .store.answer_store import AnswerStore, default_path
from .store.items import ItemKeeping
from .store.keeping import Source, kept_answer, replay_from_environment
from .widget.chat_widget import STOP_WAIT, ChatWidget
from .widget.headless import in_script, nobody_to_click
from .widget.job_widget import JobWidget, ScriptProgress

OFFLINE_API_KEY = "offline-demo-key"

_offline_server: FakeAnthropic | None = None
_last_answer: weakref.ref[ChatWidget] | None = None  # the kernel's newest answer, for %claude_code
_offline_lock = threading.Lock()
T = TypeVar("T")


class _Option(Generic[T]):
    """A `Chat` attribute that is one of its `StreamOptions` (setting it checks the new value)."""

    def __set_name__(self, owner: type[Chat], name: str) -> None:
        self.name = name

    def __get__(self, chat: Chat, owner: type[Chat]) -> T:
        value: T = getattr(chat.options, self.name)
        return value

    def __set__(self, chat: Chat, value: T) -> None:
        changed: dict[str, Any] = {self.name: value}
        chat.options = replace(chat.options, **changed)


class Chat:
    """Talk to Claude from a notebook or a script; each `send` continues the conversation.

    `offline=True` streams canned answers from the built-in fake server instead of calling the API: for
    demos, teaching and tests, and always labelled as such in the widget.

    `kernel=True` gives Claude this kernel: it can list and describe your variables, and propose Python code that
    runs in your namespace once you click Run (or call `w.approve()`); `auto_run=True` runs it without asking.
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        system: str | None = None,
        max_tokens: int | None = None,
        api_key: str | None = None,
        base_url: str | None = None,
        stall_timeout: float = 30.0,
        max_retries: int = 4,
        *,
        thinking: dict[str, Any] | None = None,
        effort: Effort | None = None,
        thinking_timeout: float | None = None,
        tools: list[Callable[..., Any]] | None = None,
        tool_timeout: float = 60.0,
        max_tool_rounds: int = 10,
        offline: bool = False,
        freeze: bool = False,
        record: bool = False,
        connect_timeout: float = 10.0,
        table_tokens: int = DEFAULT_TABLE_TOKENS,
        cache: bool = True,
        citations: bool = True,
        replay: bool | None = None,
        store: str | Path | bool | None = None,
        kernel: bool = False,
        auto_run: bool = False,
    ) -> None:
        # Answers are kept (the store) unless store=False; with replay, one kept for the same request is played back
        self.replay = replay if replay is not None else replay_from_environment()
        self.store = (
            None if store is False else AnswerStore(default_path() if store is None or store is True else store)
        )
        if offline:
            base_url, api_key = offline_server().url, OFFLINE_API_KEY
        else:
            api_key = api_key or os.environ.get("ANTHROPIC_API_KEY")
            if not api_key and not (self.replay and self.store is not None):  # replayed answers need no key
                raise MissingAPIKeyError(
                    "No Anthropic API key. Pass Chat(api_key=...), or set ANTHROPIC_API_KEY: in a running notebook "
                    "with %env ANTHROPIC_API_KEY=sk-ant-... (a kernel does not see a variable set in a terminal "
                    "after its server started). To try claude-widget without a key, use Chat(offline=True), which "
                    "streams canned answers from the built-in fake server; to replay answers kept from earlier runs, "
                    "Chat(replay=True)."
                )
        self.options = StreamOptions(model=model, max_tokens=max_tokens, system=system, stall_timeout=stall_timeout,
                                     max_retries=max_retries, thinking=thinking, effort=effort, record=record,
                                     thinking_timeout=thinking_timeout,
                                     tool_timeout=tool_timeout, max_tool_rounds=max_tool_rounds, cache=cache,
                                     citations=citations,
                                     # a function that cannot be described fails here, not mid-conversation
                                     tools=self._tools(tools, kernel, auto_run, api_key))  # fmt: skip
        self.offline = offline
        self.freeze = freeze  # finished answers become plain markdown outputs
        self.table_tokens = checked_table_tokens(table_tokens)  # the budget of a DataFrame's summary
        self.turns: list[Turn] = []
        self._api_key = api_key or None
        self._base_url = base_url
        # No read or total limit (long generations are fine): the stream manager's content watchdog
        # (`stall_timeout`) is what notices a connection that went quiet.
        self._timeout = httpx2.Timeout(connect=connect_timeout, read=None, write=60.0, pool=connect_timeout)
        # An HTTP connection pool belongs to one event loop, so each loop gets its own client (shared with the
        # other chats of the same key and endpoint there: clients.py).
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anthropic.AsyncAnthropic] = (
            weakref.WeakKeyDictionary()
        )

    # -- the options, as they were given -----------------------------------------------------------------
    model: _Option[str] = _Option()
    system: _Option[str | None] = _Option()
    max_tokens: _Option[int | None] = _Option()  # None: what fits the model and its thinking
    stall_timeout: _Option[float] = _Option()
    thinking_timeout: _Option[float | None] = _Option()  # None: the time max_tokens takes at 40 tokens/s, >= 10 min
    max_retries: _Option[int] = _Option()
    thinking: _Option[dict[str, Any] | None] = _Option()
    effort: _Option[Effort | None] = _Option()  # None: the model's default
    tools: _Option[dict[str, Tool]] = _Option()
    tool_timeout: _Option[float] = _Option()
    max_tool_rounds: _Option[int] = _Option()
    record: _Option[bool] = _Option()  # keep each answer's raw events, for w.save_recording()
    cache: _Option[bool] = _Option()  # prompt caching of the conversation's prefix (on by default)
    citations: _Option[bool] = _Option()  # the sources of what an answer takes from documents (on by default)

    @staticmethod
    def _tools(functions: list[Callable[..., Any]] | None, kernel: bool, auto_run: bool,
               api_key: str | None) -> dict[str, Tool]:  # fmt: skip
        """The user's functions as tools; with `kernel`, the tools that give Claude this kernel besides, each
        `run_python` call waiting for the user's Run (declined where nobody can click) unless `auto_run`."""
        tools = tools_from(functions)
        if not kernel:
            if auto_run:
                raise ValueError("auto_run=True runs Claude's code in this kernel, so it needs Chat(kernel=True)")
            return tools
        given = kernel_tools(asks=None if auto_run else nobody_to_click, redact=Redactor([api_key or ""]))
        if tools.keys() & given.keys():
            raise ToolDefinitionError(f"kernel=True gives Claude tools named {sorted(given)}: rename your "
                                      f"{sorted(tools.keys() & given.keys())[0]!r}")  # fmt: skip
        return tools | given

    def __repr__(self) -> str:
        mode = "offline" if self.offline else "online"
        return f"Chat(model={self.model!r}, {mode}, turns={len(self.turns)})"

    # -- the conversation ------------------------------------------------------------------------------
    @property
    def history(self) -> list[dict[str, Any]]:
        """The conversation as the API sees it: every prompt and every (possibly interrupted) answer."""
        return [message for turn in self.turns for message in turn.messages()]

    @property
    def usage(self) -> dict[str, int]:
        """Tokens billed across every turn (retries and continuations included)."""
        return sum((turn.answer.usage for turn in self.turns), Usage()).as_dict()

    @property
    def cost(self) -> float | None:
        """USD across every turn, each request at its own rates (None for a model without a known price)."""
        return total_cost(turn.answer.cost for turn in self.turns)

    def inject_fault(self, fault: str) -> None:
        """Offline only: make the next answer fail, to show a failure and the recovery live.

        `fault` is one of `rate_limit`, `overloaded`, `mid_stream_error`, `drop`, `reset`, `stall` or
        `ping_stall` (for the stalls, a short `stall_timeout` keeps the demo brisk).
        """
        if not self.offline:
            raise RuntimeError("inject_fault() works with Chat(offline=True) only: it scripts the built-in fake server")
        offline_server().inject(fault)

    def reset(self) -> None:
        """Forget the conversation (a turn still streaming is stopped)."""
        self._stop_current()
        self.turns.clear()

    def send(self, prompt: str, *objects: object, table_tokens: int | None = None,
             effort: Effort | None = None) -> ChatWidget:  # fmt: skip
        """Ask Claude; returns the widget at once while the answer streams into it.

        `objects` go with the question, in order, before its text: a pandas or polars DataFrame or Series as a
        summary of at most `table_tokens` tokens (default: the chat's `table_tokens`); a matplotlib figure, a
        Pillow image or image bytes as an image; a path (a `Path`, or a string) as the file's content. Anything
        else raises `TypeError`, and a file or image that cannot be sent a clear error, before anything is sent.
        `effort` ("low" … "max") sets the chat's effort for this question alone.

        A turn of this chat still streaming is stopped first; it stays in the history, marked as interrupted.
        """
        return self._ask(prompt, objects, table_tokens, effort, "send")

    def _ask(self, prompt: str, objects: tuple[object, ...], table_tokens: int | None, effort: Effort | None,
             source: Source) -> ChatWidget:  # fmt: skip
        prompt = checked_prompt(prompt)
        options = self._options_with(effort)
        attachments = self._attach(objects, table_tokens)
        content = user_content(prompt, attachments)
        self._stop_current()
        return self._send_messages([*self.history, {"role": "user", "content": content}], prompt, content,
                                   [a.chip() for a in attachments], options, source)  # fmt: skip

    def _options_with(self, effort: Effort | None) -> StreamOptions:
        """The chat's options, with a question's own effort (checked for the model: a ValueError if refused)."""
        return self.options if effort is None else replace(self.options, effort=effort)

    def _send_messages(self, messages: list[dict[str, Any]], prompt: str,
                       content: str | list[dict[str, Any]] | None = None,
                       chips: list[dict[str, str]] | None = None,
                       options: StreamOptions | None = None, source: Source = "send") -> ChatWidget:  # fmt: skip
        answer = self._answer(messages, prompt, chips or [], options or self.options, source)
        self.turns.append(Turn(prompt, answer, content=None if content == prompt else content))
        widget = ChatWidget(answer, offline=self.offline, freeze_when_done=self.freeze, attachments=chips or [],
                            turn=len(self.turns))  # fmt: skip
        global _last_answer
        _last_answer = weakref.ref(widget)
        return widget

    def _answer(self, messages: list[dict[str, Any]], prompt: str, chips: list[dict[str, str]],
                options: StreamOptions, source: Source) -> Answer:  # fmt: skip
        """The answer to `messages`: replayed where the store keeps one and replay is on, else asked; kept."""
        if self.store is None:
            return Answer(self._manager(messages, options))
        return kept_answer(self.store, messages, options, replay=self.replay, offline=self.offline,
                           client=self._client_or_none(), ask=lambda: self._manager(messages, options),
                           prompt=prompt, chips=chips, source=source)  # fmt: skip

    def stream(self, prompt: str, *objects: object, table_tokens: int | None = None) -> StreamManager:
        """A not yet started `StreamManager` for `prompt` (and `objects`, as with `send`) after this chat's
        history: the engine without a widget. It is not added to the history (use `send` for a conversation).
        """
        prompt = checked_prompt(prompt)
        content = user_content(prompt, self._attach(objects, table_tokens))
        return self._manager([*self.history, {"role": "user", "content": content}])

    def map(self, items: object, *, prompt: Prompt = None, schema: object = None, batch: bool = False,
            concurrency: int | None = None, max_cost: float | None = None,
            effort: Effort | None = None) -> MapJob:  # fmt: skip
        """Ask one question per item, many at once; returns the job at once (`await job` for the results).

        Each item (a string, a dict or DataFrame row, or a tuple of text and objects as `send` takes them) is
        its own request on top of this chat's system prompt and history, which do not grow. `prompt` is a
        template ("Classify: {}", "{title}: {body}") or a function of the item; `schema` a pydantic model or a
        JSON schema dict, for structured results. `concurrency` caps the requests in flight (the job finds the
        rate limit's level below it); `max_cost` (USD) stops starting items once it would be passed.

        `batch=True` sends the items through the Message Batches API instead: half the price, answered within 24
        hours (most within the hour); `job.batch_ids` names the batches, and `chat.collect(batch_ids)` gets their
        results in another kernel. `max_cost` then counts each item at its worst (all of `max_tokens`).
        `effort` sets the chat's effort for this job's questions.
        """
        found = questions(items_of(items), prompt)
        if max_cost is not None and pricing_for(self.model) is None:
            raise ValueError(
                f"max_cost needs the model's price, and {self.model!r} has none in claude_widget.api.models"
            )
        job = MapJob(self._snapshot(), found, schema=output_schema(schema) if schema is not None else None,
                     concurrency=concurrency, max_cost=max_cost, batch=batch, effort=effort,
                     show=JobWidget)  # fmt: skip
        if in_script():
            ScriptProgress(job)  # no widget to show it in
        return job

    def collect(self, batch_ids: str | list[str], items: object = None, *, prompt: Prompt = None,
                schema: object = None) -> MapJob:  # fmt: skip
        """The results of batches made by `map(..., batch=True)`, perhaps in another kernel (a restart never loses
        a paid batch): a job that follows them until they end. Give the same `items` (and `prompt`) to see each
        result beside its input; without them, the inputs are unknown (None)."""
        ids = [batch_ids] if isinstance(batch_ids, str) else list(batch_ids)
        if not ids or not all(isinstance(i, str) and i for i in ids):
            raise ValueError(f"collect() takes a batch id or a list of them (job.batch_ids), got {batch_ids!r:.80}")
        found = questions(items_of(items), prompt) if items is not None else self._unknown_items(ids)
        job = MapJob(self._snapshot(), found, schema=output_schema(schema) if schema is not None else None,
                     batch=True, batch_ids=ids, collecting=True, items_unknown=items is None,
                     show=JobWidget)  # fmt: skip
        if in_script():
            ScriptProgress(job)
        return job

    def _unknown_items(self, batch_ids: list[str]) -> list[Question]:
        """As many placeholder items as the batches hold requests (asked of the API)."""
        loop = stream_loop()
        total = asyncio.run_coroutine_threadsafe(requests_in(self._client_for(loop), batch_ids), loop).result(60)
        return [Question(i, None, "(unknown)") for i in range(total)]

    def _snapshot(self) -> ChatSnapshot:
        """What a map job takes of the chat, as it is now (the job reads no Chat)."""
        keeping = ItemKeeping.here(self.store, replay=self.replay, offline=self.offline) if self.store else None
        return ChatSnapshot(client_for=self._client_for, options=self.options, history=tuple(self.history),
                            table_tokens=self.table_tokens, offline=self.offline, keeping=keeping)  # fmt: skip

    def _attach(self, objects: tuple[object, ...], table_tokens: int | None) -> list[Attachment]:
        budget = self.table_tokens if table_tokens is None else checked_table_tokens(table_tokens)
        return [attach(obj, table_tokens=budget) for obj in objects]

    def _stop_current(self) -> None:
        if self.turns and not self.turns[-1].answer.stream.done:
            turn = self.turns[-1]
            turn.answer.stream.cancel()
            turn.answer.join(STOP_WAIT)
            turn.settled = turn.answer.history_messages()  # what the next request is built on

    def _manager(self, messages: list[dict[str, Any]], options: StreamOptions | None = None) -> StreamManager:
        return StreamManager(self._client_for(stream_loop()), options or self.options, messages)

    def _client_or_none(self) -> anthropic.AsyncAnthropic | None:
        """The client on the stream loop, or None without a key (only a replaying chat has none)."""
        return self._client_for(stream_loop()) if self._api_key is not None else None

    def _client_for(self, loop: asyncio.AbstractEventLoop) -> anthropic.AsyncAnthropic:
        if self._api_key is None:
            raise MissingAPIKeyError("This request is not in the answer store, and without an Anthropic API key Claude "
                                     "cannot be asked: pass Chat(api_key=...) or set ANTHROPIC_API_KEY.")  # fmt: skip
        client = self._clients.get(loop)
        if client is None:
            # The SDK's own retries are invisible to the user; the stream manager retries visibly instead.
            client = shared_client(loop, self._api_key, self._base_url, max_retries=0, timeout=self._timeout)
            self._clients[loop] = client
        return client


def replay(recording: str | Path, speed: float = 1.0) -> ChatWidget:
    """Replay a recorded answer in a widget, at its original pace (or `speed` times faster), through the
    built-in fake server and the real SDK. `recording` is a file saved with `w.save_recording(path)` or the
    name of a recording shipped with the package (`claude_widget.recording.shipped()`)."""
    data = recording_module.load(recording)
    chat = Chat(model=data["model"], system=data.get("system"), offline=True)
    offline_server().enqueue(*recording_module.replays(data, speed))
    return chat._send_messages(data["messages"], recording_module.last_prompt(data), data["messages"][-1]["content"])


def last_answer() -> ChatWidget | None:
    """The newest answer any chat of this kernel was asked for, while it is alive."""
    return _last_answer() if _last_answer is not None else None


def offline_server() -> FakeAnthropic:
    """The process-wide fake server behind `Chat(offline=True)`, started on first use."""
    global _offline_server
    with _offline_lock:
        if _offline_server is None:
            _offline_server = demo_server().start()  # the demo's answers, at its pace (fake_server/demo.py)
        return _offline_server
