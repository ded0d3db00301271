"""How many requests a job keeps in flight: found by trying, kept just below where the API says no. Pure.

It starts at `START` and, each time as many requests as are in flight have succeeded (a round, about one round
trip), grows by half until the API first says no, then by one. A 429 or 529 says the limit was passed: the job
goes back to the number in flight that worked, and grows past it again only after `PATIENCE` rounds of success,
so that looking for more room costs a rate-limit error now and then, not every round. The refused request itself
waits what `retry-after` asks (its stream manager retries it); the others go on at the lower level. The
`anthropic-ratelimit-requests-*` headers hold new requests back when the per-minute budget is spent, until it has
refilled enough for one. `ceiling` (the user's `concurrency`) is never passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

START = 4
DEFAULT_CEILING = 64  # without `concurrency=`: enough to keep most rate limits busy, few enough for one kernel
PATIENCE = 20  # rounds of success before trying above a level the API refused


@dataclass
class AdaptiveConcurrency:
    ceiling: int = DEFAULT_CEILING
    limit: int = field(default=0)
    paused_until: float = 0.0  # no new request before this time: the per-minute budget is spent
    refused_at: int | None = None  # the lowest level the API refused, until PATIENCE rounds have passed
    _successes: int = 0
    _rounds_since_refusal: int = 0
    _allowance: int | None = None  # requests the per-minute budget has left, if the API said
    _ever_refused: bool = False

    def __post_init__(self) -> None:
        if self.ceiling < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.ceiling}")
        self.limit = min(START, self.ceiling) if self.limit == 0 else self.limit

    def may_start(self, in_flight: int, now: float) -> bool:
        if now < self.paused_until or in_flight >= self.limit:
            return False
        return self._allowance is None or self._allowance > 0

    def started(self) -> None:
        if self._allowance is not None:
            self._allowance -= 1

    def succeeded(self) -> None:
        self._successes += 1
        if self._successes < self.limit:
            return
        self._successes = 0  # a round
        self._rounds_since_refusal += 1
        if self.refused_at is not None and self._rounds_since_refusal >= PATIENCE:
            self.refused_at = None
        ceiling = self.ceiling if self.refused_at is None else min(self.ceiling, self.refused_at - 1)
        step = max(1, self.limit // 2) if not self._ever_refused else 1
        self.limit = max(self.limit, min(ceiling, self.limit + step))

    def refused(self, in_flight: int) -> None:
        """A 429 or 529 with `in_flight` requests out (this one included)."""
        level = max(1, in_flight - 1)
        self.refused_at = min(in_flight, self.refused_at or in_flight)
        self.limit = min(self.limit, level)
        self._successes = self._rounds_since_refusal = 0
        self._ever_refused = True

    def observed(self, headers: dict[str, str], now: float) -> None:
        """A response's rate-limit headers: what the per-minute budget has left."""
        remaining = headers.get("anthropic-ratelimit-requests-remaining", "")
        per_minute = headers.get("anthropic-ratelimit-requests-limit", "")
        if not remaining.isdigit():
            return
        self._allowance = int(remaining)
        if self._allowance == 0 and per_minute.isdigit() and int(per_minute) > 0:
            # The budget refills continuously: the next request fits this soon.
            self.paused_until = max(self.paused_until, now + 60 / int(per_minute))
            self._allowance = None  # the next response says again
