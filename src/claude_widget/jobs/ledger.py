"""A map job's items: each one's question, state, result or error, usage and cost, and their sums.

Both runners (streamed.py, batched.py) write here, and only here; the job and its progress read it. The sums are
kept as items change, so that progress costs the same for 100 items or 100,000. Changed on the streams' loop;
`usage` and `cost` may be read from any thread.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from ..engine.usage import Usage
from .questions import Question
from .schemas import OutputSchema, SchemaMismatch

log = logging.getLogger("claude_widget")
ItemState = Literal["queued", "running", "done", "failed", "stopped"]
STATES: tuple[ItemState, ...] = ("done", "failed", "running", "queued", "stopped")


@dataclass(frozen=True)
class ItemError:
    """Why an item failed: its kind (the API error's type, or schema, max_tokens, bad_input, expired, internal)
    and what to tell the user."""

    kind: str
    message: str


class Metered(Protocol):
    """What an item in flight has cost so far (a `StreamManager` is one)."""

    @property
    def usage(self) -> Mapping[str, int]: ...

    @property
    def cost(self) -> float | None: ...


class ItemLedger:
    """The items of one job, in input order. An item's end tells the listeners; starting, closing and reopening
    items do not (the runner tells them once, after starting a whole batch)."""

    def __init__(self, questions: list[Question], *, schema: OutputSchema | None, token_limit: int,
                 collecting: bool = False, items_unknown: bool = False) -> None:  # fmt: skip
        n = len(questions)
        self.questions = questions
        self.items_unknown = items_unknown  # collected without its items: the questions are placeholders
        self.schema = schema
        self.token_limit = token_limit  # max_tokens of every request (an answer cut there fails its item)
        self.results: list[Any] = [None] * n  # the answer's text, or an instance of the schema; None until done
        self.errors: dict[int, ItemError] = {}
        self.states: list[ItemState] = ["running" if collecting else "queued"] * n  # collecting: all are in batches
        self.item_usage: list[Usage | None] = [None] * n  # billed per item, over all its attempts
        self.item_cost: list[float | None] = [None] * n  # USD per item, each request at its own rates
        self.batch_ids: list[str] = []  # every batch that holds (or held) items of the job
        self.costed = 0  # items with some usage: what they cost tells what an item costs
        self.from_store = 0  # items answered from the answer store (replay): nothing sent, nothing billed
        self.saved = 0.0  # USD those would have cost, as they cost when they were asked
        self._counts: Counter[str] = Counter(self.states)
        self._billed = Usage()
        self._spent = 0.0  # the items' cost, summed (never the cost of summed usage: a tier is per request)
        self._error_kinds: Counter[str] = Counter()
        self._error_examples: dict[str, str] = {}
        self._frontier = 0  # no item before it is queued, running or stopped (first_unfinished)
        self._live: dict[int, Metered] = {}  # the streams in flight, whose usage counts before they end
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    # -- reading ---------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.states)

    def counts(self) -> dict[ItemState, int]:
        return {state: self._counts[state] for state in STATES}

    def indices(self, *states: ItemState) -> list[int]:
        return [i for i, state in enumerate(self.states) if state in states]

    @property
    def usage(self) -> Usage:
        """Tokens billed so far, over every item (retries, continuations and the streams in flight included)."""
        with self._lock:
            return sum((Usage.of(item.usage) for item in self._live.values()), self._billed)

    @property
    def cost(self) -> float:
        """USD so far, the streams in flight included (0 for what has no known price)."""
        with self._lock:
            return self._spent + sum(item.cost or 0.0 for item in self._live.values())

    @property
    def spent(self) -> float:
        """USD of what has ended."""
        return self._spent

    def first_unfinished(self) -> int | None:
        """The first item (in input order) not done or failed; None when every item is. Cheap however many
        items: the frontier only moves forward, until `reopen()`."""
        n = len(self.states)
        while self._frontier < n and self.states[self._frontier] in ("done", "failed"):
            self._frontier += 1
        return self._frontier if self._frontier < n else None

    def error_kinds(self) -> list[tuple[str, int, str]]:
        """The errors by kind, most frequent first: (kind, count, the latest message)."""
        return [(kind, n, self._error_examples[kind]) for kind, n in self._error_kinds.most_common() if n > 0]

    # -- an item's life --------------------------------------------------------------------------------
    def start(self, index: int, live: Metered | None = None) -> None:
        """An item was sent (`live`: its stream, counted while it runs)."""
        if live is not None:
            with self._lock:
                self._live[index] = live
        self._set_state(index, "running")

    def requeue(self, index: int) -> None:
        """An item goes again later (it was refused: nothing billed)."""
        with self._lock:
            self._live.pop(index, None)
        self._set_state(index, "queued")
        self.changed()

    def answered(self, index: int, text: str, stop_reason: str | None, usage: Usage, cost: float | None) -> None:
        """An item's answer came: its result, or why it is not one (cut at max_tokens, not fitting the schema)."""
        if stop_reason == "max_tokens":
            cut = f"the answer was cut at max_tokens ({self.token_limit}): raise Chat(max_tokens=...)"
            self.end(index, "failed", usage, cost, ItemError("max_tokens", cut))
            return
        try:
            result = self.schema.parse(text) if self.schema is not None else text
        except SchemaMismatch as error:
            self.end(index, "failed", usage, cost, ItemError("schema", str(error)))
            return
        self.results[index] = result
        self.end(index, "done", usage, cost)

    def replayed(self, index: int, text: str, stop_reason: str | None, saved: float | None) -> None:
        """An item answered from the answer store: nothing billed; what it cost when asked is counted as saved."""
        self.from_store += 1
        self.saved += saved or 0.0
        self.answered(index, text, stop_reason, Usage(), 0.0)

    def end(self, index: int, state: ItemState, usage: Usage | None = None, cost: float | None = None,
            error: ItemError | None = None) -> None:  # fmt: skip
        """An item ended (or its attempt did: "stopped" before a resume); what it was billed is added."""
        with self._lock:
            self._live.pop(index, None)
            if usage is not None:
                self._bill(index, usage, cost)
        self._set_state(index, state)
        if error is not None:
            self._set_error(index, error)
        self.changed()

    # -- the whole job ---------------------------------------------------------------------------------
    def fail_unfinished(self, error: ItemError) -> None:
        """Every item queued or running fails with `error` (the job cannot go on)."""
        with self._lock:
            self._live.clear()
        for index in self.indices("queued", "running"):
            self._set_state(index, "failed")
            self._set_error(index, error)
        self.changed()

    def close(self) -> None:
        """The job ended: what never ran (or never came back from a batch) is marked as not run."""
        with self._lock:
            self._live.clear()
        for index in self.indices("queued", "running"):
            self._set_state(index, "stopped")

    def reopen(self) -> None:
        """For a resume: what failed or was not run is queued again, its error forgotten."""
        for index in self.indices("failed", "stopped"):
            self._set_state(index, "queued")
            self._set_error(index, None)
        self._frontier = 0

    def grow(self, n: int) -> None:
        """More items than expected (collecting without them): placeholders up to `n`, in the batches."""
        for i in range(len(self.questions), n):
            self.questions.append(Question(i, None, "(unknown)"))
            self.results.append(None)
            self.states.append("running")
            self._counts["running"] += 1
            self.item_usage.append(None)
            self.item_cost.append(None)

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def changed(self) -> None:
        for listener in self._listeners:
            try:
                listener()
            except Exception:  # a listener's failure must not stop the job (nor leave wait() hanging)
                log.exception("claude_widget: a map job's listener failed")

    # -- every change of an item's state, error or usage goes through these -----------------------------
    def _set_state(self, index: int, state: ItemState) -> None:
        self._counts[self.states[index]] -= 1
        self._counts[state] += 1
        self.states[index] = state

    def _set_error(self, index: int, error: ItemError | None) -> None:
        old = self.errors.pop(index, None)
        if old is not None:
            self._error_kinds[old.kind] -= 1
        if error is not None:
            self.errors[index] = error
            self._error_kinds[error.kind] += 1
            self._error_examples[error.kind] = error.message

    def _bill(self, index: int, usage: Usage, cost: float | None) -> None:
        earlier = self.item_usage[index] or Usage()
        if not any(earlier.values()) and any(usage.values()):
            self.costed += 1  # not a refused item, billed nothing
        self.item_usage[index] = earlier + usage
        self._billed += usage
        if cost is not None:
            self.item_cost[index] = (self.item_cost[index] or 0.0) + cost
            self._spent += cost
