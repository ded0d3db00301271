"""A map job's items and the answer store: each item's answer is kept (streamed or batched), and with replay on an
item whose request the store keeps an answer for is answered from it, before anything is sent: a re-run job asks
only for what is missing, and a job stopped by a kernel restart goes on where it stopped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine.replayed import kept_message
from ..engine.stream import StreamManager
from ..engine.usage import Usage
from . import where
from .answer_store import AnswerStore, Found
from .fingerprint import fingerprint, question_label
from .keeping import Asked, keep, row


@dataclass(frozen=True)
class ItemKeeping:
    """How a job keeps its items' answers: in `store`, replayed when `replay`, as asked from `notebook`'s `cell`."""

    store: AnswerStore
    replay: bool
    offline: bool
    notebook: str | None
    cell: str | None

    @classmethod
    def here(cls, store: AnswerStore, *, replay: bool, offline: bool) -> ItemKeeping:
        """For a job made now, in the running cell."""
        return cls(store, replay, offline, where.notebook(), where.cell())

    def fingerprint(self, request: Mapping[str, Any]) -> str:
        return fingerprint(request, offline=self.offline)

    def found(self, fingerprints: dict[int, str]) -> dict[int, Found]:
        """The items (by index) whose answers the store keeps, with replay on; none without."""
        if not self.replay or not fingerprints:
            return {}
        kept = self.store.find_many(list(set(fingerprints.values())))
        return {index: kept[f] for index, f in fingerprints.items() if f in kept}

    def keep_stream(self, stream: StreamManager, request_fingerprint: str, question: str) -> None:
        """Keep an item's stream (not yet started) when it ends."""
        keep(self.store, self._asked(request_fingerprint, question), stream)

    def keep_result(self, request_fingerprint: str, question: str, *, model: str, content: list[dict[str, Any]],
                    text: str, stop_reason: str | None, usage: Usage, cost: float | None) -> None:  # fmt: skip
        """Keep an item's answer that came whole (a batch's result)."""
        asked = self._asked(request_fingerprint, question)
        self.store.add(row(asked, model=model, status="done", stop_reason=stop_reason, usage=usage, cost=cost,
                           text=text), kept_message(content, stop_reason))  # fmt: skip

    def keep_replayed(self, replayed: list[tuple[str, str, Found]]) -> None:
        """Items answered from the store, each (its fingerprint, its question, what was found): in the ledger as
        replays (nothing billed; what each saved), in one transaction."""
        self.store.add_many([
            (row(self._asked(f, question), model=found.model, status="done", stop_reason=found.stop_reason,
                 usage=Usage(), cost=0.0, text=found.text, saved=found.cost, replayed=True), None)
            for f, question, found in replayed
        ])  # fmt: skip

    def _asked(self, request_fingerprint: str, question: str) -> Asked:
        return Asked(request_fingerprint, question_label(question), "map", self.notebook, self.cell,
                     offline=self.offline)  # fmt: skip
