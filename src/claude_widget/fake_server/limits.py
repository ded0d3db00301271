"""Rate limits, as the API enforces them: requests and input tokens per minute, each from a bucket that refills
continuously, and (a stand-in for the API's capacity) streams open at once. Over a limit, a request gets 429
`rate_limit_error` with `retry-after` and the API's words; every answer carries the `anthropic-ratelimit-*` headers
of the budgets in force (`requests-*`, `input-tokens-*`, and `tokens-*`, the tighter of the token budgets: here
the input one). Pure: the server passes the time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

DOCS = "https://docs.claude.com/en/api/rate-limits"
SALES = "https://claude.com/contact-sales"


@dataclass(frozen=True)
class RateLimits:
    """What the fake server allows. None: no such limit."""

    per_minute: int | None = None  # requests per minute
    input_tokens_per_minute: int | None = None
    concurrent: int | None = None  # requests in flight (a stream counts until it ends)


@dataclass
class Admission:
    """A request let through (`admitted`) or refused with its message; the headers go on the response either way."""

    admitted: bool
    headers: dict[str, str]
    message: str | None = None


@dataclass
class Bucket:
    """A per-minute budget that refills continuously."""

    per_minute: int
    level: float = -1.0  # full until first used
    at: float = 0.0

    def refill(self, now: float) -> None:
        self.level = float(self.per_minute) if self.level < 0 else min(
            float(self.per_minute), self.level + (now - self.at) * self.per_minute / 60)  # fmt: skip
        self.at = now

    def wait_for(self, amount: float) -> float:
        """Seconds until `amount` fits (0: it fits now)."""
        return max(0.0, (amount - self.level) * 60 / self.per_minute)

    def headers(self, name: str) -> dict[str, str]:
        reset = datetime.now(UTC) + timedelta(seconds=(self.per_minute - self.level) * 60 / self.per_minute)
        return {
            f"anthropic-ratelimit-{name}-limit": str(self.per_minute),
            f"anthropic-ratelimit-{name}-remaining": str(max(0, math.floor(self.level))),
            f"anthropic-ratelimit-{name}-reset": reset.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


@dataclass
class Limiter:
    limits: RateLimits
    in_flight: int = 0
    most_in_flight: int = 0
    admitted: int = 0
    refused: int = 0
    _buckets: dict[str, Bucket] = field(default_factory=dict, init=False)

    def admit(self, now: float, input_tokens: int = 0) -> Admission:
        """Let a request of `input_tokens` in, or say why not (`now`: the server's monotonic clock)."""
        needs = {"requests": (self.limits.per_minute, 1, "requests"),
                 "input-tokens": (self.limits.input_tokens_per_minute, input_tokens, "input tokens")}  # fmt: skip
        for name, (per_minute, _, _) in needs.items():
            bucket = self._buckets.get(name)
            if per_minute is None:
                self._buckets.pop(name, None)
            elif bucket is None or bucket.per_minute != per_minute:
                self._buckets[name] = Bucket(per_minute)
        for bucket in self._buckets.values():
            bucket.refill(now)
        for name, bucket in self._buckets.items():
            _, amount, words = needs[name]
            wait = bucket.wait_for(amount)
            if wait > 0:
                self.refused += 1
                return Admission(False, {**self._headers(), "retry-after": str(max(1, math.ceil(wait)))},
                                 _exceeded(f"{bucket.per_minute:,} {words} per minute"))  # fmt: skip
        if self.limits.concurrent is not None and self.in_flight >= self.limits.concurrent:
            self.refused += 1
            return Admission(False, {**self._headers(), "retry-after": "1"},
                             _exceeded(f"{self.limits.concurrent:,} concurrent requests"))  # fmt: skip
        for name, bucket in self._buckets.items():
            bucket.level -= needs[name][1]
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.admitted += 1
        return Admission(True, self._headers())

    def release(self) -> None:
        """An admitted request's response ended."""
        self.in_flight -= 1

    def _headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, bucket in self._buckets.items():
            headers.update(bucket.headers(name))
            if name == "input-tokens":
                headers.update(bucket.headers("tokens"))
        return headers


def _exceeded(limit: str) -> str:
    """The API's words for a request over a rate limit."""
    return (
        f"This request would exceed the rate limit for your organization of {limit}. For details, refer to: {DOCS}."
        " You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens"
        f" requested, or try again later. You may also contact sales at {SALES} to discuss your options for a rate"
        " limit increase."
    )
