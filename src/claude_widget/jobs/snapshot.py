"""What a map job takes from its chat: a value made when the job is, so that the job reads no `Chat` (the client
factory is the chat's: clients are shared per key and loop, engine/clients.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anthropic

from ..context.attachments import attach, user_content
from ..engine.options import StreamOptions
from ..store.items import ItemKeeping
from .ledger import ItemLedger
from .questions import Question

INPUT_ERRORS = (TypeError, ValueError, OSError)  # an item's object that cannot be sent: that item fails


@dataclass(frozen=True)
class ChatSnapshot:
    """The chat as a job found it: a client for a loop, the options, the history every item's request goes on
    top of (it does not grow), the budget of a table's summary, whether the built-in fake server answers, and how
    its items' answers are kept."""

    client_for: Callable[[asyncio.AbstractEventLoop], anthropic.AsyncAnthropic]
    options: StreamOptions
    history: tuple[dict[str, Any], ...]  # the API's messages, as JSON
    table_tokens: int
    offline: bool = False
    keeping: ItemKeeping | None = None  # where its items' answers are kept (and replayed from); None: not kept

    @property
    def model(self) -> str:
        return self.options.model

    def messages(self, question: Question) -> list[dict[str, Any]]:
        """An item's request messages: the history, then its question with its objects attached. One of
        `INPUT_ERRORS` if an object cannot be sent."""
        attached = [attach(obj, table_tokens=self.table_tokens) for obj in question.objects]
        return [*self.history, {"role": "user", "content": user_content(question.text, attached)}]

    def text_request(self, question: Question) -> dict[str, Any]:
        """An item's request without its objects: what an estimate of its input tokens is made from."""
        return self.options.request([*self.history, {"role": "user", "content": question.text}])


def answer_from_store(chat: ChatSnapshot, ledger: ItemLedger) -> None:
    """With replay on, every queued item whose request the store keeps an answer for is answered from it (and kept
    in the ledger as a replay): only the rest is sent."""
    keeping = chat.keeping
    if keeping is None or not keeping.replay:
        return
    fingerprints = {}
    for index in ledger.indices("queued"):
        try:
            messages = chat.messages(ledger.questions[index])
        except INPUT_ERRORS:
            continue  # the runner fails it, saying why
        fingerprints[index] = keeping.fingerprint(chat.options.request(messages))
    found = keeping.found(fingerprints)
    for index, answer in sorted(found.items()):
        ledger.replayed(index, answer.text, answer.stop_reason, answer.cost)
    keeping.keep_replayed([(fingerprints[i], ledger.questions[i].text, answer) for i, answer in found.items()])
