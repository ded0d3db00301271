"""A map job's progress, computed now: counts, rates and money, and the job in one line of text."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..api.pricing import prompt_tokens
from ..engine.usage import Usage
from .ledger import ItemState

JobState = Literal["running", "done", "stopped", "max_cost"]


@dataclass(frozen=True)
class Progress:
    """What the progress shows (the job widget's `progress` trait, a script's line on stderr)."""

    total: int
    done: int
    failed: int
    running: int
    queued: int
    stopped: int
    refusals: int
    elapsed: float  # seconds, over every run of the job
    rate: float  # items finished a second
    eta: float | None  # seconds left, at that rate
    input_tokens: int  # the whole prompts: uncached input, cache reads and writes
    output_tokens: int
    cost: float | None  # USD so far; None for a model without a price
    projected_cost: float | None  # for all the items, at what the finished ones cost
    max_cost: float | None
    in_flight_limit: int
    state: JobState
    resumable: bool
    batch_ids: tuple[str, ...]
    batch_status: str | None
    from_store: int = 0  # items answered from the answer store (replay): nothing sent
    saved: float = 0.0  # USD those would have cost

    @classmethod
    def measure(cls, counts: dict[ItemState, int], *, elapsed: float, ended: bool, usage: Usage, cost: float | None,
                max_cost: float | None, refusals: int, in_flight_limit: int, state: JobState, resumable: bool,
                batch_ids: list[str], batch_status: str | None, from_store: int = 0,
                saved: float = 0.0) -> Progress:  # fmt: skip
        """From the items' counts, the time and the money: the rate, the time left, the cost for all."""
        total, finished = sum(counts.values()), counts["done"] + counts["failed"]
        rate = finished / elapsed if elapsed > 0 and finished else 0.0
        left = 0 if ended else total - finished - counts["stopped"]
        projected = cost / finished * total if cost is not None and finished else cost
        return cls(total=total, done=counts["done"], failed=counts["failed"], running=counts["running"],
                   queued=counts["queued"], stopped=counts["stopped"], refusals=refusals, elapsed=round(elapsed, 2),
                   rate=round(rate, 3), eta=round(left / rate, 1) if rate and left else None,
                   input_tokens=prompt_tokens(usage), output_tokens=usage.output_tokens, cost=cost,
                   projected_cost=projected, max_cost=max_cost, in_flight_limit=in_flight_limit, state=state,
                   resumable=resumable, batch_ids=tuple(batch_ids), batch_status=batch_status,
                   from_store=from_store, saved=round(saved, 6))  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        """As the widget's trait carries it (JSON)."""
        return {**asdict(self), "batch_ids": list(self.batch_ids)}

    def line(self) -> str:
        """The job in one line: "412/1,000 done · 2 failed · 38 running · 3.2/s · 1:42 left · spent $0.8400 ·
        about $2.0500 for all 1,000"."""
        parts = [f"{self.done:,}/{self.total:,} done"]
        parts += [f"{n:,} {name}" for name, n in (("failed", self.failed), ("running", self.running),
                                                   ("stopped", self.stopped)) if n]  # fmt: skip
        if self.rate:
            parts.append(f"{self.rate:.1f}/s")
        if self.eta:
            parts.append(f"{duration(self.eta)} left")
        if self.cost is not None:
            more = self.eta and self.projected_cost is not None and self.projected_cost > self.cost
            parts.append(f"spent ${self.cost:.4f}" + (f" · about ${self.projected_cost:.4f} for all {self.total:,}"
                                                      if more else ""))  # fmt: skip
        if self.from_store:
            parts.append(f"{self.from_store:,} from the store (saved ${self.saved:.4f})")
        if self.state == "max_cost":
            parts.append(f"stopped at max_cost ${self.max_cost:g}")
        if self.batch_ids:  # in the saved output too: a new kernel collects them (chat.collect)
            parts.append(f"batches {', '.join(self.batch_ids)}")
        return " · ".join(parts)


def duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"
