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
from collections.abc import Callable
from typing import Any, TypedDict

import anthropic

from ..api.limits import MAX_BATCH_BYTES, MAX_BATCH_REQUESTS
from ..api.models import Pricing
from ..api.pricing import Billing, cost_usd
from ..api.request_tokens import estimate_input_tokens
from ..engine.errors import classify
from ..engine.usage import Attempt, Usage
from .ledger import ItemError, ItemLedger
from .snapshot import INPUT_ERRORS, ChatSnapshot

POLL_FIRST = 0.5  # seconds before the first look at a new batch
POLL_FACTOR = 1.5  # each look waits this much longer than the last…
POLL_CAP = 60.0  # …up to a minute: batches take minutes to hours
POLL_FAILURES = 10  # polls in a row that may fail for a passing reason before the job gives up on the batches


class BatchRequest(TypedDict):
    """One request of a batch, as the API takes it: its item's name, and the request's JSON."""

    custom_id: str
    params: dict[str, Any]


def custom_id(index: int) -> str:
    return f"item-{index}"


def index_of(name: str) -> int | None:
    number = name.removeprefix("item-")
    return int(number) if number.isdigit() and name.startswith("item-") else None


def split(requests: list[BatchRequest], max_requests: int = MAX_BATCH_REQUESTS,
          max_bytes: int = MAX_BATCH_BYTES) -> list[list[BatchRequest]]:  # fmt: skip
    """The requests in batches within the API's limits, in order."""
    batches: list[list[BatchRequest]] = [[]]
    size = 0
    for request in requests:
        length = len(json.dumps(request)) + 2
        if batches[-1] and (len(batches[-1]) >= max_requests or size + length > max_bytes):
            batches.append([])
            size = 0
        batches[-1].append(request)
        size += length
    return [b for b in batches if b]


async def requests_in(client: anthropic.AsyncAnthropic, batch_ids: list[str]) -> int:
    """How many requests the batches hold (asked of the API): a job collected without its items has as many."""
    batches = [await client.messages.batches.retrieve(i) for i in batch_ids]
    counts = [b.request_counts for b in batches]
    return sum(c.processing + c.succeeded + c.errored + c.canceled + c.expired for c in counts)


