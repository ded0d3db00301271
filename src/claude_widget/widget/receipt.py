"""What a finished answer says produced it: the receipt saved with the notebook (the request's fingerprint, model,
usage, cost, when it was made, whether it was replayed) and the replay mark the view shows on a replayed answer."""

from __future__ import annotations

import datetime
from typing import Any

from ..engine.answer import Answer
from ..engine.replayed import ReplayedStream
from ..engine.stream import StreamManager


def answer_receipt(answer: Answer, ended_at: float) -> dict[str, Any] | None:
    """What produced a finished answer (None where answers are not kept): the request's fingerprint, the model, the
    tokens and cost billed for it, when it was made, and whether it was replayed (then what that saved)."""
    if answer.fingerprint is None:
        return None
    stream = answer.stream
    replayed = isinstance(stream, ReplayedStream)
    made = stream.made if isinstance(stream, ReplayedStream) else ended_at
    receipt = {"fingerprint": answer.fingerprint, "model": stream.model, "usage": answer.usage.as_dict(),
               "cost": answer.cost, "made": iso(made), "replayed": replayed}  # fmt: skip
    if isinstance(stream, ReplayedStream):
        receipt["saved"] = stream.original_cost
    return receipt


def replay_mark(stream: StreamManager) -> dict[str, Any] | None:
    """What the view's replay mark says: when the answer was made, and what replaying it saved."""
    if not isinstance(stream, ReplayedStream):
        return None
    answered = datetime.date.fromtimestamp(stream.made).isoformat()
    return {"answered": answered, "saved": stream.original_cost}


def iso(seconds: float) -> str:
    """A time as the receipt says it: ISO 8601, to the second, with its offset."""
    return datetime.datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")
