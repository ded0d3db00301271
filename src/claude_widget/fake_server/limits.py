"""Rate limits, as the API enforces them: requests per minute from a bucket that refills continuously, and (a
stand-in for the API's capacity) streams open at once. Over a limit, a request gets 429 `rate_limit_error` with
`retry-after`; every answer carries the `anthropic-ratelimit-requests-*` headers. Pure: the server passes the time.
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
    concurrent: int | None = None  # requests in flight (a stream counts until it ends)


@dataclass
class Admission:
    """A request let through (`admitted`) or refused with its message; the headers go on the response either way."""

    admitted: bool
    headers: dict[str, str]
    message: str | None = None


@dataclass
class Limiter:
    limits: RateLimits
    in_flight: int = 0
    most_in_flight: int = 0
    admitted: int = 0
    refused: int = 0
    _tokens: float = field(default=0.0, init=False)
    _at: float | None = field(default=None, init=False)

    def admit(self, now: float) -> Admission:
        """Let a request in, or say why not (`now`: the server's monotonic clock)."""
        rate = self.limits.per_minute
        if rate is not None:
            self._refill(now, rate)
        if rate is not None and self._tokens < 1:
            self.refused += 1
            wait = (1 - self._tokens) * 60 / rate
            return Admission(False, {**self._headers(), "retry-after": str(max(1, math.ceil(wait)))},
                             _exceeded(f"{rate:,} requests per minute"))  # fmt: skip
        if self.limits.concurrent is not None and self.in_flight >= self.limits.concurrent:
            self.refused += 1
            return Admission(False, {**self._headers(), "retry-after": "1"},
                             _exceeded(f"{self.limits.concurrent:,} concurrent requests"))  # fmt: skip
        if rate is not None:
            self._tokens -= 1
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self.admitted += 1
        return Admission(True, self._headers())

    def release(self) -> None:
        """An admitted request's response ended."""
        self.in_flight -= 1

    def _refill(self, now: float, rate: int) -> None:
        if self._at is None:
            self._tokens = float(rate)
        else:
            self._tokens = min(float(rate), self._tokens + (now - self._at) * rate / 60)
        self._at = now

    def _headers(self) -> dict[str, str]:
        rate = self.limits.per_minute
        if rate is None:
            return {}
        full_in = (rate - self._tokens) * 60 / rate
        reset = datetime.now(UTC) + timedelta(seconds=full_in)
        return {
            "anthropic-ratelimit-requests-limit": str(rate),
            "anthropic-ratelimit-requests-remaining": str(max(0, math.floor(self._tokens))),
            "anthropic-ratelimit-requests-reset": reset.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }


def _exceeded(limit: str) -> str:
    """The API's words for a request over a rate limit."""
    return (
        f"This request would exceed the rate limit for your organization of {limit}. For details, refer to: {DOCS}."
        " You can see the response headers for current usage. Please reduce the prompt length or the maximum tokens"
        f" requested, or try again later. You may also contact sales at {SALES} to discuss your options for a rate"
        " limit increase."
    )