class BatchRun:
    """Submits a job's queued items as batches (or follows the batches it collects), and writes each result to
    the ledger. One per run of the job: a resumed job's earlier batches are not followed again."""

    def __init__(self, chat: ChatSnapshot, ledger: ItemLedger, *, max_cost: float | None,
                 pricing: Pricing | None, submitted: Callable[[], None]) -> None:  # fmt: skip
        self.chat = chat
        self.ledger = ledger
        self.max_cost = max_cost
        self.pricing = pricing
        self.submitted = submitted  # told when a batch is made: its id belongs in the saved output at once
        self.status = "submitting"  # then the API's processing_status: in_progress, canceling, ended
        self.ids: list[str] = []  # this run's batches
        self.stopping = False  # set from any thread by the job's stop()
        self.over_budget = False  # an item's worst cost would have passed max_cost: it was not sent
        self._cancel = asyncio.Event()
        self._fingerprints: dict[int, str] = {}  # the items sent, for keeping their answers (chat.keeping)

    async def run(self, loop: asyncio.AbstractEventLoop) -> None:
        """The queued items as batches; or, for `chat.collect`, the batches given (made elsewhere)."""
        client = None
        try:
            client = self.chat.client_for(loop)
            queued = self.ledger.indices("queued")
            if not queued and self.ledger.batch_ids and "running" in self.ledger.states:  # collecting
                self.ids = list(self.ledger.batch_ids)
                await self.follow(client)
                return
            requests = self._requests(queued)
            self.ledger.changed()
            for chunk in split(requests) if requests else []:
                if self._cancel.is_set() or self.stopping:
                    break
                # The requests are JSON (`StreamOptions.request`), not the SDK's TypedDicts: the wire takes both.
                batch = await client.messages.batches.create(requests=chunk)  # type: ignore[arg-type]
                self.ids.append(batch.id)
                self.ledger.batch_ids.append(batch.id)
                self.ledger.changed()
                self.submitted()  # the ids in the saved output, before anything else can go wrong
            await self.follow(client)
        except Exception as error:  # the batch API refused (a bad key, a request too large), or never answered
            base_url = str(client.base_url) if client is not None else ""
            failure = classify(error, base_url=base_url, model=self.chat.model)
            ids = self.ledger.batch_ids
            kept = f" The batches keep running: chat.collect({ids!r}) gets their results." if ids else ""
            self.ledger.fail_unfinished(ItemError(failure.kind, failure.message + kept))

    def _requests(self, queued: list[int]) -> list[BatchRequest]:
        """The batch requests of the queued items, each started in the ledger, as many as `max_cost` allows
        with each item at its worst (a batch cannot be watched item by item)."""
        requests: list[BatchRequest] = []
        spent = 0.0
        for index in queued:
            try:
                messages = self.chat.messages(self.ledger.questions[index])
            except INPUT_ERRORS as error:
                self.ledger.end(index, "failed", error=ItemError("bad_input", str(error)))
                continue
            params = self.chat.options.request(messages)
            worst = self._worst_cost(params)
            if self.max_cost is not None and spent + worst > self.max_cost:
                self.over_budget = True
                break
            spent += worst
            if self.chat.keeping is not None:
                self._fingerprints[index] = self.chat.keeping.fingerprint(params)
            requests.append(BatchRequest(custom_id=custom_id(index), params=params))
            self.ledger.start(index)
        return requests

    def _worst_cost(self, params: dict[str, Any]) -> float:
        """A request's cost if its answer took all of max_tokens, at the batch price (0 without a price)."""
        usage = Usage(input_tokens=estimate_input_tokens(params), output_tokens=self.chat.options.token_limit)
        return cost_usd(usage, self.pricing, Billing(batch=True)) or 0.0

    async def follow(self, client: Any) -> None:
        """Poll every batch of the run until all have ended (cancelling them once, if asked), then collect. A poll
        that fails for a passing reason (a dropped connection, a 5xx, a 429) is tried again at the next one."""
        wait, cancelled, failures = POLL_FIRST, False, 0
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
                self.ledger.changed()
            if pending:
                if cancelled:
                    await asyncio.sleep(wait)
                else:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._cancel.wait(), wait)
                wait = min(wait * POLL_FACTOR, POLL_CAP)

    def cancel(self) -> None:
        """Cancel the batches (on the loop): what was processed by then is kept."""
        self._cancel.set()

    def _keep(self, index: int, message: Any, text: str, attempt: Attempt) -> None:
        """An item's answer goes into the store (where the job keeps them, and the item was sent by this run)."""
        keeping, fingerprint = self.chat.keeping, self._fingerprints.get(index)
        if keeping is not None and fingerprint is not None:
            content = [block.to_dict() for block in message.content]
            keeping.keep_result(fingerprint, self.ledger.questions[index].text, model=message.model, content=content,
                                text=text, stop_reason=message.stop_reason, usage=attempt.usage,
                                cost=attempt.cost(self.pricing))  # fmt: skip

    async def _collect(self, client: Any, batch_id: str) -> None:
        ledger = self.ledger
        async for line in await client.messages.batches.results(batch_id):
            index = index_of(line.custom_id)
            if index is not None and index >= len(ledger) and ledger.items_unknown:
                ledger.grow(index + 1)  # collecting without the items: the batch holds more than it said
            if index is None or index >= len(ledger) or ledger.states[index] != "running":
                continue  # not one of this job's items, or one a later run answered
            result = line.result
            if result.type == "succeeded":
                message = result.message
                text = "".join(block.text for block in message.content if block.type == "text")
                attempt = Attempt(sent_at=0.0, billing=Billing.of(message.usage, batch=True))
                attempt.record_usage(message.usage)
                ledger.answered(index, text, message.stop_reason, attempt.usage, attempt.cost(self.pricing))
                self._keep(index, message, text, attempt)
            elif result.type == "errored":
                error = result.error.error
                ledger.end(index, "failed", error=ItemError(error.type, error.message))
            elif result.type == "expired":
                expired = "the batch expired before this item was processed (24 hours): resume() sends it again"
                ledger.end(index, "failed", error=ItemError("expired", expired))
            else:  # canceled
                ledger.end(index, "stopped")
