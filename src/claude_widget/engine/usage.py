"""What each request cost: one `Attempt` per request sent, and usage as billed, the sum over every attempt.

An interrupted attempt never reports its output tokens, so they are estimated as one per delta received (each
delta carried at least one token). `estimate_tokens` (api/request_tokens.py) stands in for a tokenizer where a count is
needed before the API gives one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

from ..api.models import Pricing
from ..api.pricing import Billing, Prices, cost_usd, request_prices, total_cost
from .events import UsageChanged

# The API's counts, flattened: `cache_creation_1h_input_tokens` is its `cache_creation.ephemeral_1h_input_tokens`,
# the part of the cache writes billed at the 1-hour rate.
USAGE_KEYS = ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens",
              "cache_creation_1h_input_tokens")  # fmt: skip
Continuation = Literal["prefill", "user_turn"]  # how a request continues an interrupted answer
RecordedEvent = tuple[float, str, dict[str, Any]]  # seconds since the request, event type, event data


@dataclass(frozen=True, eq=False)
class Usage(Mapping[str, int]):
    """Tokens billed, as the API counts them; usages add up. Also a read-only mapping by the API's names
    (`usage["input_tokens"]`), which is how `api/pricing.py` (below the engine) and the wire read it."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    cache_creation_1h_input_tokens: int = 0

    @classmethod
    def of(cls, usage: object) -> Usage:
        """From the SDK's usage object (its `cache_creation` read too), a mapping by the API's names, or None."""
        return cls(**reported(usage))

    def __add__(self, other: Usage) -> Usage:
        return Usage(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def as_dict(self) -> dict[str, int]:
        """Where it leaves as JSON (a widget trait, the wire)."""
        return dict(self.items())

    def __getitem__(self, key: str) -> int:
        if key not in USAGE_KEYS:
            raise KeyError(key)
        value: int = getattr(self, key)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(USAGE_KEYS)

    def __len__(self) -> int:
        return len(USAGE_KEYS)

    def __repr__(self) -> str:
        return f"Usage({', '.join(f'{k}={v}' for k, v in self.items() if v)})"


def reported(usage: object) -> dict[str, int]:
    """The counts a usage states (an SDK object leaves out what it does not know, as None), by the API's names."""
    if usage is None:
        return {}
    if isinstance(usage, Mapping):
        return {key: int(usage[key]) for key in USAGE_KEYS if usage.get(key) is not None}
    counts = {key: value for key in USAGE_KEYS if (value := getattr(usage, key, None)) is not None}
    written_1h = getattr(getattr(usage, "cache_creation", None), "ephemeral_1h_input_tokens", None)
    if written_1h is not None:
        counts["cache_creation_1h_input_tokens"] = written_1h
    return counts


@dataclass
class Attempt:
    """One request sent: when, whether it continued the answer and how, how it ended, and what it cost."""

    sent_at: float  # time.time()
    continuation: Continuation | None = None
    outcome: str = "pending"  # "done", "stopped", or the kind of failure that ended it
    usage: Usage = field(default_factory=Usage)
    thinking_tokens: int = 0
    chars: int = 0  # characters of answer it added
    deltas: int = 0  # content deltas it received
    events: list[RecordedEvent] = field(default_factory=list)  # its raw events, when recording
    usage_estimated: bool = False  # output tokens estimated from the deltas (the attempt was interrupted)
    billing: Billing = field(default_factory=Billing)  # data residency, fast mode, as the usage reported them

    def __getitem__(self, key: str) -> Any:
        """Read access by name, as when attempts were dicts (`attempt["outcome"]`)."""
        if key not in _FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def record_usage(self, usage: object) -> None:
        """Take the usage the API reported (at message_start, then in message_delta)."""
        self.usage = replace(self.usage, **reported(usage))  # message_delta's counts are cumulative
        billing = Billing.of(usage)
        if billing != Billing():  # message_delta's usage may leave these out: keep what message_start said
            self.billing = billing
        details = getattr(usage, "output_tokens_details", None)
        thinking = getattr(details, "thinking_tokens", None) if details is not None else None
        if thinking is not None:
            self.thinking_tokens = thinking

    def end(self, outcome: str) -> None:
        self.outcome = outcome
        if outcome != "done" and self.deltas:
            self.usage = replace(self.usage, output_tokens=max(self.usage.output_tokens, self.deltas))
            self.usage_estimated = True

    def cost(self, pricing: Pricing | None) -> float | None:
        return cost_usd(self.usage, pricing, self.billing)

    def prices(self, pricing: Pricing | None) -> Prices | None:
        """The rates this request is billed at (a tier or a multiplier may apply)."""
        return request_prices(pricing, self.usage, self.billing)

    def copy(self) -> Attempt:
        return replace(self)


_FIELDS = frozenset(f.name for f in fields(Attempt))


def total_usage(attempts: Iterable[Attempt]) -> Usage:
    """Usage as billed: the sum over every attempt."""
    return sum((a.usage for a in attempts), Usage())


def total_thinking_tokens(attempts: Iterable[Attempt]) -> int:
    return sum(a.thinking_tokens for a in attempts)


class Ledger:
    """A turn's attempts, and its usage as billed: the sum over every attempt."""

    def __init__(self, attempts: Iterable[Attempt] = (), pricing: Pricing | None = None) -> None:
        self.attempts = [attempt.copy() for attempt in attempts]
        self.pricing = pricing
        self.usage = total_usage(self.attempts)
        self.thinking_tokens = total_thinking_tokens(self.attempts)

    @property
    def cost(self) -> float | None:
        """USD: the sum of every attempt's cost, each at its own rates; None where a price is not known."""
        return total_cost(attempt.cost(self.pricing) for attempt in self.attempts)

    @property
    def pending(self) -> Attempt | None:
        """The attempt under way, if one is."""
        return self.attempts[-1] if self.attempts and self.attempts[-1].outcome == "pending" else None

    def begin(self, sent_at: float, continuation: Continuation | None) -> Attempt:
        self.attempts.append(Attempt(sent_at=sent_at, continuation=continuation))
        return self.attempts[-1]

    def record(self, usage: object) -> UsageChanged | None:
        """The API reported the current attempt's usage; the change in the total, if any."""
        self.attempts[-1].record_usage(usage)
        return self._total()

    def end(self, outcome: str) -> UsageChanged | None:
        """The current attempt ended with `outcome`; the change in the total, if any."""
        self.attempts[-1].end(outcome)
        return self._total()

    def _total(self) -> UsageChanged | None:
        usage, thinking = total_usage(self.attempts), total_thinking_tokens(self.attempts)
        if usage == self.usage and thinking == self.thinking_tokens:
            return None
        self.usage, self.thinking_tokens = usage, thinking
        prices = self.attempts[-1].prices(self.pricing) if self.attempts else None
        return UsageChanged(usage.as_dict(), thinking, self.cost, dict(prices) if prices is not None else None)
