"""Tool calls as they progress through a turn: Claude writing the input, the user's word, the kernel running it,
its result.

`ToolCalls` holds each call's latest `ToolCall` event (writing → [pending → [queued →]] running → done, error,
declined or cancelled) and returns every change as the event to emit. `run_tool_call` runs one call of a `tool_use`
block under the tool timeout, first asking the user where the tool asks (`Tool.asks`), and gives the `tool_result`
block that goes back to Claude. A tool with steps of its own tells its card through `progress`.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from .blocks import OtherBlock, ToolUseBlock
from .events import UNFINISHED, ToolCall, ToolStatus
from .tools import Tool, ToolOutcome

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
            if call.status in UNFINISHED:
                self.calls[call.id] = replace(call, status="cancelled")
                cancelled.append(self.calls[call.id])
        return cancelled


Report = Callable[[ToolStatus, str | None, bool], None]
_progress: contextvars.ContextVar[Report] = contextvars.ContextVar("tool_progress")


def progress(status: ToolStatus, result: str | None = None) -> None:
    """From inside a running tool: its card moves to `status` (a job queued behind a cell; a Stop, and what it
    did to the code)."""
    report = _progress.get(None)
    if report is not None:
        report(status, result, status == "cancelled")


@dataclass(frozen=True)
class Decision:
    """The user's word on a call that asks for it: run it, or not (and why, for Claude)."""

    run: bool
    reason: str = ""


Ask = Callable[[str], Awaitable[Decision]]  # wait for the user's decision on the call with this id


async def run_tool_call(block: ToolUseBlock, tools: Mapping[str, Tool], timeout: float, report: Report,
                        log: Callable[[str], None], ask: Ask) -> dict[str, Any]:  # fmt: skip
    """Run one tool call in the kernel and return its `tool_result` block.

    `report(status, result, is_error)` is told each step of the call; `log(detail)` when the tool starts; `ask`
    waits for the user's word where the tool asks for it.
    """
    tool = tools.get(block.name)
    if tool is None:
        outcome = ToolOutcome(f"No tool named {block.name!r} is available.", is_error=True)
    elif block.invalid_json:
        outcome = ToolOutcome("The tool input was not valid JSON.", is_error=True)
    else:
        declined = await _declined(block, tool, report, log, ask)
        if declined is not None:
            report("declined", declined, True)
            return _result(block, ToolOutcome(declined, is_error=True))
        report("running", None, False)
        log(f"running {block.name}()")
        told: list[ToolStatus] = []

        def steps(status: ToolStatus, result: str | None, is_error: bool) -> None:
            told.append(status)
            report(status, result, is_error)

        token = _progress.set(steps)
        try:
            outcome = await tool.run(block.input, timeout)
        except asyncio.CancelledError:
            if "cancelled" not in told:  # else the tool said what the Stop did
                report("cancelled", "Stopped before the tool finished.", True)
            raise
        finally:
            _progress.reset(token)
    report("error" if outcome.is_error else "done", outcome.content, outcome.is_error)
    return _result(block, outcome)


async def _declined(block: ToolUseBlock, tool: Tool, report: Report, log: Callable[[str], None],
                    ask: Ask) -> str | None:  # fmt: skip
    """Why the call is not to run (for Claude), or None to run it: the user's Skip, or nobody there to ask."""
    if tool.asks is None:
        return None
    nobody = tool.asks()
    if nobody is not None:
        log(f"declined {block.name}(): {nobody}")
        return f"Not run: {nobody}"
    report("pending", None, False)
    log(f"{block.name}() waits for the user's Run or Skip")
    try:
        decision = await ask(block.id)
    except asyncio.CancelledError:
        report("cancelled", "Stopped while waiting for Run or Skip: the code did not run.", True)
        raise
    if decision.run:
        log(f"{block.name}() approved")
        return None
    log(f"{block.name}() declined by the user" + (f": {decision.reason}" if decision.reason else ""))
    because = f" Their reason: {decision.reason}" if decision.reason else ""
    return f"The user chose not to run this code.{because}"


def _result(block: ToolUseBlock, outcome: ToolOutcome) -> dict[str, Any]:
    content: str | list[dict[str, Any]] = outcome.content
    if outcome.blocks:
        content = [{"type": "text", "text": outcome.content}, *outcome.blocks]
    return {"type": "tool_result", "tool_use_id": block.id, "content": content, "is_error": outcome.is_error}
