"""`chat.map(..., batch=True)`: a job through the Message Batches API, at half the price, in Anthropic's queue.

The job's requests go in as few batches as the API's limits allow (100,000 requests or 256 MB each), each request
named by its item (`item-<index>`), so results, which come in any order, find their item. Progress comes from
polling each batch, less and less often; as with the API, a batch's counts say only "processing" until it has
ended. Stop cancels the batches: what was processed by then is kept. The ids are on the job (`job.batch_ids`):
a new kernel collects a batch it did not start with `chat.collect(batch_ids)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any

import anthropic

from ..api.limits import MAX_BATCH_BYTES, MAX_BATCH_REQUESTS
from ..api.pricing import Billing
from ..engine.usage import Attempt

if TYPE_CHECKING:
    from .map_job import MapJob

POLL_FIRST = 0.5  # seconds before the first look at a new batch
POLL_FACTOR = 1.5  # each look waits this much longer than the last…
POLL_CAP = 60.0  # …up to a minute: batches take minutes to hours
POLL_FAILURES = 10  # polls in a row that may fail for a passing reason before the job gives up on the batches


def custom_id(index: int) -> str:
    return f"item-{index}"


def index_of(name: str) -> int | None:
    number = name.removeprefix("item-")
    return int(number) if number.isdigit() and name.startswith("item-") else None


def split(requests: list[dict[str, Any]], max_requests: int = MAX_BATCH_REQUESTS,
          max_bytes: int = MAX_BATCH_BYTES) -> list[list[dict[str, Any]]]:  # fmt: skip
    """The requests in batches within the API's limits, in order."""
    batches: list[list[dict[str, Any]]] = [[]]
    size = 0
    for request in requests:
        length = len(json.dumps(request)) + 2
        if batches[-1] and (len(batches[-1]) >= max_requests or size + length > max_bytes):
            batches.append([])
            size = 0
        batches[-1].append(request)
        size += length
    return [b for b in batches if b]


class BatchRun:
    """Submits a job's items, follows its batches and hands each result to the job."""

    def __init__(self, job: MapJob) -> None:
        self.job = job
        self.status = "submitting"  # then the API's processing_status: in_progress, canceling, ended
        self.ids: list[str] = []  # this run's batches (a resumed job's earlier ones are not followed again)
        self._cancel = asyncio.Event()

    async def run(self, client: Any, requests: list[dict[str, Any]]) -> None:
        job = self.job
        for chunk in split(requests) if requests else []:
            if self._cancel.is_set() or job._stopping:
                break
            batch = await client.messages.batches.create(requests=chunk)
            self.ids.append(batch.id)
            job.batch_ids.append(batch.id)
            job._changed()
            job._refresh_output()  # the ids in the saved output, before anything else can go wrong
        await self.follow(client)

    async def follow(self, client: Any) -> None:
        """Poll every batch of the job until all have ended (cancelling them once, if asked), then collect. A poll
        that fails for a passing reason (a dropped connection, a 5xx, a 429) is tried again at the next one."""
        job, wait, cancelled, failures = self.job, POLL_FIRST, False, 0
        pending = list(self.ids)
        while pending:
            try:
                if self._cancel.is_set() and not cancelled:
                    for batch_id in pending:
                        await client.messages.batches.cancel(batch_id)
                    cancelled, wait = True, POLL_FIRST
                statuses = [await client.messages.batches.retrieve(batch_id) for batch_id in pending]
                for batch in statuses:
                    if batch.processing_status == "ended":
                        await self._collect(client, batch.id)
                failures = 0
            except (anthropic.APIConnectionError, anthropic.RateLimitError, anthropic.InternalServerError):
                failures += 1
                if failures > POLL_FAILURES:
                    raise
                statuses = []
            if statuses:
                pending = [b.id for b in statuses if b.processing_status != "ended"]
                self.status = statuses[0].processing_status if pending else "ended"
                job._changed()
            if pending:
                if cancelled:
                    await asyncio.sleep(wait)
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._cancel.wait(), wait)
                wait = min(wait * POLL_FACTOR, POLL_CAP)

    def cancel(self) -> None:
        self._cancel.set()

    async def _collect(self, client: Any, batch_id: str) -> None:
        job = self.job
        async for line in await client.messages.batches.results(batch_id):
            index = index_of(line.custom_id)
            if index is not None and index >= len(job.states) and job.items_unknown:
                job._grow(index + 1)  # collecting without the items: the batch holds more than it said
            if index is None or index >= len(job.states) or job.states[index] != "running":
                continue  # not one of this job's items, or one a later run answered
            result = line.result
            if result.type == "succeeded":
                message = result.message
                text = "".join(block.text for block in message.content if block.type == "text")
                attempt = Attempt(sent_at=0.0, billing=Billing.of(message.usage, batch=True))
                attempt.record_usage(message.usage)
                job._answered(index, text, message.stop_reason, attempt.usage, attempt.cost(job.pricing))
            elif result.type == "errored":
                error = result.error.error
                job._end(index, "failed", error={"kind": error.type, "message": error.message})
            elif result.type == "expired":
                job._end(index, "failed", error={"kind": "expired", "message": "the batch expired before this item"
                                                 " was processed (24 hours): resume() sends it again"})  # fmt: skip
            else:  # canceled
                job._end(index, "stopped")
