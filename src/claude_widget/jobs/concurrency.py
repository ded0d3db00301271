"""How many requests a job keeps in flight: found by trying, kept just below where the API says no. Pure.

It starts at `START` and, each time as many requests as are in flight have succeeded (a round, about one round
trip), grows by half until the API first says no, then by one. A 429 or 529 says the limit was passed: the job
goes back to the number in flight that worked, and grows past it again only after `PATIENCE` rounds of success,
so that looking for more room costs a rate-limit error now and then, not every round. The refused request itself
waits what `retry-after` asks (its stream manager retries it); the others go on at the lower level. The
`anthropic-ratelimit-requests-*` and `-input-tokens-*` headers hold a new request back until the per-minute budgets
they state have refilled enough for it. `ceiling` (the user's `concurrency`) is never passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

START = 4
DEFAULT_CEILING = 64  # without `concurrency=`: enough to keep most rate limits busy, few enough for one kernel
PATIENCE = 20  # rounds of success before trying above a level the API refused


@dataclass
class Budget:
    """A per-minute budget as the API's headers last stated it, refilling continuously since."""

    per_minute: int
    remaining: float
    at: float  # when it was stated (or last spent from)

    def left(self, now: float) -> float:
        return min(float(self.per_minute), self.remaining + (now - self.at) * self.per_minute / 60)

    def spend(self, amount: float, now: float) -> None:
        self.remaining, self.at = self.left(now) - amount, now

    def ready_at(self, amount: float, now: float) -> float:
        """When `amount` fits (never waiting for more than the whole budget: the API then says why not)."""
        short = min(amount, self.per_minute) - self.left(now)
        return now if short <= 0 else now + short * 60 / self.per_minute


BUDGETS = ("requests", "input-tokens")  # anthropic-ratelimit-<budget>-limit / -remaining


@dataclass
class AdaptiveConcurrency:
    ceiling: int = DEFAULT_CEILING
    limit: int = field(default=0)
    refused_at: int | None = None  # the lowest level the API refused, until PATIENCE rounds have passed
    budgets: dict[str, Budget] = field(default_factory=dict)  # what the rate-limit headers said is left
    _successes: int = 0
    _rounds_since_refusal: int = 0
    _ever_refused: bool = False

    def __post_init__(self) -> None:
        if self.ceiling < 1:
            raise ValueError(f"concurrency must be at least 1, got {self.ceiling}")
        self.limit = min(START, self.ceiling) if self.limit == 0 else self.limit

    def may_start(self, in_flight: int, now: float, tokens: int = 0) -> bool:
        """Whether a request of about `tokens` input tokens may start now."""
        return in_flight < self.limit and self.ready_at(now, tokens) <= now

    def ready_at(self, now: float, tokens: int = 0) -> float:
        """When the per-minute budgets have room for one more request of about `tokens` input tokens."""
        needs = {"requests": 1, "input-tokens": tokens}
        return max([now, *(b.ready_at(needs[name], now) for name, b in self.budgets.items())])

    def started(self, now: float, tokens: int = 0) -> None:
        needs = {"requests": 1, "input-tokens": tokens}
        for name, budget in self.budgets.items():
            budget.spend(needs[name], now)

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
        """A response's rate-limit headers: what each per-minute budget has left."""
        for name in BUDGETS:
            limit = headers.get(f"anthropic-ratelimit-{name}-limit", "")
            remaining = headers.get(f"anthropic-ratelimit-{name}-remaining", "")
            if limit.isdigit() and remaining.isdigit() and int(limit) > 0:
                self.budgets[name] = Budget(int(limit), float(remaining), now)
