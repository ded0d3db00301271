"""List prices, USD per million tokens. Configuration, not constants: prices change, so they live in one table."""

from __future__ import annotations

from typing import TypedDict


class Prices(TypedDict):
    input: float
    output: float
    cache_write: float  # 5-minute cache write: 1.25x input
    cache_read: float  # 0.1x input


def _prices(input_: float, output: float) -> Prices:
    return {"input": input_, "output": output, "cache_write": input_ * 1.25, "cache_read": input_ * 0.1}


# Longest prefix wins, so dated model names ("claude-sonnet-4-5-20250929") find their family.
PRICES: dict[str, Prices] = {
    "claude-opus-5-5": _prices(4, 20),
    "claude-sonnet-5-5": _prices(2, 10),
    "claude-haiku-5-5": _prices(0.10, 0.50),
    "claude-fable-5-2": _prices(8, 40),
    "claude-opus-5": _prices(5, 25),
    "claude-opus-4-5": _prices(5, 25),
    "claude-opus-4-6": _prices(5, 25),
    "claude-opus-4-7": _prices(5, 25),
    "claude-opus-4-8": _prices(5, 25),
    "claude-sonnet-4-5": _prices(3, 15),
    "claude-sonnet-4-6": _prices(3, 15),
    "claude-haiku-4-5": _prices(1, 5),
}


def prices_for(model: str) -> Prices | None:
    matches = [name for name in PRICES if model == name or model.startswith(name + "-")]
    return PRICES[max(matches, key=len)] if matches else None


def cost_usd(usage: dict[str, int], prices: Prices | None) -> float | None:
    """What the usage costs at list price, or None for a model without a known price."""
    if prices is None:
        return None
    return (
        usage.get("input_tokens", 0) * prices["input"]
        + usage.get("output_tokens", 0) * prices["output"]
        + usage.get("cache_creation_input_tokens", 0) * prices["cache_write"]
        + usage.get("cache_read_input_tokens", 0) * prices["cache_read"]
    ) / 1_000_000


BATCH_DISCOUNT = 0.5  # the Message Batches API bills every token at half the list price


def batch_prices(prices: Prices | None) -> Prices | None:
    """What tokens cost through the Message Batches API."""
    if prices is None:
        return None
    half = BATCH_DISCOUNT
    return {"input": prices["input"] * half, "output": prices["output"] * half,
            "cache_write": prices["cache_write"] * half, "cache_read": prices["cache_read"] * half}  # fmt: skip
