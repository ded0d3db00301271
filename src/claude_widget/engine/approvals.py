"""Tool calls that wait for the user's word: Run or Skip on the card, or `w.approve()` / `w.reject(reason)`.

A turn's `Approvals` holds a future per call waiting for a decision, on the stream's loop; `decide` settles one
from any thread and says whether that call was waiting at all, so a decision for another answer's call, or for a
call that is not pending (any more), is refused rather than taken.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Mapping
from typing import Any

from .events import ToolCall
from .loops import run_on_and_wait
from .tool_calls import Decision


class Approvals:
    """The calls of one turn waiting for the user's Run or Skip."""

    def __init__(self) -> None:
        self._waiting: dict[str, asyncio.Future[Decision]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def waiting(self) -> list[str]:
        """The ids of the calls waiting now."""
        return list(self._waiting)

    async def decision(self, call_id: str) -> Decision:
        """Wait for the user's decision on the call `call_id` (on the stream's loop)."""
        self._loop = asyncio.get_running_loop()
        future: asyncio.Future[Decision] = self._loop.create_future()
        self._waiting[call_id] = future
        try:
            return await future
        finally:
            del self._waiting[call_id]

    def decide(self, call_id: str, decision: Decision) -> bool:
        """Settle the call `call_id` (from any thread); whether it was waiting for a decision."""
        loop = self._loop
        if loop is None or loop.is_closed() or not isinstance(call_id, str):
            return False
        try:
            return run_on_and_wait(loop, lambda: self._settle(call_id, decision), timeout=10)
        except concurrent.futures.TimeoutError:  # the loop did not get to it: nothing was decided
            return False

    def _settle(self, call_id: str, decision: Decision) -> bool:
        future = self._waiting.get(call_id)
        if future is None or future.done():
            return False
        future.set_result(decision)
        return True


def pending_call(calls: Mapping[str, ToolCall]) -> dict[str, Any] | None:
    """The call waiting for the user's word, as `w.pending` shows it: {"tool", "code", "id"}; None if none waits."""
    for call in list(calls.values()):  # (a copy: the stream's thread may be adding to it)
        if call.status == "pending":
            try:
                given = json.loads(call.input_json or "{}")
            except ValueError:
                given = {}
            code = given.get("code") if isinstance(given, dict) else None
            return {"tool": call.name, "code": code, "id": call.id}
    return None
