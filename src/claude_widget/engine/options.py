"""How a turn is streamed: the model and its parameters, patience, retries and tools, as one checked value."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..api.models import DEFAULT_MODEL, EFFORTS, Effort, facts_for, refusal, thinks
from .citations import with_citations
from .tools import Tool

# max_tokens when none is given. Thinking counts toward it, so a model that thinks gets room for a long think and a
# long answer; not more, since the API's output-tokens-per-minute limit counts max_tokens when a request starts.
THINKING_MAX_TOKENS = 32_000
DEEP_THINKING_MAX_TOKENS = 64_000  # at effort "xhigh" or "max"
PLAIN_MAX_TOKENS = 8_192  # a request without thinking
UNKNOWN_MODEL_MAX_TOKENS = 16_000  # a model the table does not know: likely to think, its limit unknown
# How long one think may last when no thinking_timeout is given: the time a slow model (40 output tokens a second)
# takes to spend the whole of max_tokens, and at least 10 minutes. Past it, no answer can follow within max_tokens.
SLOW_TOKENS_PER_SECOND = 40
MIN_THINKING_CEILING = 600.0


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

    model: str = DEFAULT_MODEL
    max_tokens: int | None = None  # None: what fits the model and its thinking (`token_limit`)
    system: str | None = None
    stall_timeout: float = 30.0  # seconds without content before the stream counts as stalled
    thinking_timeout: float | None = None  # seconds one think may last (None: `thinking_ceiling`'s default)
    max_retries: int = 4  # requests are sent at most 1 + max_retries times per round
    backoff: Backoff = field(default_factory=Backoff)
    # None: the model's default, its summaries shown where it thinks by default; else sent as given
    thinking: dict[str, Any] | None = None
    effort: Effort | None = None  # output_config.effort; None: the model's default
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
        if (self.max_retries < 0 or self.stall_timeout <= 0 or (self.max_tokens is not None and self.max_tokens <= 0)
                or self.tool_timeout <= 0 or self.max_tool_rounds < 1
                or (self.thinking_timeout is not None and self.thinking_timeout <= 0)):  # fmt: skip
            raise ValueError(
                "max_retries must be >= 0, max_tool_rounds >= 1, and stall_timeout, tool_timeout, thinking_timeout "
                "and max_tokens > 0"
            )
        if self.thinking is not None and (not isinstance(self.thinking, dict) or "type" not in self.thinking):
            raise ValueError('thinking must be a dict with a "type", such as {"type": "adaptive", "display": '
                             '"summarized"}; or leave it out for the model\'s default')  # fmt: skip
        if self.effort is not None and self.effort not in EFFORTS:
            raise ValueError(f"effort must be one of {', '.join(map(repr, EFFORTS))}, got {self.effort!r}")
        refused = refusal(self.request([]))
        if refused is not None:
            raise ValueError(refused.explained(self.model))

    @property
    def token_limit(self) -> int:
        """max_tokens as sent: the one given, or what fits the model and its thinking."""
        if self.max_tokens is not None:
            return self.max_tokens
        facts = facts_for(self.model)
        if facts is None:
            return UNKNOWN_MODEL_MAX_TOKENS
        if not thinks({"model": self.model, "thinking": self.thinking}):
            limit = PLAIN_MAX_TOKENS
        elif self.effort in ("xhigh", "max"):
            limit = DEEP_THINKING_MAX_TOKENS
        else:
            limit = THINKING_MAX_TOKENS
        budget = (self.thinking or {}).get("budget_tokens")
        if isinstance(budget, int):
            limit = max(limit, budget + PLAIN_MAX_TOKENS)  # the budget, and room for the answer after it
        return min(limit, facts.max_output)

    @property
    def thinking_ceiling(self) -> float:
        """Seconds one think may last before the attempt ends (its pings never count as a stall)."""
        if self.thinking_timeout is not None:
            return self.thinking_timeout
        return max(MIN_THINKING_CEILING, self.token_limit / SLOW_TOKENS_PER_SECOND)

    @property
    def thinking_sent(self) -> dict[str, Any] | None:
        """The request's `thinking`: the user's, as given; else, where the model thinks by default, adaptive
        thinking with its summaries shown (they cost what hidden thinking costs)."""
        if self.thinking is not None:
            return self.thinking
        facts = facts_for(self.model)
        if facts is not None and facts.thinks_by_default and "adaptive" in facts.thinking_types:
            return {"type": "adaptive", "display": "summarized"}
        return None

    def request(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The parameters of a request for `messages`."""
        if self.citations and self.output_schema is None:  # the API takes citations or a format, not both
            messages = with_citations(messages)
        params: dict[str, Any] = {"model": self.model, "max_tokens": self.token_limit, "messages": messages}
        if self.system is not None:
            params["system"] = self.system
        if self.thinking_sent is not None:
            params["thinking"] = self.thinking_sent
        if self.tools:
            params["tools"] = [tool.definition() for tool in self.tools.values()]
        if self.cache:
            params["cache_control"] = {"type": "ephemeral"}
        output_config: dict[str, Any] = {}
        if self.effort is not None:
            output_config["effort"] = self.effort
        if self.output_schema is not None:
            output_config["format"] = {"type": "json_schema", "schema": self.output_schema}
        if output_config:
            params["output_config"] = output_config
        return params
