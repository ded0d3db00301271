"""Keeping answers: a question's answer is replayed where the store keeps one for the same request (and replay is
on), else asked; each of its streams goes into the store when it ends, finished, stopped or failed (a replay is
kept as one: what it saved, not what it cost)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import anthropic

from ..engine.answer import Answer
from ..engine.errors import MissingAPIKeyError
from ..engine.events import Finished, StreamEvent
from ..engine.options import StreamOptions
from ..engine.replayed import ReplayedStream, kept_turn
from ..engine.stream import StreamManager
from ..engine.usage import Usage
from . import where
from .answer_store import AnswerStore
from .fingerprint import fingerprint as request_fingerprint
from .fingerprint import question_label, what_changed, without_attachments

Source = Literal["send", "magic", "map"]


@dataclass(frozen=True)
class Asked:
    """What the store keeps of a question, made once when it is asked."""

    fingerprint: str
    question: str  # in short (fingerprint.question_label)
    source: Source
    notebook: str | None
    cell: str | None
    question_key: str | None = None  # the fingerprint without the attachments (fingerprint.without_attachments)
    attached: tuple[str, ...] = ()  # the attachments' chip labels
    offline: bool = False  # answered by the built-in fake server, which bills nothing

    @classmethod
    def here(cls, fingerprint: str, question: str, source: Source, *, question_key: str | None = None,
             attached: tuple[str, ...] = (), offline: bool = False) -> Asked:  # fmt: skip
        """Asked now, in the running cell."""
        return cls(fingerprint, question, source, where.notebook(), where.cell(), question_key, attached, offline)

    def what_changed(self, store: AnswerStore) -> str | None:
        """Said beside an answer asked again only because what it attached changed since the same cell's last."""
        if self.question_key is None or not self.attached:
            return None
        previous = store.previous(self.question_key, self.notebook, self.cell)
        if previous is None or previous["fingerprint"] == self.fingerprint:
            return None
        return what_changed(previous["attached"], self.attached)


def kept_answer(store: AnswerStore, messages: list[dict[str, Any]], options: StreamOptions, *, replay: bool,
                offline: bool, client: anthropic.AsyncAnthropic | None, ask: Callable[[], StreamManager],
                prompt: str, chips: Sequence[Mapping[str, str]], source: Source) -> Answer:  # fmt: skip
    """The answer to `messages` (the last one `prompt` with the attachments `chips` show): replayed from `store`
    where it keeps one for the same request and `replay` is on, else `ask()`ed (which needs a `client`); each of
    its streams kept in `store` when it ends. An answer asked again only because what it attached changed says
    what changed (`Answer.changed`)."""
    request = options.request(messages)
    fingerprint = request_fingerprint(request, offline=offline)
    found = store.find(fingerprint) if replay else None
    if found is not None:
        stream: StreamManager = ReplayedStream(
            client, options, messages, found.kept, made=found.made, original_cost=found.cost
        )
    elif client is None:
        raise MissingAPIKeyError(
            f"This question is not in the answer store ({store.path}), and without an Anthropic API key Claude "
            "cannot be asked. Pass Chat(api_key=...) or set ANTHROPIC_API_KEY; or run the cell that asked it "
            "once with a key, so that its answer is kept (anything that changes the request, the prompt, an "
            "attached object's data, the model or an earlier question, asks anew)."
        )
    else:
        stream = ask()
    attached = tuple(chip.get("label", "") for chip in chips)
    question_key = request_fingerprint(without_attachments(request, prompt), offline=offline) if chips else None
    asked = Asked.here(fingerprint, question_label(prompt, chips), source, question_key=question_key,
                       attached=attached, offline=offline)  # fmt: skip
    answer = Answer(stream, fingerprint=fingerprint, on_stream=lambda each: keep(store, asked, each))
    answer.changed = asked.what_changed(store) if found is None else None
    return answer


def replay_from_environment() -> bool:
    """CLAUDE_WIDGET_REPLAY=1 turns replay on for every chat of the process (a CI run, papermill, %%claude)."""
    value = os.environ.get("CLAUDE_WIDGET_REPLAY", "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"CLAUDE_WIDGET_REPLAY={value!r}: set it to 1 (replay kept answers) or 0 (ask Claude)")


def keep(store: AnswerStore, asked: Asked, stream: StreamManager) -> None:
    """Have `stream` (not yet started) kept in `store` when it ends."""
    started = time.monotonic()

    def on_event(event: StreamEvent) -> None:
        if isinstance(event, Finished):
            add(store, asked, stream, seconds=time.monotonic() - started)

    stream.subscribe(on_event)


def add(store: AnswerStore, asked: Asked, stream: StreamManager, seconds: float | None = None) -> int | None:
    """Keep an ended stream now; its id in the store (None if it could not be kept)."""
    replay = stream if isinstance(stream, ReplayedStream) else None
    return store.add(
        row(asked, model=stream.model, status=stream.status, stop_reason=stream.stop_reason, usage=stream.usage,
            cost=stream.cost, text=stream.text, seconds=seconds,
            saved=replay.original_cost if replay is not None else None, replayed=replay is not None),
        None if replay is not None else kept_turn(stream),
    )  # fmt: skip


def row(asked: Asked, *, model: str, status: str, stop_reason: str | None, usage: Usage, cost: float | None,
        text: str, seconds: float | None = None, saved: float | None = None,
        replayed: bool = False) -> dict[str, Any]:  # fmt: skip
    """An answer's row in the store (answer_store.COLUMNS)."""
    return {
        "fingerprint": asked.fingerprint, "made": time.time(), "model": model, "question": asked.question,
        "status": status, "stop_reason": stop_reason, "replayed": int(replayed),
        "input_tokens": usage.input_tokens, "output_tokens": usage.output_tokens,
        "cache_read_tokens": usage.cache_read_input_tokens, "cache_write_tokens": usage.cache_creation_input_tokens,
        "cost": 0.0 if asked.offline else cost, "saved": 0.0 if asked.offline else saved, "seconds": seconds,
        "notebook": asked.notebook, "cell": asked.cell,
        "source": asked.source, "text": text, "question_key": asked.question_key,
        "attached": json.dumps(asked.attached, ensure_ascii=False) if asked.attached else None,
    }  # fmt: skip
