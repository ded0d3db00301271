"""A map job's items as streams: many in flight at once, each its own request on top of the chat's history.

Each item is a `StreamManager`, so it gets the engine's fault handling (retries with backoff, continuation after a
drop); a failed item does not stop the job. How many are in flight is `AdaptiveConcurrency`'s call
(concurrency.py), told of every 429 / 529 and of the rate-limit headers; the job retries refused requests itself,
pacing all of them. Once an item ends, only what the ledger keeps of it is kept: a 100,000-item job holds no
streams it is not running.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import time
from collections import deque

from ..api.models import Pricing
from ..api.pricing import cost_usd
from ..api.request_tokens import estimate_input_tokens
from ..engine.errors import REFUSALS, MissingAPIKeyError, StreamError
from ..engine.stream import StreamManager
from ..engine.usage import Usage
from .concurrency import AdaptiveConcurrency
from .ledger import ItemError, ItemLedger, ItemState
from .snapshot import INPUT_ERRORS, ChatSnapshot

log = logging.getLogger("claude_widget")
MAX_REFUSALS = 20  # times one item may be refused (429 / 529) before it fails


class StreamedRun:
    """Starts a job's queued items as streams, as many at once as the rate limit allows and `max_cost` affords;
    writes how each ended to the ledger. One per job: what it learnt of the rate limit outlives a resume."""

    def __init__(self, chat: ChatSnapshot, ledger: ItemLedger, *, ceiling: int, max_cost: float | None,
                 pricing: Pricing | None) -> None:  # fmt: skip
        self.chat = chat
        self.ledger = ledger
        self.concurrency = AdaptiveConcurrency(ceiling)
        self.max_cost = max_cost
        self.pricing = pricing
        self.refusals = 0  # 429s and 529s met (each refused item goes again after its wait)
        self.stopping = False  # set from any thread by the job's stop(): read before anything starts
        self.over_budget = False  # the next item would have passed max_cost
        self._running: dict[int, StreamManager] = {}
        self._queue: deque[int] = deque()  # the items to start, in order
        self._retries: list[tuple[float, int]] = []  # refused items, a heap by when they may go again (retry-after)
        self._refused: dict[int, int] = {}  # how often each item was refused
        self._token_estimates: dict[int, int] = {}  # items' input tokens, about (for the input-token budget)
        self._wake: asyncio.Event | None = None
        self._followers: set[asyncio.Future[None]] = set()

    async def run(self, loop: asyncio.AbstractEventLoop) -> None:
        """Until every queued item has ended, or the job is stopped or out of budget."""
        self._wake = asyncio.Event()
        self.over_budget = False
        self._refused.clear()
        queue = self._queue = deque(self.ledger.indices("queued"))
        try:
            while queue or self._retries or self._running:
                now = time.monotonic()
                while not self.stopping and not self.over_budget:
                    index = self._due(now)
                    if index is None or self._learning_cost():
                        break
                    tokens = self._input_tokens(index)
                    if not self.concurrency.may_start(len(self._running), now, tokens):
                        break
                    if not self._affordable(index):
                        self.over_budget = True
                        break
                    self._launch(self._take(index), loop, tokens)
                if not self._running and (self.stopping or self.over_budget or not (queue or self._retries)):
                    break
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._wait(now))
        except Exception as error:  # a bug of ours: say so on every item left, and stop what runs
            log.exception("claude_widget: a map job failed")
            self.cancel()
            self.ledger.fail_unfinished(ItemError("internal", f"the job stopped on an unexpected error: {error!r}"))
        finally:
            self._retries.clear()

    def cancel(self) -> None:
        """Close the streams in flight (on the loop); what finished is kept."""
        for manager in list(self._running.values()):
            manager.cancel()
        if self._wake is not None:
            self._wake.set()

    # -- what starts next ------------------------------------------------------------------------------
    def _due(self, now: float) -> int | None:
        """The next item to start: a refused one whose wait is over, else the next in order (None: none yet)."""
        if self._retries and self._retries[0][0] <= now:
            return self._retries[0][1]
        return self._queue[0] if self._queue else None

    def _take(self, index: int) -> int:
        if self._retries and self._retries[0][1] == index:
            heapq.heappop(self._retries)
        else:
            self._queue.popleft()
        return index

    def _wait(self, now: float) -> float | None:
        """How long nothing can start (None: until an item ends)."""
        times = [self._retries[0][0]] if self._retries else []
        index = self._due(now)
        ready = self.concurrency.ready_at(now, self._input_tokens(index)) if index is not None else now
        if ready > now:  # held back by a per-minute budget (else by the number in flight: an end wakes us)
            times.append(ready)
        return max(0.0, min(times) - now) if times else None

    def _input_tokens(self, index: int) -> int:
        """About how many input tokens an item's request is, once the API has stated an input-token budget."""
        if "input-tokens" not in self.concurrency.budgets:
            return 0
        if index not in self._token_estimates:
            self._token_estimates[index] = estimate_input_tokens(self.chat.text_request(self.ledger.questions[index]))
        return self._token_estimates[index]

    def _learning_cost(self) -> bool:
        """With `max_cost`, the first item goes alone: what it costs tells how many more the budget takes."""
        return self.max_cost is not None and bool(self._running) and self.ledger.costed == 0

    def _affordable(self, index: int) -> bool:
        """Whether the spend, what is in flight and this item stay within `max_cost`, each item costing about what
        the finished ones did. Until one has finished, items go one at a time, estimated at their input alone."""
        if self.max_cost is None or self.pricing is None:
            return True
        spent, costed = self.ledger.spent, self.ledger.costed
        if costed:
            return spent + spent / costed * (len(self._running) + 1) <= self.max_cost
        tokens = estimate_input_tokens(self.chat.text_request(self.ledger.questions[index]))
        return spent + (cost_usd(Usage(input_tokens=tokens), self.pricing) or 0.0) <= self.max_cost

    # -- an item's stream ------------------------------------------------------------------------------
    def _launch(self, index: int, loop: asyncio.AbstractEventLoop, tokens: int = 0) -> None:
        try:
            messages = self.chat.messages(self.ledger.questions[index])
        except INPUT_ERRORS as error:
            self._end(index, "failed", error=ItemError("bad_input", str(error)))
            return
        try:
            client = self.chat.client_for(loop)
        except MissingAPIKeyError as error:  # replaying without a key, and this item is not in the store
            self._end(index, "failed", error=ItemError("no_key", str(error)))
            return
        manager = StreamManager(client, self.chat.options, messages)
        keeping = self.chat.keeping
        if keeping is not None:  # its answer goes into the store when it ends
            fingerprint = keeping.fingerprint(self.chat.options.request(messages))
            keeping.keep_stream(manager, fingerprint, self.ledger.questions[index].text)
        self._running[index] = manager
        self.ledger.start(index, manager)
        self.concurrency.started(time.monotonic(), tokens)
        manager.start(loop)
        follower = asyncio.ensure_future(self._follow(index, manager))
        self._followers.add(follower)  # a task must be referenced until it ends
        follower.add_done_callback(self._followers.discard)
        self.ledger.changed()

    async def _follow(self, index: int, manager: StreamManager) -> None:
        try:
            await self._settle(index, manager)
        except Exception as error:  # a bug of ours, or a schema's validator that raised: this item fails, not the job
            log.exception("claude_widget: a map job's item %d failed", index)
            self._end(index, "failed", manager, ItemError("internal", repr(error)))

    async def _settle(self, index: int, manager: StreamManager) -> None:
        """An item's stream has ended: its result, its requeue, or its failure."""
        try:
            text = await manager.wait_async()
        except StreamError as error:
            if error.error.get("kind") in REFUSALS and not error.text and self._refused.get(index, 0) < MAX_REFUSALS:
                self._requeue(index, error.error.get("retry_after"))
            else:
                self._end(index, "failed", manager, ItemError(error.error.get("kind", "error"), str(error)))
            return
        if manager.status == "stopped":
            self._end(index, "stopped", manager)
            return
        self.concurrency.succeeded()
        self.concurrency.observed(manager.rate_limits, time.monotonic())
        self._running.pop(index, None)
        self.ledger.answered(index, text, manager.stop_reason, Usage.of(manager.usage), manager.cost)
        self._wake_up()

    def _requeue(self, index: int, retry_after: float | None) -> None:
        """The API refused an item (429 or 529): fewer in flight, and the item goes again after its wait."""
        self.refusals += 1
        self._refused[index] = self._refused.get(index, 0) + 1
        self.concurrency.refused(len(self._running))
        wait = retry_after if retry_after is not None else self.chat.options.backoff.delay(self._refused[index] - 1)
        heapq.heappush(self._retries, (time.monotonic() + wait, index))
        self._running.pop(index, None)
        self.ledger.requeue(index)
        self._wake_up()

    def _end(self, index: int, state: ItemState, manager: StreamManager | None = None,
             error: ItemError | None = None) -> None:  # fmt: skip
        self._running.pop(index, None)
        usage = Usage.of(manager.usage) if manager is not None else None
        self.ledger.end(index, state, usage, manager.cost if manager is not None else None, error)
        self._wake_up()

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.set()
