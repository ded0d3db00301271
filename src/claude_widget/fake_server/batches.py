"""The Message Batches API, as the fake server serves it: create, retrieve, list, cancel and the results (JSONL).

A batch's requests are processed one after the other over `processing_time` seconds; a request not processed
`expires_in` seconds after the batch was created expires, and one not processed when the batch is canceled is
canceled. As with the API, the request counts say `processing` until the whole batch has ended, results come only
then, and in no particular order (here: reversed). Each request is answered by the server's scripts, as a
non-streamed message; a request the Messages API would refuse (or a script with an HTTP error) is `errored`.
The clock is passed in (the server's monotonic time), so this is pure but for the answers it asks for.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ..api.limits import MAX_BATCH_REQUESTS

CANCEL_TIME = 0.2  # seconds a batch stays "canceling" before it ends
CUSTOM_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
DAY = 24 * 3600.0

# (params) -> ("succeeded", message) or ("errored", error body)
Answer = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]


@dataclass
class _Request:
    custom_id: str
    params: dict[str, Any]
    result: dict[str, Any] | None = None  # once processed: {"type": "succeeded", "message": ...}, or errored


@dataclass
class _Batch:
    id: str
    requests: list[_Request]
    created_at: datetime
    created: float  # the server's clock
    processing_time: float
    expires_in: float
    cancel_at: float | None = None
    ended: float | None = None
    results_url: str = ""
    answered: int = field(default=0)  # requests processed so far, in order


class BatchAPIError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class Batches:
    """Every batch created on one server."""

    def __init__(self, answer: Answer, base_url: Callable[[], str]) -> None:
        self.answer = answer
        self.base_url = base_url
        self.processing_time = 1.0  # seconds a batch takes, its requests spread evenly over it
        self.expires_in = DAY
        self._batches: dict[str, _Batch] = {}
        self._ids = itertools.count(1)

    def create(self, body: dict[str, Any], now: float) -> dict[str, Any]:
        requests = body.get("requests")
        if not isinstance(requests, list) or not requests:
            raise BatchAPIError(400, "requests: List should have at least 1 item after validation, not 0")
        if len(requests) > MAX_BATCH_REQUESTS:
            raise BatchAPIError(400, f"requests: List should have at most {MAX_BATCH_REQUESTS} items after validation, "
                                     f"not {len(requests)}")  # fmt: skip
        seen: set[str] = set()
        for i, request in enumerate(requests):
            custom_id = request.get("custom_id") if isinstance(request, dict) else None
            if not isinstance(custom_id, str) or not CUSTOM_ID.match(custom_id):
                raise BatchAPIError(
                    400, f"requests.{i}.custom_id: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
                )
            if custom_id in seen:
                raise BatchAPIError(400, f"Duplicate custom_id: {custom_id}")
            if not isinstance(request.get("params"), dict):
                raise BatchAPIError(400, f"requests.{i}.params: Field required")
            seen.add(custom_id)
        batch_id = f"msgbatch_fake_{next(self._ids):06d}"
        batch = _Batch(batch_id, [_Request(r["custom_id"], r["params"]) for r in requests], datetime.now(UTC), now,
                       self.processing_time, self.expires_in)  # fmt: skip
        self._batches[batch_id] = batch
        return self._view(batch, now)

    def retrieve(self, batch_id: str, now: float) -> dict[str, Any]:
        return self._view(self._get(batch_id), now)

    def list(self, now: float, limit: int = 20, after_id: str | None = None) -> dict[str, Any]:
        """Newest first, as the API lists them."""
        ids = sorted(self._batches, reverse=True)
        if after_id in self._batches:
            ids = ids[ids.index(after_id) + 1 :]
        page = ids[: max(1, min(limit, 1000))]
        return {"data": [self.retrieve(i, now) for i in page], "has_more": len(ids) > len(page),
                "first_id": page[0] if page else None, "last_id": page[-1] if page else None}  # fmt: skip

    def cancel(self, batch_id: str, now: float) -> dict[str, Any]:
        batch = self._get(batch_id)
        self._advance(batch, now)
        if batch.ended is None and batch.cancel_at is None:
            batch.cancel_at = now  # requests being processed finish; the rest are canceled
        return self._view(batch, now)

    def results(self, batch_id: str, now: float) -> str:
        batch = self._get(batch_id)
        self._advance(batch, now)
        if batch.ended is None:
            raise BatchAPIError(400, f"Message Batch {batch_id} has not finished processing")
        lines = [json.dumps({"custom_id": r.custom_id, "result": r.result}) for r in reversed(batch.requests)]
        return "\n".join(lines) + "\n"

    # -- processing -------------------------------------------------------------------------------------
    def _get(self, batch_id: str) -> _Batch:
        if batch_id not in self._batches:
            raise BatchAPIError(404, f"Message Batch {batch_id} not found")
        return self._batches[batch_id]

    def _advance(self, batch: _Batch, now: float) -> None:
        """Process what is due by `now`: answers, then the end (all answered, canceled or expired)."""
        if batch.ended is not None:
            return
        n = len(batch.requests)
        deadline = batch.created + batch.expires_in
        stop = min(now, deadline, batch.cancel_at if batch.cancel_at is not None else now)
        elapsed = max(0.0, stop - batch.created)
        due = n if batch.processing_time <= 0 else min(n, int(elapsed / batch.processing_time * n))
        for request in batch.requests[batch.answered : due]:
            kind, payload = self.answer(request.params)
            request.result = {"type": kind, "message" if kind == "succeeded" else "error": payload}
        batch.answered = max(batch.answered, due)
        left = None
        if batch.answered == n:
            batch.ended = min(now, batch.created + batch.processing_time)
        elif batch.cancel_at is not None and now >= batch.cancel_at + CANCEL_TIME:
            left, batch.ended = "canceled", batch.cancel_at + CANCEL_TIME
        elif now >= deadline:
            left, batch.ended = "expired", deadline
        for request in batch.requests[batch.answered :] if left else []:
            request.result = {"type": left}
        if batch.ended is not None:
            batch.results_url = f"{self.base_url()}/v1/messages/batches/{batch.id}/results"

    def _view(self, batch: _Batch, now: float) -> dict[str, Any]:
        self._advance(batch, now)
        counts = dict.fromkeys(("processing", "succeeded", "errored", "canceled", "expired"), 0)
        if batch.ended is None:
            counts["processing"] = len(batch.requests)  # the API counts outcomes only once the batch has ended
        else:
            for request in batch.requests:
                counts[(request.result or {}).get("type", "errored")] += 1
        status = "ended" if batch.ended is not None else "canceling" if batch.cancel_at is not None else "in_progress"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": status,
            "request_counts": counts,
            "created_at": _time(batch.created_at),
            "expires_at": _time(batch.created_at + timedelta(seconds=DAY)),
            "ended_at": _time(batch.created_at + timedelta(seconds=batch.ended - batch.created))
            if batch.ended is not None else None,
            "cancel_initiated_at": _time(batch.created_at + timedelta(seconds=batch.cancel_at - batch.created))
            if batch.cancel_at is not None else None,
            "archived_at": None,
            "results_url": batch.results_url or None,
        }  # fmt: skip


def _time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
