"""What is known of a turn so far: the answer and thinking, the rounds, tool calls, attempts and usage, the event
log and timings, and the history it makes. `StreamManager` is this state plus the lifecycle that fills it in."""

from __future__ import annotations

import copy
import time
from typing import Any

from ..api.pricing import pricing_for
from .assembly import Assembler
from .blocks import finished_from_api
from .citations import Citation, Citations
from .continuation import history_messages
from .event_log import EventLog
from .events import LogEntry, Status, ToolCall
from .options import StreamOptions
from .thinks import Thinks
from .tool_calls import ToolCalls
from .usage import Attempt, Ledger, Usage


class TurnState:
    def __init__(self, options: StreamOptions, messages: list[dict[str, Any]]) -> None:
        self.options = options
        self.messages = messages  # the conversation up to and including the user's prompt
        self.status: Status = "connecting"
        self.error: dict[str, Any] | None = None
        self.stop_reason: str | None = None
        self.stop_details: dict[str, Any] | None = None
        self.turn_messages: list[dict[str, Any]] = []  # finished rounds, as they go into the history
        self.rate_limits: dict[str, str] = {}  # the latest response's anthropic-ratelimit-* headers
        # one attempt per request sent, with its cause, continuation and usage
        self._ledger = Ledger(pricing=pricing_for(options.model))
        self._calls = ToolCalls()
        self._assembler = Assembler(self._calls)  # the current round's blocks, the answer and thinking
        self._event_log = EventLog()
        self._marks: dict[str, float] = {}  # monotonic times: request_sent, first_byte, first_token, end
        self._thinks = Thinks()

    def _continue_from(self, previous: TurnState) -> None:
        """Take over `previous`'s finished turn, to continue its last round in place."""
        self.turn_messages = copy.deepcopy(previous.turn_messages)
        blocks = copy.deepcopy(previous._assembler.blocks)
        if not blocks and self.turn_messages and self.turn_messages[-1]["role"] == "assistant":
            # The finished round is continued.
            blocks = [finished_from_api(block) for block in self.turn_messages.pop()["content"]]
        self._calls = ToolCalls(previous.tool_calls)
        self._assembler = Assembler(self._calls, text=previous.text, thinking=previous.thinking, blocks=blocks,
                                    citations=Citations(previous.citations))  # fmt: skip
        self._ledger = Ledger(previous.attempts, pricing=previous._ledger.pricing)
        self._thinks = Thinks(previous.thinking_seconds)

    @property
    def text(self) -> str:
        """The answer as shown: every text block of the turn."""
        return self._assembler.text

    @property
    def thinking(self) -> str:
        """Every thinking block of the turn, as shown."""
        return self._assembler.thinking

    @property
    def thinking_seconds(self) -> float:
        """How long Claude has thought in this turn, over its finished thinks."""
        return self._thinks.seconds

    @property
    def citations(self) -> list[Citation]:
        """The answer's sources, numbered as its markers show them."""
        return self._assembler.citations.items

    @property
    def tool_calls(self) -> dict[str, ToolCall]:
        return self._calls.calls

    @property
    def attempts(self) -> list[Attempt]:
        """One per request sent, with its cause, continuation mode, outcome and usage."""
        return self._ledger.attempts

    @property
    def usage(self) -> Usage:
        """Tokens billed: the sum over every attempt."""
        return self._ledger.usage

    @property
    def cost(self) -> float | None:
        """USD billed: every attempt at its own rates (None for a model without a known price)."""
        return self._ledger.cost

    @property
    def thinking_tokens(self) -> int:
        return self._ledger.thinking_tokens

    @property
    def event_log(self) -> list[LogEntry]:
        """Every event in brief, for the inspector."""
        return self._event_log.entries

    @property
    def model(self) -> str:
        return self.options.model

    @property
    def system(self) -> str | None:
        return self.options.system

    @property
    def record(self) -> bool:
        return self.options.record

    @property
    def timings(self) -> dict[str, float]:
        """Seconds from the request being sent to the first byte, the first token and the end."""
        start = self._marks.get("request_sent")
        if start is None:
            return {}
        return {name: round(t - start, 6) for name, t in self._marks.items() if name != "request_sent"}

    def _mark(self, name: str, overwrite: bool = False) -> None:
        if overwrite or name not in self._marks:
            self._marks[name] = time.monotonic()

    def history_messages(self) -> list[dict[str, Any]]:
        """The turn as it goes into a conversation's history, valid for the API in any state (see
        `continuation.history_messages`)."""
        return history_messages(self.turn_messages, self._assembler.blocks)
