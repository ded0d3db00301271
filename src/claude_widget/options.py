"""How a turn is streamed: the model and its parameters, patience, retries and tools, as one checked value."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .citations import with_citations
from .tools import Tool


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff with jitter: `min(base * 2**n, cap)`, scaled by a random factor in [0.75, 1]."""

    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return retry_after  # the server knows best
        return min(self.base * 2.0**attempt, self.cap) * random.uniform(0.75, 1.0)


@dataclass(frozen=True)
class StreamOptions:
    """Everything a turn needs besides the client and the messages. Invalid values fail at construction."""

    model: str = "claude-sonnet-5-5"
    max_tokens: int = 4096
    system: str | None = None
    stall_timeout: float = 30.0  # seconds without content before the stream counts as stalled
    max_retries: int = 4  # requests are sent at most 1 + max_retries times per round
    backoff: Backoff = field(default_factory=Backoff)
    thinking: dict[str, Any] | None = None  # {"type": "adaptive"} or {"type": "enabled", "budget_tokens": N}
    tools: dict[str, Tool] = field(default_factory=dict)
    tool_timeout: float = 60.0
    max_tool_rounds: int = 10
    record: bool = False  # keep every raw event with its timing, for `recording()`
    cache: bool = True  # mark the conversation's prefix for prompt caching (the API's automatic breakpoint)
    citations: bool = True  # ask for the sources of what the answer takes from documents (citations.py)
    output_schema: dict[str, Any] | None = None  # structured output: the JSON schema the answer must fit
    # False: a 429 or 529 before any text ends the stream at once, for a caller that paces retries itself (a map job)
    retry_refusals: bool = True

    def __post_init__(self) -> None:
        if (self.max_retries < 0 or self.stall_timeout <= 0 or self.max_tokens <= 0 or self.tool_timeout <= 0
                or self.max_tool_rounds < 1):  # fmt: skip
            raise ValueError(
                "max_retries must be >= 0, max_tool_rounds >= 1, and stall_timeout, tool_timeout and max_tokens > 0"
            )
        if self.thinking is not None and (not isinstance(self.thinking, dict) or "type" not in self.thinking):
            raise ValueError('thinking must be {"type": "adaptive"} or {"type": "enabled", "budget_tokens": N}')

    def request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The parameters of a request for `messages`."""
        if self.citations and self.output_schema is None:  # the API takes citations or a format, not both
            messages = with_citations(messages)
        params: dict[str, Any] = {"model": self.model, "max_tokens": self.max_tokens, "messages": messages}
        if self.system is not None:
            params["system"] = self.system
        if self.thinking is not None:
            params["thinking"] = self.thinking
        if self.tools:
            params["tools"] = [tool.definition() for tool in self.tools.values()]
        if self.cache:
            params["cache_control"] = {"type": "ephemeral"}
        if self.output_schema is not None:
            params["output_config"] = {"format": {"type": "json_schema", "schema": self.output_schema}}
        return params
