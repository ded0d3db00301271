"""What a request costs, as the pricing page bills it: the model's rates (models.py), chosen per request.

A request's rates are decided before any token is priced: Haiku 5.5's long-prompt tier from the request's whole
prompt (input, cache reads and cache writes), fast mode and data residency from what its usage reports, the
Batches API's half from how it was sent. Then every kind of token is counted at its rate: 5-minute and 1-hour
cache writes apart. A conversation's cost is the sum of its requests' costs, never the cost of summed usage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from .models import Pricing, Rates, facts_for

BATCH_DISCOUNT = 0.5  # the Message Batches API bills every token at half the list price
GEO_MULTIPLIER = 1.1  # `inference_geo: "us"` (data residency), on every kind of token


class Prices(TypedDict):
    """The rates one request is billed at, as the widget's counter reads them (USD per million tokens)."""

    input: float
    output: float
    cache_write: float  # 5-minute cache write
    cache_write_1h: float
    cache_read: float
    notes: list[str]  # what changed the list price: a tier, fast mode, data residency, the Batches API


@dataclass(frozen=True)
class Billing:
    """How a request is billed besides its token counts: what its usage reports, and how it was sent."""

    inference_geo: str | None = None
    speed: str | None = None
    batch: bool = False

    @classmethod
    def of(cls, usage: object, batch: bool = False) -> Billing:
        """From the API's usage object (or dict): `inference_geo`, `speed`, `service_tier`."""

        def get(key: str) -> Any:
            return usage.get(key) if isinstance(usage, Mapping) else getattr(usage, key, None)

        return cls(get("inference_geo"), get("speed"), batch or get("service_tier") == "batch")


def pricing_for(model: str) -> Pricing | None:
    facts = facts_for(model)
    return facts.pricing if facts is not None else None  # a model learnt from the Models API has no price


def prompt_tokens(usage: Mapping[str, int]) -> int:
    """A request's whole prompt: the uncached input, what it read from the cache and what it wrote."""
    return sum(usage.get(key, 0) for key in ("input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"))


def request_prices(pricing: Pricing | None, usage: Mapping[str, int], billing: Billing = Billing()) -> Prices | None:
    """The rates this request is billed at, and why; None where they are not known."""
    if pricing is None:
        return None
    rates, notes = pricing.standard, []
    if pricing.long_prompt is not None and prompt_tokens(usage) > pricing.long_prompt_above:
        rates = pricing.long_prompt
        notes.append(f"prompt over {pricing.long_prompt_above:,} tokens: long-prompt rates")
    if billing.speed == "fast":
        if pricing.fast is None:
            return None  # offered, or reported, at a price this table does not know
        rates = pricing.fast
        notes.append("fast mode")
    if billing.inference_geo == "us":
        rates = rates.scaled(GEO_MULTIPLIER)
        notes.append("US-only inference ×1.1")
    if billing.batch:
        rates = rates.scaled(BATCH_DISCOUNT)
        notes.append("Batch API ×0.5")
    return _as_prices(rates, notes)


def _as_prices(rates: Rates, notes: list[str]) -> Prices:
    return {"input": rates.input, "output": rates.output, "cache_write": rates.cache_write_5m,
            "cache_write_1h": rates.cache_write_1h, "cache_read": rates.cache_read, "notes": notes}  # fmt: skip


def priced(usage: Mapping[str, int], prices: Prices) -> float:
    """USD for token counts at given rates (the one linear sum; js/src/ui/tokens.js does the same)."""
    written_1h = usage.get("cache_creation_1h_input_tokens", 0)
    return (
        usage.get("input_tokens", 0) * prices["input"]
        + usage.get("output_tokens", 0) * prices["output"]
        + (usage.get("cache_creation_input_tokens", 0) - written_1h) * prices["cache_write"]
        + written_1h * prices["cache_write_1h"]
        + usage.get("cache_read_input_tokens", 0) * prices["cache_read"]
    ) / 1_000_000


def cost_usd(usage: Mapping[str, int], pricing: Pricing | None, billing: Billing = Billing()) -> float | None:
    """What one request's usage costs; None where the price is not known."""
    prices = request_prices(pricing, usage, billing)
    return priced(usage, prices) if prices is not None else None


def total_cost(costs: Iterable[float | None]) -> float | None:
    """The sum of requests' costs; None if any is unknown (a partial sum would understate the bill)."""
    total = 0.0
    for cost in costs:
        if cost is None:
            return None
        total += cost
    return total


def list_prices(model: str, batch: bool = False) -> Prices | None:
    """A model's standard rates (at the Batches API's half with `batch`), before a request says more."""
    return request_prices(pricing_for(model), {}, Billing(batch=batch))


def input_price(model: str, tokens: int, batch: bool = False) -> float | None:
    """USD per million input tokens for a prompt of `tokens` (a tier may depend on it)."""
    prices = request_prices(pricing_for(model), {"input_tokens": tokens}, Billing(batch=batch))
    return prices["input"] if prices is not None else None
