"""`chat.map`: one question per item, many in flight at once, each its own request on top of the chat's history.

`MapJob` runs on the streams' loop (loops.py). Each item is a `StreamManager`, so it gets the engine's fault
handling (retries with backoff, continuation after a drop); a failed item does not stop the job. How many are in
flight is `AdaptiveConcurrency`'s call (concurrency.py), told of every 429 / 529 and of the rate-limit headers.
Once an item ends, only its result, its usage and its state are kept: a 100,000-item job holds no streams it is
not running.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import heapq
import logging
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Generator
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from ..api.models import Effort
from ..api.pricing import Billing, priced, pricing_for, request_prices
from ..api.request_tokens import estimate_input_tokens
from ..context.attachments import attach, user_content
from ..engine.errors import REFUSALS, StreamError, classify
from ..engine.loops import call_soon, stream_loop
from ..engine.stream import StreamManager
from ..engine.usage import USAGE_KEYS
from .batched import BatchRun, custom_id
from .concurrency import DEFAULT_CEILING, AdaptiveConcurrency
from .questions import Question
from .schemas import OutputSchema, SchemaMismatch

if TYPE_CHECKING:
    from ..chat import Chat
    from ..widget.job_widget import JobWidget

log = logging.getLogger("claude_widget")
ItemState = Literal["queued", "running", "done", "failed", "stopped"]
MAX_REFUSALS = 20  # times one item may be refused (429 / 529) before it fails


class MapJob:
    """The answers to one question per item. Returns at once; `await job` or `job.wait()` for the results."""

    def __init__(self, chat: Chat, questions: list[Question], *, schema: OutputSchema | None = None,
                 concurrency: int | None = None, max_cost: float | None = None, batch: bool = False,
                 batch_ids: list[str] | None = None, collecting: bool = False, effort: Effort | None = None,
                 items_unknown: bool = False) -> None:  # fmt: skip
        if max_cost is not None and not max_cost > 0:
            raise ValueError(f"max_cost must be a positive number of USD, got {max_cost!r}")
        self.questions = questions
        self.schema = schema
        self.max_cost = max_cost
        self.model = chat.model
        self.offline = chat.offline  # answered by the built-in fake server (the widget says so)
        self.batch = batch  # through the Message Batches API (message_batches.py), at its price
        self.batch_ids: list[str] = list(batch_ids or [])  # every batch the job made (or collects)
        self.items_unknown = items_unknown  # collected without its items: inputs are placeholders
        self.pricing = pricing_for(chat.model)  # None: the model has no known price, and the job no cost
        n = len(questions)
        self.results: list[Any] = [None] * n  # the answer's text, or an instance of the schema; None until done
        self.errors: dict[int, dict[str, str]] = {}  # index -> {"kind", "message"}
        self.states: list[ItemState] = ["running" if collecting else "queued"] * n  # collecting: all are in batches
        self.item_usage: list[dict[str, int] | None] = [None] * n  # billed per item, over all its attempts
        self.item_cost: list[float | None] = [None] * n  # USD per item, each request at its own rates
        # Kept as items change, so that progress costs the same for 100 items or 100,000.
        self._counts: Counter[str] = Counter(self.states)
        self._billed = dict.fromkeys(USAGE_KEYS, 0)  # the items' usage, summed
        self._spent = 0.0  # the items' cost, summed (never the cost of summed usage: a tier is per request)
        self._costed = 0  # items with some usage
        self._error_kinds: Counter[str] = Counter()
        self._error_examples: dict[str, str] = {}
        self.refusals = 0  # 429s and 529s met (each refused item goes again after its wait)
        self.stopped_by: Literal["stop", "max_cost"] | None = None
        self.started_at: float | None = None  # when the current run began (a resume() begins another)
        self.ended_at: float | None = None
        self._earlier_runs = 0.0  # seconds run before the last resume() (the time it sat stopped is not counted)
        self._frontier = 0  # no item before it is queued, running or stopped (first_unfinished)
        self._chat = chat
        self._history = chat.history  # the shared prefix, as it was when the job was made
        # The job retries refused requests itself, pacing all of them (`_requeue`); other faults are the stream's.
        self._options = replace(chat.options, output_schema=schema.json_schema if schema else None,
                                effort=effort or chat.options.effort, retry_refusals=False)  # fmt: skip
        self._concurrency = AdaptiveConcurrency(concurrency if concurrency is not None else DEFAULT_CEILING)
        self._loop = stream_loop()
        self._running: dict[int, StreamManager] = {}
        self._queue: deque[int] = deque()  # the items to start, in order
        self._retries: list[tuple[float, int]] = []  # refused items, a heap by when they may go again (retry-after)
        self._refused: dict[int, int] = {}  # how often each item was refused
        self._token_estimates: dict[int, int] = {}  # items' input tokens, about (for the input-token budget)
        self._wake: asyncio.Event | None = None
        self._followers: set[asyncio.Future[None]] = set()
        self._stopping = False
        self._listeners: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._finished: concurrent.futures.Future[list[Any]] = concurrent.futures.Future()
        self._widget: JobWidget | None = None
        self._batch_run: BatchRun | None = None
        self._display_id: str | None = None
        self._start()

    # -- the user's API -------------------------------------------------------------------------------
    def wait(self, timeout: float | None = None) -> list[Any]:
        """Block until the job has ended (all done, stopped, or at `max_cost`); return `results`."""
        return self._finished.result(timeout)

    def __await__(self) -> Generator[Any, None, list[Any]]:
        return self._wait_and_show().__await__()

    async def _wait_and_show(self) -> list[Any]:
        results = await asyncio.wrap_future(self._finished)
        self._refresh_output()  # from the awaiting cell: what nbclient saves as the job's final output
        return results

    def stop(self) -> None:
        """Close the requests in flight and start no more; what finished is kept. `resume()` goes on."""
        self._stopping = True  # read by the loop before it starts anything
        call_soon(self._loop, self._stop_on_loop)

    def _stop_on_loop(self) -> None:
        for manager in list(self._running.values()):
            manager.cancel()
        if self._batch_run is not None:
            self._batch_run.cancel()  # cancels the batches: what was processed is kept
        if self._wake is not None:
            self._wake.set()

    def resume(self) -> MapJob:
        """Send what is missing or failed (not what succeeded); returns the job, running again."""
        if not self.done:
            raise RuntimeError("the job is still running: stop() it first, or wait for it")
        if self.items_unknown:
            raise RuntimeError("this job was collected without its items: give them, chat.collect(batch_ids, items),"
                               " to send what is missing again")  # fmt: skip
        for i, state in enumerate(self.states):
            if state in ("failed", "stopped"):
                self._set_state(i, "queued")
                self._set_error(i, None)
        self._earlier_runs = self.elapsed
        self._frontier = 0
        self._stopping, self.stopped_by, self.started_at, self.ended_at = False, None, None, None
        self._refused.clear()
        self._finished = concurrent.futures.Future()
        self._start()
        return self

    @property
    def done(self) -> bool:
        return self._finished.done()

    @property
    def resumable(self) -> bool:
        """Whether `resume()` has something to send: the job ended (not at `max_cost`, which would stop it again at
        once) with items not run or failed, and knows its items."""
        counts = self.counts()
        return (self.done and self.stopped_by != "max_cost" and not self.items_unknown
                and counts["stopped"] + counts["failed"] > 0)  # fmt: skip

    @property
    def elapsed(self) -> float:
        """Seconds the job has been running, over all its runs (not the time it sat stopped before a resume())."""
        if self.started_at is None:
            return self._earlier_runs
        return self._earlier_runs + (self.ended_at or time.monotonic()) - self.started_at

    def first_unfinished(self) -> int | None:
        """The first item (in input order) not done or failed; None when every item is. Where the progress shows
        the rows: cheap however many items (the frontier only moves forward, until a resume())."""
        n = len(self.states)
        while self._frontier < n and self.states[self._frontier] in ("done", "failed"):
            self._frontier += 1
        return self._frontier if self._frontier < n else None

    @property
    def state(self) -> Literal["running", "done", "stopped", "max_cost"]:
        if not self.done:
            return "running"
        if self.stopped_by == "stop":
            return "stopped"
        return "max_cost" if self.stopped_by == "max_cost" else "done"

    @property
    def batch_status(self) -> str | None:
        """With batch=True: submitting, then the batches' processing status (in_progress, canceling, ended)."""
        return self._batch_run.status if self._batch_run is not None else None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The loop the job runs on (the streams')."""
        return self._loop

    @property
    def in_flight_limit(self) -> int:
        """How many requests the job keeps in flight now (it adapts to the rate limit)."""
        return self._concurrency.limit

    @property
    def widget(self) -> JobWidget:
        """The job's progress in a notebook: what displaying the job shows."""
        if self._widget is None:
            from ..widget.job_widget import JobWidget

            self._widget = JobWidget(self)
        return self._widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def _ipython_display_(self) -> None:
        """Shown with a display id, so that the saved output ends with the job's last line (and batch ids)."""
        from IPython.display import display

        self._display_id = self._display_id or f"claude-widget-job-{uuid.uuid4().hex}"
        bundle = self._repr_mimebundle_()
        if bundle is not None:
            display(bundle[0], metadata=bundle[1], raw=True, display_id=self._display_id)

    def _refresh_output(self) -> None:
        if self._display_id is None:
            return
        from IPython.display import update_display

        bundle = self._repr_mimebundle_()
        if bundle is not None:
            update_display(bundle[0], metadata=bundle[1], raw=True, display_id=self._display_id)

    def _display_(self) -> JobWidget:
        """marimo's way to ask what to show."""
        return self.widget

    @property
    def usage(self) -> dict[str, int]:
        """Tokens billed so far, over every item (retries and continuations included)."""
        with self._lock:
            running = [m.usage for m in self._running.values()]
            return {key: self._billed[key] + sum(u.get(key, 0) for u in running) for key in USAGE_KEYS}

    @property
    def cost(self) -> float | None:
        """USD so far, at list price (at the batch price with batch=True); None for a model without a price."""
        if self.pricing is None:
            return None
        with self._lock:
            return self._spent + sum(m.cost or 0.0 for m in self._running.values())

    def counts(self) -> dict[str, int]:
        """How many items are done, failed, running, queued, stopped."""
        return {state: self._counts[state] for state in ("done", "failed", "running", "queued", "stopped")}

    def to_pandas(self) -> Any:
        """One row per item: input, answer (or one column per schema field), status, error, tokens, cost."""
        import pandas as pd

        rows = []
        items = zip(self.questions, self.results, self.states, self.item_usage, self.item_cost, strict=True)
        for q, result, state, usage, cost in items:
            row: dict[str, Any] = {"input": q.item}
            if self.schema is None or not self.schema.fields:
                row["answer"] = result
            else:
                fields = result.model_dump() if hasattr(result, "model_dump") else result or {}
                row.update({name: fields.get(name) for name in self.schema.fields})
            error = self.errors.get(q.index)
            row.update(status=state, error=error["message"] if error else None,
                       input_tokens=_input_tokens(usage), output_tokens=(usage or {}).get("output_tokens", 0),
                       cost=cost)  # fmt: skip
            rows.append(row)
        return pd.DataFrame(rows)

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener` (on the streams' loop) whenever an item starts or ends."""
        self._listeners.append(listener)

    def __repr__(self) -> str:
        c = self.counts()
        return f"MapJob({len(self.questions)} items: {c['done']} done, {c['failed']} failed, {c['running']} running)"

    # -- running ---------------------------------------------------------------------------------------
    def _start(self) -> None:
        self.started_at = self.started_at or time.monotonic()
        if self.batch:
            self._batch_run = BatchRun(self)  # before the loop runs: a stop() at once cancels it
        asyncio.run_coroutine_threadsafe(self._run(), self._loop)

    async def _run(self) -> None:
        self._wake = asyncio.Event()
        queue = self._queue = deque(i for i, state in enumerate(self.states) if state == "queued")
        if self.batch:
            await self._run_batches(queue)
            return
        try:
            while queue or self._retries or self._running:
                now = time.monotonic()
                while not self._stopping and not self.stopped_by:
                    index = self._due(now)
                    if index is None or self._learning_cost():
                        break
                    tokens = self._input_tokens(index)
                    if not self._concurrency.may_start(len(self._running), now, tokens):
                        break
                    if not self._affordable(index):
                        self.stopped_by = "max_cost"
                        break
                    self._launch(self._take(index), tokens)
                if not self._running and (self._stopping or self.stopped_by or not (queue or self._retries)):
                    break
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._wait(now))
        except Exception as error:  # a bug of ours: say so on every item left, and stop what runs
            log.exception("claude_widget: a map job failed")
            self._abort(f"the job stopped on an unexpected error: {error!r}")
        finally:
            self._finish()

    def _abort(self, message: str, kind: str = "internal") -> None:
        """Every item not finished fails with `message`; what is in flight is closed."""
        for manager in list(self._running.values()):
            manager.cancel()
        for i, state in enumerate(self.states):
            if state in ("queued", "running"):
                self._end(i, "failed", error={"kind": kind, "message": message})

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
        ready = self._concurrency.ready_at(now, self._input_tokens(index)) if index is not None else now
        if ready > now:  # held back by a per-minute budget (else by the number in flight: an end wakes us)
            times.append(ready)
        return max(0.0, min(times) - now) if times else None

    def _input_tokens(self, index: int) -> int:
        """About how many input tokens an item's request is, once the API has stated an input-token budget."""
        if "input-tokens" not in self._concurrency.budgets:
            return 0
        if index not in self._token_estimates:
            question = {"role": "user", "content": self.questions[index].text}
            self._token_estimates[index] = estimate_input_tokens(self._options.request([*self._history, question]))
        return self._token_estimates[index]

    async def _run_batches(self, queue: deque[int]) -> None:
        """The queued items as batches (message_batches.py); or, for `chat.collect`, the batches given."""
        run = self._batch_run = self._batch_run or BatchRun(self)
        try:
            client = self._chat._client_for(self._loop)
            if not queue and self.batch_ids and "running" in self.states:  # collecting batches made elsewhere
                run.ids = list(self.batch_ids)
                await run.follow(client)
                return
            requests, spent = [], 0.0
            for index in queue:
                content = self._content(index)
                if content is None:
                    continue
                params = self._options.request([*self._history, {"role": "user", "content": content}])
                worst = self._worst_cost(params)
                if self.max_cost is not None and spent + worst > self.max_cost:
                    self.stopped_by = "max_cost"
                    break
                spent += worst
                requests.append({"custom_id": custom_id(index), "params": params})
                self._set_state(index, "running")
            self._changed()
            await run.run(client, requests)
        except Exception as error:  # the batch API refused (a bad key, a request too large), or never answered
            failure = classify(error, base_url=str(self._chat._client_for(self._loop).base_url), model=self.model)
            kept = (
                f" The batches keep running: chat.collect({self.batch_ids!r}) gets their results."
                if self.batch_ids
                else ""
            )
            self._abort(failure.message + kept, failure.kind)
        finally:
            self._finish()

    def _finish(self) -> None:
        """The job has ended: what never ran (or never came back from a batch) is marked as not run."""
        for i, state in enumerate(self.states):
            if state in ("queued", "running"):
                self._set_state(i, "stopped")
        self._retries.clear()
        if self._stopping:
            self.stopped_by = self.stopped_by or "stop"
        self.ended_at = time.monotonic()
        try:
            self._changed()
            self._refresh_output()
        finally:
            self._finished.set_result(self.results)

    def _worst_cost(self, params: dict[str, Any]) -> float:
        """A request's cost if its answer took all of max_tokens (a batch cannot be watched item by item)."""
        tokens = estimate_input_tokens(params)
        return self._estimate({"input_tokens": tokens, "output_tokens": self._options.token_limit})

    def _estimate(self, usage: dict[str, int]) -> float:
        """What a request of this job with this usage would cost (0 for a model without a price)."""
        prices = request_prices(self.pricing, usage, Billing(batch=self.batch))
        return priced(usage, prices) if prices is not None else 0.0

    def _content(self, index: int) -> str | list[dict[str, Any]] | None:
        """An item's user message content, its objects attached; None (the item failed) if one cannot be."""
        question = self.questions[index]
        try:
            return user_content(question.text, [attach(obj, table_tokens=self._chat.table_tokens)
                                                for obj in question.objects])  # fmt: skip
        except (TypeError, ValueError, OSError) as error:
            self._end(index, "failed", error={"kind": "bad_input", "message": str(error)})
            return None

    def _learning_cost(self) -> bool:
        """With `max_cost`, the first item goes alone: what it costs tells how many more the budget takes."""
        return self.max_cost is not None and bool(self._running) and self._costed == 0

    def _affordable(self, index: int) -> bool:
        """Whether the spend, what is in flight and this item stay within `max_cost`, each item costing about what
        the finished ones did. Until one has finished, items go one at a time, estimated at their input alone."""
        if self.max_cost is None or self.pricing is None:
            return True
        spent = self._spent
        if self._costed:
            return spent + spent / self._costed * (len(self._running) + 1) <= self.max_cost
        question = {"role": "user", "content": self.questions[index].text}
        tokens = estimate_input_tokens(self._options.request([*self._history, question]))
        return spent + self._estimate({"input_tokens": tokens}) <= self.max_cost

    def _launch(self, index: int, tokens: int = 0) -> None:
        content = self._content(index)
        if content is None:
            return
        manager = StreamManager(self._chat._client_for(self._loop), self._options,
                                [*self._history, {"role": "user", "content": content}])  # fmt: skip
        with self._lock:
            self._running[index] = manager
        self._set_state(index, "running")
        self._concurrency.started(time.monotonic(), tokens)
        manager.start(self._loop)
        follower = asyncio.ensure_future(self._follow(index, manager))
        self._followers.add(follower)  # a task must be referenced until it ends
        follower.add_done_callback(self._followers.discard)
        self._changed()

    async def _follow(self, index: int, manager: StreamManager) -> None:
        try:
            await self._settle(index, manager)
        except Exception as error:  # a bug of ours, or a schema's validator that raised: this item fails, not the job
            log.exception("claude_widget: a map job's item %d failed", index)
            self._end(index, "failed", manager.usage, manager.cost, {"kind": "internal", "message": repr(error)})

    async def _settle(self, index: int, manager: StreamManager) -> None:
        """An item's stream has ended: its result, its requeue, or its failure."""
        try:
            text = await manager.wait_async()
        except StreamError as error:
            if error.error.get("kind") in REFUSALS and not error.text and self._refused.get(index, 0) < MAX_REFUSALS:
                self._requeue(index, error.error.get("retry_after"))
            else:
                self._end(index, "failed", manager.usage, manager.cost,
                          {"kind": error.error.get("kind", "error"), "message": str(error)})  # fmt: skip
            return
        if manager.status == "stopped":
            self._end(index, "stopped", manager.usage, manager.cost)
            return
        self._concurrency.succeeded()
        self._concurrency.observed(manager.rate_limits, time.monotonic())
        self._answered(index, text, manager.stop_reason, manager.usage, manager.cost)

    def _requeue(self, index: int, retry_after: float | None) -> None:
        """The API refused an item (429 or 529): fewer in flight, and the item goes again after its wait."""
        self.refusals += 1
        self._refused[index] = self._refused.get(index, 0) + 1
        self._concurrency.refused(len(self._running))
        wait = retry_after if retry_after is not None else self._options.backoff.delay(self._refused[index] - 1)
        heapq.heappush(self._retries, (time.monotonic() + wait, index))
        with self._lock:
            self._running.pop(index, None)
        self._set_state(index, "queued")
        if self._wake is not None:
            self._wake.set()
        self._changed()

    def _answered(self, index: int, text: str, stop_reason: str | None, usage: dict[str, int],
                  cost: float | None) -> None:  # fmt: skip
        """An item's answer came: its result, or why it is not one (cut at max_tokens, not fitting the schema)."""
        if stop_reason == "max_tokens":
            cut = f"the answer was cut at max_tokens ({self._options.token_limit}): raise Chat(max_tokens=...)"
            self._end(index, "failed", usage, cost, {"kind": "max_tokens", "message": cut})
            return
        try:
            result = self.schema.parse(text) if self.schema is not None else text
        except SchemaMismatch as error:
            self._end(index, "failed", usage, cost, {"kind": "schema", "message": str(error)})
            return
        self.results[index] = result
        self._end(index, "done", usage, cost)

    def _end(self, index: int, state: ItemState, usage: dict[str, int] | None = None, cost: float | None = None,
             error: dict[str, str] | None = None) -> None:  # fmt: skip
        with self._lock:
            self._running.pop(index, None)
            if usage is not None:
                self._bill(index, usage, cost)
        self._set_state(index, state)
        if error is not None:
            self._set_error(index, error)
        if self._wake is not None:
            self._wake.set()
        self._changed()

    def _grow(self, n: int) -> None:
        """More items than expected (collecting without them): placeholders up to `n`, in the batches."""
        for i in range(len(self.questions), n):
            self.questions.append(Question(i, None, "(unknown)"))
            self.results.append(None)
            self.states.append("running")
            self._counts["running"] += 1
            self.item_usage.append(None)
            self.item_cost.append(None)

    # -- bookkeeping: every change of an item's state, error or usage goes through these ------------------
    def _set_state(self, index: int, state: ItemState) -> None:
        self._counts[self.states[index]] -= 1
        self._counts[state] += 1
        self.states[index] = state

    def _set_error(self, index: int, error: dict[str, str] | None) -> None:
        old = self.errors.pop(index, None)
        if old is not None:
            self._error_kinds[old["kind"]] -= 1
        if error is not None:
            self.errors[index] = error
            self._error_kinds[error["kind"]] += 1
            self._error_examples[error["kind"]] = error["message"]

    def _bill(self, index: int, usage: dict[str, int], cost: float | None) -> None:
        """An item's attempt was billed: added to what the item (and the job) cost so far."""
        earlier = self.item_usage[index]
        if not any((earlier or {}).values()) and any(usage.get(k, 0) for k in USAGE_KEYS):
            self._costed += 1  # an item whose cost tells what an item costs (not a refused one, billed nothing)
        self.item_usage[index] = {k: (earlier or {}).get(k, 0) + usage.get(k, 0) for k in USAGE_KEYS}
        for key in USAGE_KEYS:
            self._billed[key] += usage.get(key, 0)
        if cost is not None:
            self.item_cost[index] = (self.item_cost[index] or 0.0) + cost
            self._spent += cost

    def error_kinds(self) -> list[tuple[str, int, str]]:
        """The errors by kind, most frequent first: (kind, count, the latest message)."""
        return [(kind, n, self._error_examples[kind]) for kind, n in self._error_kinds.most_common() if n > 0]

    def _changed(self) -> None:
        for listener in self._listeners:
            try:
                listener()
            except Exception:  # a listener's failure must not stop the job (nor leave wait() hanging)
                log.exception("claude_widget: a map job's listener failed")


def _input_tokens(usage: dict[str, int] | None) -> int:
    u = usage or {}
    return u.get("input_tokens", 0) + u.get("cache_creation_input_tokens", 0) + u.get("cache_read_input_tokens", 0)
