"""`MapJob`: what `chat.map` returns, the user's handle on a job of one question per item.

It returns at once; the items run on the streams' loop (loops.py), as streams (streamed.py) or through the Message
Batches API (batched.py), and each item's end is written to the job's ledger (ledger.py), which the handle and its
progress (progress.py) read. The job knows nothing of its display: whoever made it passes `show`, which makes one.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
import uuid
from collections.abc import Callable, Generator
from dataclasses import replace
from typing import Any, Literal, Protocol

from ..api.models import Effort
from ..api.pricing import pricing_for, prompt_tokens
from ..engine.loops import call_soon, stream_loop
from ..engine.usage import Usage
from .batched import BatchRun
from .concurrency import DEFAULT_CEILING
from .ledger import ItemError, ItemLedger, ItemState
from .progress import JobState, Progress
from .questions import Question
from .schemas import OutputSchema
from .snapshot import ChatSnapshot, answer_from_store
from .streamed import StreamedRun


class Shown(Protocol):
    """What shows a job in a notebook (the job widget: jobs/ does not import widget/)."""

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None: ...


class MapJob:
    """The answers to one question per item. Returns at once; `await job` or `job.wait()` for the results."""

    def __init__(self, chat: ChatSnapshot, questions: list[Question], *, schema: OutputSchema | None = None,
                 concurrency: int | None = None, max_cost: float | None = None, batch: bool = False,
                 batch_ids: list[str] | None = None, collecting: bool = False, effort: Effort | None = None,
                 items_unknown: bool = False, show: Callable[[MapJob], Shown] | None = None) -> None:  # fmt: skip
        if max_cost is not None and not max_cost > 0:
            raise ValueError(f"max_cost must be a positive number of USD, got {max_cost!r}")
        self.schema = schema
        self.max_cost = max_cost
        self.model = chat.model
        self.offline = chat.offline  # answered by the built-in fake server (the widget says so)
        self.batch = batch  # through the Message Batches API (batched.py), at its price
        self.pricing = pricing_for(chat.model)  # None: the model has no known price, and the job no cost
        # The job retries refused requests itself, pacing all of them (streamed.py); other faults are the stream's.
        options = replace(chat.options, output_schema=schema.json_schema if schema else None,
                          effort=effort or chat.options.effort, retry_refusals=False)  # fmt: skip
        self._chat = replace(chat, options=options)
        self.ledger = ItemLedger(questions, schema=schema, token_limit=options.token_limit, collecting=collecting,
                                 items_unknown=items_unknown)  # fmt: skip
        self.ledger.batch_ids.extend(batch_ids or [])
        self._streamed = StreamedRun(self._chat, self.ledger, max_cost=max_cost, pricing=self.pricing,
                                     ceiling=concurrency if concurrency is not None else DEFAULT_CEILING)  # fmt: skip
        self._batch_run: BatchRun | None = None
        self.stopped_by: Literal["stop", "max_cost"] | None = None
        self.started_at: float | None = None  # when the current run began (a resume() begins another)
        self.ended_at: float | None = None
        self._earlier_runs = 0.0  # seconds run before the last resume() (the time it sat stopped is not counted)
        self._stopping = False
        self._loop = stream_loop()
        self._finished: concurrent.futures.Future[list[Any]] = concurrent.futures.Future()
        self._show = show
        self._widget: Shown | None = None
        self._display_id: str | None = None
        self._start()

    # -- the items (the ledger's) ----------------------------------------------------------------------
    @property
    def questions(self) -> list[Question]:
        return self.ledger.questions

    @property
    def results(self) -> list[Any]:
        """The answer's text, or an instance of the schema, per item; None until done."""
        return self.ledger.results

    @property
    def errors(self) -> dict[int, ItemError]:
        """Why each failed item failed, by index: `job.errors[3].kind`, `.message`."""
        return self.ledger.errors

    @property
    def states(self) -> list[ItemState]:
        return self.ledger.states

    @property
    def item_usage(self) -> list[Usage | None]:
        """Billed per item, over all its attempts."""
        return self.ledger.item_usage

    @property
    def item_cost(self) -> list[float | None]:
        """USD per item, each request at its own rates."""
        return self.ledger.item_cost

    @property
    def batch_ids(self) -> list[str]:
        """With batch=True, every batch the job made (or collects)."""
        return self.ledger.batch_ids

    @property
    def items_unknown(self) -> bool:
        """Collected without its items: the inputs are placeholders."""
        return self.ledger.items_unknown

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
        self._stopping = True
        runner = self._batch_run or self._streamed
        runner.stopping = True  # read by the loop before it starts anything
        call_soon(self._loop, runner.cancel)  # a batch run cancels its batches: what was processed is kept

    def resume(self) -> MapJob:
        """Send what is missing or failed (not what succeeded); returns the job, running again."""
        if not self.done:
            raise RuntimeError("the job is still running: stop() it first, or wait for it")
        if self.items_unknown:
            raise RuntimeError("this job was collected without its items: give them, chat.collect(batch_ids, items),"
                               " to send what is missing again")  # fmt: skip
        self.ledger.reopen()
        self._earlier_runs = self.elapsed
        self._stopping, self.stopped_by, self.started_at, self.ended_at = False, None, None, None
        self._streamed.stopping = False
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
        """The first item (in input order) not done or failed; None when every item is."""
        return self.ledger.first_unfinished()

    @property
    def state(self) -> JobState:
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
        return self._streamed.concurrency.limit

    @property
    def refusals(self) -> int:
        """429s and 529s met (each refused item went again after its wait)."""
        return self._streamed.refusals

    @property
    def usage(self) -> Usage:
        """Tokens billed so far, over every item (retries and continuations included)."""
        return self.ledger.usage

    @property
    def cost(self) -> float | None:
        """USD so far, at list price (at the batch price with batch=True); None for a model without a price."""
        return self.ledger.cost if self.pricing is not None else None

    def counts(self) -> dict[ItemState, int]:
        """How many items are done, failed, running, queued, stopped."""
        return self.ledger.counts()

    def error_kinds(self) -> list[tuple[str, int, str]]:
        """The errors by kind, most frequent first: (kind, count, the latest message)."""
        return self.ledger.error_kinds()

    def progress(self) -> Progress:
        """Counts, rates and money, now."""
        return Progress.measure(self.counts(), elapsed=self.elapsed, ended=self.ended_at is not None,
                                usage=self.usage, cost=self.cost, max_cost=self.max_cost, refusals=self.refusals,
                                in_flight_limit=self.in_flight_limit, state=self.state, resumable=self.resumable,
                                batch_ids=self.batch_ids, batch_status=self.batch_status,
                                from_store=self.ledger.from_store, saved=self.ledger.saved)  # fmt: skip

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
            usage = usage or Usage()
            row.update(status=state, error=error.message if error else None, input_tokens=prompt_tokens(usage),
                       output_tokens=usage.output_tokens, cost=cost)  # fmt: skip
            rows.append(row)
        return pd.DataFrame(rows)

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener` (on the streams' loop) whenever an item starts or ends."""
        self.ledger.subscribe(listener)

    def __repr__(self) -> str:
        c = self.counts()
        return f"MapJob({len(self.questions)} items: {c['done']} done, {c['failed']} failed, {c['running']} running)"

    # -- shown in a notebook ---------------------------------------------------------------------------
    @property
    def widget(self) -> Shown:
        """The job's progress in a notebook: what displaying the job shows."""
        if self._widget is None:
            if self._show is None:
                raise RuntimeError("this job was made without a display (chat.map makes one)")
            self._widget = self._show(self)
        return self._widget

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs) if self._show is not None else None

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

    def _display_(self) -> Shown:
        """marimo's way to ask what to show."""
        return self.widget

    # -- running ---------------------------------------------------------------------------------------
    def _start(self) -> None:
        self.started_at = self.started_at or time.monotonic()
        if self.batch:  # made before the loop runs: a stop() at once cancels it
            self._batch_run = BatchRun(self._chat, self.ledger, max_cost=self.max_cost, pricing=self.pricing,
                                       submitted=self._refresh_output)  # fmt: skip
        asyncio.run_coroutine_threadsafe(self._run(), self._loop)

    async def _run(self) -> None:
        runner = self._batch_run or self._streamed
        try:
            answer_from_store(self._chat, self.ledger)
            await runner.run(self._loop)
        finally:
            self._finish(runner.over_budget)

    def _finish(self, over_budget: bool) -> None:
        """The job has ended: what never ran (or never came back from a batch) is marked as not run."""
        self.ledger.close()
        self.stopped_by = "max_cost" if over_budget else "stop" if self._stopping else None
        self.ended_at = time.monotonic()
        try:
            self.ledger.changed()
            self._refresh_output()
        finally:
            self._finished.set_result(self.results)
