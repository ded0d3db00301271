"""Tool calls as they progress through a turn: Claude writing the input, the kernel running it, its result.

`ToolCalls` holds each call's latest `ToolCall` event (writing → running → done, error or cancelled) and returns
every change as the event to emit. `run_tool_call` runs one call of a `tool_use` block under the tool timeout
and gives the `tool_result` block that goes back to Claude.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from .blocks import OtherBlock, ToolUseBlock
from .events import ToolCall, ToolStatus
from .tools import Tool

RESULT_LIMIT = 20_000  # characters of a server tool's result kept for its card


class ToolCalls:
    """The turn's tool calls by id, as last reported."""

    def __init__(self, calls: Mapping[str, ToolCall] | None = None) -> None:
        self.calls: dict[str, ToolCall] = dict(calls or {})

    def report(self, block: ToolUseBlock, status: ToolStatus, at: int, result: str | None = None,
               is_error: bool = False, note: str = "") -> ToolCall:  # fmt: skip
        """The call of `block` is now at `status`; `at` is the answer's length and `note` the narration before it,
        used when the call is new."""
        previous = self.calls.get(block.id)
        call = ToolCall(id=block.id, name=block.name, status=status, input_json=block.input_json,
                        at=previous.at if previous else at, result=result, is_error=is_error,
                        server=block.server, note=previous.note if previous else note)  # fmt: skip
        self.calls[call.id] = call
        return call

    def server_result(self, block: OtherBlock) -> ToolCall | None:
        """A server tool's result block arrived: its call is done (or failed)."""
        call = self.calls.get(block.tool_use_id or "")
        if call is None:
            return None
        content = block.extra.get("content")
        is_error = isinstance(content, dict) and content.get("type", "").endswith("error")
        result = json.dumps(content, ensure_ascii=False)[:RESULT_LIMIT]
        self.calls[call.id] = replace(call, status="error" if is_error else "done", result=result, is_error=is_error)
        return self.calls[call.id]

    def cancel_unfinished(self) -> list[ToolCall]:
        """The turn ended early: every call still being written or run is cancelled."""
        cancelled = []
        for call in list(self.calls.values()):
            if call.status in ("writing", "running"):
                self.calls[call.id] = replace(call, status="cancelled")
                cancelled.append(self.calls[call.id])
        return cancelled


Report = Callable[[ToolStatus, str | None, bool], None]


async def run_tool_call(block: ToolUseBlock, tools: Mapping[str, Tool], timeout: float, report: Report,
                        log: Callable[[str], None]) -> dict[str, Any]:  # fmt: skip
    """Run one tool call in the kernel and return its `tool_result` block.

    `report(status, result, is_error)` is told each step of the call; `log(detail)` when the tool starts.
    """
    tool = tools.get(block.name)
    if tool is None:
        outcome_text, is_error = f"No tool named {block.name!r} is available.", True
    elif block.invalid_json:
        outcome_text, is_error = "The tool input was not valid JSON.", True
    else:
        report("running", None, False)
        log(f"running {block.name}()")
        try:
            outcome = await tool.run(block.input, timeout)
        except asyncio.CancelledError:
            report("cancelled", "Stopped before the tool finished.", True)
            raise
        outcome_text, is_error = outcome.content, outcome.is_error
    report("error" if is_error else "done", outcome_text, is_error)
    return {"type": "tool_result", "tool_use_id": block.id, "content": outcome_text, "is_error": is_error}
