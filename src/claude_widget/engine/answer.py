"""A question's answer across the streams that make it: the first (perhaps a replay of a kept answer), then a
Retry's fresh start, a Continue's continuation in place, or asking again what was replayed. A conversation's turn
holds it; a widget shows its current stream; which actions make sense now is its answer (`offers`), and carrying
one out gives the widget the next stream to show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..api.pricing import total_cost
from .errors import MissingAPIKeyError
from .replayed import ReplayedStream
from .stream import StreamManager
from .usage import Usage

Action = Literal["retry", "continue", "ask_again"]


class Answer:
    """`fingerprint`: the request's, where answers are kept (store/); `on_stream` is told of each stream made for
    the answer, the first included, before it starts (the store keeps each when it ends)."""

    def __init__(self, stream: StreamManager, *, fingerprint: str | None = None,
                 on_stream: Callable[[StreamManager], None] | None = None) -> None:  # fmt: skip
        self.stream = stream  # the current one: the widget shows it, the history is built from it
        self.fingerprint = fingerprint
        self.changed: str | None = None  # what changed in its attachments since the same question's last answer
        self._on_stream = on_stream
        if on_stream is not None:
            on_stream(stream)
        # What the streams a Retry replaced were billed (a continuation carries its predecessor's attempts).
        self._earlier_usage = Usage()
        self._earlier_costs: list[float | None] = []
        self._history: tuple[StreamManager, list[dict[str, Any]]] | None = None  # of a finished stream, kept

    def offers(self) -> dict[Action, bool]:
        """Which actions make sense now; the same predicates decide whether an intent is carried out."""
        stream = self.stream
        return {
            "retry": stream.status == "error",
            "continue": stream.status == "done"
            and stream.stop_reason == "max_tokens"
            and bool(stream.text.strip())
            and stream.client is not None,
            "ask_again": isinstance(stream, ReplayedStream) and stream.status in ("done", "stopped"),
        }

    def next_stream(self, action: Action) -> StreamManager:
        """The unstarted stream that carries out `action` (which `offers` must allow), now the current one."""
        if not self.offers()[action]:
            raise RuntimeError(f"cannot {action} an answer whose status is {self.stream.status!r}")
        previous = self.stream
        if action == "continue":
            self.stream = StreamManager.continuing(previous)
        elif previous.client is None:
            raise MissingAPIKeyError("No Anthropic API key, so Claude cannot be asked: this answer was replayed from "
                                     "the answer store. Pass Chat(api_key=...) or set ANTHROPIC_API_KEY.")  # fmt: skip
        else:  # a Retry's or an Ask again's fresh start
            self._earlier_usage += previous.usage
            self._earlier_costs.append(previous.cost)
            self.stream = StreamManager(previous.client, previous.options, previous.messages)
        if self._on_stream is not None:
            self._on_stream(self.stream)
        return self.stream

    def join(self, timeout: float | None = None) -> bool:
        """Block until the current stream has ended; whether it has."""
        return self.stream.join(timeout)

    @property
    def usage(self) -> Usage:
        """Tokens billed for this answer: every stream's attempts, a Retry's failed ones included."""
        return self._earlier_usage + self.stream.usage

    @property
    def cost(self) -> float | None:
        """USD billed for this answer (None for a model without a known price)."""
        return total_cost([*self._earlier_costs, self.stream.cost])

    def history_messages(self) -> list[dict[str, Any]]:
        """The answer as it goes into the conversation's history. A finished stream's is made once and shared by
        every later request (a conversation's memory grows with its length, not with its square)."""
        stream = self.stream
        if self._history is not None and self._history[0] is stream:
            return self._history[1]
        messages = stream.history_messages()
        if stream.done:
            self._history = (stream, messages)
        return messages


@dataclass
class Turn:
    """A question and its answer (the engine's: whatever shows it holds the answer, not the other way round)."""

    prompt: str
    answer: Answer
    settled: list[dict[str, Any]] | None = None  # the history as sent on, once a later turn superseded this one
    content: str | list[dict[str, Any]] | None = None  # the user message as sent, if more than the prompt

    def __post_init__(self) -> None:
        # Made once: every later request of the conversation refers to this one (its memory grows linearly).
        self.question = {"role": "user", "content": self.prompt if self.content is None else self.content}

    def messages(self) -> list[dict[str, Any]]:
        answer = self.settled if self.settled is not None else self.answer.history_messages()
        return [self.question, *answer]
